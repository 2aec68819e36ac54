//go:build e2e

package e2e

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// stampedRepo builds (rpmbuild, createrepo_c) an unsigned noarch
// repository of two packages and returns the [[repository]] table naming
// it: "stamped" (built at 1700000000, like the test repository, but its
// file dated 1700000500, as rpmbuild leaves files made during %install
// after the build started) and "latepkg" (built at 1750000000).
func stampedRepo(t *testing.T) string {
	t.Helper()
	testutil.RequireTool(t, "rpmbuild", "rpm")
	testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name, epoch, file, stamp string
	}{
		{"stamped", "1700000000", "/opt/stamped/data.txt", "@1700000500"},
		{"latepkg", "1750000000", "/opt/late/hello.txt", "@1750000000"},
	} {
		spec := filepath.Join(dir, p.name+".spec")
		text := fmt.Sprintf(`Name: %s
Version: 1
Release: 1
Summary: test package
License: MIT
BuildArch: noarch

%%description
Test package.

%%install
mkdir -p %%{buildroot}%s
echo %s > %%{buildroot}%s
touch -d %s %%{buildroot}%s

%%files
%s
`, p.name, filepath.Dir(p.file), p.name, p.file, p.stamp, p.file, p.file)
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("rpmbuild", "-bb", "--define", "_topdir "+filepath.Join(dir, "top"),
			"--define", "debug_package %{nil}", "--define", "use_source_date_epoch_as_buildtime 1", spec)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "SOURCE_DATE_EPOCH=" + p.epoch}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %s: %v\n%s", p.name, err, out)
		}
	}
	repo := filepath.Join(dir, "top", "RPMS", "noarch")
	if out, err := exec.Command("createrepo_c", repo).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	return fmt.Sprintf(`
[[repository]]
id = "stamped"
baseurl = "file://%s"
gpgcheck = false
repo_gpgcheck = false
`, repo)
}

// layerEntries reads a layer blob of an OCI layout (gzip or zstd) into
// path -> "type|content digest" for its non-directory entries.
func layerEntries(t *testing.T, layoutDir, digest string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(layoutDir, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader
	if gz, err := gzip.NewReader(f); err == nil {
		r = gz
	} else {
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	out := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading layer %s: %v", digest, err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		s := sha256.New()
		if _, err := io.Copy(s, tr); err != nil {
			t.Fatal(err)
		}
		out[h.Name] = fmt.Sprintf("%c|%s|%x", h.Typeflag, h.Linkname, s.Sum(nil))
	}
}

// TestSharedBaseOwnFilesOnly: a shared-base variant that adds a package
// built later than any of its base's, built twice without
// SOURCE_DATE_EPOCH, has its base's layer digests below and, above them,
// only its own package's files and what slipway generates (rpm database,
// ld.so.cache, dated with the variant's own build time): no file the base already holds with the same
// contents — before package files kept their headers' mtimes, the base's
// file dated after the base's newest build time was clamped differently
// in the two builds and shipped again.
func TestSharedBaseOwnFilesOnly(t *testing.T) {
	repos := testrepo.Get(t)
	basePath := config(t, repos, stampedRepo(t), "filesystem", "setup", "glibc", "libfoo", "stamped")
	dir := filepath.Dir(basePath)
	variant := filepath.Join(dir, "variant.toml")
	if err := os.WriteFile(variant, []byte(`extends = "image.toml"

[image]
name = "test/e2e-late"

[packages]
install = ["latepkg"]

[layers]
strategy = "shared-base"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	baseOut := filepath.Join(t.TempDir(), "base")
	base := buildLayersJSON(t, nil, basePath, "--output", "oci:"+baseOut+":test")
	var outs []string
	var builds []layersOut
	for i := 0; i < 2; i++ {
		o := filepath.Join(t.TempDir(), "variant")
		outs = append(outs, o)
		builds = append(builds, buildLayersJSON(t, nil, variant, "--output", "oci:"+o+":test"))
	}
	if builds[0].Index != builds[1].Index {
		t.Errorf("the variant built twice: index %s, then %s", builds[0].Index, builds[1].Index)
	}
	for i, arch := range []string{"x86_64", "aarch64"} {
		t.Run(arch, func(t *testing.T) {
			bl := base.Arches[i].Layers
			vl := builds[0].Arches[i].Layers
			if len(bl) != 1 || len(vl) != 2 {
				t.Fatalf("base has %d layers, variant %d; want 1 and 2", len(bl), len(vl))
			}
			if vl[0].Digest != bl[0].Digest {
				t.Errorf("the variant's lower layer is %s, the base's %s", vl[0].Digest, bl[0].Digest)
			}
			lower := layerEntries(t, baseOut, bl[0].Digest)
			top := layerEntries(t, outs[0], vl[1].Digest)
			if _, ok := lower["opt/stamped/data.txt"]; !ok {
				t.Fatal("the base layer lacks opt/stamped/data.txt")
			}
			if _, ok := top["opt/late/hello.txt"]; !ok {
				t.Error("the variant's layer lacks its own opt/late/hello.txt")
			}
			// What slipway generates is dated with each build's own time:
			// the variant's ld.so.cache, the same bytes, differs by it.
			generated := map[string]bool{"etc/ld.so.cache": true}
			for p, e := range top {
				if lower[p] == e && !generated[p] {
					t.Errorf("the variant's layer ships %s again, unchanged from the base", p)
				}
			}
		})
	}
}

// TestBuildRPMVerifyClean: rpm -Va (the real rpm, on the tree umoci
// unpacks) reports nothing in images built with and without
// SOURCE_DATE_EPOCH — also one set before the packages' files were made,
// which used to date every file after it (.......T.).
func TestBuildRPMVerifyClean(t *testing.T) {
	requireRoot(t, "rpm --root chroots")
	testutil.RequireTool(t, "rpm", "rpm")
	repos := testrepo.Get(t)
	cfg := config(t, repos, stampedRepo(t), "filesystem", "setup", "glibc", "libfoo", "appd", "tzdata", "stamped")
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"no-sde", nil},
		{"early-sde", []string{"SOURCE_DATE_EPOCH=1600000000"}},
		{"late-sde", []string{"SOURCE_DATE_EPOCH=1800000000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "img")
			buildLayersJSON(t, tc.env, cfg, "--output", "oci:"+out+":test")
			root := unpack(t, out, "test-amd64")
			cmd := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-Va")
			got, err := cmd.CombinedOutput()
			if len(got) != 0 || err != nil {
				t.Errorf("rpm -Va: %v\n%s", err, got)
			}
		})
	}
}
