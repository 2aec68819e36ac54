package scriptlet

import (
	"testing"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
)

// BenchmarkAzureShapes analyzes and emulates the scriptlets of Azure
// Linux 3's bash, filesystem, shadow-utils, p11-kit-trust and a %pre
// service account on an in-memory image: the per-build cost of the audit
// and the emulations for these packages.
func BenchmarkAzureShapes(b *testing.B) {
	sh := []string{"/bin/sh"}
	scripts := []rpm.Script{
		{Kind: "%pretrans", Prog: []string{"<lua>"}, Body: filesystemPretrans},
		{Kind: "%pre", Prog: sh, Body: sysusersCompat},
		{Kind: "%post", Prog: sh, Body: bashPost},
		{Kind: "%post", Prog: sh, Body: "/usr/sbin/pwconv\n/usr/sbin/grpconv\nchmod 000 /etc/shadow\n"},
		{Kind: "%post", Prog: sh, Body: "/usr/sbin/update-alternatives --install /usr/lib64/libnssckbi.so libnssckbi.so.x86_64 /usr/lib64/pkcs11/p11-kit-trust.so 30\n"},
		{Kind: "%post", Prog: []string{"/sbin/ldconfig"}},
		{Kind: "%postun", Prog: sh, Body: "rm -f /x"},
	}
	for b.Loop() {
		img := newImage("/etc/", "/etc/shadow=", "/root/", "/etc/skel/", "/etc/skel/.bash_logout=x\n", "/usr/", "/usr/bin/", "/var/",
			"/etc/alternatives/", "/var/lib/", "/var/lib/alternatives/", "/usr/lib64/", "/usr/lib64/pkcs11/")
		db := &accounts.DB{}
		db.ParsePasswd("passwd", []byte("root:x:0:0:root:/root:/bin/bash\n"))
		db.ParseGroup("group", []byte("root:x:0:\n"))
		env := &Env{Image: img, Accounts: &accounts.ShadowUtils{DB: db, HasShadow: true}}
		for _, s := range scripts {
			a, err := Analyze(s)
			if err != nil {
				b.Fatal(err)
			}
			if err := a.Run(env, "pkg"); err != nil {
				b.Fatal(err)
			}
		}
	}
}
