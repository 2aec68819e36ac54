package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// writeConfig writes a config over the test repositories and returns its path.
func writeConfig(t *testing.T, dir string, repos *testrepo.Repos, baseurlTemplate string, install ...string) string {
	t.Helper()
	quoted := make([]string, len(install))
	for i, s := range install {
		quoted[i] = `"` + s + `"`
	}
	cfg := `[image]
name = "test/image"
architectures = ["x86_64", "aarch64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "` + baseurlTemplate + `"
gpgkey = ["` + repos.KeyFile + `"]
repo_gpgcheck = true

[packages]
install = [` + strings.Join(quoted, ", ") + `]
`
	path := filepath.Join(dir, "image.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// repoTemplate returns a file:// baseurl with $basearch for the test repos.
func repoTemplate(repos *testrepo.Repos) string {
	x := repos.Dir["x86_64"]
	return "file://" + filepath.Join(filepath.Dir(x), "$basearch")
}

func TestResolveOutputFormat(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "webd", "timekeeper")
	env := map[string]string{"HOME": dir}
	code, out, errOut := runCLI(t, env, "--cache-dir", filepath.Join(dir, "cache"), "resolve", cfg)
	if code != 0 {
		t.Fatalf("resolve exit %d: %s", code, errOut)
	}
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(blocks) != 2 || !strings.HasPrefix(blocks[0], "# x86_64\n") || !strings.HasPrefix(blocks[1], "# aarch64\n") {
		t.Fatalf("want two blocks headed # x86_64 and # aarch64, got:\n%s", out)
	}
	line := regexp.MustCompile(`^[A-Za-z0-9_.+-]+-([0-9]+:)?[^-:]+-[^-]+\.(x86_64|aarch64|noarch)$`)
	for _, b := range blocks {
		lines := strings.Split(b, "\n")[1:]
		if !sort.StringsAreSorted(lines) {
			t.Errorf("lines not sorted:\n%s", b)
		}
		for _, l := range lines {
			if !line.MatchString(l) {
				t.Errorf("line %q is not name-[epoch:]version-release.arch", l)
			}
			if strings.Contains(l, "-0:") {
				t.Errorf("line %q shows a zero epoch", l)
			}
		}
	}
	// timekeeper 1:1.0 beats 2.0 by epoch, and shows it.
	if !strings.Contains(out, "timekeeper-1:1.0-") {
		t.Errorf("want timekeeper with epoch 1, got:\n%s", out)
	}

	code, single, _ := runCLI(t, env, "--cache-dir", filepath.Join(dir, "cache"), "resolve", "--arch", "aarch64", cfg)
	if code != 0 || strings.Contains(single, "#") || strings.TrimSpace(single) != strings.TrimPrefix(blocks[1], "# aarch64\n") {
		t.Errorf("--arch aarch64 should print the aarch64 block without header, got %d:\n%s", code, single)
	}
	code, _, errOut = runCLI(t, env, "resolve", "--arch", "s390x", cfg)
	if code != 2 || !strings.Contains(errOut, "s390x") {
		t.Errorf("unknown --arch: exit %d, stderr %q", code, errOut)
	}
}

// TestResolveMatchesDnf compares slipway resolve with what dnf installs
// from the same repository (read back with rpm -qa).
func TestResolveMatchesDnf(t *testing.T) {
	testutil.RequireTool(t, "dnf", "dnf")
	testutil.RequireTool(t, "rpm", "rpm")
	repos := testrepo.Get(t)
	for _, install := range [][]string{{"webd"}, {"appd", "busybox", "filesystem"}, {"richdeps"}, {"core-packages-container"}} {
		t.Run(strings.Join(install, "+"), func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeConfig(t, dir, repos, repoTemplate(repos), install...)
			code, out, errOut := runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", filepath.Join(dir, "cache"), "resolve", "--arch", "x86_64", cfg)
			if code != 0 {
				t.Fatalf("resolve exit %d: %s", code, errOut)
			}
			got := strings.Fields(out)
			want := dnfInstall(t, repos.Dir["x86_64"], repos.KeyFile, "x86_64", install)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("slipway resolve:\n%s\ndnf:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// dnfInstall installs names with dnf into a fresh root (no scriptlets, no
// weak deps) and returns rpm -qa's NEVRAs, sorted as slipway prints them.
func dnfInstall(t *testing.T, repoDir, key, arch string, names []string) []string {
	t.Helper()
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-y", "-q", "--refresh", "--releasever=3", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir=" + filepath.Join(dir, "cache"), "--setopt=install_weak_deps=False",
		"--setopt=gpgcheck=1", "--setopt=tsflags=noscripts", "--installroot=" + root, "--forcearch=" + arch,
		"--repofrompath=local,file://" + repoDir, "--repo=local", "--setopt=local.gpgkey=file://" + key,
		"install"}
	cmd := exec.Command("dnf", append(args, names...)...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dnf install %v: %v\n%s", names, err, out)
	}
	q := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa", "--qf",
		"%{NAME}-%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\n")
	q.Env = append(os.Environ(), "HOME="+home)
	out, err := q.Output()
	if err != nil {
		t.Fatalf("rpm -qa: %v", err)
	}
	var nevras []string
	for _, l := range strings.Fields(string(out)) {
		if !strings.HasPrefix(l, "gpg-pubkey-") {
			nevras = append(nevras, l)
		}
	}
	sort.Strings(nevras)
	return nevras
}

func TestResolveUnsolvable(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "no-such-package")
	code, out, errOut := runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", filepath.Join(dir, "cache"), "resolve", cfg)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing on stdout", code, out)
	}
	if !strings.Contains(errOut, "no-such-package") {
		t.Errorf("stderr %q does not name the request", errOut)
	}
}

