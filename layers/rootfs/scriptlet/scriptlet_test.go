package scriptlet

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
)

// memImage is an Image in memory, without symlink resolution in parents
// (enough for these scripts).
type memImage map[string]*memFile

type memFile struct {
	FileInfo
	data []byte
}

func (m memImage) Lstat(p string) (FileInfo, bool) {
	f, ok := m[p]
	if !ok {
		return FileInfo{}, false
	}
	return f.FileInfo, true
}

func (m memImage) follow(p string) (string, bool) {
	for range 10 {
		f, ok := m[p]
		if !ok {
			return p, false
		}
		if f.Type != 'l' {
			return p, true
		}
		if strings.HasPrefix(f.Link, "/") {
			p = f.Link
		} else {
			p = path.Join(path.Dir(p), f.Link)
		}
	}
	return p, false
}

func (m memImage) Stat(p string) (FileInfo, bool) {
	q, ok := m.follow(p)
	if !ok {
		return FileInfo{}, false
	}
	return m[q].FileInfo, true
}

func (m memImage) ReadFile(p string) ([]byte, bool) {
	q, ok := m.follow(p)
	if !ok || m[q].Type != 'f' {
		return nil, false
	}
	return m[q].data, true
}

func (m memImage) parentOK(p string) error {
	if d, ok := m.Stat(path.Dir(p)); (!ok || d.Type != 'd') && path.Dir(p) != "/" {
		return fmt.Errorf("%s: no such directory", path.Dir(p))
	}
	return nil
}

func (m memImage) WriteFile(p string, data []byte, mode uint32) error {
	q, ok := m.follow(p)
	if ok {
		if m[q].Type != 'f' {
			return fmt.Errorf("%s is not a file", p)
		}
		m[q].data = data
		return nil
	}
	if err := m.parentOK(q); err != nil {
		return err
	}
	m[q] = &memFile{FileInfo{Type: 'f', Mode: mode}, data}
	return nil
}

func (m memImage) Mkdir(p string, mode uint32) error {
	if _, ok := m[p]; ok {
		return errors.New("exists")
	}
	if err := m.parentOK(p); err != nil {
		return err
	}
	m[p] = &memFile{FileInfo: FileInfo{Type: 'd', Mode: mode}}
	return nil
}

func (m memImage) Symlink(target, p string) error {
	if _, ok := m[p]; ok {
		return errors.New("exists")
	}
	if err := m.parentOK(p); err != nil {
		return err
	}
	m[p] = &memFile{FileInfo: FileInfo{Type: 'l', Mode: 0o777, Link: target}}
	return nil
}

func (m memImage) Chmod(p string, mode uint32) error {
	q, ok := m.follow(p)
	if !ok {
		return errors.New("no such file")
	}
	m[q].Mode = mode
	return nil
}

func (m memImage) Chown(p, user, group string) error { return nil }

func (m memImage) ReadDir(p string) ([]string, bool) {
	var out []string
	for k := range m {
		if path.Dir(k) == p {
			out = append(out, path.Base(k))
		}
	}
	return out, len(out) > 0
}

func (m memImage) Remove(p string) error {
	if _, ok := m[p]; !ok {
		return errors.New("no such file")
	}
	delete(m, p)
	return nil
}

func (m memImage) String() string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		f := m[k]
		switch f.Type {
		case 'd':
			fmt.Fprintf(&b, "%s/ %04o\n", k, f.Mode)
		case 'l':
			fmt.Fprintf(&b, "%s -> %s\n", k, f.Link)
		default:
			fmt.Fprintf(&b, "%s %04o %q\n", k, f.Mode, f.data)
		}
	}
	return b.String()
}

func newImage(files ...string) memImage {
	m := memImage{}
	for _, f := range files {
		p, data, _ := strings.Cut(f, "=")
		if strings.HasSuffix(p, "/") {
			m[strings.TrimSuffix(p, "/")] = &memFile{FileInfo: FileInfo{Type: 'd', Mode: 0o755}}
			continue
		}
		m[p] = &memFile{FileInfo{Type: 'f', Mode: 0o644}, []byte(data)}
	}
	return m
}

