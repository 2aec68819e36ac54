//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// TestProgressTerminal runs a build inside a tmux pane (a real terminal)
// and reads the screen: the progress display shows each architecture's
// packages fetched and its layer.
func TestProgressTerminal(t *testing.T) {
	testutil.RequireTool(t, "tmux", "tmux")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "appd", "tzdata")
	dir := t.TempDir()
	out := filepath.Join(dir, "oci")
	done := filepath.Join(dir, "done")
	session := fmt.Sprintf("slipway-e2e-%d", os.Getpid())
	shell := fmt.Sprintf("env -i PATH=%q HOME=%q TERM=xterm-256color %s --cache-dir %s build %s --output oci:%s:test; echo $? > %s; sleep 600",
		os.Getenv("PATH"), dir, slipwayBin, filepath.Join(dir, "cache"), cfg, out, done)
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) (string, error) {
		b, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		return string(b), err
	}
	if b, err := tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", shell); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, b)
	}
	t.Cleanup(func() { tmux("kill-server") })

	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := os.Stat(done); err == nil {
			break
		}
		if time.Now().After(deadline) {
			screen, _ := tmux("capture-pane", "-p", "-t", session)
			t.Fatalf("the build did not finish in the terminal; screen:\n%s", screen)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the last frame reach the pane
	screen, err := tmux("capture-pane", "-p", "-S", "-100", "-t", session)
	if err != nil {
		t.Fatalf("capture-pane: %v\n%s", err, screen)
	}
	code, _ := os.ReadFile(done)
	if strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("build exited %s; screen:\n%s", code, screen)
	}
	for _, want := range []string{"x86_64   fetch", "aarch64  fetch", "packages", "layer", "wrote oci:"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the terminal does not show %q; screen:\n%s", want, screen)
		}
	}
}

// TestProgressNotTerminal: without a terminal nothing carries control
// characters; stderr has a handful of plain progress lines by default
// (and with -v, and beside --json), one per stage and architecture, the
// fetched count equal to the image's packages; --quiet gives no progress
// at all; a failure still ends with one clear `slipway: ...` line.
func TestProgressNotTerminal(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "appd", "tzdata")
	cache := t.TempDir()
	plain := regexp.MustCompile(`^(?:(x86_64|aarch64): (?:loading repository metadata|fetched (\d+) packages \([0-9.]+ [KMG]?i?B\)|(\d+) layers? written \([0-9.]+ [KMG]?i?B\))|pushed \S+ \([0-9.]+ [KMG]?i?B\))$`)
	for _, tc := range []struct {
		name  string
		flags []string
		json  bool
		quiet bool
	}{
		{"default", nil, false, false},
		{"verbose", []string{"-v"}, false, false},
		{"json", nil, true, false},
		{"quiet", []string{"--quiet"}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A fresh layer cache each time (the package cache is shared):
			// with cached layers nothing is fetched and no line says so.
			os.RemoveAll(filepath.Join(cache, "layers"))
			args := append(append([]string{}, tc.flags...), "--cache-dir", cache, "build", cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "oci")+":test")
			if tc.json {
				args = append(args, "--json")
			}
			r := slipway(t, []string{"TERM=xterm-256color"}, args...)
			mustSucceed(t, r, "build")
			for name, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				if i := strings.IndexAny(s, "\x1b\r"); i >= 0 {
					t.Errorf("%s holds a control character at %d: %q", name, i, s[max(0, i-40):min(len(s), i+40)])
				}
			}
			if tc.quiet {
				if r.stderr != "" || r.stdout != "" {
					t.Errorf("--quiet printed:\nstdout: %q\nstderr: %q", r.stdout, r.stderr)
				}
				return
			}
			fetched := map[string]string{}
			layers := map[string]string{}
			n := 0
			for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				m := plain.FindStringSubmatch(l)
				if m == nil {
					if tc.name != "verbose" { // -v adds log lines
						t.Errorf("stderr line %q is not a progress line", l)
					}
					continue
				}
				n++
				if m[2] != "" {
					fetched[m[1]] = m[2]
				}
				if m[3] != "" {
					layers[m[1]] = m[3]
				}
			}
			if n == 0 || n > 8 {
				t.Errorf("%d progress lines for two architectures, want a handful:\n%s", n, r.stderr)
			}
			for _, arch := range []string{"x86_64", "aarch64"} {
				if fetched[arch] == "" || layers[arch] != "1" {
					t.Errorf("%s: fetched %q packages, %q layers written; want both lines (1 layer):\n%s", arch, fetched[arch], layers[arch], r.stderr)
				}
			}
			if tc.json {
				var b layersOut
				if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
					t.Fatalf("--json stdout is not one JSON document: %v\n%s", err, r.stdout)
				}
				var full struct {
					Arches []struct {
						Arch     string `json:"arch"`
						Packages int    `json:"packages"`
					} `json:"arches"`
				}
				json.Unmarshal([]byte(r.stdout), &full)
				for _, a := range full.Arches {
					if fetched[a.Arch] != strconv.Itoa(a.Packages) {
						t.Errorf("%s: stderr says %s packages fetched, the image has %d", a.Arch, fetched[a.Arch], a.Packages)
					}
				}
			}
		})
	}

	// A failure: progress lines, then the error as the last line and the
	// only one starting with "slipway:".
	bad := config(t, repos, "", "filesystem", "setup", "glibc", "no-such-package")
	r := slipway(t, nil, "--cache-dir", cache, "build", bad, "--output", "oci:"+filepath.Join(t.TempDir(), "oci")+":test")
	if r.code != 1 {
		t.Fatalf("a build of a missing package exited %d, want 1:\n%s", r.code, r.stderr)
	}
	assertErrorLine(t, r.stderr, "no-such-package")
}

// assertErrorLine checks that stderr ends with one clear error line
// naming want, after nothing but plain progress lines.
func assertErrorLine(t *testing.T, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "slipway: ") || !strings.Contains(last, want) {
		t.Errorf("the last stderr line is %q, want slipway: ... naming %q", last, want)
	}
	progressLine := regexp.MustCompile(`^((x86_64|aarch64): |pushed )`)
	for _, l := range lines[:len(lines)-1] {
		if !progressLine.MatchString(l) {
			t.Errorf("stderr line %q before the error is not a progress line:\n%s", l, stderr)
		}
	}
	if strings.ContainsAny(stderr, "\x1b\r") {
		t.Errorf("stderr holds control characters: %q", stderr)
	}
}
