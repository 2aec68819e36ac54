package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/rpmmeta"
)

const base = `[image]
name = "test/policy"
architectures = ["x86_64"]

[[repository]]
id = "local"
baseurl = "file:///srv/repo"
gpgcheck = true
repo_gpgcheck = true
gpgkey = ["https://example.com/key"]

[packages]
install = ["appd"]

[policy]
`

func load(t *testing.T, policy string) (*config.Config, string) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(p, []byte(base+policy+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func nevra(name, v string) rpmmeta.NEVRA {
	return rpmmeta.NEVRA{Name: name, EVR: rpmmeta.EVR{Version: v, Release: "1"}, Arch: "x86_64"}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	img := Image{
		Arch:     "x86_64",
		Packages: []rpmmeta.NEVRA{nevra("appd", "2"), nevra("bash", "5"), nevra("coreutils-single", "9"), nevra("libfoo", "1")},
		// 3 MB installed, 1.2 MB compressed (estimated).
		InstalledSize: 3_000_000, CompressedSize: 1_200_000, CompressedEstimate: true,
		Why: func(name string) string { return "appd -> /bin/sh -> " + name },
	}
	baseline := Baseline{"x86_64": {nevra("appd", "1"), nevra("libfoo", "1"), nevra("coreutils-single", "8")}}
	for _, tc := range []struct {
		name, policy string
		want         []string // "" for none; F stands for the file
	}{
		{"deny fails", `deny = ["bash", "coreutils*"]`, []string{
			`F:16: policy.deny: x86_64: bash-5-1.x86_64 is denied ("bash"), pulled in by: appd -> /bin/sh -> bash`,
			`F:16: policy.deny: x86_64: coreutils-single-9-1.x86_64 is denied ("coreutils*"), pulled in by: appd -> /bin/sh -> coreutils-single`}},
		{"deny passes", `deny = ["tzdata", "busybox*"]`, nil},
		{"max_packages fails", `max_packages = 3`, []string{`F:16: policy.max_packages: x86_64: 4 packages, more than 3`}},
		{"max_packages passes", `max_packages = 4`, nil},
		{"max_size fails", `max_size = "2.5MB"`, []string{`F:16: policy.max_size: x86_64: installed size 3.0 MB (3000000 bytes) is over 2.5 MB (2500000 bytes)`}},
		{"max_size passes", `max_size = "3MB"`, nil},
		{"max_compressed_size fails", `max_compressed_size = "1MiB"`, []string{
			`F:16: policy.max_compressed_size: x86_64: compressed size (estimated from the RPM files) 1.2 MB (1200000 bytes) is over 1.0 MB (1048576 bytes)`}},
		{"max_compressed_size passes", `max_compressed_size = "2MB"`, nil},
		{"allow_new fails", "baseline = \"old.lock\"\nallow_new = false", []string{
			`F:17: policy.allow_new: x86_64: bash-5-1.x86_64 is new: the baseline old.lock does not have bash, pulled in by: appd -> /bin/sh -> bash`}},
		{"allow_new true passes", "baseline = \"old.lock\"\nallow_new = true", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, file := load(t, tc.policy)
			vs := Check(cfg, img, baseline)
			var got []string
			for _, v := range vs {
				got = append(got, strings.ReplaceAll(v.Error(), file, "F"))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if err := AsError(vs); (err == nil) != (len(tc.want) == 0) {
				t.Errorf("AsError: %v", err)
			}
		})
	}
}

func TestCheckRepos(t *testing.T) {
	t.Parallel()
	cfg, file := load(t, "require_gpgcheck = true")
	repos := append(cfg.Repositories, config.Repository{ID: "extra", GPGCheck: true, File: "/etc/x.repo"})
	vs := CheckRepos(cfg, repos)
	want := file + `:16: policy.require_gpgcheck: repository "extra" does not set repo_gpgcheck = true, which policy.require_gpgcheck requires (declared in /etc/x.repo)`
	if len(vs) != 1 || vs[0].Error() != want {
		t.Errorf("got %v\nwant %s", vs, want)
	}
	if vs := CheckRepos(cfg, cfg.Repositories); len(vs) != 0 {
		t.Errorf("signed repositories: %v", vs)
	}
}

func TestBaselineRef(t *testing.T) {
	t.Parallel()
	cfg, file := load(t, `baseline = "old.lock"`)
	if ref, ok := BaselineRef(cfg); !ok || ref != filepath.Join(filepath.Dir(file), "old.lock") {
		t.Errorf("BaselineRef = %q, %v", ref, ok)
	}
	cfg, _ = load(t, `baseline = "registry.example/app:1"`)
	if ref, ok := BaselineRef(cfg); !ok || ref != "registry.example/app:1" {
		t.Errorf("BaselineRef = %q, %v", ref, ok)
	}
}
