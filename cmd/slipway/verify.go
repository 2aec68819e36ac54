package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/signing"
)

var predicateTypes = map[string]string{
	"spdx": signing.PredicateSPDX, "spdxjson": signing.PredicateSPDX,
	"slsaprovenance1": signing.PredicateSLSAProvenance,
	"cyclonedx":       signing.PredicateCycloneDX,
}

// verifyCommands are the commands defined in verify.go.
func verifyCommands() []*command {
	return []*command{
		{
			Name:    "verify",
			Summary: "verify the cosign signatures (and SBOM attestations) of an image in a registry",
			Usage:   "verify [flags] REGISTRY/REPO:TAG|@DIGEST --key cosign.pub | --certificate-identity ID --certificate-oidc-issuer URL --ca-roots FILE",
			Long: `Checks that the index REF names and each of its images carry a cosign
signature by the key, over their own digest (--recursive, on by default),
and with --attestations that each has a valid SPDX attestation about it
(--type adds other predicate types). Signatures made by cosign sign --key
verify, as do slipway's. Signatures are looked for in cosign's
sha256-DIGEST.sig tag and, when none there verifies, in OCI 1.1 signature
referrers (--registry-referrers-mode oci-1-1; the referrers API or the
sha256-DIGEST referrers tag), so no flag is needed for either. Attestations
are read from the .att tag. Transparency-log entries are not checked: this
is cosign verify --insecure-ignore-tlog. Exits 1 naming the manifest and the
reason when anything fails.

Keyless signatures (cosign sign without --key, slipway publish --keyless)
verify by identity instead of --key, offline, as cosign verify does with the
same flags: --certificate-identity (or -regexp) and --certificate-oidc-issuer
(or -regexp) name who must have signed, --ca-roots FILE the PEM roots the
certificate must chain to (default: SIGSTORE_ROOT_FILE), and --rekor-key FILE
the Rekor log's public key (default: SIGSTORE_REKOR_PUBLIC_KEY) whose signed
entry timestamp in each signature's bundle proves when it was made; without
one the log is not consulted and the certificate must be valid now. No TUF,
Fulcio or Rekor server is contacted. [image] base_verify_identity checks a
base image the same way (docs/config.md).

--notation-trust-policy FILE --notation-trust-store DIR verify the Notary
Project signatures (as 'slipway sign --notation-key' or notation sign
writes them) with notation-go's verifier, as 'notation verify' does: the
trust policy (trustpolicy.json: registry scopes, verification level,
trusted identities) and the trust store laid out as notation's
(DIR/x509/ca/NAME/*.pem, or notation's configuration folder holding
truststore/). Revocation is checked offline only. With them, --key is
optional; with both, both must pass. --json prints {"cosign": [...],
"notary": [...]}.

` + registryHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				rf := addRegistryFlags(fs, false)
				key := fs.String("key", "", "public key `FILE` (cosign.pub), or a KMS key SCHEME://... (binaries built with -tags kms)")
				var id signing.Identity
				fs.StringVar(&id.Subject, "certificate-identity", "", "keyless: the `IDENTITY` (e-mail or URI) the signing certificate must name")
				fs.StringVar(&id.SubjectRegexp, "certificate-identity-regexp", "", "keyless: a `REGEXP` the certificate's identity must match")
				fs.StringVar(&id.Issuer, "certificate-oidc-issuer", "", "keyless: the OIDC issuer `URL` the certificate must name")
				fs.StringVar(&id.IssuerRegexp, "certificate-oidc-issuer-regexp", "", "keyless: a `REGEXP` the certificate's OIDC issuer must match")
				caRoots := fs.String("ca-roots", "", "keyless: PEM `FILE` of the CA roots the certificate must chain to (default: $SIGSTORE_ROOT_FILE)")
				rekorKey := fs.String("rekor-key", "", "keyless: PEM public key `FILE` of the Rekor log each signature's bundle must be from (default: $SIGSTORE_REKOR_PUBLIC_KEY; none: the log is not consulted)")
				recursive := fs.Bool("recursive", true, "also verify every image of an index")
				atts := fs.Bool("attestations", false, "also require valid attestations (SPDX SBOM by default)")
				types := fs.StringArray("type", nil, "attestation predicate `TYPE` to require: spdxjson, cyclonedx, slsaprovenance1 or a URI (repeatable; implies --attestations)")
				policy := fs.String("notation-trust-policy", "", "verify the Notary signatures with this notation trust policy `FILE` (trustpolicy.json; needs --notation-trust-store)")
				store := fs.String("notation-trust-store", "", "notation trust store `DIR` (x509/ca/NAME/*.pem, or notation's configuration folder)")
				asJSON := fs.Bool("json", false, "print the result as one JSON document")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("verify takes one REGISTRY/REPO:TAG, got %d arguments", len(args))
					}
					if (*policy == "") != (*store == "") {
						return usagef("--notation-trust-policy and --notation-trust-store go together")
					}
					keyless := id != (signing.Identity{})
					if *key != "" && keyless {
						return usagef("--key and --certificate-identity... exclude each other")
					}
					if !keyless && (*caRoots != "" || *rekorKey != "") {
						return usagef("--ca-roots and --rekor-key need --certificate-identity (or -regexp) and --certificate-oidc-issuer (or -regexp)")
					}
					if *key == "" && !keyless && *policy == "" {
						return usagef("verify needs --key FILE (a public key), --certificate-identity ID --certificate-oidc-issuer URL --ca-roots FILE (keyless) or --notation-trust-policy FILE --notation-trust-store DIR")
					}
					if *key == "" && !keyless && (*atts || len(*types) > 0) {
						return usagef("--attestations and --type need --key or --certificate-identity")
					}
					var trust *signing.KeylessTrust
					if keyless {
						var err error
						if trust, err = keylessTrust(g, id, *caRoots, *rekorKey); err != nil {
							return err
						}
					}
					vo := signing.VerifyOptions{Recursive: *recursive, Attestations: *atts || len(*types) > 0}
					for _, t := range *types {
						if u, ok := predicateTypes[t]; ok {
							t = u
						} else if !strings.Contains(t, "://") {
							return usagef("--type %q: want spdxjson, cyclonedx, slsaprovenance1 or a predicate type URI", t)
						}
						vo.PredicateTypes = append(vo.PredicateTypes, t)
					}
					refs, err := rf.parseTags("verify", args)
					if err != nil {
						return err
					}
					po, err := rf.pushOptions(g, 0)
					if err != nil {
						return err
					}
					vo.Options = signingOptions(g, po)
					var out verifyJSON
					if trust != nil {
						if out.Cosign, err = signing.VerifyKeyless(ctx, refs[0], trust, vo); err != nil {
							return verifyError(g, err)
						}
					}
					if *key != "" {
						v, err := loadVerifier(ctx, g, *key)
						if err != nil {
							return err
						}
						if out.Cosign, err = signing.Verify(ctx, refs[0], v, vo); err != nil {
							return verifyError(g, err)
						}
					}
					if *policy != "" {
						trust, err := signing.LoadNotaryTrust(*policy, *store, signing.NotaryTrustOptions{})
						if err != nil {
							return err
						}
						if out.Notary, err = signing.NotaryVerifyAll(ctx, refs[0], *recursive, trust, vo.Options); err != nil {
							return verifyError(g, err)
						}
					}
					if *asJSON {
						return writeJSON(g.Stdout, out)
					}
					if g.Quiet {
						return nil
					}
					for _, r := range out.Cosign {
						line := fmt.Sprintf("verified %s: %d signature(s)", r.Target, r.Signatures)
						if len(r.Attestations) > 0 {
							var kinds []string
							for pt, l := range r.Attestations {
								kinds = append(kinds, fmt.Sprintf("%s x%d", pt, len(l)))
							}
							sort.Strings(kinds)
							line += ", attestations " + strings.Join(kinds, ", ")
						}
						fmt.Fprintln(g.Stdout, line)
					}
					for _, r := range out.Notary {
						if r.Skipped {
							fmt.Fprintf(g.Stdout, "notation: %s: not verified (trust policy level skip)\n", r.Target)
							continue
						}
						fmt.Fprintf(g.Stdout, "notation: verified %s: signed by %s (%s)\n", r.Target, r.Signer, r.Level)
						for _, w := range r.Warnings {
							fmt.Fprintf(g.Stderr, "notation: %s: warning: %s\n", r.Target, w)
						}
					}
					return nil
				}
			},
		},
	}
}

