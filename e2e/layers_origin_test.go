//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/hostile"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// originLayers checks an origin-strategy image of an OCI layout: at most
// max layers, every one but the top listing its packages in the
// dev.slipway.layer.packages annotation and the top one marked as the
// metadata layer; it returns the packages the layers list, sorted.
func originLayers(t *testing.T, dir, ref string, max int) []string {
	t.Helper()
	img := layoutImage(t, dir, ref)
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Layers); n > max || n < 2 {
		t.Fatalf("%d layers, want 2 to %d", n, max)
	}
	var pkgs []string
	for i, l := range m.Layers {
		if i == len(m.Layers)-1 {
			if l.Annotations["dev.slipway.layer.metadata"] != "true" || l.Annotations["dev.slipway.layer.packages"] != "" {
				t.Errorf("the top layer's annotations %v, want the metadata layer's", l.Annotations)
			}
			continue
		}
		list := l.Annotations["dev.slipway.layer.packages"]
		if list == "" {
			t.Errorf("layer %d lists no packages: %v", i, l.Annotations)
			continue
		}
		pkgs = append(pkgs, strings.Split(list, ",")...)
	}
	slices.Sort(pkgs)
	return pkgs
}

// TestLayersOrigin: layers.strategy = "origin" on the test repository:
// at most max layers (the default 50), each listing its packages, which
// together are the image's packages; unpacked with umoci it is the tree
// of the one-layer build and rpm -qa sees every package; reproducible.
func TestLayersOrigin(t *testing.T) {
	requireRoot(t, "comparing owners of unpacked trees; rpm --root")
	repos := testrepo.Get(t)
	pkgs := []string{"filesystem", "setup", "glibc", "libfoo", "appd", "tzdata", "busybox"}
	single := config(t, repos, "", pkgs...)
	origin := config(t, repos, "\n[layers]\nstrategy = \"origin\"\n", pkgs...)
	out := func() string { return filepath.Join(t.TempDir(), "img") }
	singleOut, originOut, againOut := out(), out(), out()
	buildLayersJSON(t, nil, single, "--output", "oci:"+singleOut+":test")
	a := buildLayersJSON(t, nil, origin, "--output", "oci:"+originOut+":test")
	b := buildLayersJSON(t, nil, origin, "--output", "oci:"+againOut+":test")
	if a.Index != b.Index {
		t.Errorf("origin builds are not reproducible: %s, then %s", a.Index, b.Index)
	}
	for _, ref := range []string{"test-amd64", "test-arm64"} {
		t.Run(ref, func(t *testing.T) {
			listed := originLayers(t, originOut, ref, 50)
			want, err := rootfstest.FromDir(unpack(t, singleOut, ref))
			if err != nil {
				t.Fatal(err)
			}
			root := unpack(t, originOut, ref)
			got, err := rootfstest.FromDir(root)
			if err != nil {
				t.Fatal(err)
			}
			rootfstest.AssertSame(t, withoutDirMTimes(got), withoutDirMTimes(want))
			qa := rpmQA(t, root)
			if !slices.Equal(qa, listed) {
				t.Errorf("rpm -qa: %v\nthe layers list: %v", qa, listed)
			}
			if len(qa) < len(pkgs) {
				t.Errorf("rpm -qa finds %d packages, want at least %d", len(qa), len(pkgs))
			}
		})
	}
}

// TestLayersOriginManyPackages: 500 packages (100 sources of five
// subpackages, hand-made RPMs) with layers.max = 20 give 20 layers at
// most, whose union is the one-layer build's tree, and rpm -qa sees all
// 500.
func TestLayersOriginManyPackages(t *testing.T) {
	requireRoot(t, "comparing owners of unpacked trees; rpm --root")
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	var names []string
	for s := range 100 {
		for p := range 5 {
			name := fmt.Sprintf("src%03d-sub%d", s, p)
			names = append(names, fmt.Sprintf("%q", name))
			files := []hostile.File{
				{Path: fmt.Sprintf("/opt/src%03d", s), Mode: 0o40755},
				{Path: fmt.Sprintf("/opt/src%03d/sub%d.txt", s, p), Mode: 0o100644, Data: strings.Repeat(name+"\n", 1+s*p)},
				{Path: fmt.Sprintf("/usr/share/many/%s", name), Mode: 0o100644, Data: name},
			}
			b, err := hostile.RPM(hostile.Spec{Name: name, Files: files, Source: fmt.Sprintf("src%03d-1.0-1.src.rpm", s)})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(repo, name+"-1.0-1.x86_64.rpm"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if out, err := exec.Command(createrepo, repo).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	write := func(layers string) string {
		p := filepath.Join(t.TempDir(), "image.toml")
		text := fmt.Sprintf(`[image]
name = "test/many"
architectures = ["x86_64"]
releasever = "3.0"

[[repository]]
id = "many"
baseurl = "file://%s"
gpgcheck = false
repo_gpgcheck = false

[packages]
install = [%s]
%s`, repo, strings.Join(names, ", "), layers)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	singleOut, originOut := filepath.Join(t.TempDir(), "single"), filepath.Join(t.TempDir(), "origin")
	buildLayersJSON(t, nil, write(""), "--output", "oci:"+singleOut+":test")
	buildLayersJSON(t, nil, write("\n[layers]\nstrategy = \"origin\"\nmax = 20\n"), "--output", "oci:"+originOut+":test")
	listed := originLayers(t, originOut, "test", 20)
	if len(listed) != 500 {
		t.Errorf("the layers list %d packages, want 500", len(listed))
	}
	want, err := rootfstest.FromDir(unpack(t, singleOut, "test"))
	if err != nil {
		t.Fatal(err)
	}
	root := unpack(t, originOut, "test")
	got, err := rootfstest.FromDir(root)
	if err != nil {
		t.Fatal(err)
	}
	rootfstest.AssertSame(t, withoutDirMTimes(got), withoutDirMTimes(want))
	if qa := rpmQA(t, root); len(qa) != 500 || !slices.Equal(qa, listed) {
		t.Errorf("rpm -qa finds %d packages (the layers list %d)", len(qa), len(listed))
	}
}
