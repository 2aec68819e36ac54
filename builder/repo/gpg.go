package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"

	"github.com/slipway-build/slipway/internal/localfile"
)

const maxKeySize = 4 << 20

// Errors of repo_gpgcheck, wrapped with the repository id.
var (
	ErrSignatureMissing = errors.New("repomd.xml.asc is missing")
	ErrSignatureBad     = errors.New("bad signature on repomd.xml")
	ErrUnknownKey       = errors.New("repomd.xml is signed by a key that is not among the repository's gpgkey")
)

// loadKeys reads the repository's armored public keys.
func (r *Repository) loadKeys(ctx context.Context) (openpgp.EntityList, error) {
	return loadKeyRing(ctx, r.o.fetcher, r.Config.GPGKeys)
}

// loadKeyRing reads armored public keys from paths or URLs.
func loadKeyRing(ctx context.Context, f *fetcher, keys []string) (openpgp.EntityList, error) {
	var ring openpgp.EntityList
	for _, k := range keys {
		u, err := keyURL(k)
		if err != nil {
			return nil, err
		}
		var b []byte
		if u.Scheme == "file" {
			// A local key: a regular file (not a pipe, not /dev/zero).
			b, err = localfile.ReadFile(u.Path, "gpgkey", localfile.KeyLimit)
		} else {
			b, err = f.fetchBytes(ctx, u, nil, maxKeySize)
			if err != nil {
				err = fmt.Errorf("reading gpgkey %s: %w", u.Redacted(), err)
			}
		}
		if err != nil {
			return nil, err
		}
		el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("reading gpgkey %s: %w", u.Redacted(), err)
		}
		ring = append(ring, el...)
	}
	return ring, nil
}

func keyURL(k string) (*url.URL, error) {
	if strings.HasPrefix(k, "/") {
		return &url.URL{Scheme: "file", Path: filepath.Clean(k)}, nil
	}
	u, err := url.Parse(k)
	if err != nil {
		return nil, errors.New("gpgkey is not a valid URL or absolute path")
	}
	switch u.Scheme {
	case "file", "http", "https":
		return u, nil
	}
	return nil, fmt.Errorf("gpgkey %s: want an absolute path or a file, http or https URL", u.Redacted())
}

// verifyRepomd checks repodata/repomd.xml.asc over repomd.
func (r *Repository) verifyRepomd(ctx context.Context, repomd []byte) error {
	id := r.Config.ID
	if len(r.Config.GPGKeys) == 0 {
		return fmt.Errorf("repo %s: repo_gpgcheck is on but no gpgkey is set", id)
	}
	ring, err := r.loadKeys(ctx)
	if err != nil {
		return fmt.Errorf("repo %s: %w", id, err)
	}
	ascURL := r.base.JoinPath("repodata", "repomd.xml.asc")
	asc, err := r.o.fetcher.fetchBytes(ctx, ascURL, r.auth, 1<<20)
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("repo %s: %w (repo_gpgcheck is on): %w", id, ErrSignatureMissing, err)
		}
		return fmt.Errorf("repo %s: fetching repomd.xml.asc: %w", id, err)
	}
	_, err = openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(repomd), bytes.NewReader(asc), nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return fmt.Errorf("repo %s: %w: %w", id, ErrUnknownKey, err)
	default:
		return fmt.Errorf("repo %s: %w: %w", id, ErrSignatureBad, err)
	}
}
