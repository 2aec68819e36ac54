package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/signing"
)

var predicateTypes = map[string]string{
	"spdx": signing.PredicateSPDX, "spdxjson": signing.PredicateSPDX,
	"slsaprovenance1": signing.PredicateSLSAProvenance,
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

` + registryHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				rf := addRegistryFlags(fs, false)
				key := fs.String("key", "", "public key `FILE` (cosign.pub), or a KMS key SCHEME://... (binaries built with -tags kms) (required)")
				recursive := fs.Bool("recursive", true, "also verify every image of an index")
				atts := fs.Bool("attestations", false, "also require valid attestations (SPDX SBOM by default)")
				types := fs.StringArray("type", nil, "attestation predicate `TYPE` to require: spdxjson, slsaprovenance1 or a URI (repeatable; implies --attestations)")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("verify takes one REGISTRY/REPO:TAG, got %d arguments", len(args))
					}
					if *key == "" {
						return usagef("verify needs --key FILE (a public key)")
					}
					vo := signing.VerifyOptions{Recursive: *recursive, Attestations: *atts || len(*types) > 0}
					for _, t := range *types {
						if u, ok := predicateTypes[t]; ok {
							t = u
						} else if !strings.Contains(t, "://") {
							return usagef("--type %q: want spdxjson, slsaprovenance1 or a predicate type URI", t)
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
					v, err := loadVerifier(ctx, *key)
					if err != nil {
						return err
					}
					res, err := signing.Verify(ctx, refs[0], v, vo)
					if err != nil {
						var ve *signing.VerificationError
						if errors.As(err, &ve) {
							return fmt.Errorf("verification failed: %w", err)
						}
						return redact(g, err)
					}
					if g.Quiet {
						return nil
					}
					for _, r := range res {
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
					return nil
				}
			},
		},
	}
}

// loadVerifier reads a public key file, or gets a KMS key's verifier.
func loadVerifier(ctx context.Context, key string) (signature.Verifier, error) {
	if signing.IsKMSRef(key) {
		return loadKMSKey(ctx, key)
	}
	data, err := localfile.ReadFile(key, "public key", localfile.KeyLimit)
	if err != nil {
		return nil, err
	}
	return signing.LoadPublicKey(key, data)
}
