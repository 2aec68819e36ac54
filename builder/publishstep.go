package builder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing"
)

// PublishOptions are the choices of the publish step that follows a
// build: where the artifact goes, which SBOMs are made, how (and whether)
// it is signed and attested, and the lifecycle referrer. cmd maps its
// flags onto these values; the step does the rest.
type PublishOptions struct {
	// Outputs are the local destinations (OCI layout, docker archive);
	// a manifests.Registry output adds its reference to Tags.
	Outputs []manifests.Output
	// Tags are the registry references, all pushed in one push (no tag
	// is set before every repository holds the whole image).
	Tags []name.Reference
	// Registry is the registry client of the push, the signatures and
	// the referrers.
	Registry manifests.PushOptions

	// SBOMFormats are the SBOMs made per architecture (none: SPDX), for
	// SBOMDir and the cosign attestations; SBOMDir, when set, gets
	// them as files (IMAGE-ARCH.spdx.json, IMAGE-ARCH.cdx.json).
	SBOMFormats []signing.SBOMFormat
	SBOMDir     string
	// Tool names the SBOMs' creator, for example "slipway-1.2.0".
	Tool string

	// Signer, when set, is asked for the cosign signer once the artifact
	// is pushed (a keyless certificate is valid for minutes); the index
	// and every image are signed in every repository of Tags and the
	// SBOMs (and Provenance) attached as attestations.
	Signer       func(context.Context) (*signing.Signer, error)
	Provenance   *signing.ProvenanceInput
	BundleFormat bool // attestations as sigstore bundle referrers
	// Notary, when set, signs the index and every image with a Notary
	// Project signature in every repository of Tags, in envelope
	// NotaryEnvelope (default JWS).
	Notary         *signing.NotaryKey
	NotaryEnvelope signing.NotaryEnvelope

	// EndOfLife, when not zero, attaches the lifecycle referrer to the
	// pushed index (or image) in every repository of Tags.
	EndOfLife time.Time

	Log *slog.Logger // nil: discard
}

// RepoSigned is what the publish step signed in one repository.
type RepoSigned struct {
	Repository string                     `json:"repository"`
	Cosign     *signing.SignResult        `json:"cosign,omitempty"`
	Notary     []signing.NotarySignResult `json:"notary,omitempty"`
}

// PublishResult is what the publish step did.
type PublishResult struct {
	Artifact  *Artifact
	Tags      []string                    // registry tags set
	Uploads   []manifests.RepoPush        // per repository pushed to
	Lifecycle []manifests.LifecycleResult // per repository
	SBOMFiles []string                    // written into SBOMDir
	Signed    []RepoSigned                // per repository, when signed
	// Pushed is when the artifact was written (before the referrers).
	Pushed time.Time
}

// SBOMFileName is the file an architecture's SBOM in format f is
// written to: IMAGE-ARCH.spdx.json or IMAGE-ARCH.cdx.json.
func SBOMFileName(image, arch string, f signing.SBOMFormat) string {
	ext := ".spdx.json"
	if f == signing.SBOMCycloneDXJSON {
		ext = ".cdx.json"
	}
	return strings.ReplaceAll(image, "/", "_") + "-" + arch + ext
}

// SBOMs makes the SBOM of every build in every format, builds' order
// within each format's.
func SBOMs(cfg *config.Config, builds []*ArchBuild, tool string, formats []signing.SBOMFormat) ([][]byte, []string, error) {
	var docs [][]byte
	var names []string
	for _, f := range formats {
		for _, ab := range builds {
			doc, err := ab.SBOMAs(cfg, tool, f)
			if err != nil {
				return nil, nil, err
			}
			docs = append(docs, doc)
			names = append(names, SBOMFileName(cfg.Image.Name, ab.Arch, f))
		}
	}
	return docs, names, nil
}

// WriteSBOMs writes docs into dir under names, each through a temporary
// file renamed into place.
func WriteSBOMs(dir string, names []string, docs [][]byte) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("writing the SBOMs: %w", err)
	}
	paths := make([]string, len(docs))
	for i, doc := range docs {
		p := filepath.Join(dir, names[i])
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, doc, 0o644); err != nil {
			return nil, fmt.Errorf("writing the SBOM %s: %w", p, err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return nil, fmt.Errorf("writing the SBOM %s: %w", p, err)
		}
		paths[i] = p
	}
	return paths, nil
}

