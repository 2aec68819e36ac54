package inspect

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/manifests"
)

// manifest2Format is Azure Linux's container-manifest-2 query format.
const manifest2Format = `%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n`

// nevraFormat makes rpm -qa print name-[epoch:]version-release.arch, the
// epoch only when set: slipway's one NEVRA format (rpmmeta.NEVRA.String).
const nevraFormat = `%{NAME}-%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\n`

// realDB installs a few test RPMs into an rpm database with the real rpm
// (--justdb) and returns the root, and rpm's own view of it: `rpm -qa`
// lines (in nevraFormat) and the manifest-2 lines.
func realDB(t *testing.T) (root string, qa []string, m2 []byte) {
	t.Helper()
	rpmBin := testutil.RequireTool(t, "rpm", "rpm")
	repos := testrepo.Get(t)
	var pick []string
	for _, f := range repos.RPMs["x86_64"] {
		b := filepath.Base(f)
		for _, p := range []string{"filesystem-", "setup-", "glibc-", "busybox-", "tzdata-2024a", "timekeeper-1.0", "webd-2"} {
			if strings.HasPrefix(b, p) {
				pick = append(pick, f)
			}
		}
	}
	if len(pick) != 7 {
		t.Fatalf("picked %d test RPMs, want 7: %v", len(pick), pick)
	}
	root = t.TempDir()
	home := t.TempDir()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(rpmBin, append([]string{"--root", root, "--dbpath", "/var/lib/rpm"}, args...)...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("rpm %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	run("--initdb")
	run(append([]string{"-i", "--justdb", "--nodeps", "--noscripts", "--notriggers", "--nosignature"}, pick...)...)
	qa = strings.Fields(string(run("-qa", "--qf", nevraFormat)))
	sort.Strings(qa)
	m2 = run("-qa", "--qf", manifest2Format)
	return root, qa, m2
}

// writeImage writes an OCI layout holding one image whose single layer has
// the given files.
func writeImage(t *testing.T, files map[string][]byte) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.User = "65532:65532"
	cf.Config.Entrypoint = []string{"/usr/bin/webd"}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{manifests.RefNameAnnotation: "t"})); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestInspectMatchesRPM: the packages read back from an image's
