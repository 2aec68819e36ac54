package accounts

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

func TestParseSysusers(t *testing.T) {
	t.Parallel()
	in := `# comment
g webd -
u webd - "web daemon" /var/lib/webd /sbin/nologin
u  quoted 123:456 "a \"b\" c"
m webd wheel
r - 500-900
u! locked -
`
	got, err := ParseSysusers("t.conf", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []SysusersEntry{
		{Type: "g", Name: "webd", File: "t.conf", Line: 2},
		{Type: "u", Name: "webd", Gecos: "web daemon", Home: "/var/lib/webd", Shell: "/sbin/nologin", File: "t.conf", Line: 3},
		{Type: "u", Name: "quoted", ID: "123:456", Gecos: `a "b" c`, File: "t.conf", Line: 4},
		{Type: "m", Name: "webd", ID: "wheel", File: "t.conf", Line: 5},
		{Type: "r", Name: "", ID: "500-900", File: "t.conf", Line: 6},
		{Type: "u!", Name: "locked", File: "t.conf", Line: 7},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"x foo", "u", "g a - gecos", "m a", "r - 9-1", `u a - "open`, "u a:b"} {
		if _, err := ParseSysusers("bad", []byte(bad)); err == nil {
			t.Errorf("ParseSysusers(%q) gave no error", bad)
		}
	}
}

// TestApplySysusersMatchesSystemd runs systemd-sysusers --root on the same
// files and compares /etc/passwd and /etc/group with ours.
func TestApplySysusersMatchesSystemd(t *testing.T) {
	sysusers := testutil.RequireTool(t, "systemd-sysusers", "systemd")
	const passwd = "root:x:0:0:root:/root:/bin/sh\nsys:x:999:999::/:/sbin/nologin\nnobody:x:65534:65534::/:/sbin/nologin\n"
	const group = "root:x:0:\nsys:x:999:\nwheel:x:10:\nnobody:x:65534:\n"
	for _, tc := range []struct{ name, conf string }{
		{"webd", "g webd -\nu webd - \"web daemon\" /var/lib/webd /sbin/nologin\n"},
		{"implicit group", "u a -\n"},
		{"fixed ids", "u b 500\ng c 600\n"},
		{"taken id", "u b 999\n"},
		{"several", "u a -\nu b 500\ng c -\nm a wheel\nu root -\n"},
		{"uid:gid", "u e 700:wheel\nu f 701:10\n"},
		{"range", "r - 500-510\nu a -\ng g1 -\n"},
		{"member of new group", "u a -\nm a newgroup\n"},
		{"member creates user", "m newuser wheel\n"},
		{"two users", "u a -\nu b -\ng c -\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "etc"), 0o755)
			os.MkdirAll(filepath.Join(root, "usr/lib/sysusers.d"), 0o755)
			os.WriteFile(filepath.Join(root, "etc/passwd"), []byte(passwd), 0o644)
			os.WriteFile(filepath.Join(root, "etc/group"), []byte(group), 0o644)
			os.WriteFile(filepath.Join(root, "usr/lib/sysusers.d/t.conf"), []byte(tc.conf), 0o644)
			if out, err := exec.Command(sysusers, "--root="+root).CombinedOutput(); err != nil {
				t.Fatalf("systemd-sysusers: %v\n%s", err, out)
			}
			db := &DB{}
			if err := db.ParsePasswd("p", []byte(passwd)); err != nil {
				t.Fatal(err)
			}
			if err := db.ParseGroup("g", []byte(group)); err != nil {
				t.Fatal(err)
			}
			es, err := ParseSysusers("t.conf", []byte(tc.conf))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApplySysusers(es); err != nil {
				t.Fatal(err)
			}
			wantP, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
			wantG, _ := os.ReadFile(filepath.Join(root, "etc/group"))
			if string(db.Passwd()) != string(wantP) {
				t.Errorf("passwd: ours\n%s\nsystemd-sysusers\n%s", db.Passwd(), wantP)
			}
			if string(db.Group()) != string(wantG) {
				t.Errorf("group: ours\n%s\nsystemd-sysusers\n%s", db.Group(), wantG)
			}
		})
	}
}

func FuzzParseSysusers(f *testing.F) {
	for _, s := range []string{"u webd - \"web daemon\" /var/lib/webd /sbin/nologin", "g x 5", "m a b", "r - 1-9", "u a 1:b", `u "a b" -`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		es, err := ParseSysusers("f", []byte(s))
		if err != nil {
			return
		}
		db := &DB{}
		db.ApplySysusers(es)
		_ = db.Passwd()
		_ = db.Group()
	})
}

func FuzzParsePasswd(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/sh\n+::::::\n"), []byte("root:x:0:\nwheel:x:10:a,b\n"))
	f.Fuzz(func(t *testing.T, p, g []byte) {
		db := &DB{}
		if db.ParsePasswd("p", p) == nil && db.ParseGroup("g", g) == nil {
			var again DB
			if err := again.ParsePasswd("p", db.Passwd()); err != nil {
				t.Fatalf("re-parsing our own passwd: %v", err)
			}
		}
	})
}