// Publish is the step after Build: the artifact of builds is written to
// every destination (MultiPublisher), then, in every repository pushed
// to, the lifecycle referrer, the cosign signatures and attestations
// (SBOMs, provenance) and the Notary signatures; the SBOMs also go to
// SBOMDir. A failure stops the step and says which part failed.
func Publish(ctx context.Context, cfg *config.Config, builds []*ArchBuild, opts PublishOptions) (*PublishResult, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	signs := opts.Signer != nil || opts.Notary != nil
	if signs && len(opts.Tags) == 0 {
		return nil, errors.New("publishing: signing needs a registry destination")
	}
	if !opts.EndOfLife.IsZero() && len(opts.Tags) == 0 {
		return nil, errors.New("publishing: the lifecycle referrer needs a registry destination")
	}
	art, err := NewArtifact(cfg.Image.Name, builds)
	if err != nil {
		return nil, err
	}
	res := &PublishResult{Artifact: art}
	var pubs []Publisher
	for _, o := range opts.Outputs {
		if o.Kind == manifests.Registry {
			continue // its reference is in Tags
		}
		p, err := NewPublisher(o, nil, opts.Registry)
		if err != nil {
			return nil, err
		}
		pubs = append(pubs, p)
	}
	if len(opts.Tags) > 0 {
		pubs = append(pubs, registryPublisher{tags: opts.Tags, opts: opts.Registry})
	}
	p, err := MultiPublisher(pubs...).Publish(ctx, art)
	if err != nil {
		return nil, err
	}
	res.Tags, res.Uploads, res.Pushed = p.Tags, p.Uploads, time.Now()

	formats := opts.SBOMFormats
	if len(formats) == 0 {
		formats = []signing.SBOMFormat{signing.SBOMSPDXJSON}
	}
	var docs [][]byte
	if opts.SBOMDir != "" || opts.Signer != nil {
		var names []string
		if docs, names, err = SBOMs(cfg, builds, opts.Tool, formats); err != nil {
			return nil, err
		}
		if opts.SBOMDir != "" {
			if res.SBOMFiles, err = WriteSBOMs(opts.SBOMDir, names, docs); err != nil {
				return nil, err
			}
		}
	}
	if !opts.EndOfLife.IsZero() {
		desc, err := partial.Descriptor(art.Taggable().(partial.Describable))
		if err != nil {
			return nil, fmt.Errorf("lifecycle referrer: %w", err)
		}
		if res.Lifecycle, err = manifests.AttachLifecycle(ctx, *desc, opts.EndOfLife, opts.Tags, opts.Registry); err != nil {
			return nil, err
		}
	}
	if !signs {
		return res, nil
	}
	var signer *signing.Signer
	if opts.Signer != nil {
		if signer, err = opts.Signer(ctx); err != nil {
			return nil, err
		}
	}
	reg := opts.Registry
	reg.Progress = nil
	so := signing.Options{Registry: reg, Log: opts.Log}
	done := map[string]bool{}
	for _, t := range opts.Tags {
		repo := t.Context().String()
		if done[repo] {
			continue
		}
		done[repo] = true
		rs := RepoSigned{Repository: repo}
		if signer != nil {
			sopts := signing.SignOptions{Options: so, Recursive: true, SBOMs: docs, Provenance: opts.Provenance, BundleFormat: opts.BundleFormat}
			if opts.BundleFormat {
				sopts.Created = time.Unix(builds[0].BuildTime, 0).UTC()
			}
			if rs.Cosign, err = signing.SignAndAttest(ctx, t, signer, sopts); err != nil {
				return nil, err
			}
		}
		if opts.Notary != nil {
			no := signing.NotaryOptions{Options: so, Envelope: opts.NotaryEnvelope}
			if rs.Notary, err = signing.NotarySignAll(ctx, t, true, opts.Notary, no); err != nil {
				return nil, err
			}
		}
		res.Signed = append(res.Signed, rs)
	}
	return res, nil
}

// multiPublisher writes to several destinations in turn: see
// MultiPublisher.
type multiPublisher []Publisher

// MultiPublisher publishes to every one of pubs, in order, and stops at
// the first failure. Give the local destinations first and the registry
// last: the tags are the only part others can see, so they are set only
// once every local copy is written. All registry tags belong in one
// registry publisher (NewPublisher with every tag), never one per tag:
// manifests.Push sets no tag before every repository holds the whole
// image, which publishers run one after another could not promise.
func MultiPublisher(pubs ...Publisher) Publisher { return multiPublisher(pubs) }

func (m multiPublisher) Publish(ctx context.Context, a *Artifact) (*Published, error) {
	out := &Published{}
	for _, p := range m {
		r, err := p.Publish(ctx, a)
		if err != nil {
			return nil, err
		}
		out.Tags = append(out.Tags, r.Tags...)
		out.Uploads = append(out.Uploads, r.Uploads...)
	}
	return out, nil
}
