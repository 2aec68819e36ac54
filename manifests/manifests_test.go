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
	for _, c := range []Compression{Gzip, Zstd} {
		t.Run(string(c), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			boom := errors.New("boom")
			_, err := WriteLayer(t.Context(), dir, LayerOptions{Compression: c}, func(w io.Writer) error {
				// More than a zstd frame: compressors are busy when it fails.
				w.Write(bytes.Repeat([]byte("x"), zstdFrameSize+zstdFrameSize/2))
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v, want boom", err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			if _, err := WriteLayer(ctx, dir, LayerOptions{Compression: c}, sampleTar(t, goSrc("net/url"))); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled: err = %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("failed writes left %d files", len(entries))
			}
		})
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
	// Writing the same tag again replaces its entries.
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

// zstdFrames counts the frames of a zstd stream by walking their headers
// and block headers (RFC 8878, 3.1.1), failing on anything else.
func zstdFrames(t *testing.T, b []byte) int {
	t.Helper()
	n := 0
	for len(b) > 0 {
		if len(b) < 6 || !bytes.Equal(b[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
			t.Fatalf("frame %d: no zstd magic", n)
		}
		fhd := b[4]
		single := fhd&0x20 != 0
		pos := 5
		if !single {
			pos++ // window descriptor
		}
		pos += []int{0, 1, 2, 4}[fhd&3] // dictionary id
		fcs := []int{0, 2, 4, 8}[fhd>>6]
		if fcs == 0 && single {
			fcs = 1
		}
		pos += fcs
		for {
			if pos+3 > len(b) {
				t.Fatalf("frame %d: truncated block header", n)
			}
			bh := int(b[pos]) | int(b[pos+1])<<8 | int(b[pos+2])<<16
			last, typ, size := bh&1 == 1, (bh>>1)&3, bh>>3
			if typ == 1 { // RLE: one byte
				size = 1
			}
			pos += 3 + size
			if last {
				break
			}
		}
		if fhd&4 != 0 {
			pos += 4 // content checksum
		}
		if pos > len(b) {
			t.Fatalf("frame %d: truncated", n)
		}
		b = b[pos:]
		n++
	}
	return n
}

// TestZstdFrames checks the parallel zstd writer: the input cut into
// frames of a fixed size, the same bytes whatever the concurrency, read
// back whole by the zstd CLI and by klauspost's decoder (what containerd
// and umoci use), and the diff-id hashed in order.
func TestZstdFrames(t *testing.T) {
	t.Parallel()
	zstdCLI := testutil.RequireTool(t, "zstd", "zstd")
	var raw bytes.Buffer
	if err := sampleTar(t, goSrc("net/http"))(&raw); err != nil {
		t.Fatal(err)
	}
	const frame = 256 << 10
	for _, tc := range []struct {
		name  string
		input []byte
		write int // bytes per Write call
	}{
		{"tar", raw.Bytes(), 10000},
		{"exact frames", raw.Bytes()[:4*frame], frame},
		{"one byte", []byte{'x'}, 1},
		{"empty", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var outs [][]byte
			for _, n := range []int{1, 2, 5} {
				enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(n), zstd.WithZeroFrames(true))
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				diff := sha256.New()
				fw := newFrameWriter(enc, frame, n, &out, diff)
				for p := tc.input; len(p) > 0; {
					c := min(tc.write, len(p))
					if _, err := fw.Write(p[:c]); err != nil {
						t.Fatal(err)
					}
					p = p[c:]
				}
				if err := fw.Close(); err != nil {
					t.Fatal(err)
				}
				if got := hex.EncodeToString(diff.Sum(nil)); got != sha(tc.input) {
					t.Errorf("concurrency %d: diff hash %s, want the sha256 of the input", n, got)
				}
				outs = append(outs, out.Bytes())
			}
			for i := range outs[1:] {
				if !bytes.Equal(outs[0], outs[i+1]) {
					t.Fatalf("concurrency changes the bytes (%d vs %d bytes)", len(outs[0]), len(outs[i+1]))
				}
			}
			comp := outs[0]
			want := max(1, (len(tc.input)+frame-1)/frame)
			if got := zstdFrames(t, comp); got != want {
				t.Errorf("%d frames, want %d", got, want)
			}
			zr, err := zstd.NewReader(bytes.NewReader(comp))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			zr.Close()
			if err != nil || !bytes.Equal(plain, tc.input) {
				t.Fatalf("klauspost decoder: %d bytes, err %v; want the %d bytes written", len(plain), err, len(tc.input))
			}
			cmd := exec.Command(zstdCLI, "-d", "-c")
			cmd.Stdin = bytes.NewReader(comp)
			plain, err = cmd.Output()
			if err != nil || !bytes.Equal(plain, tc.input) {
				t.Fatalf("zstd -d: %d bytes, err %v; want the %d bytes written", len(plain), err, len(tc.input))
			}
		})
	}
}

