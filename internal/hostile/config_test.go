package hostile_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
)

// TestHostileConfigValues loads the configurations of
// testdata/hostile/config whose values would forge or cut a field of
// /etc/passwd or a process argument, or a line of the log: each is
// refused with exactly this one-line error.
func TestHostileConfigValues(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs("../../testdata/hostile/config")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ file, want string }{
		{"shell-nul.toml", `shell-nul.toml:14: accounts.user[x].shell: "/bin/sh\x00" is not an absolute path without ':' or control characters`},
		{"home-newline.toml", `home-newline.toml:14: accounts.user[x].home: "/home/x\nroot::0:0:root:/root:/bin/sh" is not an absolute path without ':' or control characters`},
		{"entrypoint-nul.toml", `entrypoint-nul.toml:11: config.entrypoint: argument 3, "id\x00; rm -rf /", holds NUL`},
		{"install-newline.toml", `install-newline.toml:9: packages.install[busybox\nslipway: note: build succeeded]: "busybox\nslipway: note: build succeeded" has surrounding spaces or control characters`},
		{"install-excluded.toml", `install-excluded.toml:5: packages.install[busybox]: "busybox" is excluded by packages.exclude ("busybox") at DIR/holdback-base.toml:10; set packages.exclude in DIR/install-excluded.toml to a list without it (exclude = [] clears the inherited list)`},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			f := filepath.Join(dir, tc.file)
			_, err := config.Load(t.Context(), f)
			want := filepath.Join(dir, strings.ReplaceAll(tc.want, "DIR", dir))
			if err == nil || err.Error() != want {
				t.Errorf("error\n%v\nwant\n%s", err, want)
			}
		})
	}
}
