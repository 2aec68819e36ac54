package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// TestResolveHoldback: holding busybox back (the only provider of
// /usr/bin/sh, which webd needs in Requires(pre)) resolves to the set
// without holdback minus busybox, and says which requirement stayed open,
// on stderr and in --json.
func TestResolveHoldback(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "webd")
	held := filepath.Join(dir, "held.toml")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(held, append(data, "exclude = [\"busybox\"]\nallow_unsatisfied = [\"busybox\"]\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	excludedOnly := filepath.Join(dir, "excluded.toml")
	if err := os.WriteFile(excludedOnly, append(data, "exclude = [\"busybox\"]\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": dir}
	cache := filepath.Join(dir, "cache")
	run := func(args ...string) (string, string) {
		t.Helper()
		code, out, errOut := runCLI(t, env, append([]string{"--cache-dir", cache}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out, errOut
	}
	full, fullErr := run("resolve", "--arch", "x86_64", cfg)
	if strings.Contains(fullErr, "unsatisfied") {
		t.Errorf("resolution without holdback notes unsatisfied requirements: %s", fullErr)
	}
	got, note := run("resolve", "--arch", "x86_64", held)
	var want []string
	for _, l := range strings.Fields(full) {
		if !strings.HasPrefix(l, "busybox-") {
			want = append(want, l)
		}
	}
	if len(want) == len(strings.Fields(full)) {
		t.Fatalf("busybox is not in the resolution of webd, the test proves nothing:\n%s", full)
	}
	if !slices.Equal(strings.Fields(got), want) {
		t.Errorf("held back: got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if !strings.Contains(note, "left unsatisfied on purpose") || !strings.Contains(note, "webd-") || !strings.Contains(note, "needs /usr/bin/sh") {
		t.Errorf("stderr does not name webd's open /usr/bin/sh requirement:\n%s", note)
	}

	js, _ := run("resolve", "--arch", "x86_64", "--json", held)
	var doc jsonResolve
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("--json: %v\n%s", err, js)
	}
	if len(doc.Arches) != 1 || len(doc.Arches[0].Unsatisfied) == 0 {
		t.Fatalf("--json has no unsatisfied list:\n%s", js)
	}
	found := false
	for _, u := range doc.Arches[0].Unsatisfied {
		found = found || strings.HasPrefix(u.Package, "webd-") && u.Dep == "/usr/bin/sh"
	}
	if !found {
		t.Errorf("--json unsatisfied %+v lacks webd's /usr/bin/sh", doc.Arches[0].Unsatisfied)
	}

	// Without allow_unsatisfied, excluding busybox fails as before.
	code, _, errOut := runCLI(t, env, "--cache-dir", cache, "resolve", "--arch", "x86_64", excludedOnly)
	if code != 1 || !strings.Contains(errOut, "nothing provides") || !strings.Contains(errOut, "bin/sh needed by webd-") {
		t.Errorf("exclude alone: exit %d, stderr %q; want 1 and nothing provides .../bin/sh needed by webd", code, errOut)
	}
}
