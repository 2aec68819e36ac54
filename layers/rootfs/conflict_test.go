package rootfs_test

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
)

// tinyRPM builds a noarch package with rpmbuild. install is the %install
// script (run in the buildroot), files the %files section.
func tinyRPM(t *testing.T, name, install, files string) string {
	t.Helper()
	rpmbuild := testutil.RequireTool(t, "rpmbuild", "rpm")
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644)
	spec := fmt.Sprintf(`Name: %s
Version: 1.0
Release: 1
Summary: test
License: MIT
BuildArch: noarch
%%description
test
%%install
mkdir -p %%{buildroot}
cd %%{buildroot}
%s
%%files
%s
`, name, install, files)
	sp := filepath.Join(dir, name+".spec")
	if err := os.WriteFile(sp, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(rpmbuild, "-bb", "--define", "_topdir "+dir, "--define", "debug_package %{nil}",
		"--define", "source_date_epoch_from_changelog 0", sp)
	cmd.Env = append(os.Environ(), "HOME="+home, "SOURCE_DATE_EPOCH=1700000000")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild %s: %v\n%s", name, err, out)
	}
	rpms, _ := filepath.Glob(filepath.Join(dir, "RPMS/noarch/*.rpm"))
	if len(rpms) != 1 {
		t.Fatalf("rpmbuild made %v", rpms)
	}
	return rpms[0]
}

// rpmConflicts asks rpm whether installing rpms together conflicts
// (rpm -i --test into an empty root, no dependencies or scriptlets).
func rpmConflicts(t *testing.T, rpms ...string) bool {
	t.Helper()
	rpmBin := testutil.RequireTool(t, "rpm", "rpm")
	root := t.TempDir()
	args := append([]string{"--root", root, "--dbpath", "/var/lib/rpm", "-i", "--test", "--nodeps", "--noscripts", "--nosignature"}, rpms...)
	out, err := exec.Command(rpmBin, args...).CombinedOutput()
	if err != nil && !strings.Contains(string(out), " conflicts ") {
		t.Fatalf("rpm -i --test: %v\n%s", err, out)
	}
	return err != nil
}