// TestZstdLayerCLI reads a zstd layer with the zstd CLI: zstd -t passes
// and zstd -d gives back the tar (whose sha256 is the diff-id).
func TestZstdLayerCLI(t *testing.T) {
	t.Parallel()
	zstdCLI := testutil.RequireTool(t, "zstd", "zstd")
	write := sampleTar(t, goSrc("cmd/compile/internal"))
	l, err := WriteLayer(t.Context(), t.TempDir(), LayerOptions{Compression: Zstd}, write)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(zstdCLI, "-t", l.Path()).CombinedOutput(); err != nil {
		t.Fatalf("zstd -t: %v\n%s", err, out)
	}
	plain, err := exec.Command(zstdCLI, "-d", "-c", l.Path()).Output()
	if err != nil {
		t.Fatalf("zstd -d: %v", err)
	}
	if d := must(l.DiffID()); d.Hex != sha(plain) {
		t.Errorf("diff-id %s, zstd -d gives a tar with sha256 %s", d.Hex, sha(plain))
	}
	if want := (len(plain) + zstdFrameSize - 1) / zstdFrameSize; zstdFrames(t, must(os.ReadFile(l.Path()))) != want {
		t.Errorf("want %d frames of %d bytes of tar", want, zstdFrameSize)
	}
}

// TestZstdWriteError: a failing output fails the layer and stops the
// compressors.
func TestZstdWriteError(t *testing.T) {
	t.Parallel()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(2))
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	fw := newFrameWriter(enc, 1<<10, 2, failWriter{boom}, sha256.New())
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		_, werr = fw.Write(bytes.Repeat([]byte{byte(i)}, 1<<10))
	}
	if cerr := fw.Close(); !errors.Is(cerr, boom) || (werr != nil && !errors.Is(werr, boom)) {
		t.Fatalf("write err %v, close err %v; want %v", werr, cerr, boom)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// TestZstdLayerSkopeoUmoci: a zstd layer of several frames, in an OCI
// layout, is read by containers/image (skopeo copy, recompressing it to
// gzip since umoci 0.4 reads no zstd) and unpacked by umoci, which checks
// the diff-id; every file comes back.
func TestZstdLayerSkopeoUmoci(t *testing.T) {
	t.Parallel()
	skopeo := testutil.RequireTool(t, "skopeo", "skopeo")
	umoci := testutil.RequireTool(t, "umoci", "umoci")
	src := goSrc("cmd/compile/internal")
	dir := t.TempDir()
	l, err := WriteLayer(t.Context(), dir, LayerOptions{Compression: Zstd}, sampleTar(t, src))
	if err != nil {
		t.Fatal(err)
	}
	if n := zstdFrames(t, must(os.ReadFile(l.Path()))); n < 2 {
		t.Fatalf("the layer has %d frame(s); the test needs several", n)
	}
	img, err := Image(ImageSpec{Arch: "x86_64", Created: time.Unix(1700000000, 0),
		Layers: []HistoryLayer{{Layer: l, CreatedBy: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	oci := filepath.Join(dir, "oci")
	if err := WriteOCILayout(oci, "z", nil, []ArchImage{{Arch: "x86_64", Image: img}}); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "gz")
	if out, err := exec.Command(skopeo, "copy", "--dest-compress", "--dest-compress-format", "gzip", "oci:"+oci+":z", "oci:"+gz+":z").CombinedOutput(); err != nil {
		t.Fatalf("skopeo copy: %v\n%s", err, out)
	}
	bundle := filepath.Join(dir, "bundle")
	if out, err := exec.Command(umoci, "unpack", "--rootless", "--image", gz+":z", bundle).CombinedOutput(); err != nil {
		t.Fatalf("umoci unpack: %v\n%s", err, out)
	}
	files := 0
	err = filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		files++
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(bundle, "rootfs", p))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: unpacked differs (%v)", p, err)
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("walking %s: %d files, %v", src, files, err)
	}
}
