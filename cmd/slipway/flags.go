package main

// The flags several commands share, defined once: the build's (build,
// publish, sbom), the registry client's (every command that talks to a
// registry), the SBOM and signing flags, and the keyless ones. Each
// command's own flags stay in its file.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing"
)

// buildFlags are the flags build and publish share.
type buildFlags struct {
	compression    string
	offline        bool
	locked         bool
	lockPath       string
	vendorDir      string
	jobs           int
	failScriptlets bool
	asJSON         bool
	annotations    []string
	version        string
	source         string
	revision       string
	repofiles      []string
	previous       string
}

func addBuildFlags(fs *pflag.FlagSet) *buildFlags {
	b := &buildFlags{}
	fs.StringVar(&b.compression, "compression", "gzip", "layer compression: gzip or zstd")
	fs.BoolVar(&b.offline, "offline", false, "use only packages already in the cache")
	fs.BoolVar(&b.locked, "locked", false, "build exactly the lockfile's packages")
	fs.StringVar(&b.lockPath, "lockfile", "", "lockfile `PATH` for --locked (default: CONFIG with the extension .lock)")
	fs.StringVar(&b.vendorDir, "vendor-dir", "", "with --locked, take packages and keys from `DIR` (written by slipway vendor) instead of the repositories")
	fs.IntVar(&b.jobs, "jobs", 4, "parallel package downloads and blob uploads")
	fs.BoolVar(&b.failScriptlets, "fail-on-scriptlets", false, "fail when a package has an unhandled scriptlet or trigger: one whose effect is neither reproduced nor unneeded in an image (with [packages] scriptlets = \"run\": one that did not run; see docs/scriptlets.md)")
	fs.BoolVar(&b.asJSON, "json", false, "print the result as one JSON document")
	fs.StringArrayVar(&b.annotations, "annotation", nil, "manifest and index annotation `KEY=VALUE` (repeatable)")
	fs.StringVar(&b.version, "version", "", "org.opencontainers.image.version annotation")
	fs.StringVar(&b.source, "source", "", "org.opencontainers.image.source annotation (`URL` of the sources)")
	fs.StringVar(&b.revision, "revision", "", "org.opencontainers.image.revision annotation (source control revision)")
	fs.StringArrayVar(&b.repofiles, "repofile", nil, "add the repositories of a dnf/yum .repo `FILE` (repeatable)")
	fs.StringVar(&b.previous, "previous", "", "with layers.strategy = origin, keep the layer plan of the previous image `REF` (oci:DIR[:TAG] or a registry reference; publish: default the image at its first --tag, if any)")
	return b
}

// previousPlan reads the layer plan of --previous, or else of the image
// at fallback (publish's first --tag) when there is one, into b's
// options; only layers.strategy = origin plans with it.
func (bf *buildFlags) previousPlan(ctx context.Context, g *globals, rf *registryFlags, b *preparedBuild, fallback name.Reference) error {
	if b.cfg.Layers.Strategy != config.LayersOrigin || (bf.previous == "" && fallback == nil) {
		return nil
	}
	po, err := rf.pushOptions(g, bf.jobs)
	if err != nil {
		return err
	}
	src := manifests.Source{Ref: fallback}
	if bf.previous != "" {
		if src, err = manifests.ParseSource(bf.previous, rf.insecure); err != nil {
			return usagef("--previous: %v", err)
		}
	}
	plan, err := builder.PreviousPlan(ctx, src, po)
	var te *transport.Error
	if err != nil && bf.previous == "" && errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		g.Log.Info("no previous image: planning the layers afresh", "tag", fallback.String())
		return nil
	}
	if err != nil {
		return err
	}
	b.opts.Previous = plan
	return nil
}

// registryFlags are the flags of commands that talk to registries.
type registryFlags struct {
	insecure   []string
	caFiles    []string
	skipVerify bool
	jobs       int
	timeout    time.Duration
	tls        *manifests.RegistryTLS // loaded by the first pushOptions of a run
}

// registryCertsDirsEnv replaces the default certs.d folders (a list
// separated by ':').
const registryCertsDirsEnv = "SLIPWAY_REGISTRY_CERTS_DIRS"

func addRegistryFlags(fs *pflag.FlagSet, withJobs bool) *registryFlags {
	r := &registryFlags{}
	fs.StringArrayVar(&r.insecure, "insecure-registry", nil, "allow plain HTTP to registry `HOST[:PORT]` (repeatable; loopback registries always may)")
	fs.StringArrayVar(&r.caFiles, "registry-ca-file", nil, "trust the CA certificates in PEM `FILE` for every registry, besides the system's and certs.d (repeatable)")
	fs.BoolVar(&r.skipVerify, "registry-skip-tls-verify", false, "accept any TLS certificate from registries (insecure; warns on every run)")
	fs.DurationVar(&r.timeout, "registry-timeout", manifests.DefaultTimeout, "cancel and retry a registry request that makes no progress for this `DURATION` (0: never)")
	if withJobs {
		fs.IntVar(&r.jobs, "jobs", 4, "parallel blob uploads")
	}
	return r
}

// sbomFlags are the SBOM and signing flags build and publish share.
type sbomFlags struct {
	dir          string
	signKey      string
	provenance   bool
	formats      []string // publish's --sbom-format
	bundleFormat bool     // --new-bundle-format
}