func tryBuild(t *testing.T, opts rootfs.Options, rpms ...string) ([]byte, error) {
	t.Helper()
	opts.SpoolDir = t.TempDir()
	w, err := rootfs.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(t.Context(), rpms); err != nil {
		return nil, err
	}
	var b strings.Builder
	_, err = w.WriteTar(t.Context(), &b)
	return []byte(b.String()), err
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	a := tinyRPM(t, "conf-a", "mkdir -p usr/share/c && echo one > usr/share/c/x && ln -s x usr/share/c/l", "/usr/share/c")
	b := tinyRPM(t, "conf-b", "mkdir -p usr/share/c && echo two > usr/share/c/x", "/usr/share/c/x")
	same := tinyRPM(t, "conf-same", "mkdir -p usr/share/c && echo one > usr/share/c/x", "/usr/share/c/x")
	mode := tinyRPM(t, "conf-mode", "mkdir -p usr/share/c && echo one > usr/share/c/x", "%attr(0600,root,root) /usr/share/c/x")
	link := tinyRPM(t, "conf-link", "mkdir -p usr/share/c && ln -s y usr/share/c/l", "/usr/share/c/l")
	dir := tinyRPM(t, "conf-dir", "mkdir -p usr/share/c/x", "%dir /usr/share/c/x")
	ghost := tinyRPM(t, "conf-ghost", "mkdir -p usr/share/c && echo three > usr/share/c/x", "%ghost /usr/share/c/x")
	shared := tinyRPM(t, "conf-shared", "mkdir -p usr/share/c", "%dir %attr(0700,root,root) /usr/share/c")
	sameDir := tinyRPM(t, "conf-samedir", "mkdir -p usr/share/c", "%dir /usr/share/c")
	linkDir := tinyRPM(t, "conf-linkdir", "mkdir -p usr/share && ln -s c usr/share/d", "/usr/share/d")
	dirOnLink := tinyRPM(t, "conf-dironlink", "mkdir -p usr/share/d", "%dir /usr/share/d")

	for _, tc := range []struct {
		name    string
		rpms    []string
		wantErr string // "" = no conflict
	}{
		{"different content", []string{a, b}, "file /usr/share/c/x from install of conf-b-1.0-1.noarch conflicts with file from package conf-a-1.0-1.noarch"},
		{"identical file", []string{a, same}, ""},
		{"different mode", []string{a, mode}, "conf-mode-1.0-1.noarch conflicts with file from package conf-a-1.0-1.noarch"},
		{"different symlink", []string{a, link}, "file /usr/share/c/l from install of conf-link-1.0-1.noarch"},
		{"file vs directory", []string{a, dir}, "directory vs file"},
		{"ghost never conflicts", []string{a, ghost}, ""},
		{"shared directory, other mode", []string{a, shared}, "directory /usr/share/c: mode 0700 vs 0755"},
		{"shared directory", []string{a, sameDir}, ""},
		{"directory over a directory symlink", []string{a, linkDir, dirOnLink}, "directory vs symlink"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The oracle: rpm's own transaction check on the same pair.
			rpmSays := rpmConflicts(t, tc.rpms...)
			if rpmSays != (tc.wantErr != "") {
				t.Errorf("rpm -i --test reports conflict=%v, the test expects %v", rpmSays, tc.wantErr != "")
			}
			_, err := tryBuild(t, rootfs.Options{BuildTime: buildTime}, tc.rpms...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			var ce *rootfs.ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConflictError", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestSymlinkedParents: files under a directory symlink land where the
// link leads, and a link can never lead out of the image.
func TestSymlinkedParents(t *testing.T) {
	t.Parallel()
	r := repos(t)
	var fsys string
	for _, f := range r.RPMs["x86_64"] {
		if strings.HasPrefix(filepath.Base(f), "filesystem-") {
			fsys = f
		}
	}
	libx := tinyRPM(t, "libx", "mkdir -p lib/x && echo hi > lib/x/data && mkdir -p bin && echo sh > bin/tool", "/lib/x\n/bin/tool")
	esc := tinyRPM(t, "esc", "mkdir -p opt && ln -s ../../../../../tmp/out opt/esc && ln -s /etc/abs opt/abs", "/opt/esc\n/opt/abs")
	under := tinyRPM(t, "under", "mkdir -p opt/esc opt/abs && echo pwn > opt/esc/pwn && echo a > opt/abs/f", "/opt/esc/pwn\n/opt/abs/f")
	data, err := tryBuild(t, rootfs.Options{BuildTime: buildTime}, libx, esc, fsys, under)
	if err != nil {
		t.Fatal(err)
	}
	tr := readTree(t, data)
	for p, typ := range map[string]string{
		"/usr/lib/x/data": "file", "/usr/bin/tool": "file", "/lib": "symlink", "/bin": "symlink",
		"/tmp/out/pwn": "file", "/etc/abs/f": "file", "/opt/esc": "symlink",
	} {
		if tr[p].Type != typ {
			t.Errorf("%s: got %q, want %s", p, tr[p].Type, typ)
		}
	}
	for _, p := range []string{"/lib/x/data", "/bin/tool", "/opt/esc/pwn"} {
		if _, ok := tr[p]; ok {
			t.Errorf("%s should have been written through its symlinked parent", p)
		}
	}
}

// TestDevicesAndUnknownOwners: %dev entries become tar devices with the
// header's numbers (checked against rpm -qp --dump); owners the image does
// not know become root, with a warning.
func TestDevicesAndUnknownOwners(t *testing.T) {
	t.Parallel()
	p := tinyRPM(t, "devs", "mkdir -p etc && echo x > etc/owned",
		"%dev(c,1,3) %attr(0666,root,root) /dev/null\n%dev(b,8,17) %attr(0660,root,root) /dev/sdb1\n%attr(0640,nosuchuser,nosuchgroup) /etc/owned")
	rpmBin := testutil.RequireTool(t, "rpm", "rpm")
	dump, err := exec.Command(rpmBin, "-qp", "--dbpath", t.TempDir(), "--qf", `[%{FILENAMES} %{FILERDEVS}\n]`, p).Output()
	if err != nil {
		t.Fatalf("rpm -qp: %v", err)
	}
	rdev := map[string]int64{}
	for _, l := range strings.Split(strings.TrimSpace(string(dump)), "\n") {
		var name string
		var v int64
		fmt.Sscanf(l, "%s %d", &name, &v)
		rdev[name] = v
	}
	opts := rootfs.Options{BuildTime: buildTime, SpoolDir: t.TempDir()}
	w, err := rootfs.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(t.Context(), []string{p}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep, err := w.WriteTar(t.Context(), &b)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(strings.NewReader(b.String()))
	seen := 0
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		switch h.Name {
		case "dev/null", "dev/sdb1":
			seen++
			want := rdev["/"+h.Name]
			wantType := byte(tar.TypeChar)
			if h.Name == "dev/sdb1" {
				wantType = tar.TypeBlock
			}
			if h.Typeflag != wantType || h.Devmajor != (want>>8)&0xfff || h.Devminor != want&0xff {
				t.Errorf("%s: type %c %d:%d, rpm says rdev %d", h.Name, h.Typeflag, h.Devmajor, h.Devminor, want)
			}
		case "etc/owned":
			seen++
			if h.Uid != 0 || h.Gid != 0 || h.Mode != 0o640 {
				t.Errorf("etc/owned: %d:%d %o", h.Uid, h.Gid, h.Mode)
			}
		}
	}
	if seen != 3 {
		t.Errorf("saw %d of 3 entries", seen)
	}
	warned := strings.Join(rep.Warnings, "\n")
	if !strings.Contains(warned, "user nosuchuser") || !strings.Contains(warned, "group nosuchgroup") {
		t.Errorf("warnings: %q", rep.Warnings)
	}
}

// TestDamagedPackage: a package whose payload was altered after signing is
// refused, and the error names it; nothing of it reaches a tar.
func TestDamagedPackage(t *testing.T) {
	t.Parallel()
	r := repos(t)
	w, err := rootfs.New(rootfs.Options{BuildTime: buildTime, SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	err = w.AddRPMFiles(t.Context(), []string{r.Tampered})
	if err == nil {
		t.Fatal("a tampered package was accepted")
	}
	if !strings.Contains(err.Error(), filepath.Base(r.Tampered)) {
		t.Errorf("error does not name the file: %v", err)
	}
	rep, err := w.WriteTar(t.Context(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Packages) != 0 || rep.Bytes != 0 {
		t.Errorf("the tampered package left %d packages, %d bytes", len(rep.Packages), rep.Bytes)
	}
}
