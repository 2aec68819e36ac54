package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestValuesRefused: values that would forge or cut a field of
// /etc/passwd or a process argument are refused, and every error stays on
// one line whatever the value holds (lines of minimal: see TestErrors).
func TestValuesRefused(t *testing.T) {
	t.Parallel()
	user := "[[accounts.user]]\nname = \"u\"\nuid = 7\ngid = 1\n"
	tests := []struct {
		name string
		cfg  string
		want string // the whole message, after "DIR/"
	}{
		{"shell with NUL", minimal + user + "shell = \"/bin/sh\\u0000x\"\n",
			`c.toml:17: accounts.user[u].shell: "/bin/sh\x00x" is not an absolute path without ':' or control characters`},
		{"shell with newline", minimal + user + "shell = \"/bin/sh\\nroot::0:0::/:/bin/sh\"\n",
			`c.toml:17: accounts.user[u].shell: "/bin/sh\nroot::0:0::/:/bin/sh" is not an absolute path without ':' or control characters`},
		{"shell with colon", minimal + user + "shell = \"/bin/sh:x\"\n",
			`c.toml:17: accounts.user[u].shell: "/bin/sh:x" is not an absolute path without ':' or control characters`},
		{"home with tab", minimal + user + "home = \"/home/u\\t\"\n",
			`c.toml:17: accounts.user[u].home: "/home/u\t" is not an absolute path without ':' or control characters`},
		{"entrypoint with NUL", minimal + "[config]\nentrypoint = [\"/bin/sh\", \"-c\\u0000rm\"]\n",
			`c.toml:14: config.entrypoint: argument 2, "-c\x00rm", holds NUL`},
		{"cmd with NUL", minimal + "[config]\ncmd = [\"\\u0000\"]\n",
			`c.toml:14: config.cmd: argument 1, "\x00", holds NUL`},
		{"workdir with newline", minimal + "[config]\nworkdir = \"/srv\\n\"\n",
			`c.toml:14: config.workdir: "/srv\n" holds control characters`},
		{"env name with newline", minimal + "[config]\nenv = { \"A\\nB\" = \"x\" }\n",
			`c.toml:14: config.env.A\nB: variable name "A\nB" holds '=' or control characters`},
		// A raw newline in a value must not start a forged line.
		{"install with newline", with(t, `install = ["bash"]`, `install = ["bash\nslipway: note: all good"]`),
			`c.toml:12: packages.install[bash\nslipway: note: all good]: "bash\nslipway: note: all good" has surrounding spaces or control characters`},
		{"repository id with newline", with(t, `id = "local"`, `id = "lo\ncal"`),
			`c.toml:7: repository[lo\ncal].id: "lo\ncal" is not a repository id (letters, digits and _ . : -)`},
		{"group name with NEL", minimal + "[[accounts.group]]\nname = \"g\\u0085\"\ngid = 5\n",
			`c.toml:14: accounts.group[g\u0085].name: "g\u0085" is not a valid group name (lowercase letters, digits, _ and -, starting with a letter or _, at most 32)`},
		{"extends with newline", "extends = \"none\\n.toml\"\n" + minimal,
			`c.toml:1: extends: reading DIR/none\n.toml: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"c.toml": tt.cfg})
			_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
			if err == nil {
				t.Fatal("loaded without error")
			}
			want := filepath.Join(dir, strings.ReplaceAll(tt.want, "DIR", dir))
			if err.Error() != want {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
		})
	}
}

// TestInstallHeldBack: a package named in packages.install that
// packages.exclude or packages.allow_unsatisfied matches is refused at
// load, naming where each was set and how to lift an inherited list.
func TestInstallHeldBack(t *testing.T) {
	t.Parallel()
	base := with(t, `install = ["bash"]`, `install = ["filesystem"]`) +
		"exclude = [\"busy*\", \"grep\"]\nallow_unsatisfied = [\"grep\"]\n"
	dir := writeFiles(t, map[string]string{
		"base.toml":      base,
		"variant.toml":   "extends = \"base.toml\"\n[packages]\ninstall = [\"busybox\"]\n",
		"both.toml":      "extends = \"base.toml\"\n[packages]\ninstall = [\"grep\"]\n",
		"lifted.toml":    "extends = \"base.toml\"\n[packages]\ninstall = [\"busybox\", \"grep\"]\nexclude = []\nallow_unsatisfied = []\n",
		"same.toml":      minimal + "exclude = [\"bash\"]\n",
		"overlay.toml":   "extends = \"same-base.toml\"\n[packages]\nexclude = [\"bash\"]\n",
		"same-base.toml": minimal,
		"glob.toml":      "extends = \"base.toml\"\n[packages]\ninstall = [\"busy*\", \"/usr/bin/grep\", \"grep >= 3\"]\n",
	})
	tests := []struct {
		file string
		want string // "" loads; DIR stands for the folder
	}{
		{"variant.toml", `DIR/variant.toml:3: packages.install[busybox]: "busybox" is excluded by packages.exclude ("busy*") at DIR/base.toml:13; set packages.exclude in DIR/variant.toml to a list without it (exclude = [] clears the inherited list)`},
		{"both.toml", `DIR/both.toml:3: packages.install[grep]: "grep" is excluded by packages.exclude ("grep") at DIR/base.toml:13; set packages.exclude in DIR/both.toml to a list without it (exclude = [] clears the inherited list)` + "\n" +
			`DIR/both.toml:3: packages.install[grep]: "grep" is held back by packages.allow_unsatisfied ("grep") at DIR/base.toml:14; set packages.allow_unsatisfied in DIR/both.toml to a list without it (allow_unsatisfied = [] clears the inherited list)`},
		{"lifted.toml", ""},
		{"same.toml", `DIR/same.toml:12: packages.install[bash]: "bash" is excluded by packages.exclude ("bash") at DIR/same.toml:13; remove it from one of the two lists`},
		{"overlay.toml", `DIR/same-base.toml:12: packages.install[bash]: "bash" is excluded by packages.exclude ("bash") at DIR/overlay.toml:3; remove it from that list`},
		// Globs, files and capabilities are the solver's to judge.
		{"glob.toml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			_, err := Load(t.Context(), filepath.Join(dir, tt.file))
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			switch {
			case want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case want != "" && err == nil:
				t.Fatal("loaded without error")
			case want != "" && err.Error() != want:
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
		})
	}
}
