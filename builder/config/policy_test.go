package config

import (
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestPolicy: [policy] loads, merges along extends (deny adds up, the rest
// is replaced), remembers where each value was set, stays out of the
// digest and survives the canonical TOML.
func TestPolicy(t *testing.T) {
	t.Parallel()
	signed := with(t, "gpgcheck = false", "gpgcheck = true\nrepo_gpgcheck = true\ngpgkey = [\"https://example.com/key\"]")
	dir := writeFiles(t, map[string]string{
		"plain.toml": signed,
		"base.toml": signed + `
[policy]
deny = ["bash", "coreutils*"]
max_size = "30MB"
max_packages = 40
require_gpgcheck = true
`,
		"over.toml": `extends = "base.toml"

[policy]
deny = ["tzdata", "bash"]
max_size = "2 MiB"
max_compressed_size = "1.5MB"
baseline = "old.lock"
allow_new = false
`,
	})
	load := func(name string) *Config {
		t.Helper()
		c, err := Load(t.Context(), filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return c
	}
	plain, base, over := load("plain.toml"), load("base.toml"), load("over.toml")
	if !plain.Policy.IsZero() || !plain.Policy.AllowNew {
		t.Errorf("plain: %+v", plain.Policy)
	}
	if want := (Policy{Deny: []string{"bash", "coreutils*"}, MaxSize: 30_000_000, MaxPackages: 40, RequireGPGCheck: true, AllowNew: true}); !reflect.DeepEqual(base.Policy, want) {
		t.Errorf("base: %+v, want %+v", base.Policy, want)
	}
	want := Policy{Deny: []string{"bash", "coreutils*", "tzdata"}, MaxSize: 2 << 20, MaxCompressedSize: 1_500_000, MaxPackages: 40,
		RequireGPGCheck: true, Baseline: "old.lock", AllowNew: false}
	if !reflect.DeepEqual(over.Policy, want) {
		t.Errorf("over: %+v, want %+v", over.Policy, want)
	}
	for key, pos := range map[string]string{
		"policy.deny[bash]":          "base.toml:17",
		"policy.deny[coreutils*]":    "base.toml:17",
		"policy.deny[tzdata]":        "over.toml:4",
		"policy.max_size":            "over.toml:5",
		"policy.max_packages":        "base.toml:19",
		"policy.require_gpgcheck":    "base.toml:20",
		"policy.baseline":            "over.toml:7",
		"policy.allow_new":           "over.toml:8",
		"policy.max_compressed_size": "over.toml:6",
	} {
		p, ok := over.Origin(key)
		if !ok || filepath.Base(p.File)+":"+strconv.Itoa(p.Line) != pos {
			t.Errorf("Origin(%s) = %v, %v; want %s", key, p, ok, pos)
		}
	}
	if base.Digest() != plain.Digest() {
		t.Error("a policy changed the digest")
	}
	b, err := over.TOML()
	if err != nil {
		t.Fatal(err)
	}
	rt := filepath.Join(t.TempDir(), "rt.toml")
	writeFile(t, rt, b)
	back, err := Load(t.Context(), rt)
	if err != nil {
		t.Fatalf("loading the canonical TOML: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(back.Policy, over.Policy) {
		t.Errorf("round trip: %+v, want %+v", back.Policy, over.Policy)
	}
}

func TestPolicyErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, policy, want string
	}{
		{"bad size", `max_size = "30 parsecs"`, `c.toml:15: policy.max_size: "30 parsecs" is not a size (a number and B, kB, MB, GB, KiB, MiB or GiB)`},
		{"zero size", `max_compressed_size = "0MB"`, `c.toml:15: policy.max_compressed_size: "0MB" is out of range`},
		{"size as integer", `max_size = 30`, `c.toml:15: policy.max_size: wrong type: got a TOML integer, want a string`},
		{"max_packages 0", `max_packages = 0`, `c.toml:15: policy.max_packages: 0 is not between 1 and 1000000`},
		{"deny with version", `deny = ["bash >= 5"]`, `c.toml:15: policy.deny[bash >= 5]: "bash >= 5" is not a package name or a glob on names`},
		{"allow_new without baseline", `allow_new = false`, `c.toml:15: policy.allow_new: allow_new = false needs a baseline`},
		{"unknown key", `max_layers = 3`, `c.toml:15: unknown key "policy.max_layers"`},
		{"gpgcheck required", `require_gpgcheck = true`, `c.toml:15: policy.require_gpgcheck: repository "local" does not set gpgcheck and repo_gpgcheck = true, which policy.require_gpgcheck requires (declared at ` + "DIR" + `/c.toml:6)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"c.toml": minimal + "\n[policy]\n" + tc.policy + "\n"})
			_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("got %v\nwant ...%s", err, want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"30MB": 30_000_000, "30 MiB": 30 << 20, "1.5GB": 1_500_000_000, "4096": 4096, "10kB": 10_000, "2KiB": 2048, "7B": 7} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1MB", "1.2.3MB", "5 mb", "1e3"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) is accepted", in)
		}
	}
}
