//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// lineOf returns "PATH:N" for the first line of path that starts with prefix.
func lineOf(t *testing.T, path, prefix string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			return fmt.Sprintf("%s:%d", path, i+1)
		}
	}
	t.Fatalf("%s has no line starting with %q", path, prefix)
	return ""
}

// TestPolicyResolve: every [policy] rule fails `slipway resolve` with the
// rule, the file and line that set it (and for a package, the chain `why`
// prints), and passes when the image keeps within it.
func TestPolicyResolve(t *testing.T) {
	repos := testrepo.Get(t)
	cache := t.TempDir()
	run := func(args ...string) result {
		return slipway(t, nil, append([]string{"--cache-dir", cache}, args...)...)
	}

	// The chain `why` prints is the one deny prints.
	plain := config(t, repos, "", "appd")
	why := run("why", "--arch", "x86_64", plain, "libfoo")
	mustSucceed(t, why, "why")
	chain := strings.SplitN(why.stdout, "\n", 2)[0]
	if chain != "appd -> libfoo.so.1()(64bit) -> libfoo" {
		t.Fatalf("why libfoo: %q", chain)
	}
	lock := filepath.Join(t.TempDir(), "base.lock")
	mustSucceed(t, run("lock", "--lockfile", lock, plain), "lock")
	image := "oci:" + filepath.Join(t.TempDir(), "layout") + ":base"
	mustSucceed(t, run("build", plain, "--output", image), "build the baseline image")

	for _, tc := range []struct {
		name    string
		policy  string
		install []string
		key     string   // the line that sets the rule
		want    []string // "" = passes; each a line of stderr, F:N replaced
		signed  bool     // repo_gpgcheck stays on
	}{
		{"deny fails", `deny = ["libfoo", "bash"]`, []string{"appd"}, "deny", []string{
			`F: policy.deny: aarch64: libfoo-1.2-1.azl3.aarch64 is denied ("libfoo"), pulled in by: ` + chain,
			`F: policy.deny: x86_64: libfoo-1.2-1.azl3.x86_64 is denied ("libfoo"), pulled in by: ` + chain}, true},
		{"deny passes", `deny = ["bash", "core*"]`, []string{"appd"}, "deny", nil, true},
		{"max_packages fails", `max_packages = 2`, []string{"appd"}, "max_packages", []string{
			`F: policy.max_packages: x86_64: 3 packages, more than 2`}, true},
		{"max_packages passes", `max_packages = 3`, []string{"appd"}, "max_packages", nil, true},
		{"max_size fails", `max_size = "1kB"`, []string{"appd"}, "max_size", []string{`F: policy.max_size: x86_64: installed size `}, true},
		{"max_size passes", `max_size = "1GB"`, []string{"appd"}, "max_size", nil, true},
		{"max_compressed_size fails", `max_compressed_size = "1kB"`, []string{"appd"}, "max_compressed_size", []string{
			`F: policy.max_compressed_size: x86_64: compressed size (estimated from the RPM files) `}, true},
		{"max_compressed_size passes", `max_compressed_size = "1GB"`, []string{"appd"}, "max_compressed_size", nil, true},
		{"require_gpgcheck fails", `require_gpgcheck = true`, []string{"appd"}, "require_gpgcheck", []string{
			`F: policy.require_gpgcheck: repository "test" does not set repo_gpgcheck = true, which policy.require_gpgcheck requires`}, false},
		{"require_gpgcheck passes", `require_gpgcheck = true`, []string{"appd"}, "require_gpgcheck", nil, true},
		{"allow_new fails", fmt.Sprintf("baseline = %q\nallow_new = false", lock), []string{"appd", "tzdata"}, "allow_new", []string{
			`F: policy.allow_new: x86_64: tzdata-2024a-1.azl3.noarch is new: the baseline ` + lock + ` does not have tzdata, pulled in by: tzdata`}, true},
		{"allow_new passes", fmt.Sprintf("baseline = %q\nallow_new = false", lock), []string{"appd"}, "allow_new", nil, true},
		{"allow_new fails against an image", fmt.Sprintf("baseline = %q\nallow_new = false", image), []string{"appd", "tzdata"}, "allow_new", []string{
			`F: policy.allow_new: aarch64: tzdata-2024a-1.azl3.noarch is new: the baseline ` + image + ` does not have tzdata, pulled in by: tzdata`}, true},
		{"allow_new passes against an image", fmt.Sprintf("baseline = %q\nallow_new = false", image), []string{"appd"}, "allow_new", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(t, repos, "\n[policy]\n"+tc.policy, tc.install...)
			if !tc.signed {
				b, _ := os.ReadFile(cfg)
				os.WriteFile(cfg, []byte(strings.Replace(string(b), "repo_gpgcheck = true", "repo_gpgcheck = false", 1)), 0o644)
			}
			r := run("resolve", cfg)
			if len(tc.want) == 0 {
				mustSucceed(t, r, "resolve")
				if !strings.Contains(r.stdout, "appd-2.1-1.azl3.x86_64") {
					t.Errorf("resolve printed:\n%s", r.stdout)
				}
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
		})
	}
}
