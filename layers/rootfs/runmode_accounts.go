package rootfs

import (
	"errors"
	"fmt"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
)

// ErrNoUserNamespaces is wrapped by the error of a run when the system
// lets no unprivileged process make a user namespace.
var ErrNoUserNamespaces = errors.New(`scriptlets = "run" needs unprivileged user namespaces`)

// rereadAccounts parses the account files the scriptlets left.
func (w *Writer) rereadAccounts(t *tree, old *accounts.ShadowUtils) (*accounts.DB, *accounts.ShadowUtils, error) {
	read := func(p string) ([]byte, bool, error) {
		rp, err := t.resolve(p)
		if err != nil {
			return nil, false, nil
		}
		e := t.m[rp]
		if e == nil || e.kind != kindReg {
			return nil, false, nil
		}
		b, err := w.content(e)
		return b, true, err
	}
	db := &accounts.DB{}
	for _, f := range []struct {
		p     string
		parse func(string, []byte) error
	}{{"/etc/passwd", db.ParsePasswd}, {"/etc/group", db.ParseGroup}} {
		b, _, err := read(f.p)
		if err != nil {
			return nil, nil, err
		}
		if err := f.parse(f.p, b); err != nil {
			return nil, nil, fmt.Errorf("%s after the scriptlets ran: %w", f.p, err)
		}
	}
	su := &accounts.ShadowUtils{DB: db, Day: old.Day, LoginDefs: old.LoginDefs, UseraddDefaults: old.UseraddDefaults}
	var err error
	if su.Shadow, su.HasShadow, err = read("/etc/shadow"); err != nil {
		return nil, nil, err
	}
	if su.GShadow, su.HasGShadow, err = read("/etc/gshadow"); err != nil {
		return nil, nil, err
	}
	return db, su, nil
}
