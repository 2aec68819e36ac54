package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing"
)

// signingKey is a loaded key and where its signatures go.
type signingKey = *signing.Signer

// referrersMode reads --registry-referrers-mode.
func referrersMode(s string) (signing.ReferrersMode, error) {
	m, err := signing.ParseReferrersMode(s)
	if err != nil {
		return "", usagef("--registry-referrers-mode: %s", err)
	}
	return m, nil
}

// signCommands are the commands defined in sign.go.
func signCommands() []*command {
	return []*command{
		{
			Name:    "sign",
			Summary: "sign an image or index in a registry with a cosign key (or keyless), attaching SBOMs",
			Usage:   "sign [flags] REGISTRY/REPO:TAG|@DIGEST --key cosign.key|--keyless --tlog-upload",
			Long: `Signs what REF names in the registry, as cosign does: a simple-signing
payload over the manifest digest in the sha256-DIGEST.sig tag beside it
(or, with --registry-referrers-mode oci-1-1, in an OCI 1.1 referrer whose
subject is the manifest, as 'cosign sign --registry-referrers-mode
oci-1-1' writes; verify those with 'cosign verify --experimental-oci11').
With an index, every per-architecture image is signed too (--recursive,
on by default). --sbom-dir attaches the SPDX documents slipway build
--sbom-dir wrote as cosign attestations (DSSE, in-toto, predicate type
https://spdx.dev/Document, the .att tag): each image gets its own and the
index gets all of them, so 'cosign verify-attestation --type spdxjson'
works on the tag. --provenance adds SLSA v1 provenance.

The password of the key comes from COSIGN_PASSWORD or the terminal. A
KMS key (--key awskms://..., azurekms://, gcpkms://, hashivault://) is
handed to sigstore's KMS support, which finds the credentials as each
cloud SDK does; only binaries built with 'go build -tags kms' have it.
Signing is offline unless asked: nothing is uploaded to a transparency
log (Rekor) without --tlog-upload; verify with 'cosign verify
--insecure-ignore-tlog' or 'slipway verify'.

--keyless (with --tlog-upload, instead of --key) signs as 'cosign sign'
does without a key: an ephemeral key, certified by Fulcio (--fulcio-url)
for the identity in an OIDC token (--identity-token, or SIGSTORE_ID_TOKEN),
each signature uploaded to Rekor (--rekor-url); the certificate, chain and
Rekor bundle go on the signature layer, for 'cosign verify
--certificate-identity ID --certificate-oidc-issuer URL'. Attestations
get the same: the certificate, and a Rekor dsse entry of the envelope,
as 'cosign attest' makes, for 'cosign verify-attestation'. --tlog-upload
with --key logs key-based signatures and attestations. Rekor entries are
public and permanent. 'slipway verify' checks signatures by key only.

--notation-key KEY.pem --notation-cert CHAIN.pem add (or, alone, make) a
Notary Project signature of every manifest, as 'notation sign' writes it:
an OCI 1.1 referrer (the referrers tag on registries without the API),
envelope --notation-envelope jws (default) or cose; a signature by the
same certificate already there is kept. --new-bundle-format writes the
attestations in the sigstore bundle format as referrers, as 'cosign attest
--new-bundle-format'. --json prints {"cosign": {"targets",
"attestations"}, "notary": [...], "seconds"}.

` + registryHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				rf := addRegistryFlags(fs, false)
				key := fs.String("key", "", "cosign private key `FILE`, or a KMS key awskms://, azurekms://, gcpkms://, hashivault:// (binaries built with -tags kms) (required)")
				recursive := fs.Bool("recursive", true, "also sign every image of an index")
				sbomDir := fs.String("sbom-dir", "", "attach the *.spdx.json SBOMs in `DIR` as attestations")
				prov := fs.Bool("provenance", false, "attach SLSA v1 provenance attestations")
				kf := addKeylessFlags(fs, "--key")
				annotations := fs.StringArrayP("annotation", "a", nil, "`KEY=VALUE` added to the signed payload (repeatable)")
				modeFlag := addReferrersModeFlag(fs)
				nf := addNotaryFlags(fs)
				var bundleFormat bool
				addBundleFormatFlag(fs, &bundleFormat)
				asJSON := fs.Bool("json", false, "print the result as one JSON document")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("sign takes one REGISTRY/REPO:TAG, got %d arguments", len(args))
					}
					if *key == "" && !kf.keyless && nf.key == "" {
						return usagef("sign needs --key FILE (a cosign private key), --keyless or --notation-key")
					}
					cosign := *key != "" || kf.keyless
					if !cosign && (*sbomDir != "" || *prov || bundleFormat) {
						return usagef("--sbom-dir, --provenance and --new-bundle-format need --key or --keyless")
					}
					token, err := kf.check(fs, g, "--key", *key)
					if err != nil {
						return err
					}
					envelope, err := nf.check(fs)
					if err != nil {
						return err
					}
					mode, err := referrersMode(*modeFlag)
					if err != nil {
						return err
					}
					ann, err := parseAnnotations(*annotations)
					if err != nil {
						return err
					}
					refs, err := rf.parseTags("sign", args)
					if err != nil {
						return err
					}
					po, err := rf.pushOptions(g, 0)
					if err != nil {
						return err
					}
					so := signing.SignOptions{Options: signingOptions(g, po), Recursive: *recursive, BundleFormat: bundleFormat}
					if len(ann) > 0 {
						so.Annotations = map[string]interface{}{}
						for k, v := range ann {
							so.Annotations[k] = v
						}
					}
					if *sbomDir != "" {
						if so.SBOMs, err = readSBOMDir(*sbomDir); err != nil {
							return err
						}
					}
					if *prov {
						so.Provenance = &signing.ProvenanceInput{Version: version}
					}
					notary, err := nf.load(g)
					if err != nil {
						return err
					}
					out := signJSON{}
					start := time.Now()
					if cosign {
						sv, err := kf.signer(ctx, g, *key, token)
						if err != nil {
							return redactSecret(redact(g, err), token)
						}
						sv.Mode = mode
						if out.Cosign, err = signing.SignAndAttest(ctx, refs[0], sv, so); err != nil {
							return redactSecret(redact(g, err), token)
						}
					}
					if notary != nil {
						no := signing.NotaryOptions{Options: so.Options, Envelope: envelope}
						if len(ann) > 0 {
							no.UserMetadata = ann
						}
						if out.Notary, err = signing.NotarySignAll(ctx, refs[0], *recursive, notary, no); err != nil {
							return redact(g, err)
						}
					}
					out.Seconds = time.Since(start).Seconds()
					if *asJSON {
						return writeJSON(g.Stdout, out)
					}
					if g.Quiet {
						return nil
					}
					if out.Cosign != nil {
						for _, t := range out.Cosign.Targets {
							fmt.Fprintf(g.Stdout, "signed %s\n", t.Digest)
						}
						fmt.Fprintf(g.Stdout, "%d signatures, %d attestations in %.1fs\n", len(out.Cosign.Targets), out.Cosign.Attestations, out.Seconds)
					}
					for _, n := range out.Notary {
						state := "signed"
						if n.Existing {
							state = "already signed"
						}
						fmt.Fprintf(g.Stdout, "notation: %s %s (%s)\n", state, n.Target.Digest, n.Envelope)
					}
					return nil
				}
			},
		},
	}
}

