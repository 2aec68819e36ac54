package manifests

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/slipway-build/slipway/internal/localfile"
)

// OutputKind is where an image goes.
type OutputKind string

// The outputs slipway writes.
const (
	OCILayout     OutputKind = "oci"            // an OCI image layout directory
	DockerArchive OutputKind = "docker-archive" // a tar loadable by docker load
	Registry      OutputKind = "docker"         // docker://REGISTRY/REPO:TAG, pushed
)

// Output is a parsed --output value.
type Output struct {
	Kind OutputKind
	Path string
	// Ref is the tag (oci) or image reference (docker-archive, docker);
	// may be empty but for docker.
	Ref string
}

func (o Output) String() string {
	if o.Kind == Registry {
		return "docker://" + o.Ref
	}
	s := string(o.Kind) + ":" + o.Path
	if o.Ref != "" {
		s += ":" + o.Ref
	}
	return s
}

// ParseOutput reads "oci:DIR[:TAG]", "docker-archive:FILE[:REF]" or
// "docker://REGISTRY/REPO:TAG". A docker reference is checked for its
// syntax only; ParseReference reads it for pushing.
func ParseOutput(s string) (Output, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return Output{}, fmt.Errorf("output %q: want oci:DIR[:TAG], docker-archive:FILE[:REF] or docker://REGISTRY/REPO:TAG", s)
	}
	o := Output{Kind: OutputKind(kind)}
	switch o.Kind {
	case Registry:
		ref, ok := strings.CutPrefix(rest, "//")
		if !ok || ref == "" {
			return Output{}, fmt.Errorf("output %q: want docker://REGISTRY/REPO:TAG", s)
		}
		if _, err := name.ParseReference(ref, name.StrictValidation); err != nil {
			return Output{}, fmt.Errorf("output %q: %q is not a valid image reference (REGISTRY/REPO:TAG): %w", s, ref, err)
		}
		o.Ref = ref
		return o, nil
	case OCILayout:
		o.Path, o.Ref, _ = strings.Cut(rest, ":")
		if o.Ref != "" {
			if _, err := name.NewTag("example.invalid/x:"+o.Ref, name.StrictValidation); err != nil {
				return Output{}, fmt.Errorf("output %q: %q is not a valid tag", s, o.Ref)
			}
		}
	case DockerArchive:
		// The reference may hold a registry port: split at the first ':'.
		o.Path, o.Ref, _ = strings.Cut(rest, ":")
		if o.Ref != "" {
			if _, err := name.ParseReference(o.Ref); err != nil {
				return Output{}, fmt.Errorf("output %q: %q is not a valid image reference: %w", s, o.Ref, err)
			}
		}
	default:
		return Output{}, fmt.Errorf("output %q: unknown kind %q (want oci, docker-archive or docker)", s, kind)
	}
	if o.Path == "" {
		return Output{}, fmt.Errorf("output %q: no path", s)
	}
	return o, nil
}

