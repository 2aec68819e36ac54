package builder

import (
	"bytes"
	"context"
	"crypto/rand"
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
	"github.com/slipway-build/slipway/internal/localfile"
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
// Every write goes through an os.Root opened on dir: no name from the
// lockfile or the configuration, and no symbolic link inside dir, can make
// a write land outside it.
func Vendor(ctx context.Context, cfg *config.Config, l *lock.Lock, dir string, opts BuildOptions) (*VendorResult, error) {
	if l == nil {
		return nil, errors.New("vendor: no lockfile")
	}
	for _, a := range l.Arches {
		if !lock.ValidArch(a.Name) {
			return nil, fmt.Errorf("vendor: the lockfile's architecture %q is not an architecture name", a.Name)
		}
	}
	vf, err := openVendorFolder(dir)
	if err != nil {
		return nil, fmt.Errorf("vendor: %w", err)
	}
	defer vf.close()
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
			name := vendorName(p)
			if done[name] {
				continue
			}
			done[name] = true
			res.Packages++
			if vf.check(name, p.Checksum, p.Size) == nil {
				continue
			}
			n, err := vf.copyChecked(paths[i], name, p.Checksum)
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
			if err := vf.writeKeyRing(vendorKeyName(r.ID, a.Name), ring); err != nil {
				return nil, fmt.Errorf("vendor: repository %s: %w", r.ID, err)
			}
			res.Keys++
		}
	}
	return res, nil
}

// vendorFolder writes into a vendor folder through an os.Root, so that
// names and symbolic links cannot lead a write outside it.
type vendorFolder struct {
	dir  string
	root *os.Root
}

func openVendorFolder(dir string) (*vendorFolder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	if err := root.MkdirAll("keys", 0o755); err != nil {
		root.Close()
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "keys"), localfile.Cause(err))
	}
	return &vendorFolder{dir: dir, root: root}, nil
}

func (v *vendorFolder) close() { v.root.Close() }

// check says whether name in the folder holds data of checksum sum (and
// of size bytes, when size > 0: a file of another size is not hashed).
func (v *vendorFolder) check(name string, sum lock.Checksum, size int64) error {
	f, fi, err := localfile.OpenIn(v.root, name, "")
	if err != nil {
		return err
	}
	defer f.Close()
	if size > 0 && fi.Size() != size {
		return fmt.Errorf("%s: %w: %d bytes, want %d", name, repo.ErrChecksum, fi.Size(), size)
	}
	h, err := repo.NewHash(sum.Type)
	if err != nil {
		return err
	}
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum.Value {
		return fmt.Errorf("%s: %w: %s %s, want %s", name, repo.ErrChecksum, sum.Type, got, sum.Value)
	}
	return nil
}

// copyChecked copies src to name in the folder through a temporary file,
// checking the checksum of what was copied before renaming it into place.
func (v *vendorFolder) copyChecked(src, name string, sum lock.Checksum) (int64, error) {
	h, err := repo.NewHash(sum.Type)
	if err != nil {
		return 0, err
	}
	in, _, err := localfile.Open(src, "")
	if err != nil {
		return 0, err
	}
	defer in.Close()
	var n int64
	err = v.writeAtomic(name, func(w io.Writer) error {
		var err error
		n, err = io.Copy(io.MultiWriter(w, h), in)
		if err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum.Value {
			return fmt.Errorf("%s: checksum %s:%s, want %s", src, sum.Type, got, sum)
		}
		return nil
	})
	return n, err
}

// writeKeyRing writes ring's public keys, armored, atomically, as name.
func (v *vendorFolder) writeKeyRing(name string, ring openpgp.EntityList) error {
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
	return v.writeAtomic(name, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

// writeAtomic writes name (0644) through a temporary file beside it,
// synced, and renamed into place only when write succeeded.
func (v *vendorFolder) writeAtomic(name string, write func(io.Writer) error) error {
	where := name
	if !filepath.IsAbs(name) {
		where = v.dir + string(filepath.Separator) + name // not cleaned: as asked
	}
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+".tmp-"+rand.Text()[:12])
	f, err := v.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %w", where, localfile.Cause(err))
	}
	defer v.root.Remove(tmp) // gone after the rename; cleans up a failure
	// 0644 whatever the umask: a vendor folder is shared.
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", where, err)
	}
	if err := v.root.Rename(tmp, name); err != nil {
		return fmt.Errorf("writing %s: %w", where, localfile.Cause(err))
	}
	return nil
}
