package signing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PredicateSLSAProvenance is the SLSA v1 provenance predicate type
// (cosign verify-attestation --type slsaprovenance1).
const PredicateSLSAProvenance = "https://slsa.dev/provenance/v1"

// BuildType names how slipway builds, in provenance.
const BuildType = "https://slipway.dev/build/v1"

// The manifest annotations slipway build writes that provenance reports.
const (
	ConfigDigestAnnotation = "dev.slipway.config.digest"
	LockDigestAnnotation   = "dev.slipway.lock.digest"
	createdAnnotation      = "org.opencontainers.image.created"
)

// ProvenanceInput is what provenance says beyond the manifest's own
// annotations.
type ProvenanceInput struct {
	BuilderID string    // for example https://slipway.dev/slipway (default)
	Version   string    // slipway's version
	Started   time.Time // when signing (or the build) started; zero leaves it out
}

type slsaProvenance struct {
	BuildDefinition struct {
		BuildType          string            `json:"buildType"`
		ExternalParameters map[string]string `json:"externalParameters"`
		InternalParameters map[string]string `json:"internalParameters,omitempty"`
	} `json:"buildDefinition"`
	RunDetails struct {
		Builder struct {
			ID      string            `json:"id"`
			Version map[string]string `json:"version,omitempty"`
		} `json:"builder"`
		Metadata map[string]string `json:"metadata,omitempty"`
	} `json:"runDetails"`
}

// Provenance returns a SLSA v1 provenance predicate for a target: the
// configuration and lockfile digests and the build time come from the
// manifest's annotations (written by slipway build).
func Provenance(ctx context.Context, t Target, in ProvenanceInput, opts Options) ([]byte, error) {
	desc, err := remote.Get(t.Digest, opts.remote(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("provenance of %s: %w", t, err)
	}
	var m struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		return nil, fmt.Errorf("provenance of %s: reading manifest: %w", t, err)
	}
	var p slsaProvenance
	p.BuildDefinition.BuildType = BuildType
	p.BuildDefinition.ExternalParameters = map[string]string{}
	for key, ann := range map[string]string{"configDigest": ConfigDigestAnnotation, "lockfileDigest": LockDigestAnnotation} {
		if v := m.Annotations[ann]; v != "" {
			p.BuildDefinition.ExternalParameters[key] = v
		}
	}
	if t.Platform != nil {
		p.BuildDefinition.InternalParameters = map[string]string{"platform": t.Platform.String()}
	}
	p.RunDetails.Builder.ID = in.BuilderID
	if p.RunDetails.Builder.ID == "" {
		p.RunDetails.Builder.ID = "https://slipway.dev/slipway"
	}
	if in.Version != "" {
		p.RunDetails.Builder.Version = map[string]string{"slipway": in.Version}
	}
	p.RunDetails.Metadata = map[string]string{}
	if c := m.Annotations[createdAnnotation]; c != "" {
		p.RunDetails.Metadata["finishedOn"] = c
	}
	if !in.Started.IsZero() {
		p.RunDetails.Metadata["startedOn"] = in.Started.UTC().Format(time.RFC3339)
	}
	return json.Marshal(p)
}