// RefNameAnnotation names an image in an OCI layout's index.json.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// WriteOCILayout writes an image index (several architectures) or one
// image into the OCI image layout at dir, tagged ref when given. With an
// index, each architecture's image is also named "REF-ARCH" (REF-amd64,
// REF-arm64) for tools that unpack one platform.
//
// When dir does not exist (or is an empty folder) the layout is built
// beside it and renamed into place: a failure leaves nothing behind. When
// dir is already an OCI layout, the new blobs are added to blobs/ and
// index.json is rewritten (temporary file and rename, under a lock on
// oci-layout, so concurrent writers to one layout all land): entries named
// ref (and REF-ARCH; with no ref, the entries without a name) are replaced,
// every other entry is kept, and nothing is ever deleted — other files in
// dir, other tags' blobs, and blobs no entry references any more stay. An
// existing dir that is not an OCI layout (and not empty) is refused.
func WriteOCILayout(dir, ref string, idx v1.ImageIndex, images []ArchImage) error {
	if idx == nil && len(images) != 1 {
		return fmt.Errorf("writing OCI layout: nothing to write")
	}
	state, err := layoutState(dir)
	if err != nil {
		return err
	}
	if state == noLayout {
		parent := filepath.Dir(filepath.Clean(dir))
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", parent, err)
		}
		tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
		if err != nil {
			return fmt.Errorf("creating temporary layout: %w", err)
		}
		defer os.RemoveAll(tmp) // gone after the rename; cleans up a failure
		if err := buildLayout(tmp, ref, idx, images); err != nil {
			return err
		}
		// os.Rename does not replace a folder, even an empty one: remove
		// an empty dir first (os.Remove fails on any other). A rename that
		// fails then means another writer made the layout meanwhile, and
		// this one joins it.
		_ = os.Remove(dir)
		if err := os.Rename(tmp, dir); err == nil {
			return nil
		}
		if state, err = layoutState(dir); err != nil {
			return err
		}
		if state != isLayout {
			return fmt.Errorf("writing OCI layout %s: cannot rename the new layout into place", dir)
		}
	}
	return addToLayout(dir, ref, idx, images)
}

// buildLayout writes a new layout holding only this image into dir.
func buildLayout(dir, ref string, idx v1.ImageIndex, images []ArchImage) error {
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	ann := func(r string) layout.Option {
		if r == "" {
			return layout.WithAnnotations(nil)
		}
		return layout.WithAnnotations(map[string]string{RefNameAnnotation: r})
	}
	if idx != nil {
		if err := p.AppendIndex(idx, ann(ref)); err != nil {
			return fmt.Errorf("writing OCI layout: %w", err)
		}
		if ref != "" {
			for _, ai := range images {
				plat, _ := Platform(ai.Arch)
				plat.OSVersion = ai.OSVersion
				if err := p.AppendImage(ai.Image, ann(ref+"-"+plat.Architecture), layout.WithPlatform(plat)); err != nil {
					return fmt.Errorf("writing OCI layout: %w", err)
				}
			}
		}
	} else {
		plat, _ := Platform(images[0].Arch)
		plat.OSVersion = images[0].OSVersion
		if err := p.AppendImage(images[0].Image, ann(ref), layout.WithPlatform(plat)); err != nil {
			return fmt.Errorf("writing OCI layout: %w", err)
		}
	}
	// Images are for everyone to read: folders 0755, files 0644 (temporary
	// folders and files are created private, ggcr writes 0755 files).
	if err := normalizeModes(dir); err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	return nil
}

// normalizeModes sets folders to 0755 and files to 0644 below root.
func normalizeModes(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	})
}

type dirState int

const (
	noLayout dirState = iota // missing, or an empty folder
	isLayout                 // a folder with an oci-layout file
)

// layoutState says whether dir is free for a new layout or holds one; any
// other existing path is refused.
func layoutState(dir string) (dirState, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return noLayout, nil
	}
	if err != nil {
		return 0, fmt.Errorf("output %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return noLayout, nil
	}
	for _, e := range entries {
		if e.Name() == "oci-layout" {
			return isLayout, nil
		}
	}
	return 0, fmt.Errorf("output %s exists and is not an OCI layout; refusing to write into it", dir)
}

// Limits on the files of an existing layout that are read.
const (
	maxLayoutMarker = 4 << 10
	maxLayoutIndex  = 64 << 20
)

