package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (docs/cli.md)")

// runCLI runs slipway in-process and returns its exit code and output.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"no command", nil, 2, "Usage: slipway", ""},
		{"help", []string{"help"}, 0, "Commands:", ""},
		{"--help", []string{"--help"}, 0, "Commands:", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"version", "--frob"}, 2, "", "unknown flag: --frob"},
		{"version", []string{"version"}, 0, "slipway ", ""},
		{"--version", []string{"--version"}, 0, "go1.", ""},
		{"version with args", []string{"version", "x"}, 2, "", "version takes no arguments"},
		{"help for a command", []string{"help", "version"}, 0, "Usage: slipway version", ""},
		{"--help on a command", []string{"version", "--help"}, 0, "Usage: slipway version", ""},
		{"help for unknown", []string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{"verbose and quiet", []string{"-v", "-q", "version"}, 2, "", "cannot be used together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out, tt.inStdout) {
				t.Errorf("stdout %q does not contain %q", out, tt.inStdout)
			}
			if !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.inStderr)
			}
			if tt.code != 0 && tt.inStderr != "" && strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
				t.Errorf("error should be one clear line (plus a hint), got %q", errOut)
			}
		})
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/slipway"},
		{map[string]string{"HOME": "/h"}, "/h/.cache/slipway"},
	}
	for _, c := range cases {
		if got := defaultCacheDir(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("defaultCacheDir(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}

// TestCLIReference keeps docs/cli.md equal to what the flag definitions say.
func TestCLIReference(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "cli.md")
	want := cliReference()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./cmd/slipway -run TestCLIReference -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/cli.md is out of date with the flag definitions: run go test ./cmd/slipway -run TestCLIReference -update")
	}
}
