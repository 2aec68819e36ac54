//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
// characters; -v gives plain progress lines on stderr; --quiet gives no
// progress at all.
func TestProgressNotTerminal(t *testing.T) {
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", "filesystem", "setup", "glibc", "libfoo", "appd", "tzdata")
	cache := t.TempDir()
	for _, tc := range []struct {
		name      string
		flags     []string
		wantLines []string
		json      bool
	}{
		{"default", nil, nil, false},
		{"verbose", []string{"-v"}, []string{"fetching packages", "arch=x86_64", "arch=aarch64", "writing layer"}, false},
		{"json-verbose", []string{"-v"}, []string{"fetching packages"}, true},
		{"quiet", []string{"--quiet"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
			for _, w := range tc.wantLines {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if tc.name == "quiet" && (r.stderr != "" || r.stdout != "") {
				t.Errorf("--quiet printed:\nstdout: %q\nstderr: %q", r.stdout, r.stderr)
			}
			if tc.name == "default" && strings.Contains(r.stderr, "fetching") {
				t.Errorf("progress lines without -v:\n%s", r.stderr)
			}
			if tc.json && !strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
				t.Errorf("--json stdout is not one JSON document:\n%s", r.stdout)
			}
		})
	}
}