// addToLayout adds the image to the existing layout at dir. Every file
// operation goes through an os.Root on dir, so a symbolic link in the
// layout (blobs/ pointing elsewhere) cannot make it write outside dir.
// The new layout is first built in a temporary folder inside dir (so its
// blobs can be renamed into blobs/, never copied), then merged.
func addToLayout(dir, ref string, idx v1.ImageIndex, images []ArchImage) error {
	root, marker, err := openLayout(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	defer marker.Close()
	removeStaleTemps(root, time.Now())

	tmpName := layoutTmpPrefix + rand.Text()[:12]
	if err := root.Mkdir(tmpName, 0o700); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	defer root.RemoveAll(tmpName)
	tmp := filepath.Join(dir, tmpName) // made just now by us: a folder, not a link
	if err := buildLayout(tmp, ref, idx, images); err != nil {
		return err
	}
	built, err := readIndex(root, tmpName)
	if err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	if err := moveBlobs(root, tmpName); err != nil {
		return fmt.Errorf("writing OCI layout %s: %w", dir, err)
	}

	unlock, err := lockLayout(marker)
	if err != nil {
		return fmt.Errorf("locking OCI layout %s: %w", dir, err)
	}
	defer unlock()
	cur, err := readIndex(root)
	if err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	names := map[string]bool{}
	for _, d := range built.Manifests {
		names[d.Annotations[RefNameAnnotation]] = true
	}
	kept := cur.Manifests[:0:0]
	for _, d := range cur.Manifests {
		if !names[d.Annotations[RefNameAnnotation]] {
			kept = append(kept, d)
		}
	}
	cur.Manifests = append(kept, built.Manifests...)
	raw, err := json.MarshalIndent(cur, "", "   ")
	if err != nil {
		return fmt.Errorf("writing OCI layout %s: %w", dir, err)
	}
	if err := writeRootFile(root, "index.json", raw); err != nil {
		return fmt.Errorf("writing OCI layout %s: index.json: %w", dir, err)
	}
	return nil
}

// CheckOCILayout says whether WriteOCILayout may write to dir, so that a
// build can refuse a wrong output before it starts: dir is missing, an
// empty folder, or an OCI layout that can be added to.
func CheckOCILayout(dir string) error {
	state, err := layoutState(dir)
	if err != nil || state == noLayout {
		return err
	}
	root, marker, err := openLayout(dir)
	if err != nil {
		return err
	}
	marker.Close()
	root.Close()
	return nil
}

// openLayout opens the existing layout at dir: an os.Root on it and its
// oci-layout file (to lock), after checking that oci-layout and
// index.json are what they claim and that blobs is a folder.
func openLayout(dir string) (*os.Root, *os.File, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("output %s: %w", dir, err)
	}
	marker, err := checkLayout(root, dir)
	if err != nil {
		root.Close()
		return nil, nil, err
	}
	return root, marker, nil
}

func checkLayout(root *os.Root, dir string) (*os.File, error) {
	marker, _, err := localfile.OpenIn(root, "oci-layout", "")
	if err != nil {
		return nil, fmt.Errorf("output %s: %w; refusing to write into it", dir, err)
	}
	if err := checkMarker(marker); err != nil {
		marker.Close()
		return nil, fmt.Errorf("output %s: oci-layout: %w; refusing to write into it", dir, err)
	}
	if _, err := readIndex(root); err != nil {
		marker.Close()
		return nil, fmt.Errorf("output %s: %w; refusing to write into it", dir, err)
	}
	if fi, err := root.Lstat("blobs"); err == nil && !fi.IsDir() {
		marker.Close()
		what := "not a folder"
		if fi.Mode()&fs.ModeSymlink != 0 {
			what = "a symbolic link, not a folder"
		}
		return nil, fmt.Errorf("output %s: blobs is %s; refusing to write into it", dir, what)
	}
	return marker, nil
}

// checkMarker checks an oci-layout file: JSON with an imageLayoutVersion.
func checkMarker(f *os.File) error {
	b, err := io.ReadAll(io.LimitReader(f, maxLayoutMarker+1))
	if err != nil {
		return err
	}
	var m struct {
		Version string `json:"imageLayoutVersion"`
	}
	if len(b) > maxLayoutMarker || json.Unmarshal(b, &m) != nil || m.Version == "" {
		return errors.New("not an OCI layout marker")
	}
	return nil
}

