package rootfs_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/layers/rpmdb"
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
// /etc/shells, copy a file, chmod one, mkdir, touch, ln -s, rm, and make
// folders, links and modes from lua, with dnf running the scriptlets, and compares the whole tree
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
	for _, p := range []string{"/root/.bash_logout", "/usr/lib/debug/usr/.dwz", "/usr/share/sl-lua/seen", "/proc",
		"/var/lib/slsh/state/seen", "/var/lib/slsh/private", "/usr/bin/slsh2", "/usr/lib/slsh-link"} {
		if _, ok := want[p]; !ok {
			t.Errorf("dnf's tree has no %s: the scriptlets did not run", p)
		}
	}
	for _, p := range []string{"/etc/sl-remove-me", "/usr/share/sl-shell-tmp"} {
		if _, ok := want[p]; ok {
			t.Errorf("dnf's tree has %s: the scriptlets did not run", p)
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

func pick(t *testing.T, repo string, globs ...string) []string {
	t.Helper()
	var out []string
	for _, g := range globs {
		m, _ := filepath.Glob(filepath.Join(repo, g))
		if len(m) != 1 {
			t.Fatalf("%s: %d matches", g, len(m))
		}
		out = append(out, m[0])
	}
	return out
}

// TestScriptletEffects checks the effects no tool here can make for
// comparison: alternatives (chkconfig's tool, as Azure Linux ships it),
// a %pre service account followed by pwconv/grpconv and chmod 000 of
// /etc/shadow (the real tools are compared in package scriptlet), a
// configured user's home and an empty machine-id.
func TestScriptletEffects(t *testing.T) {
	t.Parallel()
	repo := scriptletRepo(t)
	rpms := pick(t, repo, "setup-*.rpm", "filesystem-*.rpm", "sl-alt-*.rpm", "sl-shadow-*.rpm", "sl-shell-*.rpm")
	data, rep := build(t, rootfs.Options{
		// Docs: the slave is a man page (a %doc file: without the
		// folder, alternatives fails to make the link, as the tool does).
		BuildTime: buildTime, Docs: true, Homes: true, EmptyMachineID: true,
		Users:  []accounts.User{{Name: "nonroot", UID: 65532, GID: 65532, Home: "/home/nonroot", Shell: "/sbin/nologin"}},
		Groups: []accounts.Group{{Name: "nonroot", GID: 65532}},
	}, rpms)
	tr := readTree(t, data)
	files := readFiles(t, data, "etc/passwd", "etc/shadow", "etc/gshadow", "etc/group", "var/lib/alternatives/libnssckbi.so.x86_64")
	day := buildTime / 86400
	for _, c := range []struct{ file, line string }{
		{"etc/passwd", "svcd:x:999:999:service daemon:/var/lib/svcd:/sbin/nologin\n"},
		{"etc/group", "svcd:x:999:\n"},
		// useradd found no /etc/shadow (a %ghost): pwconv moved its "!".
		{"etc/shadow", fmt.Sprintf("svcd:!:%d:0:99999:7:::\n", day)},
		{"etc/shadow", fmt.Sprintf("root:x:%d:0:99999:7:::\n", day)},
		{"etc/gshadow", "svcd:x::\n"},
	} {
		if !strings.Contains(string(files[c.file]), c.line) {
			t.Errorf("%s lacks %q:\n%s", c.file, c.line, files[c.file])
		}
	}
	if f := tr["/etc/shadow"]; f.Mode != 0 {
		t.Errorf("/etc/shadow: %v, want mode 0000", f)
	}
	if f := tr["/var/lib/svcd"]; f.UID != 999 || f.GID != 999 || f.Mode != 0o750 {
		t.Errorf("/var/lib/svcd: %v", f)
	}
	wantState := "auto\n/usr/lib64/libnssckbi.so\nckbi.1\n/usr/share/man/man1/ckbi.1\n\n" +
		"/usr/lib64/pkcs11/p11-kit-trust.so\n30\n\n" +
		"/usr/lib64/nss/libnssckbi.so\n40\n/usr/share/man/man1/ckbi-nss.1\n"
	if got := string(files["var/lib/alternatives/libnssckbi.so.x86_64"]); got != wantState {
		t.Errorf("alternatives state:\n%q\nwant\n%q", got, wantState)
	}
	for link, target := range map[string]string{
		"/usr/lib64/libnssckbi.so":               "/etc/alternatives/libnssckbi.so.x86_64",
		"/etc/alternatives/libnssckbi.so.x86_64": "/usr/lib64/nss/libnssckbi.so",
		"/usr/share/man/man1/ckbi.1":             "/etc/alternatives/ckbi.1",
		"/etc/alternatives/ckbi.1":               "/usr/share/man/man1/ckbi-nss.1",
	} {
		if f := tr[link]; f.Type != "symlink" || f.Link != target {
			t.Errorf("%s: %v, want -> %s", link, f, target)
		}
	}
	if f := tr["/etc/machine-id"]; f.Type != "file" || f.Size != 0 {
		t.Errorf("/etc/machine-id: %v", f)
	}
	if f := tr["/home/nonroot"]; f.Type != "dir" || f.Mode != 0o700 || f.UID != 65532 || f.GID != 65532 {
		t.Errorf("/home/nonroot: %v, want dir 0700 65532:65532 (login.defs HOME_MODE)", f)
	}
	// /etc/skel's files are copied in, owned by the user (useradd -m).
	if f := tr["/home/nonroot/.bash_logout"]; f.Type != "file" || f.UID != 65532 || f.GID != 65532 || f.Mode != 0o644 {
		t.Errorf("/home/nonroot/.bash_logout: %v, want a file 0644 65532:65532 from /etc/skel", f)
	}
	verdicts := map[string]string{}
	for _, p := range rep.Packages {
		for _, s := range p.Scriptlets {
			verdicts[strings.SplitN(p.NEVRA, "-1-1", 2)[0]+" "+s.Kind] = s.Verdict + " " + strings.Join(s.How, ",")
		}
	}
	for k, v := range map[string]string{
		"sl-alt %post":    "emulated alternatives",
		"sl-alt %postun":  "not-needed runs when a package is erased, never at install",
		"sl-shadow %pre":  "emulated accounts",
		"sl-shadow %post": "emulated pwconv,chmod",
	} {
		if verdicts[k] != v {
			t.Errorf("%s: %q, want %q", k, verdicts[k], v)
		}
	}
}

// TestScriptletRefused: an alternative pointing outside the image stops
// the build, naming the package and the scriptlet.
func TestScriptletRefused(t *testing.T) {
	t.Parallel()
	repo := scriptletRepo(t)
	w, err := rootfs.New(rootfs.Options{BuildTime: buildTime, SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	err = w.AddRPMFiles(t.Context(), pick(t, repo, "sl-bad-*.rpm"))
	want := `package sl-bad-1-1.noarch: %post refused: path "/usr/../../../etc/passwd" points outside the image`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err %v, want %q", err, want)
	}
}

// TestTdnfHistory: tdnf's %post (`tdnf-history-util init` when the
// database is missing) leaves /var/lib/tdnf/history.db with tdnf's schema,
// one baseline transaction listing every installed package, and the rpm
// database's cookie as rpm computes it (python3-rpm's dbCookie on the
// image's rpmdb.sqlite).
func TestTdnfHistory(t *testing.T) {
	t.Parallel()
	repo := scriptletRepo(t)
	rpms := pick(t, repo, "filesystem-*.rpm", "setup-*.rpm", "sl-tdnf-*.rpm")
	var installed []rpmdb.Installed
	for _, f := range rpms {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := rpm.Open(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		installed = append(installed, rpmdb.Installed{Pkg: p})
	}
	dbFile := filepath.Join(t.TempDir(), "rpmdb.sqlite")
	if err := rpmdb.WriteSQLite(t.Context(), dbFile, installed, rpmdb.Options{InstallTime: buildTime, Arch: "x86_64"}); err != nil {
		t.Fatal(err)
	}
	dbData, err := os.ReadFile(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	data, rep := build(t, rootfs.Options{BuildTime: buildTime}, rpms,
		rootfs.Entry{Path: "/var/lib/rpm/rpmdb.sqlite", Mode: 0o644, Data: dbData})
	for _, p := range rep.Packages {
		for _, s := range p.Scriptlets {
			if strings.HasPrefix(p.NEVRA, "sl-tdnf") && (s.Verdict != rootfs.VerdictEmulated || strings.Join(s.How, ",") != "tdnf-history") {
				t.Errorf("sl-tdnf %s: %s %v %s", s.Kind, s.Verdict, s.How, s.Why)
			}
		}
	}
	// The same inputs give the same bytes.
	again, _ := build(t, rootfs.Options{BuildTime: buildTime}, rpms,
		rootfs.Entry{Path: "/var/lib/rpm/rpmdb.sqlite", Mode: 0o644, Data: dbData})
	if !bytes.Equal(data, again) {
		t.Error("two builds differ")
	}
	root := t.TempDir()
	files := readFiles(t, data, "var/lib/tdnf/history.db", "var/lib/rpm/rpmdb.sqlite")
	for name, b := range files {
		os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(root, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(files["var/lib/tdnf/history.db"]) == 0 {
		t.Fatalf("no history database; warnings %q", rep.Warnings)
	}
	db, err := sql.Open("sqlite", filepath.Join(root, "var/lib/tdnf/history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := func(q string) string {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimSpace(fmt.Sprintln(vals...)))
		}
		return strings.Join(out, "\n")
	}
	wantSchema := "rpms CREATE TABLE rpms(Id INTEGER PRIMARY KEY AUTOINCREMENT, nevra TEXT)\n" +
		"sqlite_sequence CREATE TABLE sqlite_sequence(name,seq)\n" +
		"transactions CREATE TABLE transactions(Id INTEGER PRIMARY KEY AUTOINCREMENT,cookie TEXT, cmdline TEXT,timestamp INTEGER, type INTEGER)\n" +
		"trans_items CREATE TABLE trans_items(Id INTEGER PRIMARY KEY AUTOINCREMENT,trans_id INTEGER,type INTEGER,rpm_id INTEGER)"
	if got := query("SELECT name, sql FROM sqlite_master ORDER BY rowid"); got != wantSchema {
		t.Errorf("schema:\n%s\nwant\n%s", got, wantSchema)
	}
	var nevras []string
	for _, f := range rpms {
		out, err := exec.Command("rpm", "-qp", "--dbpath", "/var/lib/rpm", "--qf", "%{NEVRA}", f).Output()
		if err != nil {
			t.Fatal(err)
		}
		nevras = append(nevras, string(out))
	}
	if got, want := query("SELECT nevra FROM rpms ORDER BY Id"), strings.Join(nevras, "\n"); got != want {
		t.Errorf("rpms:\n%s\nwant (rpm's NEVRA tag)\n%s", got, want)
	}
	if got, want := query("SELECT trans_id, type, rpm_id FROM trans_items ORDER BY Id"), "1 0 1\n1 0 2\n1 0 3"; got != want {
		t.Errorf("trans_items:\n%s\nwant\n%s", got, want)
	}
	var cookie string
	if err := db.QueryRow("SELECT cookie FROM transactions WHERE Id = 1 AND cmdline = '(set)' AND type = 0 AND timestamp = ?", buildTime).Scan(&cookie); err != nil {
		t.Fatalf("baseline transaction: %v (%s)", err, query("SELECT * FROM transactions"))
	}
	py := exec.Command("/usr/bin/python3", "-c", "import rpm,sys\nrpm.addMacro('_dbpath', '/var/lib/rpm')\nts = rpm.TransactionSet(sys.argv[1])\nts.openDB()\nprint(ts.dbCookie())", root)
	out, err := py.CombinedOutput()
	if err != nil {
		t.Skipf("python3-rpm cannot read the database (install python3-rpm): %v %s", err, out)
	}
	if want := strings.TrimSpace(string(out)); cookie != want {
		t.Errorf("cookie %s, rpm's dbCookie %s", cookie, want)
	}
}

// TestTmpfilesMatchSystemd: the %tmpfiles_create shape. systemd-tmpfiles
// --root --create runs on the tree written without emulation (unpacked
// with its owners); its result equals the tree we write with it.
func TestTmpfilesMatchSystemd(t *testing.T) {
	t.Parallel()
	tmpfiles := testutil.RequireTool(t, "systemd-tmpfiles", "systemd")
	if os.Geteuid() != 0 {
		t.Skip("unpacking owners needs root")
	}
	repo := scriptletRepo(t)
	rpms := pick(t, repo, "setup-*.rpm", "filesystem-*.rpm", "sl-shadow-*.rpm", "sl-tmpfiles-*.rpm")
	data, rep := build(t, rootfs.Options{BuildTime: buildTime}, rpms)
	for _, p := range rep.Packages {
		for _, s := range p.Scriptlets {
			if strings.HasPrefix(p.NEVRA, "sl-tmpfiles") && strings.Join(s.How, ",") != "tmpfiles" {
				t.Errorf("sl-tmpfiles %s: %s %v %s", s.Kind, s.Verdict, s.How, s.Why)
			}
		}
	}
	got := readTree(t, data).WithoutMTimes()

	// The reference: our tree with the packages' own scriptlets emulated
	// but sl-tmpfiles' %post left to systemd-tmpfiles.
	base, _ := build(t, rootfs.Options{BuildTime: buildTime}, rpms[:3])
	plain, _ := build(t, rootfs.Options{BuildTime: buildTime, AuditOnly: true}, rpms[3:])
	root := t.TempDir()
	for _, layer := range [][]byte{base, plain} {
		cmd := exec.Command("tar", "-x", "-p", "--numeric-owner", "-C", root)
		cmd.Stdin = bytes.NewReader(layer)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("tar -x: %v\n%s", err, out)
		}
	}
	if out, err := exec.Command(tmpfiles, "--root="+root, "--create", "sl-tmp.conf").CombinedOutput(); err != nil {
		t.Fatalf("systemd-tmpfiles: %v\n%s", err, out)
	}
	want, err := rootfstest.FromDir(root)
	if err != nil {
		t.Fatal(err)
	}
	want = want.WithoutMTimes()
	for _, p := range []string{"/var/lib/sltmp", "/var/lib/sltmp2/deep/er", "/etc/sltmp.conf", "/etc/sltmp-link", "/var/cache/sltmp"} {
		if _, ok := want[p]; !ok {
			t.Errorf("systemd-tmpfiles made no %s: the test checks nothing", p)
		}
	}
	rootfstest.AssertSame(t, got, want)
}
