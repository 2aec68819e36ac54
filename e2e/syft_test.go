//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// syftCLI is the real syft: on PATH, else where scripts/install-syft.sh
// puts v1.57.1; skipped (failed under CI) without it.
func syftCLI(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("syft"); err == nil {
		return p
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	p := filepath.Join(cache, "slipway-tools", "syft-v1.57.1", "syft")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return testutil.RequireTool(t, "syft", "syft (run scripts/install-syft.sh)")
}

// syftRPMs is the sorted names of the rpm packages syft catalogs in a
// docker archive.
func syftRPMs(t *testing.T, syft, archive string) []string {
	t.Helper()
	cmd := exec.Command(syft, "scan", "docker-archive:"+archive, "-o", "json", "-q")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "SYFT_CHECK_FOR_APP_UPDATE=false")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("syft scan %s: %v\n%s", archive, err, stderr)
	}
	var doc struct {
		Artifacts []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("syft's JSON: %v", err)
	}
	var names []string
	for _, a := range doc.Artifacts {
		if a.Type == "rpm" {
			names = append(names, a.Name)
		}
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// manifestNames is the first column of an rpmmanifest's
// container-manifest-2 (the package names), sorted.
func manifestNames(t *testing.T, root string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "var/lib/rpmmanifest/container-manifest-2"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, _, ok := strings.Cut(sc.Text(), "\t"); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// TestSyftSeesEveryPackage: the scanner users run finds every installed
// package in slipway's images: with an rpm database (one layer, and
// layers by origin with the database in a metadata layer on top) the
// names rpm -qa lists; a distroless image's rpmmanifest, the names it
// lists.
func TestSyftSeesEveryPackage(t *testing.T) {
	requireRoot(t, "unpacking with umoci to read the oracle's lists")
	syft := syftCLI(t)
	repos := testrepo.Get(t)
	pkgs := []string{"filesystem", "setup", "glibc", "libfoo", "appd", "tzdata", "busybox"}
	for _, tc := range []struct{ name, extra string }{
		{"rpmdb", ""},
		{"origin", "\n[layers]\nstrategy = \"origin\"\n"},
		{"rpmmanifest", "\n[image]\nrpmdb = \"manifest\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(t, repos, "", pkgs...)
			if tc.extra != "" {
				// [image] is already in the file: put rpmdb under it.
				text, err := os.ReadFile(cfg)
				if err != nil {
					t.Fatal(err)
				}
				s := string(text)
				if strings.HasPrefix(tc.extra, "\n[image]\n") {
					s = strings.Replace(s, "[image]\n", "[image]\n"+strings.TrimPrefix(tc.extra, "\n[image]\n"), 1)
				} else {
					s += tc.extra
				}
				if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			layout := filepath.Join(dir, "img")
			archive := filepath.Join(dir, "img.tar")
			mustSucceed(t, slipway(t, nil, "--cache-dir", filepath.Join(dir, "cache"), "build", cfg, "--arch", "x86_64",
				"--output", "oci:"+layout+":test"), "build to a layout")
			mustSucceed(t, slipway(t, nil, "--cache-dir", filepath.Join(dir, "cache"), "build", cfg, "--arch", "x86_64",
				"--output", "docker-archive:"+archive), "build to a docker archive")
			root := unpack(t, layout, "test")
			var want []string
			if tc.name == "rpmmanifest" {
				want = manifestNames(t, root)
			} else {
				cmd := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa", "--qf", "%{NAME}\n")
				cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("rpm -qa: %v", err)
				}
				want = strings.Fields(string(out))
				sort.Strings(want)
			}
			if len(want) < len(pkgs) {
				t.Fatalf("the oracle lists %d packages (%v), want at least %d", len(want), want, len(pkgs))
			}
			if got := syftRPMs(t, syft, archive); !slices.Equal(got, want) {
				t.Errorf("syft finds %v\nthe image holds %v", got, want)
			}
		})
	}
}
