package builder

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/repo"
)

// VendorResult says what Vendor wrote.
type VendorResult struct {
	Packages int   // package files in the folder
	Copied   int   // of which newly copied
	Bytes    int64 // bytes copied
	Keys     int   // keyring files written
}

// vendorName is a package's file in a vendor folder: its checksum in hex,
// so one file serves every architecture that locks it.
func vendorName(p lock.Package) string { return p.Checksum.Value + ".rpm" }

// vendorKeyName is the armored keyring of a repository for an
// architecture in a vendor folder.
func vendorKeyName(repoID, arch string) string {
	return filepath.Join("keys", repoID+"."+arch+".asc")
}

// Vendor copies every package the lockfile names, for every architecture,
// into dir as CHECKSUM.rpm, checking each checksum as it is copied, and
// the signing keys of repositories with gpgcheck into dir/keys. A build
// with BuildOptions.VendorDir then needs neither the network nor the
// repositories. Files already in dir with the right checksum are kept.
func Vendor(ctx context.Context, cfg *config.Config, l *lock.Lock, dir string, opts BuildOptions) (*VendorResult, error) {
	if l == nil {
		return nil, errors.New("vendor: no lockfile")
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o755); err != nil {
		return nil, fmt.Errorf("vendor: %w", err)
	}
	dl, err := repo.NewDownloader(opts.Repo...)
	if err != nil {
		return nil, err
	}
	res := &VendorResult{}
	done := map[string]bool{}
	for _, a := range l.Arches {
		files, err := packageFiles(cfg, a.Name, a.Packages, "")
		if err != nil {
			return nil, fmt.Errorf("vendor %s: %w", a.Name, err)
		}
		paths, err := dl.Fetch(ctx, files, repo.FetchOptions{Jobs: opts.Jobs, Offline: opts.Offline})
		if err != nil {
			return nil, fmt.Errorf("vendor %s: %w", a.Name, err)
		}
		for i, p := range a.Packages {
			dst := filepath.Join(dir, vendorName(p))
			if done[dst] {
				continue
			}
			done[dst] = true
			res.Packages++
			if checkFile(dst, p.Checksum) == nil {
				continue
			}
			n, err := copyChecked(paths[i], dst, p.Checksum)
			if err != nil {
				return nil, fmt.Errorf("vendor %s: %s: %w", a.Name, p.NEVRA, err)
			}
			res.Copied++
			res.Bytes += n
		}
		for _, r := range cfg.Repositories {
			if !r.GPGCheck {
				continue
			}
			ring, err := dl.KeyRing(ctx, cfg.GPGKeyURLs(r, a.Name))
			if err != nil {
				return nil, fmt.Errorf("vendor: repository %s: %w", r.ID, err)
			}
			if err := writeKeyRing(filepath.Join(dir, vendorKeyName(r.ID, a.Name)), ring); err != nil {
				return nil, fmt.Errorf("vendor: repository %s: %w", r.ID, err)
			}
			res.Keys++
		}
	}
	return res, nil
}

// checkFile says whether path holds data of checksum sum.
func checkFile(path string, sum lock.Checksum) error {
	return repo.VerifyFile(path, repo.Checksum{Type: sum.Type, Value: sum.Value}, 0)
}

// copyChecked copies src to dst through a temporary file, checking the
// checksum of what was copied before renaming it into place.
func copyChecked(src, dst string, sum lock.Checksum) (int64, error) {
	h, err := repo.NewHash(sum.Type)
	if err != nil {
		return 0, err
	}
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-")
	if err != nil {
		return 0, err
	}
	tmp := out.Name()
	defer os.Remove(tmp)
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("copying to %s: %w", dst, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum.Value {
		return 0, fmt.Errorf("%s: checksum %s:%s, want %s", src, sum.Type, got, sum)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return 0, err
	}
	return n, os.Rename(tmp, dst)
}

// writeKeyRing writes ring's public keys, armored, atomically.
func writeKeyRing(path string, ring openpgp.EntityList) error {
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		return err
	}
	for _, e := range ring {
		if err := e.Serialize(w); err != nil {
			return fmt.Errorf("writing key %X: %w", e.PrimaryKey.KeyId, err)
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