// bashPost is the %post of Azure Linux 3's bash.
const bashPost = `if [ $1 -eq 1 ] ; then
    if [ ! -f "/root/.bash_logout" ] ; then
        cp /etc/skel/.bash_logout /root/.bash_logout
    fi
    if [ ! -f /etc/shells ]; then
        echo "/bin/sh" >> /etc/shells
        echo "/bin/bash" >> /etc/shells
        echo "/usr/bin/sh" >> /etc/shells
        echo "/usr/bin/bash" >> /etc/shells
    else
        grep -q '^/bin/sh$' /etc/shells || \
        echo "/bin/sh" >> /etc/shells
        grep -q '^/bin/bash$' /etc/shells || \
        echo "/bin/bash" >> /etc/shells
        grep -q '^/usr/bin/sh$' /etc/shells || \
        echo "/usr/bin/sh" >> /etc/shells
        grep -q '^/usr/bin/bash$' /etc/shells || \
        echo "/usr/bin/bash" >> /etc/shells
    fi
fi
`

// filesystemPretrans is the shape of Azure Linux 3's filesystem %pretrans.
const filesystemPretrans = `--# If we are running in pretrans in a fresh root, there is no /usr and
--# symlinks.
posix.mkdir("/usr")
posix.mkdir("/usr/lib")
posix.mkdir("/usr/lib/debug")
posix.mkdir("/usr/lib/debug/usr/")
posix.mkdir("/usr/lib64")
posix.symlink("usr/bin", "/usr/lib/debug/bin")
posix.symlink("usr/lib64", "/usr/lib/debug/lib64")
posix.symlink("../.dwz", "/usr/lib/debug/usr/.dwz")
posix.mkdir("/proc")
posix.mkdir("/sys")
posix.chmod("/proc", 0555)
posix.chmod("/sys", 0555)
st = posix.stat("/media")
if st and st.type == "link" then
  os.remove("/media")
end
posix.symlink("../run", "/var/run")
return 0
`

// sysusersCompat is what Fedora's %sysusers_create_compat macro expands to.
const sysusersCompat = `getent group 'apache' >/dev/null || groupadd -f -g '48' -r 'apache' || :
if ! getent passwd 'apache' >/dev/null; then
    if ! getent passwd '48' >/dev/null; then
        useradd -r -u '48' -g 'apache' -d '/usr/share/httpd' -s '/sbin/nologin' -c 'Apache' 'apache'
    else
        useradd -r -g 'apache' -d '/usr/share/httpd' -s '/sbin/nologin' -c 'Apache' 'apache'
    fi
fi
`

