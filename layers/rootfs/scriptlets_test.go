package rootfs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// scriptletRepo builds the packages of testdata/scriptlets with rpmbuild
// into a repository with the test repository's filesystem, setup and
// busybox (a real /bin/sh for the scripts when dnf runs them).
func scriptletRepo(t *testing.T) string {
	t.Helper()
	rpmbuild := testutil.RequireTool(t, "rpmbuild", "rpm")
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	r := repos(t)
	work := t.TempDir()
	out := filepath.Join(work, "repo")
	home := filepath.Join(work, "home")
	for _, d := range []string{out, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath "+filepath.Join(work, "rpmdb")+"\n"), 0o644)
	specs, _ := filepath.Glob("testdata/scriptlets/*.spec")
	for _, spec := range specs {
		abs, _ := filepath.Abs(spec)
		cmd := exec.Command(rpmbuild, "-bb", "--quiet", "--define", "_topdir "+filepath.Join(work, "top"),
			"--define", "_rpmdir "+out, "--define", "_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm", abs)
		cmd.Env = append(os.Environ(), "HOME="+home, "SOURCE_DATE_EPOCH=1700000000")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %s: %v\n%s", spec, err, b)
		}
	}
	for _, glob := range []string{"filesystem-*.rpm", "setup-*.rpm", "busybox-*.x86_64.rpm"} {
		m, _ := filepath.Glob(filepath.Join(r.Dir["x86_64"], glob))
		for _, f := range m {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(out, filepath.Base(f)), b, 0o644)
		}
	}
	if b, err := exec.Command(createrepo, "-q", out).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, b)
	}
	return out
}

// TestScriptletsMatchDNF installs packages whose scriptlets edit
// /etc/shells, copy a file, chmod one, and make folders, links and modes
// from lua, with dnf running the scriptlets, and compares the whole tree
// with ours, where none is run but their effects are reproduced.
func TestScriptletsMatchDNF(t *testing.T) {
	t.Parallel()
	repo := scriptletRepo(t)
	r := repos(t)
	root := rootfstest.DNFInstallWith(t, repo, r.KeyFile, "x86_64",
		[]string{"--setopt=tsflags=", "--nogpgcheck"}, "sl-shell", "sl-lua")
	rpms := installed(t, root, repo)
	data, rep := build(t, rootfs.Options{BuildTime: buildTime}, rpms)
	got := readTree(t, data).WithoutMTimes()
	want, err := rootfstest.FromDir(root)
	if err != nil {
		t.Fatal(err)
	}
	want = want.Without(rootfstest.DNFFiles...).WithoutMTimes()
	// Effects the test is about must be there (the comparison would pass
	// on two trees that both lack them).
	for _, p := range []string{"/root/.bash_logout", "/usr/lib/debug/usr/.dwz", "/usr/share/sl-lua/seen", "/proc"} {
		if _, ok := want[p]; !ok {
			t.Errorf("dnf's tree has no %s: the scriptlets did not run", p)
		}
	}
	if want["/etc/sl-secret"].Mode != 0o600 {
		t.Errorf("dnf's /etc/sl-secret is %04o: the chmod did not run", want["/etc/sl-secret"].Mode)
	}
	rootfstest.AssertSame(t, got, want)
	shells, _ := os.ReadFile(filepath.Join(root, "etc/shells"))
	if !strings.Contains(string(shells), "/usr/bin/slsh\n") {
		t.Errorf("dnf's /etc/shells lacks the lines: %q", shells)
	}
	for _, p := range rep.Packages {
		for _, s := range p.Scriptlets {
			if s.Verdict == rootfs.VerdictUnhandled {
				t.Errorf("%s %s unhandled: %s", p.NEVRA, s.Kind, s.Why)
			}
		}
	}
}