// rpmdb.sqlite and from its container-manifest-2 are exactly what the
// real rpm lists for the same database.
func TestInspectMatchesRPM(t *testing.T) {
	t.Parallel()
	root, qa, m2 := realDB(t)
	sqlite, err := os.ReadFile(filepath.Join(root, "var/lib/rpm/rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	wantEpoch := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(m2)), "\n") {
		f := strings.Split(line, "\t")
		if f[8] != "0" {
			wantEpoch[f[0]] = int(f[8][0] - '0')
		}
	}
	if wantEpoch["timekeeper"] != 1 {
		t.Fatalf("test data: rpm says timekeeper has epoch %d, want 1", wantEpoch["timekeeper"])
	}
	for _, tc := range []struct {
		name   string
		files  map[string][]byte
		wantDB string
	}{
		{"sqlite", map[string][]byte{SqlitePath: sqlite, "etc/os-release": []byte("ID=test\n")}, DBSqlite},
		{"manifest", map[string][]byte{"./" + ManifestPath: m2}, DBManifest},
		{"both: sqlite wins", map[string][]byte{SqlitePath: sqlite, ManifestPath: m2}, DBSqlite},
		{"none", map[string][]byte{"etc/os-release": []byte("ID=test\n")}, DBNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeImage(t, tc.files)
			rep, err := Inspect(t.Context(), manifests.Source{Layout: dir, Tag: "t"}, Options{Packages: true, Arch: "x86_64", TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Images) != 1 {
				t.Fatalf("%d images", len(rep.Images))
			}
			im := rep.Images[0]
			if im.PackageDB != tc.wantDB {
				t.Errorf("package db %q, want %q", im.PackageDB, tc.wantDB)
			}
			if im.Platform != "linux/amd64" || im.Config.User != "65532:65532" || !slices.Equal(im.Config.Entrypoint, []string{"/usr/bin/webd"}) {
				t.Errorf("image %+v", im)
			}
			if !strings.HasPrefix(rep.Digest, "sha256:") || rep.Digest != im.Digest || len(im.Layers) != 1 || im.Size <= im.Layers[0].Size {
				t.Errorf("digests/sizes: report %s image %s layers %+v size %d", rep.Digest, im.Digest, im.Layers, im.Size)
			}
			var got []string
			for _, p := range im.Packages {
				got = append(got, p.NEVRA().String())
				if p.Epoch != wantEpoch[p.Name] {
					t.Errorf("%s: epoch %d, rpm says %d", p.Name, p.Epoch, wantEpoch[p.Name])
				}
				if p.Vendor != "Slipway Test" || !strings.HasSuffix(p.SourceRPM, ".src.rpm") {
					t.Errorf("%s: vendor %q sourcerpm %q", p.Name, p.Vendor, p.SourceRPM)
				}
			}
			sort.Strings(got)
			want := qa
			if tc.wantDB == DBNone {
				want = nil
			}
			if !slices.Equal(got, want) {
				t.Errorf("inspect lists %v\nrpm -qa lists %v", got, want)
			}
		})
	}
}

func TestInspectErrors(t *testing.T) {
	t.Parallel()
	dir := writeImage(t, map[string][]byte{ManifestPath: []byte("bash\t5.2-1\n")})
	for _, tc := range []struct {
		name string
		src  manifests.Source
		opts Options
		want string
	}{
		{"bad manifest", manifests.Source{Layout: dir}, Options{Packages: true}, "fields, want 10"},
		{"no such arch", manifests.Source{Layout: dir}, Options{Arch: "aarch64"}, "no image for aarch64"},
		{"unknown arch", manifests.Source{Layout: dir}, Options{Arch: "sparc"}, "sparc"},
		{"no layout", manifests.Source{Layout: filepath.Join(dir, "none")}, Options{}, "none"},
		{"no tag", manifests.Source{Layout: dir, Tag: "nope"}, Options{}, `"nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Inspect(t.Context(), tc.src, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	// Without Packages, the broken manifest is not read.
	if _, err := Inspect(t.Context(), manifests.Source{Layout: dir}, Options{}); err != nil {
		t.Errorf("without packages: %v", err)
	}
}

func TestParseManifest(t *testing.T) {
	t.Parallel()
	good := "tzdata\t2024a-1.azl3\t1700000000\t1700000000\tMicrosoft\t(none)\t1234\tnoarch\t0\ttzdata-2024a-1.azl3.src.rpm\n" +
		"timekeeper\t1.0-5.azl3\t1700000000\t1700000000\t(none)\t1\t10\tnoarch\t1\t(none)\n"
	ps, err := ParseManifest([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := []Package{
		{Name: "timekeeper", Epoch: 1, Version: "1.0", Release: "5.azl3", Arch: "noarch", Size: 10},
		{Name: "tzdata", Version: "2024a", Release: "1.azl3", Arch: "noarch", Vendor: "Microsoft", SourceRPM: "tzdata-2024a-1.azl3.src.rpm", Size: 1234},
	}
	if !slices.Equal(ps, want) {
		t.Errorf("got %+v\nwant %+v", ps, want)
	}
	for _, bad := range []string{
		"a\tb\n",
		"a\t1\t0\t0\tv\t(none)\t1\tx86_64\t0\ts\n",     // no release
		"a\t1-1\t0\t0\tv\t(none)\t1\tx86_64\tone\ts\n", // epoch
		"a\t1-1\t0\t0\tv\t(none)\tbig\tx86_64\t0\ts\n", // size
		"\t1-1\t0\t0\tv\t(none)\t1\tx86_64\t0\ts\n",    // name
		"a\t1-1\t0\t0\tv\t(none)\t1\t(none)\t0\ts\n",   // arch
		"a\t1-1\t0\t0\tv\t(none)\t-4\tx86_64\t0\ts\n",  // negative size
	} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("ParseManifest(%q) accepted it", bad)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("tzdata\t2024a-1.azl3\t1700000000\t1700000000\tMicrosoft\t(none)\t1234\tnoarch\t0\ttzdata-2024a-1.azl3.src.rpm\n"))
	f.Add([]byte("a\t1-1\t0\t0\tv\t(none)\t1\tx86_64\t0\ts\n\n\n"))
	f.Add([]byte("a\tb\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ParseManifest(b)
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Name == "" || p.Version == "" || p.Release == "" || p.Arch == "" || p.Epoch < 0 || p.Size < 0 {
				t.Errorf("accepted an incomplete package %+v", p)
			}
		}
	})
}
