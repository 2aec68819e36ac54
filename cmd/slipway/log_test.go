package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

func TestCLIHandler(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		level slog.Level
		log   func(l *slog.Logger)
		want  string
	}{
		{"levels", slog.LevelDebug, func(l *slog.Logger) {
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e")
		}, "slipway: debug: d\nslipway: note: i\nslipway: warning: w\nslipway: error: e\n"},
		{"below the level", slog.LevelWarn, func(l *slog.Logger) { l.Info("i") }, ""},
		{"attributes", slog.LevelWarn, func(l *slog.Logger) {
			l.Warn("cached package is damaged", "package", "a-1.rpm", "err", "checksum mismatch: x", "n", 3, "empty", "")
		}, `slipway: warning: cached package is damaged package=a-1.rpm err="checksum mismatch: x" n=3 empty=""` + "\n"},
		{"group", slog.LevelWarn, func(l *slog.Logger) {
			l.WithGroup("g").Warn("m", slog.Group("h", "k", "v"))
		}, "slipway: warning: m g.h.k=v\n"},
		// Context from With is for --verbose; the fact is one line.
		{"context and repeats", slog.LevelWarn, func(l *slog.Logger) {
			for _, arch := range []string{"x86_64", "aarch64"} {
				for _, base := range []string{"", "base.toml", "mid.toml"} {
					l.With("arch", arch, "base", base).Warn(`remove glob "/x/**" matches nothing`)
				}
			}
			l.Warn("other")
		}, "slipway: warning: remove glob \"/x/**\" matches nothing\nslipway: warning: other\n"},
		{"context at debug level", slog.LevelDebug, func(l *slog.Logger) {
			l.With("arch", "x86_64").Debug("solved", "packages", 2)
			l.With("arch", "aarch64").Debug("solved", "packages", 2)
		}, "slipway: debug: solved arch=x86_64 packages=2\nslipway: debug: solved arch=aarch64 packages=2\n"},
		{"newlines", slog.LevelWarn, func(l *slog.Logger) {
			l.Warn("a\nslipway: note: forged", "k\n", "v\nw")
		}, `slipway: warning: a\nslipway: note: forged k\n="v\nw"` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			tc.log(slog.New(newCLIHandler(&b, tc.level)))
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

// slipwayLines returns the lines of stderr written in slipway's own style
// (progress lines are the others).
func slipwayLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(l, "slipway: ") || strings.HasPrefix(l, "level=") {
			out = append(out, l)
		}
	}
	return out
}

// TestLogsRepositoryDown: two repositories on a closed loopback port, two
// architectures: one warning for the host, then the error on one line
// with its cause.
func TestLogsRepositoryDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "down.toml")
	writeTestFile(t, cfg, fmt.Sprintf(`[image]
name = "test/down"
architectures = ["x86_64", "aarch64"]
[[repository]]
id = "down"
baseurl = "http://%[1]s/repo/$basearch"
gpgcheck = false
[[repository]]
id = "down2"
baseurl = "http://%[1]s/other/$basearch"
gpgcheck = false
[packages]
install = ["busybox"]
`, addr))
	code, _, stderr := runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", filepath.Join(dir, "cache"), "resolve", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := []string{
		"slipway: warning: " + addr + ": retrying failed requests (connection refused)",
		fmt.Sprintf(`slipway: loading repositories for x86_64: repo down: fetching repomd.xml: giving up after 5 attempts: Get "http://%[1]s/repo/x86_64/repodata/repomd.xml": dial tcp %[1]s: connect: connection refused (1 more repository failed too: down2)`, addr),
	}
	if got := strings.Split(strings.TrimSpace(stderr), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr (%d lines):\n%s\nwant (%d lines):\n%s", len(got), stderr, len(want), strings.Join(want, "\n"))
	}
}

// TestLogsUnmatchedGlob: a paths.remove glob that matches nothing, in a
// base under two shared-base overlays, built for two architectures (six
// trees), is one warning line.
func TestLogsUnmatchedGlob(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "base.toml"), `[image]
name = "test/base"
architectures = ["x86_64", "aarch64"]
[[repository]]
id = "test"
baseurl = "`+repoTemplate(repos)+`"
gpgkey = ["`+repos.KeyFile+`"]
[packages]
install = ["tzdata"]
[paths]
remove = ["/nothing/here/**"]
`)
	writeTestFile(t, filepath.Join(dir, "mid.toml"), "extends = \"base.toml\"\n[image]\nname = \"test/mid\"\n[packages]\ninstall = [\"busybox\"]\n[layers]\nstrategy = \"shared-base\"\n")
	writeTestFile(t, filepath.Join(dir, "top.toml"), "extends = \"mid.toml\"\n[image]\nname = \"test/top\"\n[layers]\nstrategy = \"shared-base\"\n")
	code, _, stderr := runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", filepath.Join(dir, "cache"),
		"build", filepath.Join(dir, "top.toml"), "--output", "oci:"+filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `slipway: warning: remove glob "/nothing/here/**" matches nothing`
	if got := slipwayLines(stderr); len(got) != 1 || got[0] != want {
		t.Errorf("stderr has %d slipway lines, want 1 (%s):\n%s", len(got), want, stderr)
	}
}

func writeTestFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
