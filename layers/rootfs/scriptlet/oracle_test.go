package scriptlet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
)

// TestAccountsMatchShadowUtils runs the same account commands with the
// real shadow-utils (useradd -R ROOT...) and through the emulation, and
// compares passwd, group, shadow and gshadow byte for byte, the exit
// statuses and the home folders made.
func TestAccountsMatchShadowUtils(t *testing.T) {
	for _, tool := range []string{"useradd", "groupadd", "usermod", "pwconv", "grpconv"} {
		testutil.RequireTool(t, tool, "passwd")
	}
	if os.Geteuid() != 0 {
		t.Skip("useradd -R needs root")
	}
	const epoch = 1700000000
	azureDefs := "UMASK 077\nHOME_MODE 0700\nSYS_UID_MIN 201\nSYS_UID_MAX 999\nSYS_GID_MIN 201\nSYS_GID_MAX 999\n" +
		"USERGROUPS_ENAB yes\nPASS_MAX_DAYS 99999\nPASS_MIN_DAYS 0\nPASS_WARN_AGE 7\nCREATE_HOME yes\n"
	for _, c := range []struct {
		name  string
		files map[string]string // etc/...
		cmds  []string
	}{
		{"azure login.defs with shadow files", map[string]string{
			"passwd":     "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1:bin:/bin:/sbin/nologin\nsys2:x:950:950::/:/sbin/nologin\n",
			"group":      "root:x:0:\nbin:x:1:\nusers:x:100:\nsys2:x:950:\n",
			"shadow":     "root:*::0:99999:7:::\n",
			"gshadow":    "root:::\n",
			"login.defs": azureDefs,
		}, []string{
			"groupadd -r svc",
			`useradd -r -g svc -d /var/lib/svc -s /sbin/nologin -c "Svc user" svc`,
			"useradd -r -M other",
			"useradd -r -G svc,bin third",
			"useradd normal",
			"groupadd -g 5000 fixed",
			"useradd -u 4000 -g fixed -m fixu",
			"useradd -N -M nogroup",
			"groupadd -r svc",
			"groupadd -f -r svc",
			"groupadd -g 5000 clash",
			"groupadd -f -g 5000 clash",
			"useradd -g missing x1",
			"useradd -u 4000 dupuid",
			"useradd svc",
			"usermod -a -G svc,bin other",
			"usermod -aG svc other",
			"usermod -a -G nope other",
			"usermod -a -G svc nobodyx",
		}},
		{"no login.defs, no shadow, then pwconv", map[string]string{
			"passwd": "root:x:0:0:root:/root:/bin/bash\nnop:*:2:2::/:/bin/sh\n",
			"group":  "root:x:0:\nusers:x:100:\nwheel:x:10:root\n",
			"shadow": "ghost:!:1::::::\n",
		}, []string{
			"groupadd -r a",
			"useradd -r b",
			"useradd -m c",
			"pwconv",
			"grpconv",
		}},
		{"pwconv without shadow", map[string]string{
			"passwd":     "root:x:0:0:root:/root:/bin/bash\nold:secret:3:3::/:/bin/sh\n",
			"group":      "root:x:0:\nbin:x:1:root,bin\n",
			"login.defs": azureDefs,
		}, []string{"useradd -r sys", "pwconv", "grpconv"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, "home"), 0o755); err != nil {
				t.Fatal(err)
			}
			for n, d := range c.files {
				if err := os.WriteFile(filepath.Join(root, "etc", n), []byte(d), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// Emulation.
			db := &accounts.DB{}
			db.ParsePasswd("passwd", []byte(c.files["passwd"]))
			db.ParseGroup("group", []byte(c.files["group"]))
			su := &accounts.ShadowUtils{DB: db, Day: epoch / 86400}
			if d, ok := c.files["login.defs"]; ok {
				su.LoginDefs = accounts.ParseLoginDefs([]byte(d))
			}
			su.Shadow, su.HasShadow = []byte(c.files["shadow"]), c.files["shadow"] != ""
			su.GShadow, su.HasGShadow = []byte(c.files["gshadow"]), c.files["gshadow"] != ""
			var gotStatus, wantStatus []string
			for _, cmd := range c.cmds {
				// The real tool, chrooted into root.
				name, rest, _ := strings.Cut(cmd, " ")
				sh := exec.Command("/bin/sh", "-c", name+" -R "+root+" "+rest)
				sh.Env = append(os.Environ(), fmt.Sprintf("SOURCE_DATE_EPOCH=%d", epoch))
				out, err := sh.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
				wantStatus = append(wantStatus, fmt.Sprintf("%s: %d", cmd, code))
				_ = out
				// The emulation of the same line.
				a, err := Analyze(rpm.Script{Kind: "%pre", Body: cmd + "\necho $1 >/dev/null\n"})
				if err != nil || a.Verdict != Emulated {
					t.Fatalf("%s: %v %s %s", cmd, err, a.Verdict, a.Why)
				}
				l, _ := parseShell(cmd)
				r := &runner{env: &Env{Accounts: su}}
				st, err := r.list(l)
				if err != nil {
					t.Fatal(err)
				}
				gotStatus = append(gotStatus, fmt.Sprintf("%s: %d", cmd, st))
			}
			if g, w := strings.Join(gotStatus, "\n"), strings.Join(wantStatus, "\n"); g != w {
				t.Errorf("exit statuses:\n%s\nwant:\n%s", g, w)
			}
			read := func(n string) string {
				b, _ := os.ReadFile(filepath.Join(root, "etc", n))
				return string(b)
			}
			for _, f := range []struct {
				name string
				got  string
			}{{"passwd", string(db.Passwd())}, {"group", string(db.Group())}, {"shadow", string(su.Shadow)}, {"gshadow", string(su.GShadow)}} {
				if want := read(f.name); f.got != want {
					t.Errorf("%s:\n%s\nwant (shadow-utils):\n%s", f.name, f.got, want)
				}
			}
			var homes []string
			for _, h := range su.Homes {
				homes = append(homes, fmt.Sprintf("%s %04o %d:%d", h.Path, h.Mode, h.UID, h.GID))
			}
			var want []string
			entries, _ := os.ReadDir(filepath.Join(root, "home"))
			for _, e := range entries {
				fi, err := os.Stat(filepath.Join(root, "home", e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				uid, gid := ownerOf(fi)
				want = append(want, fmt.Sprintf("/home/%s %04o %d:%d", e.Name(), fi.Mode().Perm(), uid, gid))
			}
			slices.Sort(homes)
			if strings.Join(homes, "\n") != strings.Join(want, "\n") {
				t.Errorf("homes:\n%s\nwant:\n%s", strings.Join(homes, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