// signJSON is what sign --json prints.
type signJSON struct {
	Cosign  *signing.SignResult        `json:"cosign,omitempty"`
	Notary  []signing.NotarySignResult `json:"notary,omitempty"`
	Seconds float64                    `json:"seconds"`
}

// check refuses the flag combinations that cannot work (exit 2) and
// returns the identity token of --keyless. key is the value of keyFlag.
func (k *keylessFlags) check(fs *pflag.FlagSet, g *globals, keyFlag, key string) (string, error) {
	token := k.idToken
	if token == "" {
		token = g.Getenv(idTokenEnv)
	}
	switch {
	case k.keyless && key != "":
		return "", usagef("--keyless and %s exclude each other", keyFlag)
	case k.keyless && !k.tlog:
		return "", usagef("--keyless needs --tlog-upload: a Fulcio certificate is valid for minutes, and cosign accepts a keyless signature later only with the time its Rekor entry proves")
	case k.keyless && token == "":
		return "", usagef("--keyless needs an OIDC identity token: --identity-token TOKEN or %s", idTokenEnv)
	case k.tlog && !k.keyless && key == "":
		return "", usagef("--tlog-upload needs %s or --keyless", keyFlag)
	case !k.keyless && (fs.Changed("fulcio-url") || fs.Changed("identity-token")):
		return "", usagef("--fulcio-url and --identity-token need --keyless")
	case !k.tlog && fs.Changed("rekor-url"):
		return "", usagef("--rekor-url needs --tlog-upload")
	}
	return token, nil
}

// signer asks Fulcio for a certificate (--keyless) or loads key, and
// with --tlog-upload logs to Rekor. Errors may hold token: cut it out
// with redactSecret.
func (k *keylessFlags) signer(ctx context.Context, g *globals, key, token string) (signingKey, error) {
	hc := &http.Client{Timeout: time.Minute}
	var sv signingKey
	var err error
	if k.keyless {
		sv, err = signing.KeylessSigner(ctx, signing.KeylessOptions{FulcioURL: k.fulcioURL, IdentityToken: token, Client: hc})
	} else {
		sv, err = loadSigningKey(ctx, g, key)
	}
	if err != nil {
		return nil, err
	}
	if k.tlog {
		sv.Rekor = &signing.Rekor{URL: k.rekorURL, Client: hc}
	}
	return sv, nil
}

// redactSecret keeps secret (an identity token) out of an error's message.
func redactSecret(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "****"))
}

// signingOptions are the registry options of sign and verify: the
// registry client (keychain, TLS, plain-HTTP guard, retries, timeouts)
// of every other registry command, without push's progress display.
func signingOptions(g *globals, po manifests.PushOptions) signing.Options {
	po.Progress = nil
	return signing.Options{Registry: po, Log: g.Log}
}
