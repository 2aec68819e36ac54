package scriptlet

import (
	"path"
	"testing"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
)

// FuzzAnalyze feeds scripts (shell and lua) to the audit and, when the
// verdict is emulated, to the emulation on a small image: no input may
// panic, hang or leave the image.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{bashPost, filesystemPretrans, sysusersCompat,
		"alternatives --install /usr/bin/ed ed /usr/bin/ed.a 10 --slave /usr/share/a.1 a.1 /usr/share/b.1\n",
		"/usr/sbin/pwconv\n/usr/sbin/grpconv\nchmod 000 /etc/shadow\n",
		"systemd-tmpfiles --create x.conf &>/dev/null || :\n",
		"if [[ ! -f /var/lib/tdnf/history.db ]]; then /usr/lib64/tdnf/tdnf-history-util init; fi\n",
		"useradd -rM -g 0 -G wheel -u 7 -d /x -s /bin/sh -c 'a b' x\n",
		"mkdir -p -m 0700 /a/b; touch /a/b/c; ln -sf ../x /a/l; rm -rf /a; usermod -aG wheel root\n",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, lua bool) {
		prog := []string{"/bin/sh"}
		if lua {
			prog = []string{"<lua>"}
		}
		a, err := Analyze(rpm.Script{Kind: "%post", Prog: prog, Body: body})
		if err != nil || a.Verdict != Emulated {
			return
		}
		img := newImage("/etc/", "/etc/shells=/bin/sh\n", "/etc/shadow=", "/root/", "/etc/skel/", "/etc/skel/.bash_logout=x\n",
			"/usr/", "/usr/bin/", "/var/", "/etc/alternatives/", "/var/lib/", "/var/lib/alternatives/",
			"/usr/lib/", "/usr/lib/tmpfiles.d/", "/usr/lib/tmpfiles.d/x.conf=d /var/x 0755 - - -\nL /etc/l - - - - ../x\n")
		db := &accounts.DB{}
		db.ParsePasswd("passwd", []byte("root:x:0:0:root:/root:/bin/bash\n"))
		db.ParseGroup("group", []byte("root:x:0:\nwheel:x:10:\n"))
		env := &Env{Image: img, Accounts: &accounts.ShadowUtils{DB: db, HasShadow: true}, Warn: func(string) {}}
		if err := a.Run(env, "pkg"); err != nil {
			return
		}
		for p := range img {
			if _, err := imagePath(p); err != nil {
				t.Fatalf("%q left the image: %v", p, err)
			}
		}
	})
}

// FuzzAltState feeds alternatives state files (a base image's, which
// someone else made) to --install and --remove: no input may panic or
// make a path that leaves the image or is not clean.
func FuzzAltState(f *testing.F) {
	f.Add("auto\n/usr/bin/ed\neditor.1\n/usr/share/ed.1\n\n/usr/bin/ed.a\n10\n/usr/share/a.1\n", "/usr/bin/ed.a")
	f.Add("manual\n/usr/bin/ed\n\n/usr/bin/ed.a\n@f@10\n/usr/bin/ed.b\n20\n", "/usr/bin/ed.b")
	f.Add("auto\n/usr/bin/ed\n../../../etc/passwd\n/usr/share/ed.1\n\n/usr/bin/ed.a\n50\n/usr/share/a.1\n", "/usr/bin/ed.c")
	f.Add("auto\n/usr/bin/ed\nx\n/usr/../../../x\n\n/usr/bin/ed.a\n10\n/../../b\n", "/usr/bin/ed.a")
	f.Fuzz(func(t *testing.T, state, remove string) {
		img := newImage("/etc/", "/etc/alternatives/", "/var/", "/var/lib/", "/var/lib/alternatives/", "/usr/", "/usr/bin/", "/usr/share/",
			"/var/lib/alternatives/editor="+state)
		img["/etc/alternatives/editor"] = &memFile{FileInfo: FileInfo{Type: 'l', Mode: 0o777, Link: "/usr/bin/ed.a"}}
		env := &Env{Image: img, Warn: func(string) {}}
		for _, body := range []string{
			"alternatives --install /usr/bin/ed editor /usr/bin/ed.c 15 --slave /usr/share/ed.1 editor.1 /usr/share/c.1\n",
			"alternatives --remove editor " + remove + "\n",
		} {
			a, err := Analyze(rpm.Script{Kind: "%post", Prog: []string{"/bin/sh"}, Body: body})
			if err != nil || a.Verdict != Emulated {
				continue
			}
			if err := a.Run(env, "pkg"); err != nil {
				continue
			}
		}
		for p := range img {
			if _, err := imagePath(p); err != nil || path.Clean(p) != p {
				t.Fatalf("%q left the image or is not clean (%v)", p, err)
			}
		}
	})
}