func TestVerdicts(t *testing.T) {
	t.Parallel()
	sh := []string{"/bin/sh"}
	for _, c := range []struct {
		name    string
		script  rpm.Script
		verdict string
		how     string // joined with ", "; for unhandled, part of Why
	}{
		{"bash post", rpm.Script{Kind: "%post", Prog: sh, Body: bashPost}, Emulated, "copy, shells"},
		{"shadow-utils post", rpm.Script{Kind: "%post", Prog: sh, Body: "/usr/sbin/pwconv\n/usr/sbin/grpconv\nchmod 000 /etc/shadow\n"}, Emulated, "pwconv, chmod"},
		{"accounts idiom", rpm.Script{Kind: "%pre", Prog: sh, Body: "getent group webd >/dev/null || groupadd -r webd\ngetent passwd webd >/dev/null || \\\n    useradd -r -g webd -d /var/lib/webd -s /sbin/nologin -c \"web daemon\" webd\nexit 0\n"}, Emulated, "accounts"},
		{"p11-kit alternative", rpm.Script{Kind: "%post", Prog: sh, Body: "/usr/sbin/update-alternatives --install /usr/lib64/libnssckbi.so libnssckbi.so.x86_64 /usr/lib64/pkcs11/p11-kit-trust.so 30\n"}, Emulated, "alternatives"},
		{"alternatives remove", rpm.Script{Kind: "%postun", Prog: sh, Body: "if [ $1 -eq 0 ]; then\n  alternatives --remove editor /usr/bin/ed.a\nfi\n"}, NotNeeded, "runs when a package is erased, never at install"},
		{"alternatives remove at install", rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --remove editor /usr/bin/ed.a\n"}, Emulated, "alternatives"},
		{"alternatives remove with a slave", rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --remove editor /usr/bin/ed.a --slave /a b /c\n"}, Unhandled, "alternatives --remove with --slave or --family"},
		{"alternatives remove of a path", rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --remove /usr/bin/ed /usr/bin/ed.a\n"}, Unhandled, "alternatives --remove needs a name and a path"},
		{"filesystem lua", rpm.Script{Kind: "%pretrans", Prog: []string{"<lua>"}, Body: filesystemPretrans}, Emulated, "lua-posix"},
		{"ldconfig -p", rpm.Script{Kind: "%post", Prog: []string{"/sbin/ldconfig"}}, NotNeeded, rsLdcache},
		{"ldconfig file trigger", rpm.Script{Kind: "%transfiletriggerin", Prog: []string{"/sbin/ldconfig"}, Triggers: []string{"/usr/lib64"}}, NotNeeded, rsLdcache},
		{"erase", rpm.Script{Kind: "%postun", Prog: sh, Body: "rm -rf /etc/anything"}, NotNeeded, "runs when a package is erased, never at install"},
		{"trigger erase", rpm.Script{Kind: "%triggerun", Prog: sh, Body: "rm -rf /"}, NotNeeded, "runs when a package is erased, never at install"},
		{"systemd reload", rpm.Script{Kind: "%posttrans", Prog: sh, Body: "/usr/bin/systemctl daemon-reload >/dev/null 2>&1 || :\n"}, NotNeeded, rsRunning},
		{"upgrade-only branch", rpm.Script{Kind: "%post", Prog: sh, Body: "if [ $1 -gt 1 ]; then\n  /usr/libexec/migrate --all\nfi\n"}, NotNeeded, "has no effect on the image"},
		{"upgrade-only and-list", rpm.Script{Kind: "%post", Prog: sh, Body: "[ $1 -gt 1 ] && /usr/libexec/migrate --all\n[ \"$1\" = 1 ] || exit 0\n"}, NotNeeded, "has no effect on the image"},
		{"install-only and-list", rpm.Script{Kind: "%post", Prog: sh, Body: "[ $1 -eq 1 ] && /usr/libexec/migrate --all\n"}, Unhandled, "command /usr/libexec/migrate"},
		{"restorecon", rpm.Script{Kind: "%posttrans", Prog: sh, Body: "restorecon /var/run 2>/dev/null >/dev/null || :\n"}, NotNeeded, rsSELinux},
		{"systemctl preset", rpm.Script{Kind: "%post", Prog: sh, Body: "systemctl --no-reload preset foo.service || :\n"}, Unhandled, "systemctl preset"},
		{"update-helper install", rpm.Script{Kind: "%post", Prog: sh, Body: "if [ $1 -eq 1 ] && [ -x \"/usr/lib/systemd/systemd-update-helper\" ]; then\n    /usr/lib/systemd/systemd-update-helper install-system-units foo.service || :\nfi\n"}, Unhandled, "systemd-update-helper install-system-units"},
		{"unknown command", rpm.Script{Kind: "%post", Prog: sh, Body: "update-mime-database /usr/share/mime\n"}, Unhandled, "command update-mime-database"},
		{"variable", rpm.Script{Kind: "%post", Prog: sh, Body: "F=/etc/x\necho a >> $F\n"}, Unhandled, "variable assignment"},
		{"loop", rpm.Script{Kind: "%post", Prog: sh, Body: "for f in a b; do :; done\n"}, Unhandled, "for"},
		{"echo to another file", rpm.Script{Kind: "%post", Prog: sh, Body: "echo x >> /etc/profile\n"}, Unhandled, "echo writing to /etc/profile"},
		{"python", rpm.Script{Kind: "%post", Prog: []string{"/usr/bin/python3"}, Body: "print(1)"}, Unhandled, "interpreter /usr/bin/python3"},
		{"lua io", rpm.Script{Kind: "%post", Prog: []string{"<lua>"}, Body: "f = io.open('/etc/shells', 'a')\n"}, Unhandled, "io.open"},
		{"lua os.execute", rpm.Script{Kind: "%post", Prog: []string{"<lua>"}, Body: "os.execute('rm -rf /')\n"}, Unhandled, "os.execute"},
		{"command substitution", rpm.Script{Kind: "%post", Prog: sh, Body: "echo `id`\n"}, Unhandled, "command substitution"},
		{"pipeline with effect", rpm.Script{Kind: "%post", Prog: sh, Body: "echo a | useradd x\n"}, Unhandled, "useradd in a pipeline"},
		{"add-shell", rpm.Script{Kind: "%post", Prog: sh, Body: "add-shell /usr/bin/zsh /bin/zsh\n"}, Emulated, "shells"},
		{"tdnf post", rpm.Script{Kind: "%post", Prog: sh, Body: "/sbin/ldconfig\nif [[ ! -f /var/lib/tdnf/history.db ]]; then\n    /usr/lib64/tdnf/tdnf-history-util init\nfi\n"}, Emulated, "tdnf-history"},
		{"tdnf posttrans yum link", rpm.Script{Kind: "%posttrans", Prog: sh, Body: "if [ ! -e $(rpm --eval %{_bindir})/yum ]; then ln -s tdnf /usr/bin/yum; fi\n"}, Unhandled, "command substitution"},
		{"tmpfiles_create", rpm.Script{Kind: "%post", Prog: sh, Body: "/usr/bin/systemd-tmpfiles --create foo.conf >/dev/null 2>&1 || :\n"}, Emulated, "tmpfiles"},
		{"systemd's tmpfiles trigger", rpm.Script{Kind: "%transfiletriggerin", Prog: sh, Body: "/usr/bin/systemd-tmpfiles --create &>/dev/null || :\n", Triggers: []string{"/usr/lib/tmpfiles.d"}}, Emulated, "tmpfiles"},
		{"tmpfiles boot", rpm.Script{Kind: "%post", Prog: sh, Body: "systemd-tmpfiles --create --boot\n"}, Unhandled, "systemd-tmpfiles --boot"},
		{"file ops", rpm.Script{Kind: "%post", Prog: sh, Body: "mkdir -p -m 0750 /var/lib/x\ntouch /var/lib/x/y\nln -sf ../x /var/lib/z\nrm -rf /tmp/old\n"}, Emulated, "files"},
		{"rm of the root", rpm.Script{Kind: "%post", Prog: sh, Body: "rm -rf /\n"}, Unhandled, "rm /"},
		{"ln without -s", rpm.Script{Kind: "%post", Prog: sh, Body: "ln /a /b\n"}, Unhandled, "ln without -s"},
		{"sysusers_create_compat", rpm.Script{Kind: "%pre", Prog: sh, Body: sysusersCompat}, Emulated, "accounts"},
		{"dollar before a quote", rpm.Script{Kind: "%post", Prog: sh, Body: "grep -q \"^/bin/zsh$\" /etc/shells || echo /bin/zsh >> /etc/shells\n"}, Emulated, "shells"},
		{"dollar variable in quotes", rpm.Script{Kind: "%post", Prog: sh, Body: "echo \"$HOME\" >> /etc/shells\n"}, Unhandled, "expansion"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, err := Analyze(c.script)
			if err != nil {
				t.Fatal(err)
			}
			if a.Verdict != c.verdict {
				t.Fatalf("verdict %s (%v %s), want %s", a.Verdict, a.How, a.Why, c.verdict)
			}
			if c.verdict == Unhandled {
				if !strings.Contains(a.Why, c.how) {
					t.Errorf("why %q, want it to mention %q", a.Why, c.how)
				}
				return
			}
			if got := strings.Join(a.How, ", "); got != c.how {
				t.Errorf("how %q, want %q", got, c.how)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	sh := []string{"/bin/sh"}
	for _, c := range []struct {
		name   string
		script rpm.Script
	}{
		{"alternatives link above the root", rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --install /../../etc/x x /usr/bin/x 10\n"}},
		{"alternatives path above the root", rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --install /usr/bin/x x /usr/../../../bin/x 10\n"}},
		{"alternatives name", rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --install /usr/bin/x ../../../x /usr/bin/y 10\n"}},
		{"lua symlink target", rpm.Script{Kind: "%post", Prog: []string{"<lua>"}, Body: `posix.symlink("../../../../../etc/passwd", "/usr/x")`}},
		{"lua mkdir", rpm.Script{Kind: "%pretrans", Prog: []string{"<lua>"}, Body: `posix.mkdir("/../x")`}},
		{"cp", rpm.Script{Kind: "%post", Prog: sh, Body: "cp /etc/skel/a /../../root/a\n"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Analyze(c.script)
			if !errors.Is(err, ErrOutside) {
				t.Fatalf("err %v, want ErrOutside", err)
			}
		})
	}
}

func run(t *testing.T, img memImage, su *accounts.ShadowUtils, scripts ...rpm.Script) []string {
	t.Helper()
	var warns []string
	env := &Env{Image: img, Accounts: su, Warn: func(s string) { warns = append(warns, s) }}
	for _, s := range scripts {
		a, err := Analyze(s)
		if err != nil {
			t.Fatal(err)
		}
		if a.Verdict != Emulated {
			t.Fatalf("%s: %s %s", s.Kind, a.Verdict, a.Why)
		}
		if err := a.Run(env, "pkg"); err != nil {
			t.Fatal(err)
		}
	}
	return warns
}

func TestBashPost(t *testing.T) {
	t.Parallel()
	sh := []string{"/bin/sh"}
	// Without /etc/shells: four lines; with one: only the missing lines.
	img := newImage("/etc/", "/root/", "/etc/skel/", "/etc/skel/.bash_logout=# logout\n")
	run(t, img, nil, rpm.Script{Kind: "%post", Prog: sh, Body: bashPost})
	want := "/bin/sh\n/bin/bash\n/usr/bin/sh\n/usr/bin/bash\n"
	if got, _ := img.ReadFile("/etc/shells"); string(got) != want {
		t.Errorf("/etc/shells %q, want %q", got, want)
	}
	if got, _ := img.ReadFile("/root/.bash_logout"); string(got) != "# logout\n" || img["/root/.bash_logout"].Mode != 0o644 {
		t.Errorf("/root/.bash_logout: %v", img["/root/.bash_logout"])
	}
	img = newImage("/etc/", "/root/", "/etc/shells=/bin/bash\n/sbin/nologin\n")
	run(t, img, nil, rpm.Script{Kind: "%post", Prog: sh, Body: bashPost})
	want = "/bin/bash\n/sbin/nologin\n/bin/sh\n/usr/bin/sh\n/usr/bin/bash\n"
	if got, _ := img.ReadFile("/etc/shells"); string(got) != want {
		t.Errorf("/etc/shells %q, want %q", got, want)
	}
}

func TestLuaFilesystem(t *testing.T) {
	t.Parallel()
	img := newImage("/usr/", "/usr/bin/", "/var/", "/media/")
	run(t, img, nil, rpm.Script{Kind: "%pretrans", Prog: []string{"<lua>"}, Body: filesystemPretrans})
	want := `/media/ 0755
/proc/ 0555
/sys/ 0555
/usr/ 0755
/usr/bin/ 0755
/usr/lib/ 0755
/usr/lib/debug/ 0755
/usr/lib/debug/bin -> usr/bin
/usr/lib/debug/lib64 -> usr/lib64
/usr/lib/debug/usr/ 0755
/usr/lib/debug/usr/.dwz -> ../.dwz
/usr/lib64/ 0755
/var/ 0755
/var/run -> ../run
`
	if got := img.String(); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
}

func TestAlternatives(t *testing.T) {
	t.Parallel()
	sh := []string{"/bin/sh"}
	img := newImage("/etc/", "/etc/alternatives/", "/var/", "/var/lib/", "/var/lib/alternatives/", "/usr/", "/usr/bin/", "/usr/share/")
	run(t, img, nil,
		rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --install /usr/bin/ed editor /usr/bin/ed.a 10 --slave /usr/share/ed.1 editor.1 /usr/share/a.1\n"},
		rpm.Script{Kind: "%post", Prog: sh, Body: "update-alternatives --install /usr/bin/ed editor /usr/bin/ed.b 20 --slave /usr/share/ed.1 editor.1 /usr/share/b.1 --slave /usr/bin/red editor-r /usr/bin/red.b\n"},
		rpm.Script{Kind: "%post", Prog: sh, Body: "alternatives --install /usr/bin/ed editor /usr/bin/ed.c 20 --family c\n"},
	)
	state, _ := img.ReadFile("/var/lib/alternatives/editor")
	// Slaves sorted by link once a second alternative comes; the first
	// of two equal priorities stays best.
	want := "auto\n/usr/bin/ed\neditor-r\n/usr/bin/red\neditor.1\n/usr/share/ed.1\n\n" +
		"/usr/bin/ed.a\n10\n\n/usr/share/a.1\n" +
		"/usr/bin/ed.b\n20\n/usr/bin/red.b\n/usr/share/b.1\n" +
		"/usr/bin/ed.c\n@c@20\n\n\n"
	if string(state) != want {
		t.Errorf("state:\n%q\nwant\n%q", state, want)
	}
	for link, target := range map[string]string{
		"/usr/bin/ed": "/etc/alternatives/editor", "/etc/alternatives/editor": "/usr/bin/ed.b",
		"/usr/share/ed.1": "/etc/alternatives/editor.1", "/etc/alternatives/editor.1": "/usr/share/b.1",
		"/usr/bin/red": "/etc/alternatives/editor-r", "/etc/alternatives/editor-r": "/usr/bin/red.b",
	} {
		if fi, ok := img.Lstat(link); !ok || fi.Link != target {
			t.Errorf("%s -> %q, want %s", link, fi.Link, target)
		}
	}
}

func TestSysusersCompat(t *testing.T) {
	t.Parallel()
	db := &accounts.DB{}
	db.ParsePasswd("passwd", []byte("root:x:0:0:root:/root:/bin/bash\nother:x:48:48::/:/sbin/nologin\n"))
	db.ParseGroup("group", []byte("root:x:0:\n"))
	su := &accounts.ShadowUtils{DB: db, HasShadow: true, Day: 19675}
	run(t, nil, su, rpm.Script{Kind: "%pre", Prog: []string{"/bin/sh"}, Body: sysusersCompat})
	// uid 48 is taken: the else branch, a system uid from the top.
	want := "root:x:0:0:root:/root:/bin/bash\nother:x:48:48::/:/sbin/nologin\napache:x:999:48:Apache:/usr/share/httpd:/sbin/nologin\n"
	if got := string(db.Passwd()); got != want {
		t.Errorf("passwd:\n%s\nwant\n%s", got, want)
	}
	if got := string(db.Group()); got != "root:x:0:\napache:x:48:\n" {
		t.Errorf("group:\n%s", got)
	}
}

func TestAccountsScripts(t *testing.T) {
	t.Parallel()
	db := &accounts.DB{}
	db.ParsePasswd("passwd", []byte("root:x:0:0:root:/root:/bin/bash\n"))
	db.ParseGroup("group", []byte("root:x:0:\n"))
	su := &accounts.ShadowUtils{DB: db, LoginDefs: accounts.Settings{"SYS_UID_MIN": "201", "SYS_UID_MAX": "999", "SYS_GID_MIN": "201", "SYS_GID_MAX": "999"},
		HasShadow: true, Shadow: []byte("root:*::0:99999:7:::\n"), Day: 19675}
	body := "getent group webd >/dev/null || groupadd -r webd\ngetent passwd webd >/dev/null || useradd -r -g webd -d /var/lib/webd -s /sbin/nologin -c \"web daemon\" webd\nexit 0\n"
	run(t, nil, su, rpm.Script{Kind: "%pre", Prog: []string{"/bin/sh"}, Body: body}, rpm.Script{Kind: "%pre", Prog: []string{"/bin/sh"}, Body: body})
	if got := string(db.Passwd()); got != "root:x:0:0:root:/root:/bin/bash\nwebd:x:999:999:web daemon:/var/lib/webd:/sbin/nologin\n" {
		t.Errorf("passwd:\n%s", got)
	}
	if got := string(su.Shadow); got != "root:*::0:99999:7:::\nwebd:!:19675::::::\n" {
		t.Errorf("shadow:\n%s", got)
	}
}

func TestTmpfilesOutside(t *testing.T) {
	t.Parallel()
	img := newImage("/etc/", "/usr/", "/usr/lib/", "/usr/lib/tmpfiles.d/",
		"/usr/lib/tmpfiles.d/x.conf=L /etc/l - - - - ../../../../host\nd /../../x 0755 - - -\nd /var/ok 0755 - - -\n")
	var warns []string
	env := &Env{Image: img, Warn: func(s string) { warns = append(warns, s) }}
	a, err := Analyze(rpm.Script{Kind: "%post", Prog: []string{"/bin/sh"}, Body: "systemd-tmpfiles --create x.conf\n"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(env, "pkg"); err != nil {
		t.Fatal(err)
	}
	if _, ok := img["/etc/l"]; ok {
		t.Error("a link leaving the image was made")
	}
	if _, ok := img["/var/ok"]; !ok {
		t.Error("the good line was not applied")
	}
	want := []string{
		"pkg %post: systemd-tmpfiles: /usr/lib/tmpfiles.d/x.conf:1: link /etc/l -> ../../../../host points outside the image",
		`pkg %post: systemd-tmpfiles: /usr/lib/tmpfiles.d/x.conf:2: path "/../../x" points outside the image`,
		"pkg %post: the emulated script ends with status 1, as the real one would",
	}
	if strings.Join(warns, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(warns, "\n"), strings.Join(want, "\n"))
	}
}

// TestAnalyzeUpgraded: an upgraded package's %preun and %postun are
// judged as scripts run with $1 = 1: the usual "only on erase" branch is
// dead, an unconditional removal is emulated.
func TestAnalyzeUpgraded(t *testing.T) {
	t.Parallel()
	sh := []string{"/bin/sh"}
	for _, c := range []struct {
		script  rpm.Script
		verdict string
	}{
		{rpm.Script{Kind: "%postun", Prog: sh, Body: "if [ $1 -eq 0 ]; then\n  alternatives --remove editor /usr/bin/ed.a\nfi\n"}, NotNeeded},
		{rpm.Script{Kind: "%preun", Prog: sh, Body: "alternatives --remove editor /usr/bin/ed.a\n"}, Emulated},
		{rpm.Script{Kind: "%postun", Prog: sh, Body: "update-mime-database /usr/share/mime\n"}, Unhandled},
		{rpm.Script{Kind: "%triggerun", Prog: sh, Body: "alternatives --remove editor /usr/bin/ed.a\n"}, Emulated},
		{rpm.Script{Kind: "%triggerpostun", Prog: sh, Body: "[ $1 -eq 0 ] && alternatives --remove editor /usr/bin/ed.a\n"}, NotNeeded},
	} {
		a, err := AnalyzeUpgraded(c.script)
		if err != nil {
			t.Fatal(err)
		}
		if a.Verdict != c.verdict {
			t.Errorf("%q: %s (%s %s), want %s", c.script.Body, a.Verdict, a.How, a.Why, c.verdict)
		}
	}
	if _, err := AnalyzeUpgraded(rpm.Script{Kind: "%post", Prog: sh, Body: "true\n"}); err == nil {
		t.Error("a post scriptlet was analyzed as an upgraded package's")
	}
}
