package rootfs_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rpm"
)

// buildSpecs builds noarch packages from spec bodies (Name, Version,
// Release, Summary, License, BuildArch and %description are added; tags
// before the first section join them) with
// rpmbuild and returns their files by name. sources go in SOURCES.
func buildSpecs(t *testing.T, sources map[string][]byte, specs map[string]string) map[string]string {
	t.Helper()
	rpmbuild := testutil.RequireTool(t, "rpmbuild", "rpm")
	work := t.TempDir()
	src := filepath.Join(work, "top", "SOURCES")
	out := filepath.Join(work, "rpms")
	home := filepath.Join(work, "home")
	for _, d := range []string{src, out, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath "+filepath.Join(work, "rpmdb")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for n, b := range sources {
		if err := os.WriteFile(filepath.Join(src, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{}
	for name, body := range specs {
		spec := filepath.Join(work, name+".spec")
		// Tags before the first section go in the preamble.
		preamble, sections := "", body
		if i := strings.Index(body, "%"); i > 0 {
			preamble, sections = body[:i], body[i:]
		}
		head := fmt.Sprintf("Name: %s\nVersion: 1\nRelease: 1\nSummary: test\nLicense: MIT\nBuildArch: noarch\n%s%%description\ntest\n", name, preamble)
		if err := os.WriteFile(spec, []byte(head+sections), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(rpmbuild, "-bb", "--quiet", "--define", "_topdir "+filepath.Join(work, "top"),
			"--define", "_rpmdir "+out, "--define", "_build_name_fmt %{NAME}.rpm", spec)
		cmd.Env = append(os.Environ(), "HOME="+home, "SOURCE_DATE_EPOCH=1700000000")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %s: %v\n%s", name, err, b)
		}
		files[name] = filepath.Join(out, name+".rpm")
	}
	return files
}

// altSpec is a package shipping /usr/bin/ed.SUFFIX (and its man page)
// whose %post installs it as the alternative editor with priority prio;
// its %postun removes it.
func altSpec(suffix string, prio int) string {
	return fmt.Sprintf(`%%install
mkdir -p %%{buildroot}/usr/bin %%{buildroot}/usr/share/man/man1
echo %[1]s > %%{buildroot}/usr/bin/ed.%[1]s
echo %[1]s > %%{buildroot}/usr/share/man/man1/ed.%[1]s.1
%%post
alternatives --install /usr/bin/ed editor /usr/bin/ed.%[1]s %[2]d --slave /usr/share/man/man1/ed.1 editor.1 /usr/share/man/man1/ed.%[1]s.1
%%postun
alternatives --remove editor /usr/bin/ed.%[1]s
%%files
/usr/bin/ed.%[1]s
/usr/share/man/man1/ed.%[1]s.1
`, suffix, prio)
}

// lowerOf makes a lower tree of files ("/p=content"), folders ("/p/")
// and links ("/p->target"); folders above them are implied.
func lowerOf(items ...string) (*rootfs.Lower, map[string][]byte) {
	l := &rootfs.Lower{Paths: map[string]rootfs.LowerPath{}}
	files := map[string][]byte{}
	dirs := func(p string) {
		for d := filepath.Dir(p); d != "/"; d = filepath.Dir(d) {
			l.Paths[d] = rootfs.LowerPath{Type: 'd', Mode: 0o755}
		}
	}
	for _, it := range items {
		switch {
		case strings.Contains(it, "->"):
			p, target, _ := strings.Cut(it, "->")
			l.Paths[p] = rootfs.LowerPath{Type: 'l', Link: target, Mode: 0o777}
			dirs(p)
		case strings.Contains(it, "="):
			p, data, _ := strings.Cut(it, "=")
			l.Paths[p] = rootfs.LowerPath{Type: 'f', Mode: 0o644}
			files[p] = []byte(data)
			dirs(p)
		default:
			p := strings.TrimSuffix(it, "/")
			l.Paths[p] = rootfs.LowerPath{Type: 'd', Mode: 0o755}
			dirs(p)
		}
	}
	return l, files
}

// TestAlternativesOnLower: a base (the lower tree) has the alternative
// editor configured; packages added over it install theirs as chkconfig's
// alternatives would on the combined tree (chkconfig is not packaged
// for Debian: the expectations follow its alternatives.c, addService,
// removeService and writeState): a higher priority takes the links, a
// lower one leaves them (and the new layer without them), the state in
// the new layer lists the base's alternatives and the new one; the
// %postun of an upgraded base package removes its alternative from the
// base's state, and removing the last one whites out the base's state and
// links.
func TestAlternativesOnLower(t *testing.T) {
	t.Parallel()
	rpms := buildSpecs(t, nil, map[string]string{
		"sl-ed-hi":  altSpec("hi", 90),
		"sl-ed-lo":  altSpec("lo", 10),
		"sl-ed-old": altSpec("old", 95),
		"sl-ed-new": altSpec("new", 70),
		"sl-ed-mid": altSpec("mid", 50),
		"sl-ed-none": `%install
mkdir -p %{buildroot}/usr/bin
echo x > %{buildroot}/usr/bin/other
%files
/usr/bin/other
`,
	})
	header := func(name string) *rpm.Package {
		f, err := os.Open(rpms[name])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, err := rpm.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "auto\n/usr/bin/ed\neditor.1\n/usr/share/man/man1/ed.1\n\n"
	mid := "/usr/bin/ed.mid\n50\n/usr/share/man/man1/ed.mid.1\n"
	// The base's files and links, with the current alternative's links.
	base := func(current string, more ...string) []string {
		return slices.Concat([]string{"/etc/alternatives/", "/var/lib/alternatives/", "/usr/bin/ed.mid=mid\n", "/usr/share/man/man1/ed.mid.1=mid\n",
			"/usr/bin/ed->/etc/alternatives/editor", "/etc/alternatives/editor->/usr/bin/ed." + current,
			"/usr/share/man/man1/ed.1->/etc/alternatives/editor.1", "/etc/alternatives/editor.1->/usr/share/man/man1/ed." + current + ".1"}, more)
	}
	for _, c := range []struct {
		name     string
		lower    []string
		install  []string
		upgraded []string
		state    string            // of /var/lib/alternatives/editor in the new layer ("" none)
		links    map[string]string // in the new layer; "" = a whiteout of it
		absent   []string          // paths the new layer must not have
	}{
		{"higher priority takes the links", base("mid", "/var/lib/alternatives/editor="+head+mid), []string{"sl-ed-hi"}, nil,
			head + mid + "/usr/bin/ed.hi\n90\n/usr/share/man/man1/ed.hi.1\n",
			map[string]string{"/etc/alternatives/editor": "/usr/bin/ed.hi", "/etc/alternatives/editor.1": "/usr/share/man/man1/ed.hi.1"},
			// The generic links already lead to /etc/alternatives.
			[]string{"/usr/bin/ed", "/usr/share/man/man1/ed.1"}},
		{"lower priority leaves the links", base("mid", "/var/lib/alternatives/editor="+head+mid), []string{"sl-ed-lo"}, nil,
			head + mid + "/usr/bin/ed.lo\n10\n/usr/share/man/man1/ed.lo.1\n",
			nil, []string{"/etc/alternatives/editor", "/etc/alternatives/editor.1", "/usr/bin/ed"}},
		{"a manual choice stays", base("other", "/var/lib/alternatives/editor="+head+mid), []string{"sl-ed-hi"}, nil,
			"manual\n/usr/bin/ed\neditor.1\n/usr/share/man/man1/ed.1\n\n" + mid + "/usr/bin/ed.hi\n90\n/usr/share/man/man1/ed.hi.1\n",
			nil, []string{"/etc/alternatives/editor"}},
		{"the upgraded package's %postun removes its own", base("old",
			"/var/lib/alternatives/editor="+head+"/usr/bin/ed.old\n95\n/usr/share/man/man1/ed.old.1\n"+mid),
			[]string{"sl-ed-new"}, []string{"sl-ed-old"},
			// chkconfig puts the last alternative in the removed one's place.
			head + "/usr/bin/ed.new\n70\n/usr/share/man/man1/ed.new.1\n" + mid,
			map[string]string{"/etc/alternatives/editor": "/usr/bin/ed.new", "/etc/alternatives/editor.1": "/usr/share/man/man1/ed.new.1"}, nil},
		{"removing the last one whites out the state and links", base("mid", "/var/lib/alternatives/editor="+head+mid), []string{"sl-ed-none"}, []string{"sl-ed-mid"}, "",
			map[string]string{"/etc/alternatives/editor": "", "/etc/alternatives/editor.1": "", "/usr/bin/ed": "", "/usr/share/man/man1/ed.1": "",
				"/var/lib/alternatives/editor": ""}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			lower, files := lowerOf(c.lower...)
			var files2 []string
			for _, n := range c.install {
				files2 = append(files2, rpms[n])
			}
			var up []*rpm.Package
			for _, n := range c.upgraded {
				up = append(up, header(n))
			}
			data, rep := build(t, rootfs.Options{BuildTime: buildTime, Docs: true, Lower: lower, LowerFiles: files, Upgraded: up}, files2)
			tr := readTree(t, data)
			got := readFiles(t, data, "var/lib/alternatives/editor")["var/lib/alternatives/editor"]
			if string(got) != c.state {
				t.Errorf("state:\n%q\nwant\n%q\nwarnings %q", got, c.state, rep.Warnings)
			}
			if c.state == "" {
				if _, ok := tr["/var/lib/alternatives/editor"]; ok {
					t.Error("the new layer has /var/lib/alternatives/editor")
				}
			}
			for p, target := range c.links {
				if target == "" {
					wh := filepath.Dir(p) + "/.wh." + filepath.Base(p)
					if f, ok := tr[wh]; !ok || f.Type != "file" {
						t.Errorf("no whiteout %s: %v", wh, f)
					}
					continue
				}
				if f := tr[p]; f.Type != "symlink" || f.Link != target {
					t.Errorf("%s: %v, want -> %s", p, f, target)
				}
			}
			for _, p := range c.absent {
				if f, ok := tr[p]; ok {
					t.Errorf("the new layer has %s (%v): the base's stays", p, f)
				}
			}
			for _, w := range rep.Warnings {
				if strings.Contains(w, "alternatives") {
					t.Errorf("warning: %s", w)
				}
			}
		})
	}
}

// TestLowerFileEdits: an added package's %post changing base files: one
// whose content the caller read (/etc/shells) gets the base's lines and
// the new one in the new layer; one whose content was not read is left
// alone with a warning (replacing it could drop what the script meant to
// keep), as is a copy from it.
func TestLowerFileEdits(t *testing.T) {
	t.Parallel()
	rpms := buildSpecs(t, nil, map[string]string{"sl-edits": `%install
mkdir -p %{buildroot}/usr/bin
echo x > %{buildroot}/usr/bin/zsh
%post
echo /usr/bin/zsh >> /etc/shells
cp /usr/bin/zsh /etc/motd
cp /etc/issue /etc/issue.copy
%files
/usr/bin/zsh
`})
	lower, files := lowerOf("/etc/shells=/bin/sh\n/bin/bash\n", "/etc/motd=unread", "/etc/issue=unread")
	delete(files, "/etc/motd")
	delete(files, "/etc/issue")
	data, rep := build(t, rootfs.Options{BuildTime: buildTime, Lower: lower, LowerFiles: files}, []string{rpms["sl-edits"]})
	tr := readTree(t, data)
	if got := string(readFiles(t, data, "etc/shells")["etc/shells"]); got != "/bin/sh\n/bin/bash\n/usr/bin/zsh\n" {
		t.Errorf("/etc/shells: %q", got)
	}
	for _, p := range []string{"/etc/motd", "/etc/issue.copy"} {
		if f, ok := tr[p]; ok {
			t.Errorf("the new layer has %s: %v", p, f)
		}
	}
	warned := strings.Join(rep.Warnings, "\n")
	for _, w := range []string{"/etc/motd of the layers below: its content was not read", "cp: cannot open '/etc/issue' for reading"} {
		if !strings.Contains(warned, w) {
			t.Errorf("no warning %q in:\n%s", w, warned)
		}
	}
}

// TestTriggersOnLower: triggers between the packages of the layers below
// and the added ones fire as rpm fires them on an installed system: a
// base package's file trigger on the trust sources extracts the bundles
// when an added package ships an anchor (without a script of its own); a
// base package's %triggerin on an added package and an added package's
// %triggerin on a base package both run, the base's first (rpm runs the
// triggers the installed package sets off, then its own); the triggers
// of an upgraded base package do not.
func TestTriggersOnLower(t *testing.T) {
	t.Parallel()
	root := newCert(t, "Slipway Quiet Root", nil)
	rpms := buildSpecs(t, map[string][]byte{"quiet.pem": pemCert(root.der)}, map[string]string{
		"sl-catrig": `%install
mkdir -p %{buildroot}/usr/share/sl-catrig
echo x > %{buildroot}/usr/share/sl-catrig/x
%transfiletriggerin -- /etc/pki/ca-trust/source
/usr/bin/update-ca-trust
%triggerin -- sl-added
echo /usr/bin/from-base-trigger >> /etc/shells
%files
/usr/share/sl-catrig/x
`,
		"sl-old": `%install
mkdir -p %{buildroot}/usr/share/sl-old
echo x > %{buildroot}/usr/share/sl-old/x
%triggerin -- sl-added
echo /usr/bin/from-upgraded >> /etc/shells
%files
/usr/share/sl-old/x
`,
		"sl-added": `Source0: quiet.pem
%install
mkdir -p %{buildroot}/etc/pki/ca-trust/source/anchors
install -m 644 %{SOURCE0} %{buildroot}/etc/pki/ca-trust/source/anchors/quiet.pem
%triggerin -- sl-catrig
echo /usr/bin/from-added-trigger >> /etc/shells
%files
/etc/pki/ca-trust/source/anchors/quiet.pem
`,
	})
	header := func(name string) *rpm.Package {
		f, err := os.Open(rpms[name])
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, err := rpm.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const ex = "/etc/pki/ca-trust/extracted"
	lower, files := lowerOf("/etc/shells=/bin/sh\n", "/etc/pki/ca-trust/source/anchors/", "/usr/share/pki/ca-trust-source/",
		ex+"/pem/", ex+"/openssl/", ex+"/java/", ex+"/edk2/")
	old := header("sl-old")
	data, rep := build(t, rootfs.Options{BuildTime: buildTime, Lower: lower, LowerFiles: files,
		LowerPackages: []*rpm.Package{header("sl-catrig"), old}, Upgraded: []*rpm.Package{old}}, []string{rpms["sl-added"]})
	got := readFiles(t, data, "etc/shells", strings.TrimPrefix(ex, "/")+"/pem/tls-ca-bundle.pem")
	if want := "/bin/sh\n/usr/bin/from-base-trigger\n/usr/bin/from-added-trigger\n"; string(got["etc/shells"]) != want {
		t.Errorf("/etc/shells: %q, want %q; warnings %q", got["etc/shells"], want, rep.Warnings)
	}
	if b := got[strings.TrimPrefix(ex, "/")+"/pem/tls-ca-bundle.pem"]; !strings.Contains(string(b), "# Slipway Quiet Root\n") {
		t.Errorf("tls-ca-bundle.pem: %q; warnings %q", b, rep.Warnings)
	}
}

// TestSkelOnLower: useradd -m of an added package over a base copies the
// base's /etc/skel (files, folders, links; the added packages' skel
// files too) into the new home, owned by the new user, as shadow-utils'
// useradd copies the skel of the image it runs in; a home the base has
// is left as it is (useradd -m does not touch an existing home); a skel
// file of the base whose content was not read is a warning, not an empty
// copy.
func TestSkelOnLower(t *testing.T) {
	t.Parallel()
	rpms := buildSpecs(t, nil, map[string]string{
		"sl-skeluser": `%install
mkdir -p %{buildroot}/etc/skel
echo added > %{buildroot}/etc/skel/.added
%pre
useradd -m -u 1234 alice
useradd -m -u 1235 bob
%files
/etc/skel/.added
`,
	})
	lower, files := lowerOf("/etc/skel/.bashrc=base rc\n", "/etc/skel/.config/", "/etc/skel/.profile->.bashrc",
		"/home/bob/", "/etc/login.defs=USERGROUPS_ENAB yes\nHOME_MODE 0700\n")
	lower.Paths["/etc/skel/.unread"] = rootfs.LowerPath{Type: 'f', Mode: 0o600}
	lower.Paths["/etc/skel/.bashrc"] = rootfs.LowerPath{Type: 'f', Mode: 0o640}
	data, rep := build(t, rootfs.Options{BuildTime: buildTime, Lower: lower, LowerFiles: files}, []string{rpms["sl-skeluser"]})
	tr := readTree(t, data)
	for p, want := range map[string]string{
		"/home/alice":          "dir 700 1234:1234",
		"/home/alice/.bashrc":  "file 640 1234:1234",
		"/home/alice/.config":  "dir 755 1234:1234",
		"/home/alice/.profile": "symlink 777 1234:1234 -> .bashrc",
		"/home/alice/.added":   "file 644 1234:1234",
	} {
		f, ok := tr[p]
		got := fmt.Sprintf("%s %o %d:%d", f.Type, f.Mode, f.UID, f.GID)
		if f.Link != "" {
			got += " -> " + f.Link
		}
		if !ok || got != want {
			t.Errorf("%s: %q (present %v), want %q; warnings %q", p, got, ok, want, rep.Warnings)
		}
	}
	for _, p := range []string{"/home/alice/.unread", "/home/bob"} {
		if f, ok := tr[p]; ok {
			t.Errorf("%s is in the new layer: %v", p, f)
		}
	}
	if got := readFiles(t, data, "home/alice/.bashrc")["home/alice/.bashrc"]; string(got) != "base rc\n" {
		t.Errorf("/home/alice/.bashrc: %q, want the base's", got)
	}
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.Contains(w, "/etc/skel/.unread") && strings.Contains(w, "its content was not read")
	}) {
		t.Errorf("no warning for the unread skel file: %q", rep.Warnings)
	}
}

// TestUpgradeOrderOnLower: an added package upgrading a base package runs
// in rpm's order (psm.c: rpmPackageInstall, then the old version's
// rpmPackageErase): the new %post, the %triggerin the installed packages
// have on it, its own %triggerin, the old version's own %triggerun, the
// %triggerun of the installed packages naming it, the old %preun and
// %postun, their %triggerpostun, all before the next package's %post. A
// trigger whose version condition the old version does not match does not
// fire; each runs with $1 = 1.
func TestUpgradeOrderOnLower(t *testing.T) {
	t.Parallel()
	echo := func(s string) string { return "echo /usr/bin/" + s + " >> /etc/shells\n" }
	olds := buildSpecs(t, nil, map[string]string{
		"sl-up": "%preun\n" + echo("old-preun") + "%postun\n" + echo("old-postun") +
			"%triggerun -- sl-watch\n" + echo("old-triggerun-$1") + "%files\n",
		"sl-watch": "%triggerin -- sl-up\n" + echo("watch-triggerin") +
			"%triggerun -- sl-up\n" + echo("watch-triggerun-$1") +
			"%triggerpostun -- sl-up < 2\n" + echo("watch-triggerpostun") + "%files\n",
		"sl-newer": "%triggerun -- sl-up > 1\n" + echo("newer-triggerun") +
			"%triggerpostun -- sl-up >= 1\n" + echo("newer-triggerpostun") + "%files\n",
		"sl-odd": "%triggerun -- sl-up\nupdate-mime-database /usr/share/mime\n%files\n",
	})
	news := buildSpecs(t, nil, map[string]string{
		"sl-up": "%post\n" + echo("new-post") + "%triggerin -- sl-watch\n" + echo("new-triggerin") + "%files\n",
		"sl-later": "Requires: sl-up\n%post\n" + echo("later-post") +
			"%triggerun -- sl-up\n" + echo("later-triggerun") + "%files\n",
	})
	header := func(file string) *rpm.Package {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, err := rpm.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	lower, files := lowerOf("/etc/shells=/bin/sh\n")
	old := header(olds["sl-up"])
	data, rep := build(t, rootfs.Options{BuildTime: buildTime, Lower: lower, LowerFiles: files,
		LowerPackages: []*rpm.Package{old, header(olds["sl-watch"]), header(olds["sl-newer"]), header(olds["sl-odd"])}, Upgraded: []*rpm.Package{old}},
		[]string{news["sl-up"], news["sl-later"]})
	got := string(readFiles(t, data, "etc/shells")["etc/shells"])
	want := "/bin/sh\n" + strings.Join([]string{"new-post", "watch-triggerin", "new-triggerin", "old-triggerun-1", "watch-triggerun-1",
		"old-preun", "old-postun", "watch-triggerpostun", "newer-triggerpostun", "later-post"}, "\n/usr/bin/")
	want = strings.Replace(want, "/bin/sh\nnew-post", "/bin/sh\n/usr/bin/new-post", 1) + "\n"
	if got != want {
		t.Errorf("/etc/shells:\n%s\nwant\n%s\nwarnings %q", got, want, rep.Warnings)
	}
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "sl-odd-1-1.noarch of the layers below: its %triggerun is not understood and not reproduced")
	}) {
		t.Errorf("no warning for sl-odd's %%triggerun: %q", rep.Warnings)
	}
}

