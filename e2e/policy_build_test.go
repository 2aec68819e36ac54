//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// TestPolicyBuild: `slipway build` enforces every [policy] rule — the
// package rules once resolved (or read from the lock), before anything is
// fetched; the sizes again once the layers are written, with the layers'
// real compressed size — naming the rule and the file and line that set
// it, and writes nothing when it fails.
func TestPolicyBuild(t *testing.T) {
	repos := testrepo.Get(t)
	cache := t.TempDir()
	run := func(args ...string) result {
		return slipway(t, nil, append([]string{"--cache-dir", cache}, args...)...)
	}

	plain := config(t, repos, "", "appd")
	why := run("why", "--arch", "x86_64", plain, "libfoo")
	mustSucceed(t, why, "why")
	chain := strings.SplitN(why.stdout, "\n", 2)[0]
	baseLock := filepath.Join(t.TempDir(), "base.lock")
	mustSucceed(t, run("lock", "--lockfile", baseLock, plain), "lock")

	// The estimate before a build (the RPM files) and the layers' size.
	res := run("resolve", "--json", "--arch", "x86_64", plain)
	mustSucceed(t, res, "resolve")
	var resolved struct {
		Arches []struct {
			Packages []struct {
				Size int64 `json:"size"`
			} `json:"packages"`
		} `json:"arches"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &resolved); err != nil {
		t.Fatalf("resolve --json: %v\n%s", err, res.stdout)
	}
	var estimate int64
	for _, p := range resolved.Arches[0].Packages {
		estimate += p.Size
	}
	b := run("build", "--json", "--arch", "x86_64", plain, "--output", "oci:"+filepath.Join(t.TempDir(), "l")+":t")
	mustSucceed(t, b, "build")
	var built struct {
		Arches []struct {
			Layers []struct {
				Size int64 `json:"size"`
			} `json:"layers"`
		} `json:"arches"`
	}
	if err := json.Unmarshal([]byte(b.stdout), &built); err != nil {
		t.Fatal(err)
	}
	var layers int64
	for _, l := range built.Arches[0].Layers {
		layers += l.Size
	}
	if layers <= estimate {
		t.Fatalf("the layers (%d bytes) are not larger than the RPM files (%d): the test cannot tell the two checks apart", layers, estimate)
	}

	repoFile := func(gpg bool) string {
		flag := "0"
		if gpg {
			flag = "1"
		}
		base := filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
		text := fmt.Sprintf("[extra]\nname=extra\nbaseurl=file://%s\ngpgkey=file://%s\ngpgcheck=1\nrepo_gpgcheck=%s\n", base, repos.KeyFile, flag)
		p := filepath.Join(t.TempDir(), "extra.repo")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	for _, tc := range []struct {
		name    string
		policy  string
		install []string
		flags   []string // "LOCK" is replaced by a lockfile of the configuration
		key     string   // the line that sets the rule
		want    []string // nil = passes; each a piece of stderr, F: replaced by the file:line
	}{
		{"deny fails", `deny = ["libfoo", "bash"]`, []string{"appd"}, nil, "deny", []string{
			`F: policy.deny: x86_64: libfoo-1.2-1.azl3.x86_64 is denied ("libfoo"), pulled in by: ` + chain}},
		{"deny passes", `deny = ["bash", "core*"]`, []string{"appd"}, nil, "deny", nil},
		{"deny fails locked", `deny = ["libfoo"]`, []string{"appd"}, []string{"--locked", "--lockfile", "LOCK"}, "deny", []string{
			`F: policy.deny: x86_64: libfoo-1.2-1.azl3.x86_64 is denied ("libfoo")`}},
		{"max_packages fails", `max_packages = 2`, []string{"appd"}, nil, "max_packages", []string{
			`F: policy.max_packages: x86_64: 3 packages, more than 2`}},
		{"max_packages passes", `max_packages = 3`, []string{"appd"}, nil, "max_packages", nil},
		{"max_size fails", `max_size = "1kB"`, []string{"appd"}, nil, "max_size", []string{`F: policy.max_size: x86_64: installed size `}},
		{"max_size fails locked, once the tree is written", `max_size = "1kB"`, []string{"appd"}, []string{"--locked", "--lockfile", "LOCK"}, "max_size", []string{
			`F: policy.max_size: x86_64: installed size `}},
		{"max_size passes", `max_size = "1GB"`, []string{"appd"}, nil, "max_size", nil},
		{"max_compressed_size fails on the estimate", `max_compressed_size = "1kB"`, []string{"appd"}, nil, "max_compressed_size", []string{
			`F: policy.max_compressed_size: x86_64: compressed size (estimated from the RPM files) `}},
		{"max_compressed_size fails on the layers", fmt.Sprintf(`max_compressed_size = "%dB"`, estimate), []string{"appd"}, nil, "max_compressed_size", []string{
			`F: policy.max_compressed_size: x86_64: compressed size `, fmt.Sprintf(` (%d bytes) is over`, layers)}},
		{"max_compressed_size passes", fmt.Sprintf(`max_compressed_size = "%dB"`, layers), []string{"appd"}, nil, "max_compressed_size", nil},
		{"require_gpgcheck fails with a .repo file", `require_gpgcheck = true`, []string{"appd"}, []string{"--repofile", repoFile(false)}, "require_gpgcheck", []string{
			`F: policy.require_gpgcheck: repository "extra" does not set repo_gpgcheck = true`}},
		{"require_gpgcheck passes with a .repo file", `require_gpgcheck = true`, []string{"appd"}, []string{"--repofile", repoFile(true)}, "require_gpgcheck", nil},
		{"allow_new fails", fmt.Sprintf("baseline = %q\nallow_new = false", baseLock), []string{"appd", "tzdata"}, nil, "allow_new", []string{
			`F: policy.allow_new: x86_64: tzdata-2024a-1.azl3.noarch is new: the baseline ` + baseLock + ` does not have tzdata, pulled in by: tzdata`}},
		{"allow_new passes", fmt.Sprintf("baseline = %q\nallow_new = false", baseLock), []string{"appd"}, nil, "allow_new", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(t, repos, "\n[policy]\n"+tc.policy, tc.install...)
			var flags []string
			for _, f := range tc.flags {
				if f == "LOCK" {
					f = filepath.Join(t.TempDir(), "image.lock")
					mustSucceed(t, run("lock", "--lockfile", f, cfg), "lock")
				}
				flags = append(flags, f)
			}
			layout := filepath.Join(t.TempDir(), "layout")
			r := run(append([]string{"build", "--arch", "x86_64", cfg, "--output", "oci:" + layout + ":t"}, flags...)...)
			if tc.want == nil {
				mustSucceed(t, r, "build")
				layoutDigest(t, layout, "t")
				return
			}
			if r.code != 1 || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q, want 1 and nothing\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			at := lineOf(t, cfg, tc.key+" =")
			for _, w := range tc.want {
				w = strings.Replace(w, "F:", at+":", 1)
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if _, err := os.Stat(layout); !os.IsNotExist(err) {
				t.Errorf("a failed build wrote %s (%v)", layout, err)
			}
		})
	}
}

// TestPolicyPublish: a configuration that breaks its policy publishes
// nothing, neither when the package set breaks it (before any fetch)
// nor when only the built layers do (after the build, before the push):
// the registry keeps no repository, tag or blob.
func TestPolicyPublish(t *testing.T) {
	repos := testrepo.Get(t)
	cache := t.TempDir()
	reg := startRegistry(t, false)
	plain := config(t, repos, "", "appd")
	r := slipway(t, nil, "--cache-dir", cache, "resolve", "--json", "--arch", "x86_64", plain)
	mustSucceed(t, r, "resolve")
	var resolved struct {
		Arches []struct {
			Packages []struct {
				Size int64 `json:"size"`
			} `json:"packages"`
		} `json:"arches"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &resolved); err != nil {
		t.Fatal(err)
	}
	var estimate int64
	for _, p := range resolved.Arches[0].Packages {
		estimate += p.Size
	}
	for _, tc := range []struct{ name, policy, want string }{
		{"deny", `deny = ["libfoo"]`, `policy.deny: x86_64: libfoo-1.2-1.azl3.x86_64 is denied ("libfoo")`},
		{"max_compressed_size on the layers", fmt.Sprintf(`max_compressed_size = "%dB"`, estimate), `policy.max_compressed_size: x86_64: compressed size `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(t, repos, "\n[policy]\n"+tc.policy, "appd")
			r := slipway(t, reg.env(), "--cache-dir", cache, "publish", "--arch", "x86_64", cfg, "--tag", reg.Host+"/test/policy:1")
			if r.code != 1 || r.stdout != "" {
				t.Fatalf("exit %d, stdout %q, want 1 and nothing\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "estimated") {
				t.Errorf("stderr lacks %q (or speaks of an estimate):\n%s", tc.want, r.stderr)
			}
			if !strings.Contains(r.stderr, lineOf(t, cfg, strings.SplitN(tc.policy, " ", 2)[0]+" =")+": policy.") {
				t.Errorf("stderr does not name the file and line:\n%s", r.stderr)
			}
			var files []string
			filepath.WalkDir(reg.Dir, func(p string, d os.DirEntry, err error) error {
				// _uploads: the upload CheckPush opens and cancels to
				// check the credentials before the build; not a blob.
				if err == nil && !d.IsDir() && !strings.Contains(p, "/_uploads/") {
					files = append(files, p)
				}
				return nil
			})
			if len(files) != 0 {
				t.Errorf("the registry holds %d files after a refused publish: %v", len(files), files)
			}
			if _, err := os.Stat(filepath.Join(reg.Dir, "docker/registry/v2/blobs")); !os.IsNotExist(err) {
				t.Errorf("the registry has blobs after a refused publish (%v)", err)
			}
		})
	}

	// A baseline published in the registry: read with publish's
	// registry options, before anything is built.
	base := reg.Host + "/test/policy-base:1"
	mustSucceed(t, slipway(t, reg.env(), "--cache-dir", cache, "publish", "--arch", "x86_64", plain, "--tag", base), "publish the baseline")
	for _, tc := range []struct {
		name    string
		install []string
		fails   bool
	}{
		{"allow_new fails against a published image", []string{"appd", "tzdata"}, true},
		{"allow_new passes against a published image", []string{"appd"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(t, repos, fmt.Sprintf("\n[policy]\nbaseline = %q\nallow_new = false", base), tc.install...)
			tag := reg.Host + "/test/policy-new:1"
			r := slipway(t, reg.env(), "--cache-dir", cache, "publish", "--arch", "x86_64", cfg, "--tag", tag)
			if !tc.fails {
				mustSucceed(t, r, "publish")
				return
			}
			want := lineOf(t, cfg, "allow_new =") + ": policy.allow_new: x86_64: tzdata-2024a-1.azl3.noarch is new: the baseline " + base + " does not have tzdata, pulled in by: tzdata"
			if r.code != 1 || !strings.Contains(r.stderr, want) {
				t.Fatalf("exit %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(reg.Dir, "docker/registry/v2/repositories/test/policy-new/_manifests")); !os.IsNotExist(err) {
				t.Errorf("a refused publish left manifests (%v)", err)
			}
		})
	}
}
