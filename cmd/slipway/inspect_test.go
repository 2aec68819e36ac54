package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/manifests/inspect"
)

// TestInspectSources builds one image to an OCI layout (tagged, so the
// layout also names each architecture's image) and to a docker archive,
// and inspects both: the layout without a tag is the build's index, the
// archive reads like the layout, and the packages print exactly as
// resolve prints them (epoch shown when not zero: timekeeper-1:1.0-...).
func TestInspectSources(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "timekeeper", "tzdata")
	env := map[string]string{"HOME": dir, "SOURCE_DATE_EPOCH": "1700000000"}
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, env, append([]string{"--cache-dir", filepath.Join(dir, "cache"), "--quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	resolved := strings.Fields(run("resolve", "--arch", "x86_64", cfg))
	if !slices.ContainsFunc(resolved, func(s string) bool { return strings.HasPrefix(s, "timekeeper-1:1.0-") }) {
		t.Fatalf("test data: resolve lists no timekeeper with epoch 1: %v", resolved)
	}
	layout := filepath.Join(dir, "oci")
	archive := filepath.Join(dir, "img.tar")
	run("build", cfg, "--output", "oci:"+layout+":v1")
	run("build", "--arch", "x86_64", cfg, "--output", "docker-archive:"+archive+":test/image:v1")

	packages := func(out string) []string {
		var got []string
		in := false
		for _, l := range strings.Split(out, "\n") {
			switch {
			case strings.HasPrefix(l, "  packages ("):
				in = true
			case in && strings.HasPrefix(l, "    "):
				got = append(got, strings.TrimSpace(l))
			default:
				in = false
			}
		}
		sort.Strings(got)
		return got
	}
	sort.Strings(resolved)
	for _, src := range []string{"oci:" + layout, "oci:" + layout + ":v1-amd64", "docker-archive:" + archive, "docker-archive:" + archive + ":test/image:v1"} {
		code, out, errOut := runCLI(t, env, "inspect", "--arch", "x86_64", src)
		if code != 0 {
			t.Errorf("inspect %s: exit %d: %s", src, code, errOut)
			continue
		}
		if got := packages(out); !slices.Equal(got, resolved) {
			t.Errorf("inspect %s lists\n%v\nresolve lists\n%v", src, got, resolved)
		}
	}

	var rep inspect.Report
	if err := json.Unmarshal([]byte(run("inspect", "--json", "--no-packages", "oci:"+layout)), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.MediaType, "index") || len(rep.Images) != 2 {
		t.Errorf("oci:%s without a tag: %s with %d images, want the build's index of 2", layout, rep.MediaType, len(rep.Images))
	}
	var fromArchive, fromLayout inspect.Report
	json.Unmarshal([]byte(run("inspect", "--json", "docker-archive:"+archive)), &fromArchive)
	json.Unmarshal([]byte(run("inspect", "--json", "--arch", "x86_64", "oci:"+layout+":v1")), &fromLayout)
	// The archive holds the same config and layers (under Docker's media
	// types, so its manifest digest differs).
	if len(fromArchive.Images) != 1 || len(fromLayout.Images) != 1 || fromArchive.Images[0].ConfigDigest != fromLayout.Images[0].ConfigDigest ||
		fromArchive.Images[0].Layers[0].Digest != fromLayout.Images[0].Layers[0].Digest {
		t.Errorf("the archive's image %+v\nis not the layout's %+v", fromArchive.Images, fromLayout.Images)
	}

	// A layout of two builds names neither: the error counts its entries.
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other+"-cfg", 0o755); err != nil {
		t.Fatal(err)
	}
	run("build", "--arch", "x86_64", writeConfig(t, other+"-cfg", repos, repoTemplate(repos), "tzdata"), "--output", "oci:"+other+":a")
	idx, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var top, second map[string]any
	json.Unmarshal(idx, &top)
	b, _ := os.ReadFile(filepath.Join(other, "index.json"))
	json.Unmarshal(b, &second)
	top["manifests"] = append(top["manifests"].([]any), second["manifests"].([]any)...)
	merged, _ := json.Marshal(top)
	mixed := filepath.Join(dir, "mixed")
	if err := os.CopyFS(mixed, os.DirFS(layout)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mixed, "index.json"), merged, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, env, "inspect", "--no-packages", "oci:"+mixed)
	want := "OCI layout " + mixed + " holds 1 index and 3 images (tags a, v1, v1-amd64, v1-arm64): name one as oci:" + mixed + ":TAG"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("inspect of a layout of two builds: exit %d, %q; want 1 and %q", code, errOut, want)
	}
}
