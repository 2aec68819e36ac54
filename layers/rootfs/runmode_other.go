//go:build !linux

package rootfs

import (
	"fmt"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
)

// CheckUserNamespaces fails: the sandbox scriptlets run in is made of
// Linux namespaces.
func CheckUserNamespaces(tmp string) error {
	return fmt.Errorf("%w: only Linux has them", ErrNoUserNamespaces)
}

// runSandboxed fails: see CheckUserNamespaces.
func (w *Writer) runSandboxed(t *tree, pkgs []*pkgState, db *accounts.DB) error {
	return CheckUserNamespaces("")
}
