package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh"} {
		t.Run(shell, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, nil, "completion", shell)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for name, c := range commands() {
				if !strings.Contains(out, name+")") {
					t.Errorf("%s script has no case for command %q", shell, name)
				}
				// Every flag of every command appears.
				fs := newFlagSet(c, &globals{})
				c.Setup(fs)
				for _, f := range flagsOf(fs) {
					if !strings.Contains(out, "--"+f.long) {
						t.Errorf("%s script lacks %s --%s", shell, name, f.long)
					}
				}
			}
			want := map[string]string{"bash": "complete -o filenames -F _slipway slipway", "zsh": "compdef _slipway slipway"}[shell]
			if !strings.Contains(out, "_slipway()") || !strings.Contains(out, want) {
				t.Errorf("%s script does not define _slipway and register it (%q)", shell, want)
			}
			bin := testutil.RequireTool(t, shell, shell)
			file := filepath.Join(t.TempDir(), "slipway."+shell)
			if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			if b, err := exec.Command(bin, "-n", file).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, b)
			}
		})
	}
	if code, _, errOut := runCLI(t, nil, "completion", "fish"); code != 2 || !strings.Contains(errOut, "fish") {
		t.Errorf("unknown shell: exit %d %q, want 2", code, errOut)
	}
}

// TestBashCompletionRuns sources the bash script and asks it to complete
// a few command lines, as bash would.
func TestBashCompletionRuns(t *testing.T) {
	t.Parallel()
	bin := testutil.RequireTool(t, "bash", "bash")
	_, script, _ := runCLI(t, nil, "completion", "bash")
	file := filepath.Join(t.TempDir(), "slipway.bash")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words string // the command line; the last word is completed
		want  []string
		not   []string
	}{
		{"slipway res", []string{"resolve"}, []string{"build"}},
		{"slipway ''", []string{"build", "diff", "inspect", "completion", "help"}, nil},
		{"slipway --cache-dir /tmp i", []string{"inspect"}, nil},
		{"slipway diff --a", []string{"--arch"}, []string{"--annotation"}},
		{"slipway inspect --arch a", []string{"aarch64"}, []string{"x86_64"}},
		{"slipway inspect --", []string{"--json", "--insecure-registry", "--no-packages", "--verbose"}, []string{"--output"}},
		{"slipway completion z", []string{"zsh"}, nil},
		{"slipway help di", []string{"diff"}, nil},
		{"slipway -v build --out", []string{"--output"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.words, func(t *testing.T) {
			t.Parallel()
			sh := "source " + file + "\nCOMP_WORDS=(" + tc.words + ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_slipway\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
			out, err := exec.Command(bin, "-c", sh).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("completing %q: %v lacks %q", tc.words, got, w)
				}
			}
			for _, w := range tc.not {
				if slices.Contains(got, w) {
					t.Errorf("completing %q: %v has %q", tc.words, got, w)
				}
			}
		})
	}
}
