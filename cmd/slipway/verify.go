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
			Usage:   "verify [flags] REGISTRY/REPO:TAG|@DIGEST --key cosign.pub",
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
				key := fs.String("key", "", "public key `FILE` (cosign.pub), or a KMS key SCHEME://... (binaries built with -tags kms) (required)")
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
					if *key == "" && *policy == "" {
						return usagef("verify needs --key FILE (a public key) or --notation-trust-policy FILE --notation-trust-store DIR")
					}
					if *key == "" && (*atts || len(*types) > 0) {
						return usagef("--attestations and --type need --key")
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