// sbomFormats reads the --sbom-format values (none: SPDX).
func (s *sbomFlags) sbomFormats() ([]signing.SBOMFormat, error) {
	var out []signing.SBOMFormat
	seen := map[signing.SBOMFormat]bool{}
	for _, f := range s.formats {
		sf, err := signing.ParseSBOMFormat(f)
		if err != nil {
			return nil, usagef("--sbom-format: %s", err)
		}
		if !seen[sf] {
			seen[sf] = true
			out = append(out, sf)
		}
	}
	return out, nil
}

func addSBOMFlags(fs *pflag.FlagSet, withSigning bool) *sbomFlags {
	s := &sbomFlags{}
	fs.StringVar(&s.dir, "sbom-dir", "", "write an SPDX 2.3 JSON SBOM per architecture into `DIR` (IMAGE-ARCH.spdx.json)")
	if withSigning {
		fs.StringVar(&s.signKey, "sign-key", "", "sign the pushed index and images with this cosign private key `FILE` or KMS `URI` (password from COSIGN_PASSWORD) and attach the SBOMs as attestations")
		fs.BoolVar(&s.provenance, "provenance", false, "with --sign-key or --keyless, also attach SLSA v1 provenance attestations")
		fs.StringArrayVar(&s.formats, "sbom-format", nil, "SBOM `FORMAT` made, written to --sbom-dir and attested when signing: spdx-json (default) or cyclonedx-json (repeatable)")
		addBundleFormatFlag(fs, &s.bundleFormat)
	}
	return s
}

// addBundleFormatFlag declares --new-bundle-format, named as cosign's.
func addBundleFormatFlag(fs *pflag.FlagSet, p *bool) {
	fs.BoolVar(p, "new-bundle-format", false, "attach attestations in the sigstore bundle format as OCI 1.1 referrers (as cosign attest --new-bundle-format), instead of the .att tag")
}

// notaryFlags are the Notary Project signing flags of sign and publish.
type notaryFlags struct {
	key, cert, envelope string
}

func addNotaryFlags(fs *pflag.FlagSet) *notaryFlags {
	n := &notaryFlags{}
	fs.StringVar(&n.key, "notation-key", "", "also sign with a Notary Project signature: the private key `KEY.pem` (a file or env://VAR; needs --notation-cert)")
	fs.StringVar(&n.cert, "notation-cert", "", "the certificate chain `CHAIN.pem` of --notation-key, leaf first")
	fs.StringVar(&n.envelope, "notation-envelope", string(signing.NotaryJWS), "Notary signature envelope `FORMAT`: jws or cose")
	return n
}

// check refuses incomplete Notary flags (exit 2).
func (n *notaryFlags) check(fs *pflag.FlagSet) (signing.NotaryEnvelope, error) {
	if (n.key == "") != (n.cert == "") {
		return "", usagef("--notation-key and --notation-cert go together")
	}
	if n.key == "" && fs.Changed("notation-envelope") {
		return "", usagef("--notation-envelope needs --notation-key")
	}
	env, err := signing.ParseNotaryEnvelope(n.envelope)
	if err != nil {
		return "", usagef("--notation-envelope: %s", err)
	}
	return env, nil
}

// load reads the Notary key and chain (nil without --notation-key).
func (n *notaryFlags) load(g *globals) (*signing.NotaryKey, error) {
	if n.key == "" {
		return nil, nil
	}
	keyPEM, err := readKeyRef(g, n.key, "Notary key")
	if err != nil {
		return nil, err
	}
	chainPEM, err := localfile.ReadFile(n.cert, "certificate chain", localfile.KeyLimit)
	if err != nil {
		return nil, err
	}
	return signing.LoadNotaryKey(n.key, keyPEM, n.cert, chainPEM)
}

// addReferrersModeFlag declares --registry-referrers-mode, named as cosign's.
func addReferrersModeFlag(fs *pflag.FlagSet) *string {
	return fs.String("registry-referrers-mode", string(signing.ReferrersLegacy),
		"where signatures go: `MODE` legacy (cosign's sha256-DIGEST.sig tag) or oci-1-1 (an OCI 1.1 referrer; attestations stay on the .att tag)")
}

// idTokenEnv holds the OIDC identity token for --keyless, as for cosign.
const idTokenEnv = "SIGSTORE_ID_TOKEN"

// keylessFlags are the keyless and transparency-log flags sign and
// publish share.
type keylessFlags struct {
	keyless, tlog                bool
	fulcioURL, rekorURL, idToken string
}

// addKeylessFlags declares --keyless, --tlog-upload, --fulcio-url,
// --rekor-url and --identity-token; keyFlag names the flag --keyless
// replaces.
func addKeylessFlags(fs *pflag.FlagSet, keyFlag string) *keylessFlags {
	k := &keylessFlags{}
	fs.BoolVar(&k.tlog, "tlog-upload", false, "upload every signature and attestation to the Rekor transparency log at --rekor-url (public and permanent; off by default)")
	fs.BoolVar(&k.keyless, "keyless", false, "sign with an ephemeral key certified by Fulcio for the identity token's identity, instead of "+keyFlag+" (needs --tlog-upload)")
	fs.StringVar(&k.fulcioURL, "fulcio-url", signing.PublicFulcioURL, "Fulcio `URL` for --keyless")
	fs.StringVar(&k.rekorURL, "rekor-url", signing.PublicRekorURL, "Rekor `URL` for --tlog-upload")
	fs.StringVar(&k.idToken, "identity-token", "", "OIDC identity `TOKEN` for --keyless (default: "+idTokenEnv+")")
	return k
}
