//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// variantFiles mirrors examples/azurelinux over the test repositories:
// base-core (sqlite rpmdb), distroless minimal -> base -> debug, and a
// nonroot overlay of minimal. base holds busybox back (webd requires
// /bin/sh); debug lifts the holdback and adds busybox.
func variantFiles(repos *testrepo.Repos, baseurl string, repoGPGCheck bool) map[string]string {
	return map[string]string{
		"common.toml": fmt.Sprintf(`
[image]
architectures = ["x86_64", "aarch64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = %q
gpgkey = [%q]
gpgcheck = true
repo_gpgcheck = %v
`, baseurl, repos.KeyFile, repoGPGCheck),
		"core.toml": `
extends = "common.toml"
[image]
name = "test/base/core"
rpmdb = "sqlite"
[packages]
install = ["core-packages-container", "busybox", "webd", "tzdata"]
[paths]
remove = ["/var/log/**", "/home/**"]
`,
		"core-manifest.toml": `
extends = "core.toml"
[image]
name = "test/base/core-manifest"
rpmdb = "manifest"
`,
		"minimal.toml": `
extends = "common.toml"
[image]
name = "test/distroless/minimal"
rpmdb = "manifest"
[packages]
install = ["filesystem", "tzdata"]
[paths]
remove = ["/usr/share/doc/**", "/usr/share/man/**", "/usr/local/share/doc/**", "/usr/local/share/man/**", "/var/cache/tdnf/**", "/var/lib/dnf/**", "/run/lock/**", "/var/log/**"]
`,
		"base.toml": `
extends = "minimal.toml"
[image]
name = "test/distroless/base"
[packages]
install = ["glibc", "libfoo", "webd"]
exclude = ["busybox"]
allow_unsatisfied = ["busybox"]
`,
		"debug.toml": `
extends = "base.toml"
[image]
name = "test/distroless/debug"
[packages]
install = ["busybox"]
exclude = []
allow_unsatisfied = []
`,
		"minimal-nonroot.toml": `
extends = "minimal.toml"
[image]
name = "test/distroless/minimal-nonroot"
[config]
user = "65532:65532"
[[accounts.group]]
name = "nonroot"
gid = 65532
[[accounts.user]]
name = "nonroot"
uid = 65532
gid = 65532
home = "/home/nonroot"
`,
	}
}

func writeVariants(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// inspectJSON runs slipway inspect --json.
type inspectReport struct {
	Images []struct {
		Platform string `json:"platform"`
		Config   struct {
			User string `json:"user"`
		} `json:"config"`
		PackageDB string `json:"package_db"`
		Packages  []struct {
			Name    string `json:"name"`
			Epoch   int    `json:"epoch"`
			Version string `json:"version"`
			Release string `json:"release"`
			Arch    string `json:"arch"`
		} `json:"packages"`
	} `json:"images"`
}

func inspectJSON(t *testing.T, cache, src string) inspectReport {
	t.Helper()
	r := slipway(t, nil, "--cache-dir", cache, "inspect", "--json", src)
	mustSucceed(t, r, "slipway inspect")
	var rep inspectReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, r.stdout)
	}
	if len(rep.Images) != 1 {
		t.Fatalf("inspect %s: %d images, want 1", src, len(rep.Images))
	}
	return rep
}

// nvras lists an inspect report's packages as rpm -qa prints them, sorted.
func (r inspectReport) nvras() []string {
	var out []string
	for _, p := range r.Images[0].Packages {
		out = append(out, p.Name+"-"+p.Version+"-"+p.Release+"."+p.Arch)
	}
	sort.Strings(out)
	return out
}

