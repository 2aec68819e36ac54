package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/signing"
)

// The environment variables that give registry credentials for every
// registry, ahead of docker's config.json and credential helpers.
const (
	registryUserEnv     = "SLIPWAY_REGISTRY_USERNAME"
	registryPasswordEnv = "SLIPWAY_REGISTRY_PASSWORD"
)

// registryHelp says how registries are reached and how a push proceeds;
// registryReadHelp, the first part, is for commands that only read.
const registryHelp = registryReadHelp + `

The push never exposes a partial image: all blobs first (those the registry
has are skipped), then each architecture's manifest by digest, then the
index by digest, and only then the tags. A failure or interruption before
the tags leaves no new tag. 408, 429, 5xx answers and broken connections
are retried with backoff.`

const registryReadHelp = `Credentials come from SLIPWAY_REGISTRY_USERNAME and SLIPWAY_REGISTRY_PASSWORD
when set (for every registry), otherwise from docker's config.json
($DOCKER_CONFIG or ~/.docker) and its credential helpers. Plain HTTP is used
only for loopback registries (127.0.0.0/8, ::1, localhost) and those named
with --insecure-registry.

TLS certificates are checked against the system's CAs (SSL_CERT_FILE,
SSL_CERT_DIR), every --registry-ca-file, and the registry's certs.d folder
as docker and podman read it: /etc/docker/certs.d/HOST:PORT (or HOST),
/etc/containers/certs.d/..., and for non-root users
$XDG_CONFIG_HOME/containers/certs.d/... (~/.config); *.crt files there are
CAs, NAME.cert with NAME.key a client certificate.
SLIPWAY_REGISTRY_CERTS_DIRS (folders separated by ':') replaces that list.`

// pushOptions are the push options of the flags and the environment.
// The first call of a run reads the CA files (failing on a bad one) and
// warns about --registry-skip-tls-verify.
func (r *registryFlags) pushOptions(g *globals, jobs int) (manifests.PushOptions, error) {
	if r.tls == nil {
		t, err := manifests.NewRegistryTLS(manifests.TLSOptions{
			CertsDirs: registryCertsDirs(g.Getenv, os.Geteuid()), CAFiles: r.caFiles, SkipVerify: r.skipVerify,
		})
		if err != nil {
			return manifests.PushOptions{}, err
		}
		r.tls = t
		if r.skipVerify {
			fmt.Fprintln(g.Stderr, "slipway: WARNING: --registry-skip-tls-verify: registry TLS certificates are NOT checked; anyone on the way can read the credentials and change what is pushed or pulled")
		}
	}
	if jobs == 0 {
		jobs = r.jobs
	}
	timeout := r.timeout
	if timeout == 0 {
		timeout = -1 // the flag's 0 is "never"
	}
	return manifests.PushOptions{
		Keychain: keychain(g),
		Insecure: r.insecure,
		Jobs:     jobs,
		Timeout:  timeout,
		TLS:      r.tls,
		Log:      g.Log,
	}, nil
}

// setBase gives the build's [image] base reads the registry options of
// the flags (--insecure-registry, CA files, certs.d, skip-verify,
// timeout), as publish and inspect use them.
func (r *registryFlags) setBase(g *globals, opts *builder.Options) error {
	po, err := r.pushOptions(g, 0)
	if err != nil {
		return err
	}
	opts.Base.Registry = po
	return nil
}

// registryCertsDirs are the certs.d folders read for a registry's CAs and
// client certificates: SLIPWAY_REGISTRY_CERTS_DIRS when set, otherwise
// podman's folder of a non-root user, docker's and podman's.
func registryCertsDirs(getenv func(string) string, euid int) []string {
	if v := getenv(registryCertsDirsEnv); v != "" {
		return filepath.SplitList(v)
	}
	var dirs []string
	if euid != 0 {
		cfg := getenv("XDG_CONFIG_HOME")
		if cfg == "" && getenv("HOME") != "" {
			cfg = filepath.Join(getenv("HOME"), ".config")
		}
		if cfg != "" {
			dirs = append(dirs, filepath.Join(cfg, "containers", "certs.d"))
		}
	}
	return append(dirs, "/etc/docker/certs.d", "/etc/containers/certs.d")
}