// readIndex reads the index.json of the layout at path (joined) in root.
func readIndex(root *os.Root, path ...string) (*v1.IndexManifest, error) {
	name := filepath.Join(append(path, "index.json")...)
	b, err := localfile.ReadFileIn(root, name, "", maxLayoutIndex)
	if err != nil {
		return nil, err
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(b, &im); err != nil {
		return nil, fmt.Errorf("%s: not an OCI image index: %w", name, err)
	}
	if im.SchemaVersion != 2 {
		return nil, fmt.Errorf("%s: not an OCI image index (schemaVersion %d)", name, im.SchemaVersion)
	}
	return &im, nil
}

// Temporary names a writer uses inside an existing layout, and how old one
// must be before another writer removes it as left by a killed process.
const (
	layoutTmpPrefix = ".slipway-tmp-"
	indexTmpPrefix  = ".index.json.tmp-"
	staleLayoutTemp = 24 * time.Hour
)

// removeStaleTemps removes what killed writers left inside a layout: only
// slipway's own temporary names, and only when older than staleLayoutTemp
// (a younger one may belong to a writer at work).
func removeStaleTemps(root *os.Root, now time.Time) {
	ents, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, layoutTmpPrefix) && !strings.HasPrefix(n, indexTmpPrefix) {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > staleLayoutTemp {
			_ = root.RemoveAll(n)
		}
	}
}

// checkLayoutFiles checks, before go-containerregistry reads a layout,
// that its index.json is a regular file of a sane size and that every
// blob is a regular file once links are followed: a named pipe would
// block the reader forever, a link to /dev/zero would be read without end.
func checkLayoutFiles(dir string) error {
	if _, err := localfile.ReadFile(filepath.Join(dir, "index.json"), "", maxLayoutIndex); err != nil {
		return err
	}
	algs, err := os.ReadDir(filepath.Join(dir, "blobs"))
	if err != nil {
		return err
	}
	for _, a := range algs {
		sub := filepath.Join(dir, "blobs", a.Name())
		if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
			continue // not a digest folder: never read
		}
		blobs, err := os.ReadDir(sub)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			f, _, err := localfile.Open(filepath.Join(sub, b.Name()), "")
			if err != nil {
				return err
			}
			f.Close()
		}
	}
	return nil
}

// moveBlobs renames every blob of the layout at tmp (in root) into the
// layout's blobs/ folder. A blob already there is replaced by the new,
// identical (blobs are named by their digest) copy: the rename is atomic,
// readers of the old file keep it, and a damaged copy is mended.
func moveBlobs(root *os.Root, tmp string) error {
	algs, err := fs.ReadDir(root.FS(), filepath.Join(tmp, "blobs"))
	if err != nil {
		return err
	}
	for _, a := range algs {
		src := filepath.Join(tmp, "blobs", a.Name())
		dst := filepath.Join("blobs", a.Name())
		if err := root.MkdirAll(dst, 0o755); err != nil {
			return fmt.Errorf("%s: %w", dst, localfile.Cause(err))
		}
		blobs, err := fs.ReadDir(root.FS(), src)
		if err != nil {
			return err
		}
		for _, b := range blobs {
			if err := root.Rename(filepath.Join(src, b.Name()), filepath.Join(dst, b.Name())); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dst, b.Name()), localfile.Cause(err))
			}
		}
	}
	return nil
}

// writeRootFile writes name in root through a temporary file and rename.
func writeRootFile(root *os.Root, name string, data []byte) error {
	tmp := "." + name + ".tmp-" + rand.Text()[:12] // indexTmpPrefix for index.json
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer root.Remove(tmp)
	err = f.Chmod(0o644)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return root.Rename(tmp, name)
}

// WriteDockerArchive writes one image as a tar that docker load reads,
// tagged ref. The archive is written beside path and renamed into place.
func WriteDockerArchive(path, ref string, img v1.Image) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("docker-archive reference %q: %w", ref, err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := tarball.Write(tag, img, f); err != nil {
		f.Close()
		return fmt.Errorf("writing docker archive: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
