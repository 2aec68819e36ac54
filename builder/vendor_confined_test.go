package builder

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/repo"
)

// vendorKeyConfig writes a configuration whose one repository has
// gpgcheck with a fresh key, so that Vendor writes keys/local.ARCH.asc.
func vendorKeyConfig(t *testing.T) *config.Config {
	t.Helper()
	dir := t.TempDir()
	e, err := openpgp.NewEntity("vendor", "", "vendor@example.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
	e.Serialize(w)
	w.Close()
	os.WriteFile(filepath.Join(dir, "key.asc"), b.Bytes(), 0o644)
	cfg := filepath.Join(dir, "c.toml")
	os.WriteFile(cfg, []byte("[image]\nname = \"t/v\"\narchitectures = [\"x86_64\"]\n\n[[repository]]\nid = \"local\"\nbaseurl = \"file:///nonexistent\"\ngpgcheck = true\ngpgkey = [\"key.asc\"]\n\n[packages]\ninstall = [\"bash\"]\n"), 0o644)
	c, err := config.Load(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestVendorStaysInside: names from a hand-edited lockfile and symbolic
// links inside the vendor folder never make Vendor write outside it.
func TestVendorStaysInside(t *testing.T) {
	t.Parallel()
	cfg := vendorKeyConfig(t)
	cases := []struct {
		name  string
		arch  string
		setup func(t *testing.T, dir, outside string)
		want  string // %d is the vendor folder, %o the outside folder
	}{
		{"arch ../ in the lockfile", "../../../../outside/escape", nil,
			`vendor: the lockfile's architecture "../../../../outside/escape" is not an architecture name`},
		{"absolute arch in the lockfile", "/tmp/escape", nil,
			`vendor: the lockfile's architecture "/tmp/escape" is not an architecture name`},
		{"keys is a symlink to an absolute folder outside", "x86_64", func(t *testing.T, dir, outside string) {
			os.Symlink(outside, filepath.Join(dir, "keys"))
		}, "vendor: %d/keys: path escapes from parent"},
		{"keys is a relative symlink leaving the folder", "x86_64", func(t *testing.T, dir, outside string) {
			os.Symlink("../"+filepath.Base(outside), filepath.Join(dir, "keys"))
		}, "vendor: %d/keys: path escapes from parent"},
		{"the keyring is a symlink to a file outside", "x86_64", func(t *testing.T, dir, outside string) {
			os.Mkdir(filepath.Join(dir, "keys"), 0o755)
			os.WriteFile(filepath.Join(outside, "victim"), []byte("keep"), 0o644)
			os.Symlink(filepath.Join(outside, "victim"), filepath.Join(dir, "keys", "local.x86_64.asc"))
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			dir, outside := filepath.Join(parent, "vendor"), filepath.Join(parent, "outside")
			os.Mkdir(dir, 0o755)
			os.Mkdir(outside, 0o755)
			if tc.setup != nil {
				tc.setup(t, dir, outside)
			}
			before := listTree(t, parent)
			l := &lock.Lock{ConfigDigest: cfg.Digest(), Arches: []lock.Arch{{Name: tc.arch}}}
			_, err := Vendor(t.Context(), cfg, l, dir, BuildOptions{Options: Options{Repo: []repo.Option{repo.WithCacheDir(t.TempDir())}}})
			want := strings.NewReplacer("%d", dir, "%o", outside).Replace(tc.want)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := os.ReadFile(filepath.Join(outside, "victim")); string(b) != "keep" {
					t.Errorf("the file outside was overwritten: %q", b)
				}
				if fi, err := os.Lstat(filepath.Join(dir, "keys", "local.x86_64.asc")); err != nil || !fi.Mode().IsRegular() {
					t.Errorf("keyring %v %v, want a regular file", fi, err)
				}
				return
			}
			if err == nil || err.Error() != want {
				t.Errorf("error %v\nwant  %s", err, want)
			}
			if after := listTree(t, parent); after != before {
				t.Errorf("files changed:\nbefore %s\nafter  %s", before, after)
			}
			if _, err := os.Stat("/tmp/escape.asc"); err == nil && tc.arch == "/tmp/escape" {
				t.Error("wrote /tmp/escape.asc")
			}
		})
	}
}

// TestVendorFolderNames: names with .. or absolute names are refused by
// the folder's writer itself.
func TestVendorFolderNames(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	vf, err := openVendorFolder(filepath.Join(parent, "v"))
	if err != nil {
		t.Fatal(err)
	}
	defer vf.close()
	for _, name := range []string{"../x.asc", "keys/../../x.asc", filepath.Join(parent, "x.asc")} {
		want := "writing " + filepath.Join(parent, "v") + "/" + name + ": path escapes from parent"
		if filepath.IsAbs(name) {
			want = "writing " + name + ": path escapes from parent"
		}
		if err := vf.writeKeyRing(name, nil); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(parent, "x.asc")); err == nil {
		t.Error("wrote outside the folder")
	}
}

// listTree lists the files below dir (names, kinds and sizes).
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(dir, p)
		b.WriteString(r + " " + fi.Mode().String() + " " + strings.Repeat("#", int(min(fi.Size(), 8))) + "\n")
		return nil
	})
	return b.String()
}