// parseTags reads every reference, before anything is built. An invalid
// one is a failure (exit 1), like a registry that refuses the push.
func (r *registryFlags) parseTags(flag string, list []string) ([]name.Reference, error) {
	out := make([]name.Reference, len(list))
	for i, s := range list {
		ref, err := manifests.ParseReference(s, r.insecure)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		out[i] = ref
	}
	return out, nil
}

// keychain is the environment's credentials, then docker's.
func keychain(g *globals) authn.Keychain {
	if u := g.Getenv(registryUserEnv); u != "" {
		return authn.NewMultiKeychain(envKeychain{authn.FromConfig(authn.AuthConfig{
			Username: u, Password: g.Getenv(registryPasswordEnv),
		})}, authn.DefaultKeychain)
	}
	return authn.DefaultKeychain
}

type envKeychain struct{ auth authn.Authenticator }

func (k envKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }

// redact keeps the registry password out of an error's message: see
// redactMessage.
func redact(g *globals, err error) error {
	if err == nil {
		return nil
	}
	msg := redactMessage(err.Error(), g.Getenv(registryUserEnv), g.Getenv(registryPasswordEnv))
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// publishCommands are the commands defined in publish.go.
func publishCommands() []*command {
	return []*command{
		{
			Name:    "publish",
			Summary: "build the image of a configuration and push it to registries",
			Usage:   "publish [flags] CONFIG --tag REGISTRY/REPO:TAG...",
			Long: `Builds CONFIG like 'slipway build' (every architecture, one index) and pushes
it under every --tag; with --arch-tags each architecture's image is also
tagged TAG-amd64, TAG-arm64. Every --tag is checked, and each registry is
asked whether the credentials may push, before anything is built. The
configuration's [policy] is enforced as 'slipway build' does: an image that
breaks it is not pushed (no blob, no tag) and not signed; exit 1.

With --sign-key, or --keyless --tlog-upload (an ephemeral key certified
by Fulcio for the identity in an OIDC token: --identity-token or
SIGSTORE_ID_TOKEN, as CI systems provide), the pushed index and every
image are signed in each repository, as 'slipway sign' does, with the
SBOMs (and --provenance) attached as attestations. --tlog-upload logs
every signature and attestation in Rekor (public and permanent), as
cosign does; off by default.

--notation-key and --notation-cert add Notary Project signatures of the
index and every image, as 'slipway sign' makes them. --sbom-format
(repeatable: spdx-json, cyclonedx-json) chooses the SBOMs written to
--sbom-dir and attested; --new-bundle-format attests in the sigstore
bundle format. With --json, "signed" says per repository what was signed.
--output also writes the image to an OCI layout or docker archive, as
'slipway build' does; every --output is written before the push, so a
failing one leaves no new tag.

The result says per repository what was uploaded and what the registry
already had, as 'slipway push' prints it ("repositories" with --json).

` + registryHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				bf := addBuildFlags(fs)
				rf := addRegistryFlags(fs, false)
				arch := fs.String("arch", "", "build only this architecture")
				tagList := fs.StringArrayP("tag", "t", nil, "push to `REGISTRY/REPO:TAG` (repeatable, at least one)")
				archTags := fs.Bool("arch-tags", false, "also tag each architecture's image as TAG-ARCH (TAG-amd64, TAG-arm64)")
				outList := fs.StringArrayP("output", "o", nil, "also write the image to oci:DIR[:TAG] or docker-archive:FILE[:REF], before any tag is set (repeatable)")
				sf := addSBOMFlags(fs, true)
				kf := addKeylessFlags(fs, "--sign-key")
				nf := addNotaryFlags(fs)
				modeFlag := addReferrersModeFlag(fs)
				eolFlag := fs.String("end-of-life", "", "attach a lifecycle referrer with this end-of-life `DATE` (YYYY-MM-DD or RFC 3339) to the pushed index in every repository")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("publish takes one CONFIG file, got %d arguments", len(args))
					}
					var eol time.Time
					if *eolFlag != "" {
						var err error
						if eol, err = manifests.ParseEndOfLife(*eolFlag); err != nil {
							return usagef("--end-of-life: %s", err)
						}
					}
					token, err := kf.check(fs, g, "--sign-key", sf.signKey)
					if err != nil {
						return err
					}
					signs := sf.signKey != "" || kf.keyless
					if sf.provenance && !signs {
						return usagef("--provenance needs --sign-key or --keyless")
					}
					if sf.bundleFormat && !signs {
						return usagef("--new-bundle-format needs --sign-key or --keyless")
					}
					formats, err := sf.sbomFormats()
					if err != nil {
						return err
					}
					if len(formats) > 0 && !signs && sf.dir == "" {
						return usagef("--sbom-format needs --sbom-dir, --sign-key or --keyless")
					}
					envelope, err := nf.check(fs)
					if err != nil {
						return err
					}
					mode, err := referrersMode(*modeFlag)
					if err != nil {
						return err
					}
					if fs.Changed("registry-referrers-mode") && !signs {
						return usagef("--registry-referrers-mode needs --sign-key or --keyless")
					}
					if kf.keyless { // a token that cannot work fails before the build
						if err := signing.CheckIdentityToken(token); err != nil {
							return fmt.Errorf("identity token: %w", err)
						}
					}
					if err := checkKeyRef(sf.signKey); err != nil {
						return err
					}
					if len(*tagList) == 0 {
						return usagef("publish needs at least one --tag REGISTRY/REPO:TAG")
					}
					tags, err := rf.parseTags("--tag", *tagList)
					if err != nil {
						return err
					}
					var outputs []manifests.Output
					for _, o := range *outList {
						out, err := manifests.ParseOutput(o)
						if err != nil || out.Kind == manifests.Registry {
							return usagef("--output %q: want oci:DIR[:TAG] or docker-archive:FILE[:REF] (registries are --tag)", o)
						}
						if out.Kind == manifests.OCILayout {
							if err := manifests.CheckOCILayout(out.Path); err != nil {
								return err // refused before anything is built
							}
						}
						outputs = append(outputs, out)
					}
					po, err := rf.pushOptions(g, bf.jobs)
					if err != nil {
						return err
					}
					po.ArchTags = *archTags
					b, err := bf.prepare(ctx, g, args[0], *arch)
					if err != nil {
						return err
					}
					defer b.cleanup()
					if err := rf.setBase(g, &b.opts.Options); err != nil {
						return err
					}
					for _, o := range outputs {
						if o.Kind == manifests.DockerArchive && len(b.opts.Arches) != 1 {
							return usagef("a docker-archive holds one image: pass --arch (configured: %s)", strings.Join(b.opts.Arches, ", "))
						}
					}
					if err := bf.previousPlan(ctx, g, rf, b, tags[0]); err != nil {
						return redact(g, err)
					}
					var sv signingKey
					if sf.signKey != "" { // a wrong password fails before the build
						if sv, err = kf.signer(ctx, g, sf.signKey, ""); err != nil {
							return err
						}
						sv.Mode = mode
					}
					notary, err := nf.load(g) // a bad chain fails before the build
					if err != nil {
						return err
					}
					if err := manifests.CheckPush(ctx, tags, po); err != nil {
						return redact(g, err)
					}
					prog, builds, start, built, err := buildWithProgress(ctx, g, b, &po)
					if err != nil {
						return err // the display is closed
					}
					defer prog.Close()
					pubOpts := builder.PublishOptions{
						Outputs: outputs, Tags: tags, Registry: po, SBOMFormats: formats, SBOMDir: sf.dir,
						BundleFormat: sf.bundleFormat, Notary: notary, NotaryEnvelope: envelope,
						EndOfLife: eol, Log: g.Log,
					}
					if sf.provenance {
						pubOpts.Provenance = &signing.ProvenanceInput{Version: version}
					}
					if signs {
						pubOpts.Signer = func(ctx context.Context) (*signing.Signer, error) {
							prog.Close() // the push is done; signing prints no bars
							if !kf.keyless {
								return sv, nil
							}
							// The certificate is asked for after the build and
							// push: it is valid for minutes, and every signature
							// and attestation must be logged within them.
							s, err := kf.signer(ctx, g, "", token)
							if err != nil {
								return nil, err
							}
							s.Mode = mode
							return s, nil
						}
					}
					out := manifests.Output{Kind: manifests.Registry, Ref: tags[0].String()}
					res, _, err := publish(ctx, b, out.String(), builds, pubOpts)
					prog.Close()
					if err != nil {
						return redactSecret(redact(g, err), token)
					}
					prog.pushedRepos(res.Uploads)
					printSigned(g, res.Signed)
					res.timed(start, built)
					if bf.asJSON {
						return writeJSON(g.Stdout, res)
					}
					printBuild(g, res, builds)
					return nil
				}
			},
		},
		{
			Name:    "push",
			Summary: "push an image or index from an OCI layout to registries",
			Usage:   "push [flags] oci:DIR[:TAG] REGISTRY/REPO:TAG...",
			Long: `Pushes the image or index an earlier 'slipway build --output oci:DIR[:TAG]'
wrote under every reference. Without TAG the layout must hold one image or
index; the layout of one build (its index, and each architecture's image as
TAG-ARCH) counts as its index.

Prints per repository "pushed REPO: uploaded N blobs (SIZE), skipped M
already there (SIZE)" (blobs, layers and configs, the repository already
had or mounted from another are not uploaded), then "pushed TAG" per tag
and "digest DIGEST". --json prints {"digest", "tags", "repositories": [
{"repository", "uploaded_blobs", "uploaded_bytes", "skipped_blobs",
"skipped_bytes"}]}. Progress goes to stderr as for 'slipway build': bars on
a terminal, otherwise "pushed REPO (SIZE)" per repository.

` + registryHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				rf := addRegistryFlags(fs, true)
				archTags := fs.Bool("arch-tags", false, "also tag each architecture's image as TAG-ARCH (TAG-amd64, TAG-arm64)")
				asJSON := fs.Bool("json", false, "print the result as one JSON document")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) < 2 {
						return usagef("push takes oci:DIR[:TAG] and at least one REGISTRY/REPO:TAG")
					}
					if !strings.HasPrefix(args[0], "oci:") {
						return usagef("push: the source must be oci:DIR[:TAG], got %q", args[0])
					}
					if rf.jobs < 1 {
						return usagef("--jobs must be at least 1")
					}
					src, err := manifests.ParseSource(args[0], rf.insecure)
					if err != nil {
						return usagef("%s", err)
					}
					tags, err := rf.parseTags("push", args[1:])
					if err != nil {
						return err
					}
					po, err := rf.pushOptions(g, 0)
					if err != nil {
						return err
					}
					po.ArchTags = *archTags
					artifact, err := src.Load(ctx, po)
					if err != nil {
						return err
					}
					if err := manifests.CheckPush(ctx, tags, po); err != nil {
						return redact(g, err)
					}
					prog := newProgress(ctx, g)
					defer prog.Close()
					po.Progress = prog.pushProgress()
					res, err := manifests.Push(ctx, artifact, tags, po)
					prog.Close()
					if err != nil {
						return redact(g, err)
					}
					prog.pushedRepos(res.Repositories)
					return printPush(g, *asJSON, res)
				}
			},
		},
	}
}