func TestWhy(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "appd")
	env := map[string]string{"HOME": dir}
	cache := filepath.Join(dir, "cache")
	code, out, errOut := runCLI(t, env, "--cache-dir", cache, "why", "--arch", "x86_64", cfg, "libfoo")
	if code != 0 {
		t.Fatalf("why exit %d: %s", code, errOut)
	}
	if first := strings.SplitN(out, "\n", 2)[0]; first != "appd -> libfoo.so.1()(64bit) -> libfoo" {
		t.Errorf("chain = %q", first)
	}
	code, out, errOut = runCLI(t, env, "--cache-dir", cache, "why", cfg, "webd")
	if code != 1 || !strings.Contains(out, "webd is not in the image") || !strings.Contains(errOut, "webd is not in the image for x86_64, aarch64") {
		t.Errorf("why of a package not installed: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestLockAndCheck(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	repos := testrepo.Get(t)
	dir := t.TempDir()
	// A private copy of both repositories, so a package can be dropped.
	for arch, src := range repos.Dir {
		dst := filepath.Join(dir, "repos", arch)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
	}
	cfgDir := filepath.Join(dir, "cfg")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, cfgDir, repos, "file://"+filepath.Join(dir, "repos", "$basearch"), "appd")
	// Copied repos keep their signed repomd.xml; switch that check off
	// because the drop below rewrites the metadata without a signature.
	data, _ := os.ReadFile(cfg)
	if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "repo_gpgcheck = true", "repo_gpgcheck = false", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": dir}
	cache := filepath.Join(dir, "cache")
	code, out, errOut := runCLI(t, env, "--cache-dir", cache, "lock", cfg)
	if code != 0 {
		t.Fatalf("lock exit %d: %s", code, errOut)
	}
	lockPath := filepath.Join(cfgDir, "image.lock")
	first, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatalf("%v (stdout %q)", err, out)
	}
	if code, _, errOut := runCLI(t, env, "--cache-dir", cache, "lock", cfg); code != 0 {
		t.Fatalf("second lock exit %d: %s", code, errOut)
	}
	if second, _ := os.ReadFile(lockPath); string(second) != string(first) {
		t.Errorf("locking twice gave different files")
	}
	if code, out, errOut := runCLI(t, env, "--cache-dir", cache, "lock", "--check", cfg); code != 0 || !strings.Contains(out, "is current") {
		t.Fatalf("fresh lock --check: exit %d, %q %q", code, out, errOut)
	}

	// Changing the configuration makes the lock stale.
	data, _ = os.ReadFile(cfg)
	changed := strings.Replace(string(data), `install = ["appd"]`, `install = ["appd", "busybox"]`, 1)
	if err := os.WriteFile(cfg, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, env, "--cache-dir", cache, "lock", "--check", cfg)
	if code != 1 || !strings.Contains(errOut, "configuration changed") {
		t.Errorf("changed config: exit %d, stderr %q", code, errOut)
	}
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}

	// Dropping a locked package from its repository makes it stale too.
	x86 := filepath.Join(dir, "repos", "x86_64")
	matches, _ := filepath.Glob(filepath.Join(x86, "libfoo-*.x86_64.rpm"))
	if len(matches) == 0 {
		t.Fatal("no libfoo RPM in the x86_64 test repository")
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("createrepo_c", "-q", "--update", x86).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v %s", err, out)
	}
	code, _, errOut = runCLI(t, env, "--cache-dir", cache, "lock", "--check", cfg)
	if code != 1 || !regexp.MustCompile(`libfoo-[^ ]+\.x86_64 \(x86_64\) is no longer in repository "test"`).MatchString(errOut) {
		t.Errorf("dropped package: exit %d, stderr %q", code, errOut)
	}
	if after, _ := os.ReadFile(lockPath); string(after) != string(first) {
		t.Errorf("lock --check changed the lockfile")
	}
}

// TestExampleMatchesDnf runs the README's first command on the committed
// example and compares each architecture with dnf's answer.
func TestExampleMatchesDnf(t *testing.T) {
	testutil.RequireTool(t, "dnf", "dnf")
	example, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, out, errOut := runCLI(t, map[string]string{"HOME": dir}, "--cache-dir", dir, "resolve", filepath.Join(example, "hello.toml"))
	if code != 0 {
		t.Fatalf("resolve examples/hello.toml: exit %d: %s", code, errOut)
	}
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	for i, arch := range []string{"x86_64", "aarch64"} {
		want := dnfInstall(t, filepath.Join(example, "repo", arch), filepath.Join(example, "keys", "RPM-GPG-KEY-slipway-example"), arch,
			[]string{"filesystem", "setup", "busybox", "appd"})
		got := strings.Join(strings.Split(blocks[i], "\n")[1:], "\n")
		if got != strings.Join(want, "\n") {
			t.Errorf("%s: slipway:\n%s\ndnf:\n%s", arch, got, strings.Join(want, "\n"))
		}
	}
}
