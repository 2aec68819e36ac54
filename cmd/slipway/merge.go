package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/manifests"
)

// mergeCommands are the commands defined in merge.go.
func mergeCommands() []*command {
	return []*command{
		{
			Name:    "merge",
			Summary: "merge single-architecture builds into one multi-arch index",
			Usage:   "merge [flags] --output oci:DIR[:TAG]|docker://REGISTRY/REPO:TAG SRC...",
			Long: `Reads the images of every SRC (oci:DIR[:TAG], or a registry reference such as
registry.example.com/repo:tag-amd64), typically 'slipway build --arch X'
results made on separate runners, and writes one index of them. Images
built from different configurations or lockfiles (their
dev.slipway.config.digest and dev.slipway.lock.digest annotations) are
refused, and so are two images of one platform. The index is the one a
single build of every architecture writes, digest for digest.

Prints each platform's digest and the index's; a docker:// output also
says per repository what was uploaded and skipped, as 'slipway push' does.
--json prints {"digest", "tags", "repositories"}, the lists empty for an
oci: output.

` + registryHelp,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				rf := addRegistryFlags(fs, true)
				output := fs.StringP("output", "o", "", "where to write the index: oci:DIR[:TAG] or docker://REGISTRY/REPO:TAG (required)")
				archTags := fs.Bool("arch-tags", false, "with a docker:// output, also tag each architecture's image as TAG-ARCH")
				asJSON := fs.Bool("json", false, "print the result as one JSON document")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) == 0 {
						return usagef("merge needs at least one SRC")
					}
					if *output == "" {
						return usagef("merge needs --output oci:DIR[:TAG] or docker://REGISTRY/REPO:TAG")
					}
					if rf.jobs < 1 {
						return usagef("--jobs must be at least 1")
					}
					out, err := manifests.ParseOutput(*output)
					if err != nil {
						return err
					}
					if out.Kind == manifests.DockerArchive {
						return usagef("merge writes an index: --output must be oci: or docker://")
					}
					if out.Kind == manifests.OCILayout {
						if err := manifests.CheckOCILayout(out.Path); err != nil {
							return err
						}
					}
					var tags []name.Reference
					if out.Kind == manifests.Registry {
						if tags, err = rf.parseTags("--output", []string{out.Ref}); err != nil {
							return err
						}
					}
					srcs := make([]manifests.Source, len(args))
					for i, a := range args {
						if srcs[i], err = manifests.ParseSource(a, rf.insecure); err != nil {
							return usagef("%s", err)
						}
					}
					po, err := rf.pushOptions(g, 0)
					if err != nil {
						return err
					}
					po.ArchTags = *archTags
					names := make([]string, len(srcs))
					images := make([][]manifests.ArchImage, len(srcs))
					for i, s := range srcs {
						names[i] = s.String()
						a, err := s.Load(ctx, po)
						if err != nil {
							return redact(g, err)
						}
						if images[i], err = manifests.ArchImages(a); err != nil {
							return fmt.Errorf("%s: %w", s, err)
						}
					}
					idx, all, err := manifests.Merge(names, images)
					if err != nil {
						return err
					}
					d, err := idx.Digest()
					if err != nil {
						return err
					}
					res := &manifests.PushResult{Digest: d}
					switch out.Kind {
					case manifests.OCILayout:
						if err := manifests.WriteOCILayout(out.Path, out.Ref, idx, all); err != nil {
							return err
						}
					case manifests.Registry:
						if err := manifests.CheckPush(ctx, tags, po); err != nil {
							return redact(g, err)
						}
						prog := newProgress(ctx, g)
						defer prog.Close()
						po.Progress = prog.pushProgress()
						res, err = manifests.Push(ctx, idx, tags, po)
						prog.Close()
						if err != nil {
							return redact(g, err)
						}
						prog.pushedRepos(res.Repositories)
					}
					if *asJSON {
						return writeJSON(g.Stdout, newPushJSON(res))
					}
					if !g.Quiet {
						printUploads(g.Stdout, res.Repositories)
						for _, ai := range all {
							p, _ := manifests.Platform(ai.Arch)
							dd, _ := ai.Image.Digest()
							fmt.Fprintf(g.Stdout, "%-16s %s\n", p.String(), dd)
						}
						fmt.Fprintf(g.Stdout, "%-16s %s\nwrote %s\n", "index", d, out)
					}
					return nil
				}
			},
		},
	}
}
