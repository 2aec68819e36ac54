package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/rpmmeta"
)

func nevra(s string) rpmmeta.NEVRA {
	dot := strings.LastIndexByte(s, '.')
	rel := strings.LastIndexByte(s[:dot], '-')
	ver := strings.LastIndexByte(s[:rel], '-')
	return rpmmeta.NEVRA{Name: s[:ver], EVR: rpmmeta.ParseEVR(s[ver+1 : dot]), Arch: s[dot+1:]}
}

func nevras(l ...string) []rpmmeta.NEVRA {
	out := []rpmmeta.NEVRA{}
	for _, s := range l {
		out = append(out, nevra(s))
	}
	return out
}

func TestDiffArch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b []rpmmeta.NEVRA
		want archDiff
	}{
		{"same", nevras("a-1-1.x86_64"), nevras("a-1-1.x86_64"), archDiff{Unchanged: 1}},
		{"upgrade by release, numeric compare", nevras("a-1-9.x86_64"), nevras("a-1-10.x86_64"), archDiff{Upgraded: []pkgChange{{"a", "1-9.x86_64", "1-10.x86_64"}}}},
		{"epoch beats version", nevras("tk-2.0-1.noarch"), nevras("tk-1:1.0-5.noarch"), archDiff{Upgraded: []pkgChange{{"tk", "2.0-1.noarch", "1:1.0-5.noarch"}}}},
		{"downgrade", nevras("a-2.0-1.x86_64"), nevras("a-1.10-1.x86_64"), archDiff{Downgraded: []pkgChange{{"a", "2.0-1.x86_64", "1.10-1.x86_64"}}}},
		{"tilde sorts before", nevras("a-1.0-1.x86_64"), nevras("a-1.0~rc1-1.x86_64"), archDiff{Downgraded: []pkgChange{{"a", "1.0-1.x86_64", "1.0~rc1-1.x86_64"}}}},
		{"added and removed", nevras("a-1-1.x86_64", "old-1-1.noarch"), nevras("a-1-1.x86_64", "new-2-1.noarch"),
			archDiff{Unchanged: 1, Added: []pkgVersion{{"new", "noarch", "2-1"}}, Removed: []pkgVersion{{"old", "noarch", "1-1"}}}},
		{"arch change at one version", nevras("a-1-1.noarch"), nevras("a-1-1.x86_64"),
			archDiff{Added: []pkgVersion{{"a", "x86_64", "1-1"}}, Removed: []pkgVersion{{"a", "noarch", "1-1"}}}},
		{"a name twice: matched by NEVRA", nevras("k-1-1.noarch", "k-2-1.noarch"), nevras("k-2-1.noarch", "k-3-1.noarch"),
			archDiff{Unchanged: 1, Added: []pkgVersion{{"k", "noarch", "3-1"}}, Removed: []pkgVersion{{"k", "noarch", "1-1"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := diffArch(tc.a, tc.b)
			for _, p := range []*[]pkgVersion{&tc.want.Added, &tc.want.Removed} {
				if *p == nil {
					*p = []pkgVersion{}
				}
			}
			for _, p := range []*[]pkgChange{&tc.want.Upgraded, &tc.want.Downgraded} {
				if *p == nil {
					*p = []pkgChange{}
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	d := diffSets("A", "B", pkgSets{"x86_64": nevras("a-1-1.x86_64")}, pkgSets{"x86_64": nevras("a-1-1.x86_64"), "aarch64": nevras("a-1-1.aarch64")})
	if len(d.Arches) != 2 || d.Arches[0].Arch != "aarch64" || d.Arches[0].OnlyIn != "b" || d.Arches[1].OnlyIn != "" || !d.changed() {
		t.Errorf("arch only in B: %+v", d)
	}
}

// TestDiffCLI compares configurations and a lockfile over the test repos:
// tzdata-2023c against the newest tzdata, and timekeeper-2.0 against the
// epoch-1 timekeeper that wins by epoch.
func TestDiffCLI(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	mk := func(sub string, install ...string) string {
		d := filepath.Join(dir, sub)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return writeConfig(t, d, repos, repoTemplate(repos), install...)
	}
	oldCfg := mk("old", "webd", "tzdata-2023c", "timekeeper-2.0")
	newCfg := mk("new", "webd", "tzdata", "timekeeper")
	env := map[string]string{"HOME": dir}
	cache := []string{"--cache-dir", filepath.Join(dir, "cache")}
	run := func(args ...string) (int, string, string) {
		return runCLI(t, env, append(cache, args...)...)
	}
	if code, _, errOut := run("lock", oldCfg); code != 0 {
		t.Fatalf("lock: %s", errOut)
	}
	oldLock := strings.TrimSuffix(oldCfg, ".toml") + ".lock"

	for _, a := range []string{oldCfg, oldLock} {
		code, out, errOut := run("diff", "--json", a, newCfg)
		if code != 0 {
			t.Fatalf("diff %s: exit %d: %s", a, code, errOut)
		}
		var d pkgDiff
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(d.Arches) != 2 {
			t.Fatalf("%d arches", len(d.Arches))
		}
		for _, ad := range d.Arches {
			want := []pkgChange{{"timekeeper", "2.0-1.azl3.noarch", "1:1.0-5.azl3.noarch"}, {"tzdata", "2023c-1.azl3.noarch", "2024a-1.azl3.noarch"}}
			if !reflect.DeepEqual(ad.Upgraded, want) || len(ad.Added)+len(ad.Removed)+len(ad.Downgraded) != 0 || ad.Unchanged == 0 {
				t.Errorf("%s %s: %+v; want exactly the upgrades %+v", a, ad.Arch, ad, want)
			}
		}
	}
	// Markdown, one arch, reversed: downgrades.
	code, out, errOut := run("diff", "--arch", "aarch64", newCfg, oldLock)
	if code != 0 {
		t.Fatalf("diff: %s", errOut)
	}
	for _, w := range []string{"## aarch64", "### Downgraded (2)", "| tzdata | 2024a-1.azl3.noarch | 2023c-1.azl3.noarch |", "| timekeeper | 1:1.0-5.azl3.noarch | 2.0-1.azl3.noarch |"} {
		if !strings.Contains(out, w) {
			t.Errorf("markdown lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "x86_64") || strings.Contains(out, "Upgraded") {
		t.Errorf("markdown has more than aarch64's downgrades:\n%s", out)
	}
	if code, out, _ := run("diff", "--exit-code", oldLock, oldCfg); code != 0 || !strings.Contains(out, "No package changes") {
		t.Errorf("same set: exit %d\n%s", code, out)
	}
	if code, _, _ := run("diff", "--exit-code", oldLock, newCfg); code != 1 {
		t.Errorf("--exit-code with changes: exit %d, want 1", code)
	}
	if code, _, _ := run("diff", oldLock); code != 2 {
		t.Errorf("one argument: exit %d, want 2", code)
	}
	if code, _, errOut := run("diff", oldLock, filepath.Join(dir, "none.lock")); code != 1 || !strings.Contains(errOut, "none.lock") {
		t.Errorf("missing lockfile: exit %d %q", code, errOut)
	}
}

// TestDiffLayers: the layers of B that A lacks (by digest) are what a
// client with A pulls; the Markdown names what each new layer holds.
func TestDiffLayers(t *testing.T) {
	t.Parallel()
	a := layerSets{"x86_64": {{Digest: "sha256:aa", Size: 100}, {Digest: "sha256:bb", Size: 50}, {Digest: "sha256:m1", Size: 7, Metadata: true}}}
	b := layerSets{"x86_64": {{Digest: "sha256:aa", Size: 100}, {Digest: "sha256:cc", Size: 60, Packages: []string{"tzdata-2024a-1.noarch"}}, {Digest: "sha256:m2", Size: 8, Metadata: true}}}
	got := diffLayers(a, b)
	if len(got) != 1 || got[0].Kept != 1 || got[0].PullBytes != 68 || got[0].TotalBytes != 168 || len(got[0].New) != 2 {
		t.Fatalf("diffLayers = %+v", got)
	}
	if diffLayers(nil, b) != nil {
		t.Error("a lockfile side gives a layer comparison")
	}
	var buf strings.Builder
	writeDiffMarkdown(&buf, &pkgDiff{A: "old", B: "new", Layers: got})
	for _, want := range []string{"1 of 3 layers unchanged; a client with `old` pulls 68 of 168 bytes.", "| sha256:cc | 60 | tzdata-2024a-1.noarch |", "| sha256:m2 | 8 | metadata"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, buf.String())
		}
	}
}
