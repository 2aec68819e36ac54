package manifests

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
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
// image into a new OCI image layout at dir, tagged ref when given. The
// layout is built beside dir and renamed into place: a failure leaves
// nothing behind, and an existing layout at dir is replaced whole. An
// existing dir that is not an OCI layout (and not empty) is refused.
// With an index, each architecture's image is also named "REF-ARCH"
// (REF-amd64, REF-arm64) for tools that unpack one platform.
func WriteOCILayout(dir, ref string, idx v1.ImageIndex, images []ArchImage) error {
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating temporary layout: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; cleans up a failure
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	ann := func(r string) layout.Option {
		if r == "" {
			return layout.WithAnnotations(nil)
		}
		return layout.WithAnnotations(map[string]string{RefNameAnnotation: r})
	}
	switch {
	case idx != nil:
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
	case len(images) == 1:
		plat, _ := Platform(images[0].Arch)
		plat.OSVersion = images[0].OSVersion
		if err := p.AppendImage(images[0].Image, ann(ref), layout.WithPlatform(plat)); err != nil {
			return fmt.Errorf("writing OCI layout: %w", err)
		}
	default:
		return fmt.Errorf("writing OCI layout: nothing to write")
	}
	// Images are for everyone to read: folders 0755, files 0644 (temporary
	// folders and files are created private, ggcr writes 0755 files).
	if err := normalizeModes(tmp); err != nil {
		return fmt.Errorf("writing OCI layout: %w", err)
	}
	return replaceDir(tmp, dir)
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

func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
		return fmt.Errorf("output %s exists and is not an OCI layout; refusing to replace it", dir)
	}
	return nil
}

// replaceDir moves tmp to dir, replacing what was there.
func replaceDir(tmp, dir string) error {
	if err := os.Rename(tmp, dir); err == nil {
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	return os.RemoveAll(old)
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