// printSigned says, on stderr, what the publish step signed per
// repository.
func printSigned(g *globals, signed []builder.RepoSigned) {
	if g.Quiet {
		return
	}
	for _, r := range signed {
		if r.Cosign != nil {
			fmt.Fprintf(g.Stderr, "signed %d manifests in %s, %d attestations\n", len(r.Cosign.Targets), r.Repository, r.Cosign.Attestations)
		}
		if len(r.Notary) > 0 {
			added := 0
			for _, n := range r.Notary {
				if !n.Existing {
					added++
				}
			}
			fmt.Fprintf(g.Stderr, "notation: %d manifests in %s, %d new signatures\n", len(r.Notary), r.Repository, added)
		}
	}
}

type pushJSON struct {
	Digest       string               `json:"digest"`
	Tags         []string             `json:"tags"`
	Repositories []manifests.RepoPush `json:"repositories"`
}

func printPush(g *globals, asJSON bool, res *manifests.PushResult) error {
	if asJSON {
		return writeJSON(g.Stdout, newPushJSON(res))
	}
	if g.Quiet {
		return nil
	}
	printUploads(g.Stdout, res.Repositories)
	for _, t := range res.Tags {
		fmt.Fprintf(g.Stdout, "pushed %s\n", t)
	}
	fmt.Fprintf(g.Stdout, "digest %s\n", res.Digest)
	return nil
}
