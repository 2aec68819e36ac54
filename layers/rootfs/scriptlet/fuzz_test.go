package scriptlet

import (
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
