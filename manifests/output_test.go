package manifests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// layoutRefs returns the ref names of a layout's index.json, in order,
// after checking that the layout validates.
func layoutRefs(t *testing.T, dir string) []string {
	t.Helper()
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("layout %s does not validate: %v", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, d := range im.Manifests {
		refs = append(refs, d.Annotations[RefNameAnnotation])
	}
	return refs
}

// userFiles writes files a user keeps in a folder and returns a check
// that they are all still there, unchanged.
func userFiles(t *testing.T, dir string) func() {
	t.Helper()
	files := map[string]string{
		"slipway.toml":  "[image]\nname = \"mine\"\n",
		"README.md":     "my project\n",
		".git/HEAD":     "ref: refs/heads/main\n",
		"src/main.go":   "package main\n",
		"blobs/notes":   "mine, beside the blobs\n",
		"blobs/sha256x": "not a digest folder\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		for name, data := range files {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || string(b) != data {
				t.Errorf("user file %s: %q, %v (want it kept)", name, b, err)
			}
		}
	}
}

// TestOCILayoutKeepsUserFiles: writing into an existing layout adds or
// replaces only the entries of its tag; files beside the layout, other
// tags and their blobs are kept.
func TestOCILayoutKeepsUserFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	images := testImages(t, dir)
	idx, err := Index(images, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "project")
	os.Mkdir(out, 0o755) // an empty folder is free for a new layout
	if err := WriteOCILayout(out, "a", idx, images); err != nil {
		t.Fatal(err)
	}
	check := userFiles(t, out)
	if err := WriteOCILayout(out, "b", nil, images[:1]); err != nil {
		t.Fatalf("adding tag b: %v", err)
	}
	check()
	if got := strings.Join(layoutRefs(t, out), ","); got != "a,a-amd64,a-arm64,b" {
		t.Errorf("refs %s, want a,a-amd64,a-arm64,b", got)
	}
	// The same tag again replaces its entries, keeps b, and mends a
	// damaged copy of one of its blobs.
	layerDigest, err := must(images[1].Image.Layers())[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(out, "blobs", layerDigest.Algorithm, layerDigest.Hex)
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.WriteFile(blob, b, 0o644)
	if err := WriteOCILayout(out, "a", nil, images[1:]); err != nil {
		t.Fatalf("replacing tag a: %v", err)
	}
	check()
	if got := strings.Join(layoutRefs(t, out), ","); got != "a-amd64,a-arm64,b,a" {
		t.Errorf("refs %s, want a-amd64,a-arm64,b,a", got)
	}
	if _, err := loadLayout(out, "b"); err != nil {
		t.Errorf("tag b after replacing a: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(out, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestOCILayoutRefusals: a folder that is not (wholly) an OCI layout is
// never written into, and nothing in it changes.
func TestOCILayoutRefusals(t *testing.T) {
	t.Parallel()
	images := testImages(t, t.TempDir())
	marker := `{"imageLayoutVersion": "1.0.0"}`
	cases := []struct {
		name  string
		files map[string]string
		link  [2]string // a symbolic link to make: name, target (%o: a folder outside)
		want  string    // %d: the output folder
	}{
		{"user files, no layout", map[string]string{"slipway.toml": "x"}, [2]string{},
			"output %d exists and is not an OCI layout; refusing to write into it"},
		{"an oci-layout file but no index.json", map[string]string{"oci-layout": marker, "slipway.toml": "x"}, [2]string{},
			"output %d: open index.json: no such file or directory; refusing to write into it"},
		{"an index.json that is not an index", map[string]string{"oci-layout": marker, "index.json": `{"name": "my-web-app"}`}, [2]string{},
			"output %d: index.json: not an OCI image index (schemaVersion 0); refusing to write into it"},
		{"an oci-layout file that is not one", map[string]string{"oci-layout": "my notes about OCI layouts", "index.json": `{"schemaVersion": 2}`}, [2]string{},
			"output %d: oci-layout: not an OCI layout marker; refusing to write into it"},
		{"blobs is a link to a folder outside", map[string]string{"oci-layout": marker, "index.json": `{"schemaVersion": 2, "manifests": []}`}, [2]string{"blobs", "%o"},
			"output %d: blobs is a symbolic link, not a folder; refusing to write into it"},
		{"blobs/sha256 is a link to a folder outside", map[string]string{"oci-layout": marker, "index.json": `{"schemaVersion": 2, "manifests": []}`, "blobs/keep": "x"}, [2]string{"blobs/sha256", "%o"},
			"writing OCI layout %d: blobs/sha256: path escapes from parent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			out, outside := filepath.Join(parent, "out"), filepath.Join(parent, "outside")
			os.Mkdir(out, 0o755)
			os.Mkdir(outside, 0o755)
			for name, data := range tc.files {
				os.MkdirAll(filepath.Dir(filepath.Join(out, name)), 0o755)
				os.WriteFile(filepath.Join(out, name), []byte(data), 0o644)
			}
			if tc.link[0] != "" {
				os.Symlink(strings.ReplaceAll(tc.link[1], "%o", outside), filepath.Join(out, tc.link[0]))
			}
			before := listFiles(t, parent)
			if !strings.Contains(tc.want, "blobs/sha256") { // found only when writing
				if err := CheckOCILayout(out); err == nil || err.Error() != strings.ReplaceAll(tc.want, "%d", out) {
					t.Errorf("CheckOCILayout: %v", err)
				}
			}
			err := WriteOCILayout(out, "t", nil, images[:1])
			want := strings.ReplaceAll(tc.want, "%d", out)
			if err == nil || err.Error() != want {
				t.Errorf("error %v\nwant  %s", err, want)
			}
			if after := listFiles(t, parent); !slices.Equal(after, before) {
				t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestOCILayoutConcurrentWriters: builds writing different tags into one
// output at once all land in it; one tag written at once by several ends
// up once.
func TestOCILayoutConcurrentWriters(t *testing.T) {
	t.Parallel()
	images := testImages(t, t.TempDir())
	idx, err := Index(images, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "shared")
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs[i] = WriteOCILayout(out, fmt.Sprintf("t%d", i), nil, images[i%2:i%2+1])
		}()
		go func() {
			defer wg.Done()
			errs[n+i] = WriteOCILayout(out, "same", idx, images)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	refs := layoutRefs(t, out)
	slices.Sort(refs)
	want := []string{"same", "same-amd64", "same-arm64", "t0", "t1", "t2", "t3", "t4", "t5"}
	if !slices.Equal(refs, want) {
		t.Errorf("refs %v, want %v", refs, want)
	}
}

// listFiles lists every path below dir with its size (links as links).
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %v %d", p, fi.Mode(), fi.Size()))
		return nil
	})
	return out
}

// TestReadLayoutHostileFiles: reading a layout (push, merge, inspect)
// whose index.json or a blob is a named pipe or a link to /dev/zero fails
// at once instead of hanging or reading without end.
func TestReadLayoutHostileFiles(t *testing.T) {
	t.Parallel()
	images := testImages(t, t.TempDir())
	src := filepath.Join(t.TempDir(), "src")
	if err := WriteOCILayout(src, "t", nil, images[:1]); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		spoil func(dir string) string // returns the spoiled path
		want  string                  // %p: that path
	}{
		{"index.json links to /dev/zero", func(dir string) string {
			p := filepath.Join(dir, "index.json")
			os.Remove(p)
			os.Symlink("/dev/zero", p)
			return p
		}, "open %p: not a regular file (character device)"},
		{"a blob is a named pipe", func(dir string) string {
			cfg, _ := images[0].Image.ConfigName()
			p := filepath.Join(dir, "blobs", cfg.Algorithm, cfg.Hex)
			os.Remove(p)
			mkfifo(t, p)
			return p
		}, "open %p: not a regular file (named pipe)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "lay")
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			p := tc.spoil(dir)
			done := make(chan error, 1)
			go func() {
				tg, err := loadLayout(dir, "t")
				if err == nil {
					_, err = ArchImages(tg) // reads the config blob
				}
				done <- err
			}()
			select {
			case err := <-done:
				want := "reading OCI layout " + dir + ": " + strings.ReplaceAll(tc.want, "%p", p)
				if err == nil || err.Error() != want {
					t.Errorf("error %v\nwant  %s", err, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("reading the layout hangs")
			}
		})
	}
}

// TestOCILayoutRemovesStaleTemps: what a killed writer left inside a
// layout (its temporary folder and index) goes once it is a day old;
// younger ones may be another writer's at work and stay, and so do files
// that are not slipway's.
func TestOCILayoutRemovesStaleTemps(t *testing.T) {
	t.Parallel()
	images := testImages(t, t.TempDir())
	out := filepath.Join(t.TempDir(), "lay")
	if err := WriteOCILayout(out, "a", nil, images[:1]); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	for _, n := range []string{".slipway-tmp-old/blobs/sha256/x", ".index.json.tmp-old", ".slipway-tmp-young/x", ".mine-tmp-old"} {
		p := filepath.Join(out, n)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
		if strings.Contains(n, "old") {
			os.Chtimes(p, old, old)
			os.Chtimes(filepath.Join(out, strings.Split(n, "/")[0]), old, old)
		}
	}
	if err := WriteOCILayout(out, "b", nil, images[1:]); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{".slipway-tmp-old": false, ".index.json.tmp-old": false, ".slipway-tmp-young": true, ".mine-tmp-old": true} {
		if _, err := os.Lstat(filepath.Join(out, n)); (err == nil) != want {
			t.Errorf("%s: present %v, want %v", n, err == nil, want)
		}
	}
}