// resolved returns what slipway resolve prints for x86_64, with the
// epoch dropped (rpm -qa's nvra form), sorted.
func resolvedNVRA(t *testing.T, cache, cfg string) []string {
	t.Helper()
	r := slipway(t, nil, "--cache-dir", cache, "resolve", "--arch", "x86_64", cfg)
	mustSucceed(t, r, "slipway resolve")
	var out []string
	for _, l := range strings.Fields(r.stdout) {
		if i := strings.IndexByte(l, ':'); i >= 0 {
			j := strings.LastIndexByte(l[:i], '-')
			l = l[:j+1] + l[i+1:]
		}
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func rpmQA(t *testing.T, root string) []string {
	t.Helper()
	testutil.RequireTool(t, "rpm", "rpm")
	cmd := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rpm -qa: %v\n%s", err, out)
	}
	l := strings.Fields(string(out))
	sort.Strings(l)
	return l
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// TestVariants builds the Azure Linux shapes over the test repositories
// and checks each image: package database kind, manifests listing exactly
// the resolved set, cleanup, holdback, user, a working shell in debug;
// and that inspect lists what rpm -qa lists.
func TestVariants(t *testing.T) {
	requireRoot(t, "unpacking with owners and chroot")
	repos := testrepo.Get(t)
	base := filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
	dir := writeVariants(t, variantFiles(repos, "file://"+base, true))
	cache := t.TempDir()
	build := func(name string) (layout, root string) {
		t.Helper()
		layout = filepath.Join(t.TempDir(), name)
		buildJSON(t, nil, "--cache-dir", cache, filepath.Join(dir, name+".toml"), "--arch", "x86_64", "--output", "oci:"+layout+":v")
		return layout, unpack(t, layout, "v")
	}
	cfg := func(name string) string { return filepath.Join(dir, name+".toml") }

	// base/core: an rpm database; inspect lists exactly what rpm -qa lists.
	coreLayout, coreRoot := build("core")
	qa := rpmQA(t, coreRoot)
	if len(qa) < 5 {
		t.Fatalf("rpm -qa in core lists %v", qa)
	}
	coreRep := inspectJSON(t, cache, "oci:"+coreLayout+":v")
	if coreRep.Images[0].PackageDB != "sqlite" || !slices.Equal(coreRep.nvras(), qa) {
		t.Errorf("inspect core (%s):\n%v\nrpm -qa:\n%v", coreRep.Images[0].PackageDB, coreRep.nvras(), qa)
	}
	if !slices.Equal(qa, resolvedNVRA(t, cache, cfg("core"))) {
		t.Errorf("core: rpm -qa %v differs from slipway resolve", qa)
	}
	for _, p := range []string{"var/log", "home"} {
		if exists(filepath.Join(coreRoot, p)) {
			t.Errorf("core: /%s was not removed", p)
		}
	}
	// The same set as a manifest image: inspect reads the manifest and
	// lists what rpm -qa listed from the database.
	cmLayout, _ := build("core-manifest")
	cmRep := inspectJSON(t, cache, "oci:"+cmLayout+":v")
	if cmRep.Images[0].PackageDB != "manifest" || !slices.Equal(cmRep.nvras(), qa) {
		t.Errorf("inspect core-manifest (%s):\n%v\nrpm -qa of core:\n%v", cmRep.Images[0].PackageDB, cmRep.nvras(), qa)
	}

	for _, v := range []struct {
		name    string
		user    string
		shell   bool
		absent  []string // packages that must not be installed
		present []string
	}{
		{"minimal", "", false, []string{"busybox", "webd"}, []string{"filesystem", "tzdata"}},
		{"base", "", false, []string{"busybox"}, []string{"webd", "libfoo", "glibc"}},
		{"debug", "", true, nil, []string{"busybox", "webd"}},
		{"minimal-nonroot", "65532:65532", false, []string{"busybox"}, []string{"tzdata"}},
	} {
		t.Run(v.name, func(t *testing.T) {
			layout, root := build(v.name)
			want := resolvedNVRA(t, cache, cfg(v.name))
			if exists(filepath.Join(root, "var/lib/rpm")) {
				t.Error("distroless image has /var/lib/rpm")
			}
			m1, err := os.ReadFile(filepath.Join(root, "var/lib/rpmmanifest/container-manifest-1"))
			if err != nil {
				t.Fatal(err)
			}
			got1 := strings.Fields(string(m1))
			sort.Strings(got1)
			if !slices.Equal(got1, want) {
				t.Errorf("container-manifest-1 %v, resolved %v", got1, want)
			}
			m2, err := os.ReadFile(filepath.Join(root, "var/lib/rpmmanifest/container-manifest-2"))
			if err != nil {
				t.Fatal(err)
			}
			var got2 []string
			for _, line := range strings.Split(strings.TrimSpace(string(m2)), "\n") {
				f := strings.Split(line, "\t")
				if len(f) != 10 {
					t.Fatalf("container-manifest-2 line %q has %d fields", line, len(f))
				}
				got2 = append(got2, f[0]+"-"+f[1]+"."+f[7])
			}
			sort.Strings(got2)
			if !slices.Equal(got2, want) {
				t.Errorf("container-manifest-2 %v, resolved %v", got2, want)
			}
			for _, p := range []string{"usr/share/doc", "usr/share/man"} {
				if exists(filepath.Join(root, p)) {
					t.Errorf("/%s is in the image", p)
				}
			}
			rep := inspectJSON(t, cache, "oci:"+layout+":v")
			if rep.Images[0].PackageDB != "manifest" || !slices.Equal(rep.nvras(), want) {
				t.Errorf("inspect (%s) %v, resolved %v", rep.Images[0].PackageDB, rep.nvras(), want)
			}
			if rep.Images[0].Config.User != v.user {
				t.Errorf("image config User %q, want %q", rep.Images[0].Config.User, v.user)
			}
			names := strings.Join(want, " ")
			for _, n := range v.absent {
				if strings.Contains(" "+names, " "+n+"-") {
					t.Errorf("%s is installed: %s", n, names)
				}
			}
			for _, n := range v.present {
				if !strings.Contains(" "+names, " "+n+"-") {
					t.Errorf("%s is not installed: %s", n, names)
				}
			}
			if v.user != "" {
				passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
				if err != nil || !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
					t.Errorf("/etc/passwd has no nonroot 65532: %v\n%s", err, passwd)
				}
			}
			sh := exists(filepath.Join(root, "bin/sh")) || exists(filepath.Join(root, "usr/bin/sh"))
			if sh != v.shell {
				t.Errorf("has /bin/sh = %v, want %v", sh, v.shell)
			}
			if v.shell {
				out, err := exec.Command("chroot", root, "/bin/sh", "-c", "echo ok; id -u").CombinedOutput()
				if err != nil || !strings.HasPrefix(string(out), "ok\n") {
					t.Errorf("/bin/sh in chroot: %v\n%s", err, out)
				}
			}
		})
	}

	// base's holdback is reported.
	r := slipway(t, nil, "--cache-dir", cache, "resolve", "--arch", "x86_64", cfg("base"))
	mustSucceed(t, r, "resolve base")
	if !strings.Contains(r.stderr, "left unsatisfied on purpose") || !strings.Contains(r.stderr, "webd-") || !strings.Contains(r.stderr, "bin/sh") {
		t.Errorf("resolve base: stderr does not report webd's open /bin/sh requirement:\n%s", r.stderr)
	}
}

// TestDiffAfterUpdate builds from a copy of the test repository without
// tzdata-2024a, adds it (createrepo_c --update), builds again, and checks
// that slipway diff between the two images, and between lockfile and
// image, shows exactly that update.
func TestDiffAfterUpdate(t *testing.T) {
	repos := testrepo.Get(t)
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	repoDir := filepath.Join(t.TempDir(), "x86_64")
	if err := os.MkdirAll(repoDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var newer string
	for _, f := range repos.RPMs["x86_64"] {
		if strings.HasPrefix(filepath.Base(f), "tzdata-2024a") {
			newer = f
			continue
		}
		copyFile(t, f, filepath.Join(repoDir, filepath.Base(f)))
	}
	if newer == "" {
		t.Fatal("no tzdata-2024a in the test repository")
	}
	if out, err := exec.Command(createrepo, repoDir).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	files := variantFiles(repos, "file://"+repoDir, false)
	files["img.toml"] = `
extends = "common.toml"
[image]
name = "test/diff"
architectures = ["x86_64"]
rpmdb = "manifest"
[packages]
install = ["webd", "tzdata", "busybox"]
`
	dir := writeVariants(t, files)
	cfg := filepath.Join(dir, "img.toml")
	cache := t.TempDir()
	before := filepath.Join(t.TempDir(), "before")
	buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+before+":v")
	mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "lock", cfg), "lock")

	copyFile(t, newer, filepath.Join(repoDir, filepath.Base(newer)))
	if out, err := exec.Command(createrepo, "--update", repoDir).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c --update: %v\n%s", err, out)
	}
	after := filepath.Join(t.TempDir(), "after")
	buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+after+":v")

	for _, a := range []string{"oci:" + before + ":v", filepath.Join(dir, "img.lock")} {
		r := slipway(t, nil, "--cache-dir", cache, "diff", "--json", a, "oci:"+after+":v")
		mustSucceed(t, r, "diff")
		var d struct {
			Arches []struct {
				Arch       string            `json:"arch"`
				OnlyIn     string            `json:"only_in"`
				Added      []json.RawMessage `json:"added"`
				Removed    []json.RawMessage `json:"removed"`
				Downgraded []json.RawMessage `json:"downgraded"`
				Upgraded   []struct {
					Name, From, To string
				} `json:"upgraded"`
				Unchanged int `json:"unchanged"`
			} `json:"arches"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
			t.Fatalf("diff --json: %v\n%s", err, r.stdout)
		}
		if len(d.Arches) != 1 || d.Arches[0].Arch != "x86_64" {
			t.Fatalf("diff %s: arches %+v", a, d.Arches)
		}
		ad := d.Arches[0]
		if ad.OnlyIn != "" || len(ad.Added)+len(ad.Removed)+len(ad.Downgraded) != 0 || ad.Unchanged < 3 ||
			len(ad.Upgraded) != 1 || ad.Upgraded[0].Name != "tzdata" || ad.Upgraded[0].From != "2023c-1.azl3.noarch" || ad.Upgraded[0].To != "2024a-1.azl3.noarch" {
			t.Errorf("diff %s: %+v; want exactly tzdata 2023c -> 2024a", a, ad)
		}
	}
	r := slipway(t, nil, "--cache-dir", cache, "diff", "oci:"+before+":v", "oci:"+after+":v")
	mustSucceed(t, r, "diff markdown")
	if !strings.Contains(r.stdout, "### Upgraded (1)") || !strings.Contains(r.stdout, "| tzdata | 2023c-1.azl3.noarch | 2024a-1.azl3.noarch |") {
		t.Errorf("markdown diff:\n%s", r.stdout)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestHoldbackMatchesDNF: holding busybox back gives dnf's installed set
// for the same request without busybox (busybox needs nothing of its own),
// and dnf does install busybox there, so the holdback is what removed it.
func TestHoldbackMatchesDNF(t *testing.T) {
	requireRoot(t, "dnf --installroot")
	repos := testrepo.Get(t)
	base := filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
	dir := writeVariants(t, variantFiles(repos, "file://"+base, true))
	got := resolvedNVRA(t, t.TempDir(), filepath.Join(dir, "base.toml"))
	dnfRoot := rootfstest.DNFInstall(t, repos.Dir["x86_64"], repos.KeyFile, "x86_64", "filesystem", "tzdata", "glibc", "libfoo", "webd")
	var want []string
	sawBusybox := false
	for _, p := range rpmQA(t, dnfRoot) {
		switch {
		case strings.HasPrefix(p, "gpg-pubkey-"):
		case strings.HasPrefix(p, "busybox-"):
			sawBusybox = true
		default:
			want = append(want, p)
		}
	}
	if !sawBusybox {
		t.Fatalf("dnf did not install busybox for webd; the comparison proves nothing")
	}
	if !slices.Equal(got, want) {
		t.Errorf("slipway with busybox held back:\n%v\ndnf without busybox:\n%v", got, want)
	}
}