// TestSkelMatchesShadowUtils: the home useradd -m makes over a base (its
// /etc/skel with a file and a link, its login.defs) is the one
// shadow-utils' useradd -R makes on the same tree: the same paths, types,
// modes, owners, link targets and contents. (No skel sub-folder: Debian's
// shadow-utils 4.13 under -R makes it 0700 and leaves it empty, as its
// copy of a folder goes through /proc/self/fd, which the chroot lacks;
// TestSkelOnLower checks folders.)
func TestSkelMatchesShadowUtils(t *testing.T) {
	t.Parallel()
	useradd := testutil.RequireTool(t, "useradd", "passwd")
	if os.Geteuid() != 0 {
		t.Skip("useradd -R needs root")
	}
	items := []string{"/etc/skel/.bashrc=base rc\n", "/etc/skel/.profile->.bashrc",
		"/etc/login.defs=USERGROUPS_ENAB yes\nHOME_MODE 0700\n", "/etc/passwd=root:x:0:0:root:/root:/bin/bash\n",
		"/etc/group=root:x:0:\n", "/home/"}
	lower, files := lowerOf(items...)
	lower.Paths["/etc/skel/.bashrc"] = rootfs.LowerPath{Type: 'f', Mode: 0o640}
	root := t.TempDir()
	for p, l := range lower.Paths {
		full := filepath.Join(root, p)
		switch l.Type {
		case 'd':
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
		case 'l':
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(l.Link, full); err != nil {
				t.Fatal(err)
			}
		case 'f':
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, files[p], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for p, l := range lower.Paths {
		if l.Type != 'l' {
			if err := os.Chmod(filepath.Join(root, p), os.FileMode(l.Mode)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if b, err := exec.Command(useradd, "-R", root, "-m", "-u", "1234", "alice").CombinedOutput(); err != nil {
		t.Fatalf("useradd: %v\n%s", err, b)
	}
	var want []string
	err := filepath.Walk(filepath.Join(root, "home/alice"), func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %o %d:%d", strings.TrimPrefix(p, root), fi.Mode().Perm(), st.Uid, st.Gid)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line = "symlink " + line + " -> " + target
		case fi.IsDir():
			line = "dir " + line
		default:
			b, _ := os.ReadFile(p)
			line = fmt.Sprintf("file %s %q", line, b)
		}
		want = append(want, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rpms := buildSpecs(t, nil, map[string]string{"sl-alice": "%pre\nuseradd -m -u 1234 alice\n%files\n"})
	data, rep := build(t, rootfs.Options{BuildTime: buildTime, Lower: lower, LowerFiles: files}, []string{rpms["sl-alice"]})
	tr := readTree(t, data)
	contents := readFiles(t, data, "home/alice/.bashrc")
	var got []string
	for p, f := range tr {
		if p != "/home/alice" && !strings.HasPrefix(p, "/home/alice/") {
			continue
		}
		line := fmt.Sprintf("%s %o %d:%d", p, f.Mode, f.UID, f.GID)
		switch f.Type {
		case "symlink":
			line = "symlink " + line + " -> " + f.Link
		case "dir":
			line = "dir " + line
		default:
			line = fmt.Sprintf("%s %s %q", f.Type, line, contents[strings.TrimPrefix(p, "/")])
		}
		got = append(got, line)
	}
	slices.Sort(got)
	slices.Sort(want)
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("home:\n%s\nwant (shadow-utils):\n%s\nwarnings %q", g, w, rep.Warnings)
	}
}
