package manifests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/klauspost/compress/zstd"

	"github.com/slipway-build/slipway/internal/testutil"
)

// sampleTar writes a deterministic tar of real files (the Go standard
// library's sources under one folder), so compression ratios mean something.
func sampleTar(t testing.TB, root string) func(io.Writer) error {
	t.Helper()
	if _, err := os.Stat(root); err != nil {
		t.Skipf("sample tree %s: %v", root, err)
	}
	return func(w io.Writer) error {
		tw := tar.NewWriter(w)
		err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err != nil || !fi.Mode().IsRegular() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			hdr := &tar.Header{Name: strings.TrimPrefix(p, "/"), Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(1700000000, 0), Format: tar.FormatPAX}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		})
		if err != nil {
			return err
		}
		return tw.Close()
	}
}

func goSrc(sub string) string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "/usr/local/go/src/" + sub
	}
	return filepath.Join(strings.TrimSpace(string(out)), "src", sub)
}

func sha(data []byte) string { s := sha256.Sum256(data); return hex.EncodeToString(s[:]) }

func TestWriteLayerDigests(t *testing.T) {
	t.Parallel()
	write := sampleTar(t, goSrc("net/http"))
	var raw bytes.Buffer
	if err := write(&raw); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			l, err := WriteLayer(t.Context(), dir, LayerOptions{Compression: c}, write)
			if err != nil {
				t.Fatal(err)
			}
			comp, err := os.ReadFile(l.Path())
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := l.Digest(); d.Hex != sha(comp) {
				t.Errorf("digest %s is not the sha256 of the file", d.Hex)
			}
			if sz, _ := l.Size(); sz != int64(len(comp)) {
				t.Errorf("size %d, file has %d", sz, len(comp))
			}
			var plain []byte
			if c == Gzip {
				zr, err := gzip.NewReader(bytes.NewReader(comp))
				if err != nil {
					t.Fatal(err)
				}
				plain, err = io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				zr, err := zstd.NewReader(bytes.NewReader(comp))
				if err != nil {
					t.Fatal(err)
				}
				plain, err = io.ReadAll(zr)
				zr.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(plain, raw.Bytes()) {
				t.Fatal("decompressed layer differs from the tar written")
			}
			if d, _ := l.DiffID(); d.Hex != sha(plain) {
				t.Errorf("diff-id %s is not the sha256 of the tar", d.Hex)
			}
			v, err := l.V1()
			if err != nil {
				t.Fatal(err)
			}
			// ggcr's validate reads layers as gzip only.
			if err := validate.Layer(v); c == Gzip && err != nil {
				t.Errorf("validate.Layer: %v", err)
			}
			again, err := WriteLayer(t.Context(), dir, LayerOptions{Compression: c}, write)
			if err != nil {
				t.Fatal(err)
			}
			if a, _ := again.Digest(); a != must(l.Digest()) {
				t.Errorf("same tar, different digest: %s vs %s", a, must(l.Digest()))
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestGzipSizeNearGzip6 keeps the parallel compressor's output within 5%
// of the real gzip -6 on the same tar.
func TestGzipSizeNearGzip6(t *testing.T) {
	t.Parallel()
	gz := testutil.RequireTool(t, "gzip", "gzip")
	write := sampleTar(t, goSrc("cmd/compile/internal"))
	var raw bytes.Buffer
	if err := write(&raw); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gz, "-6", "-n", "-c")
	cmd.Stdin = bytes.NewReader(raw.Bytes())
	ref, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	l, err := WriteLayer(t.Context(), t.TempDir(), LayerOptions{}, write)
	if err != nil {
		t.Fatal(err)
	}
	got := must(l.Size())
	ratio := float64(got) / float64(len(ref))
	t.Logf("tar %d bytes: gzip -6 %d, slipway %d (%.3f)", raw.Len(), len(ref), got, ratio)
	if ratio > 1.05 {
		t.Errorf("slipway's gzip layer is %.1f%% larger than gzip -6's", (ratio-1)*100)
	}
}

func TestWriteLayerFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	boom := errors.New("boom")
	_, err := WriteLayer(t.Context(), dir, LayerOptions{}, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 1<<20))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := WriteLayer(ctx, dir, LayerOptions{}, sampleTar(t, goSrc("net/url"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed writes left %d files", len(entries))
	}
}

func testImages(t *testing.T, dir string) []ArchImage {
	t.Helper()
	var out []ArchImage
	for _, arch := range []string{"x86_64", "aarch64"} {
		l, err := WriteLayer(t.Context(), dir, LayerOptions{}, sampleTar(t, goSrc("net/url")))
		if err != nil {
			t.Fatal(err)
		}
		img, err := Image(ImageSpec{
			Arch: arch, Created: time.Unix(1700000000, 0), Entrypoint: []string{"/bin/sh"},
			Env: map[string]string{"LANG": "C.UTF-8"}, User: "65532", WorkingDir: "/",
			Labels: map[string]string{"a": "b"}, Annotations: map[string]string{"org.opencontainers.image.title": "t"},
			OSVersion: "azurelinux-3.0",
			Layers:    []HistoryLayer{{Layer: l, CreatedBy: "slipway build", Comment: "packages"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := validate.Image(img); err != nil {
			t.Fatalf("validate.Image(%s): %v", arch, err)
		}
		out = append(out, ArchImage{Arch: arch, OSVersion: "azurelinux-3.0", Image: img})
	}
	return out
}

func TestImageConfigAndIndex(t *testing.T) {
	t.Parallel()
	images := testImages(t, t.TempDir())
	cf, err := images[1].Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Architecture != "arm64" || cf.Variant != "v8" || cf.OS != "linux" || cf.OSVersion != "azurelinux-3.0" {
		t.Errorf("platform in config: %s/%s/%s %s", cf.OS, cf.Architecture, cf.Variant, cf.OSVersion)
	}
	if cf.Created.Unix() != 1700000000 || len(cf.History) != 1 || cf.History[0].Created.Unix() != 1700000000 {
		t.Errorf("created/history not the build time: %v %+v", cf.Created, cf.History)
	}
	if strings.Join(cf.Config.Env, ",") != "PATH="+DefaultPath+",LANG=C.UTF-8" {
		t.Errorf("env = %v", cf.Config.Env)
	}
	idx, err := Index(images, map[string]string{"org.opencontainers.image.version": "3.0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("validate.Index: %v", err)
	}
	im, _ := idx.IndexManifest()
	if len(im.Manifests) != 2 || im.Manifests[0].Platform.Architecture != "amd64" || im.Manifests[1].Platform.Variant != "v8" || im.Manifests[1].Platform.OSVersion != "azurelinux-3.0" {
		t.Errorf("index manifests: %+v", im.Manifests)
	}
	if _, err := Index([]ArchImage{images[0], images[0]}, nil); err == nil {
		t.Error("two images of one platform were accepted")
	}
}

func TestOCILayoutAndDockerArchive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	images := testImages(t, filepath.Join(dir))
	idx, err := Index(images, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := WriteOCILayout(out, "3.0", idx, images); err != nil {
		t.Fatal(err)
	}
	// Writing again replaces the layout whole.
	if err := WriteOCILayout(out, "3.0", idx, images); err != nil {
		t.Fatalf("replacing a layout: %v", err)
	}
	p, err := layout.FromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	back, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(back); err != nil {
		t.Fatalf("layout does not validate: %v", err)
	}
	top, _ := back.IndexManifest()
	var refs []string
	for _, d := range top.Manifests {
		refs = append(refs, d.Annotations[RefNameAnnotation])
	}
	if strings.Join(refs, ",") != "3.0,3.0-amd64,3.0-arm64" {
		t.Errorf("ref names %v", refs)
	}
	if skopeo := os.Getenv("CI") != "" || hasTool("skopeo"); skopeo {
		testutil.RequireTool(t, "skopeo", "skopeo")
		raw, err := exec.Command("skopeo", "inspect", "--raw", "oci:"+out+":3.0").Output()
		if err != nil {
			t.Fatalf("skopeo inspect: %v", err)
		}
		var m struct {
			Manifests []struct{ Platform struct{ Architecture string } }
		}
		if err := json.Unmarshal(raw, &m); err != nil || len(m.Manifests) != 2 {
			t.Errorf("skopeo sees %s (%v)", raw, err)
		}
	}

	// A directory that is not a layout is never replaced.
	junk := filepath.Join(dir, "junk")
	os.MkdirAll(junk, 0o755)
	os.WriteFile(filepath.Join(junk, "keep"), []byte("x"), 0o644)
	if err := WriteOCILayout(junk, "", idx, images); err == nil || !strings.Contains(err.Error(), "not an OCI layout") {
		t.Errorf("overwrote a non-layout dir: %v", err)
	}

	tarPath := filepath.Join(dir, "img.tar")
	if err := WriteDockerArchive(tarPath, "example.com/hello:3.0", images[0].Image); err != nil {
		t.Fatal(err)
	}
	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	// docker archives carry docker media types, so compare what the
	// image is made of: config and layers.
	if must(img.ConfigName()) != must(images[0].Image.ConfigName()) {
		t.Error("docker archive holds a different config")
	}
	ls := must(img.Layers())
	if len(ls) != 1 || must(ls[0].DiffID()) != must(must(images[0].Image.Layers())[0].DiffID()) {
		t.Error("docker archive holds different layers")
	}
}

func hasTool(name string) bool { _, err := exec.LookPath(name); return err == nil }

func TestParseOutput(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Output{
		"oci:out":                           {Kind: OCILayout, Path: "out"},
		"oci:/tmp/out:3.0":                  {Kind: OCILayout, Path: "/tmp/out", Ref: "3.0"},
		"docker-archive:a.tar":              {Kind: DockerArchive, Path: "a.tar"},
		"docker-archive:a.tar:reg:5000/x:1": {Kind: DockerArchive, Path: "a.tar", Ref: "reg:5000/x:1"},
	} {
		got, err := ParseOutput(in)
		if err != nil || got != want {
			t.Errorf("ParseOutput(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"out", "oci:", "tar:x", "oci:x:bad tag!", "docker-archive:a.tar:UPPER:1"} {
		if _, err := ParseOutput(bad); err == nil {
			t.Errorf("ParseOutput(%q) accepted", bad)
		}
	}
}

// TestOCILayoutModes: what root builds, everyone can read.
func TestOCILayoutModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	images := testImages(t, dir)
	out := filepath.Join(dir, "modes")
	if err := WriteOCILayout(out, "m", nil, images[:1]); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o644)
		if d.IsDir() {
			want = 0o755 | fs.ModeDir
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
