package manifests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The lifecycle referrer Azure Linux images carry: an OCI 1.1 artifact
// whose subject is the tagged index and whose annotation says when the
// image stops being supported.
const (
	LifecycleArtifactType = "application/vnd.microsoft.artifact.lifecycle"
	EndOfLifeAnnotation   = "vnd.microsoft.artifact.lifecycle.end-of-life.date"
)

// The OCI 1.1 empty descriptor's content and media type: the config of
// an artifact with no configuration, and its one (empty) layer.
const emptyJSONMediaType types.MediaType = "application/vnd.oci.empty.v1+json"

var emptyJSON = []byte("{}")

// ParseEndOfLife reads an end-of-life date: RFC 3339 ("2026-06-30T00:00:00Z")
// or a plain date ("2026-06-30", midnight UTC). The result is in UTC.
func ParseEndOfLife(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("end-of-life date %q: want YYYY-MM-DD or RFC 3339 (2026-06-30T00:00:00Z)", s)
	}
	return t.UTC(), nil
}

// Lifecycle returns the lifecycle artifact of subject (the descriptor of
// a pushed index or image): an image manifest with artifactType
// LifecycleArtifactType, the empty config and one empty layer, subject,
// and the end-of-life date in RFC 3339 as its one annotation. The same
// inputs give the same bytes.
func Lifecycle(subject v1.Descriptor, endOfLife time.Time) (v1.Image, error) {
	if subject.Digest.Hex == "" || subject.MediaType == "" || subject.Size <= 0 {
		return nil, errors.New("lifecycle artifact: the subject needs a media type, digest and size")
	}
	empty, err := emptyDescriptor()
	if err != nil {
		return nil, err
	}
	subj := v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  LifecycleArtifactType,
		Config:        empty,
		Layers:        []v1.Descriptor{empty},
		Subject:       &subj,
		Annotations:   map[string]string{EndOfLifeAnnotation: endOfLife.UTC().Format(time.RFC3339)},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("lifecycle artifact: %w", err)
	}
	return partial.CompressedToImage(&artifactCore{manifest: raw})
}

func emptyDescriptor() (v1.Descriptor, error) {
	h, n, err := v1.SHA256(bytes.NewReader(emptyJSON))
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: emptyJSONMediaType, Digest: h, Size: n, Data: emptyJSON}, nil
}

// artifactCore is an artifact manifest whose only blob is the empty
// JSON object (config and layer).
type artifactCore struct{ manifest []byte }

func (a *artifactCore) RawManifest() ([]byte, error)        { return a.manifest, nil }
func (a *artifactCore) RawConfigFile() ([]byte, error)      { return emptyJSON, nil }
func (a *artifactCore) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a *artifactCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	l := static.NewLayer(emptyJSON, emptyJSONMediaType)
	d, err := l.Digest()
	if err != nil {
		return nil, err
	}
	if h != d {
		return nil, fmt.Errorf("lifecycle artifact has no blob %s", h)
	}
	return l, nil
}

// LifecycleResult is one lifecycle artifact pushed.
type LifecycleResult struct {
	Repository string `json:"repository"`
	Subject    string `json:"subject"`
	Digest     string `json:"digest"`
	EndOfLife  string `json:"end_of_life"`
}

// AttachLifecycle pushes the lifecycle artifact of subject (pushed under
// tags) to the repository of every tag. Registries with the OCI 1.1
// referrers API index it themselves; for the others the referrers tag
// (sha256-<hex> of the subject) is updated, as the distribution spec's
// fallback says. Pushing it again changes nothing.
func AttachLifecycle(ctx context.Context, subject v1.Descriptor, endOfLife time.Time, tags []name.Reference, opts PushOptions) ([]LifecycleResult, error) {
	art, err := Lifecycle(subject, endOfLife)
	if err != nil {
		return nil, err
	}
	d, err := art.Digest()
	if err != nil {
		return nil, err
	}
	ropts := append(remoteOptions(ctx, opts), remote.WithReferrersTagFallback(true))
	seen := map[string]bool{}
	var out []LifecycleResult
	for _, t := range tags {
		repo := t.Context()
		if seen[repo.String()] {
			continue
		}
		seen[repo.String()] = true
		if err := remote.Write(repo.Digest(d.String()), art, ropts...); err != nil {
			return nil, pushError(repo.String()+" (lifecycle artifact)", err)
		}
		out = append(out, LifecycleResult{
			Repository: repo.String(), Subject: subject.Digest.String(), Digest: d.String(),
			EndOfLife: endOfLife.UTC().Format(time.RFC3339),
		})
	}
	return out, nil
}
