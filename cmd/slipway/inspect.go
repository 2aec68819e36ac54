package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/manifests/inspect"
	"github.com/slipway-build/slipway/signing"
)

// inspectCommands are the commands defined in inspect.go.
func inspectCommands() []*command {
	return []*command{
		{
			Name:    "inspect",
			Summary: "show an image's platforms, digests, config and installed packages",
			Usage:   "inspect [flags] oci:DIR[:TAG]|docker-archive:FILE[:REF]|REGISTRY/REPO:TAG",
			Long: `Reads an image or index back from an OCI layout, a docker archive (docker
save, build --output docker-archive:) or a registry and prints, for each
platform: the manifest digest, sizes, layers (with the packages each one
holds when the origin layer strategy listed them), the image configuration
(entrypoint, cmd, env, user, workdir, labels) and the installed packages,
one name-[epoch:]version-release.arch a line (the epoch when not zero, as
resolve, why and diff print them). Packages are read from the image's rpm
database (/var/lib/rpm/rpmdb.sqlite) or, in distroless images, from
/var/lib/rpmmanifest/container-manifest-2.

Without TAG, an OCI layout must hold one image or index; the layout of one
build (its index, and each architecture's image as TAG-ARCH) counts as its
index. Untrusted images are read within bounds, each refused with an error
naming it: at most 1000 manifests in an index and 1000 layers in an image,
an rpmdb.sqlite of at most 512 MiB (an rpm manifest of 64 MiB), and at most
8 GiB decompressed from an image's layers looking for them.

With --advisories CONFIG, the advisories (updateinfo.xml) of CONFIG's
repositories that concern the installed packages follow, as 'slipway
advisories' lists them: fixed by the installed versions, or open (the
repositories hold the fix); with --json the document becomes
{"image": ..., "advisories": ...}.

With --attachments, REF must be in a registry, and what hangs off the index
and each platform's manifest is listed instead (as 'cosign tree' and
'oras discover' show it): cosign signatures and attestations (with their
predicate types), sigstore bundles, Notary Project signatures (signer
subject and envelope, read, not verified), SBOMs and the lifecycle
referrer, found through the referrers API, its fallback tag
(sha256-DIGEST) and cosign's tags (sha256-DIGEST.sig, .att, .sbom); with
--json the tree is {"reference", "manifests": [{"digest", "platform",
"attachments": [{"kind", "source", "digest", ...}]}]}. Nothing is
verified: use 'slipway verify' for that.

Registries on loopback addresses may use plain HTTP; others need
--insecure-registry. Credentials and TLS certificates (CAs, certs.d,
client certificates) are those of 'slipway publish'.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				arch := fs.String("arch", "", "only the image of this architecture (x86_64, aarch64, amd64, arm64)")
				asJSON := fs.Bool("json", false, "print one JSON document")
				noPkgs := fs.Bool("no-packages", false, "do not read the layers for the installed packages")
				advCfg := fs.String("advisories", "", "also list the advisories of the repositories of `CONFIG` that concern the installed packages")
				attachments := fs.Bool("attachments", false, "list the signatures, attestations, SBOMs and other referrers attached to a registry image and its platforms' images")
				rf := addRegistryFlags(fs, false)
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("inspect takes one image (oci:DIR[:TAG], docker-archive:FILE[:REF] or REGISTRY/REPO:TAG), got %d arguments", len(args))
					}
					if *attachments {
						if *advCfg != "" || *arch != "" {
							return usagef("--attachments lists every platform's attachments: drop --advisories and --arch")
						}
						return inspectAttachments(ctx, g, rf, args[0], *asJSON)
					}
					if *advCfg != "" && *noPkgs {
						return usagef("--advisories needs the packages: drop --no-packages")
					}
					rep, err := inspectImage(ctx, g, rf, args[0], *arch, !*noPkgs)
					if err != nil {
						return redact(g, err)
					}
					if *advCfg != "" {
						return inspectAdvisories(ctx, g, rep, args[0], *advCfg, *asJSON)
					}
					if *asJSON {
						return writeJSON(g.Stdout, rep)
					}
					printInspect(g.Stdout, rep, !*noPkgs)
					return nil
				}
			},
		},
	}
}

// inspectAttachments prints the attachment tree of the registry image
// ref.
func inspectAttachments(ctx context.Context, g *globals, rf *registryFlags, ref string, asJSON bool) error {
	if strings.HasPrefix(ref, "oci:") || strings.HasPrefix(ref, "docker-archive:") {
		return usagef("--attachments reads a registry: want REGISTRY/REPO:TAG, got %q", ref)
	}
	refs, err := rf.parseTags("inspect", []string{ref})
	if err != nil {
		return err
	}
	po, err := rf.pushOptions(g, 1)
	if err != nil {
		return err
	}
	tree, err := signing.Attachments(ctx, refs[0], signingOptions(g, po))
	if err != nil {
		return redact(g, err)
	}
	if asJSON {
		return writeJSON(g.Stdout, tree)
	}
	return tree.WriteText(g.Stdout)
}

func inspectImage(ctx context.Context, g *globals, rf *registryFlags, s, arch string, pkgs bool) (*inspect.Report, error) {
	src, err := manifests.ParseSource(s, rf.insecure)
	if err != nil {
		return nil, usagef("%v", err)
	}
	po, err := rf.pushOptions(g, 1)
	if err != nil {
		return nil, err
	}
	return inspect.Inspect(ctx, src, inspect.Options{
		Arch: arch, Packages: pkgs, Registry: po, Log: g.Log,
	})
}

func printInspect(w io.Writer, r *inspect.Report, pkgs bool) {
	fmt.Fprintf(w, "%s\n  media type: %s\n  digest: %s\n  size: %d\n", r.Source, r.MediaType, r.Digest, r.Size)
	for _, im := range r.Images {
		fmt.Fprintf(w, "\n%s", im.Platform)
		if im.OSVersion != "" {
			fmt.Fprintf(w, " (%s)", im.OSVersion)
		}
		fmt.Fprintf(w, "\n  digest: %s\n  size: %d (manifest %d, %d layers)\n  config: %s\n", im.Digest, im.Size, im.ManifestSize, len(im.Layers), im.ConfigDigest)
		if im.Config.Created != "" {
			fmt.Fprintf(w, "  created: %s\n", im.Config.Created)
		}
		fmt.Fprintf(w, "  entrypoint: %s\n  cmd: %s\n", quoteList(im.Config.Entrypoint), quoteList(im.Config.Cmd))
		user := im.Config.User
		if user == "" {
			user = "(root)"
		}
		fmt.Fprintf(w, "  user: %s\n  workdir: %s\n", user, im.Config.WorkingDir)
		for _, e := range im.Config.Env {
			fmt.Fprintf(w, "  env: %s\n", e)
		}
		keys := make([]string, 0, len(im.Config.Labels))
		for k := range im.Config.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  label: %s=%s\n", k, im.Config.Labels[k])
		}
		fmt.Fprintln(w, "  layers:")
		for _, l := range im.Layers {
			fmt.Fprintf(w, "    %s %d %s\n", l.Digest, l.Size, l.MediaType)
			switch {
			case l.Metadata:
				fmt.Fprintln(w, "      metadata: rpm database, accounts, ld.so.cache... of every package")
			case len(l.Packages) > 0:
				fmt.Fprintf(w, "      packages (%d): %s\n", len(l.Packages), strings.Join(l.Packages, " "))
			}
		}
		if !pkgs {
			continue
		}
		fmt.Fprintf(w, "  packages (%s, %d):\n", im.PackageDB, len(im.Packages))
		for _, p := range im.Packages {
			fmt.Fprintf(w, "    %s\n", p.NEVRA())
		}
	}
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