// verifyJSON is what verify --json prints.
type verifyJSON struct {
	Cosign []signing.TargetResult       `json:"cosign,omitempty"`
	Notary []signing.NotaryVerifyResult `json:"notary,omitempty"`
}

// verifyError is a failed verification (exit 1, "verification failed:
// ...") or another error, the registry password cut out.
func verifyError(g *globals, err error) error {
	var ve *signing.VerificationError
	if errors.As(err, &ve) {
		return fmt.Errorf("verification failed: %w", err)
	}
	return redact(g, err)
}

// loadVerifier reads a public key (a file or env://VAR), or gets a KMS
// key's verifier.
func loadVerifier(ctx context.Context, g *globals, key string) (signature.Verifier, error) {
	if signing.IsKMSRef(key) {
		return loadKMSKey(ctx, key)
	}
	data, err := readKeyRef(g, key, "public key")
	if err != nil {
		return nil, err
	}
	return signing.LoadPublicKey(key, data)
}

// keylessTrust reads the roots (--ca-roots, else SIGSTORE_ROOT_FILE) and
// the Rekor key (--rekor-key, else SIGSTORE_REKOR_PUBLIC_KEY, else none)
// of a keyless verification for id.
func keylessTrust(g *globals, id signing.Identity, caRoots, rekorKey string) (*signing.KeylessTrust, error) {
	if caRoots == "" {
		caRoots = g.Getenv("SIGSTORE_ROOT_FILE")
	}
	if caRoots == "" {
		return nil, usagef("keyless verification needs --ca-roots FILE (or SIGSTORE_ROOT_FILE): slipway reads no TUF root")
	}
	if rekorKey == "" {
		rekorKey = g.Getenv("SIGSTORE_REKOR_PUBLIC_KEY")
	}
	return signing.LoadKeylessTrust(caRoots, rekorKey, id)
}
