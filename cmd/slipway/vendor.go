package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
)

// vendorCommands are the commands defined in vendor.go.
func vendorCommands() []*command {
	return []*command{
		{
			Name:    "vendor",
			Summary: "copy every locked package and signing key into a folder",
			Usage:   "vendor [flags] CONFIG --dir DIR",
			Long: `Copies every package of CONFIG's lockfile (written by 'slipway lock'), for
every architecture, into DIR as CHECKSUM.rpm, checking each checksum, and
the signing keys of repositories with gpgcheck into DIR/keys. Then
'slipway build --locked --vendor-dir DIR' rebuilds the same image with no
network and no repository, even after the repositories dropped those
packages. Files already in DIR with the right checksum are kept. Every
write stays inside DIR: a symbolic link in it that leads outside (DIR/keys
linked elsewhere) is refused, and so is a lockfile whose architecture or
repository names are not plain names.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				dir := fs.String("dir", "", "the vendor `DIR` (required)")
				lockPath := fs.String("lockfile", "", "lockfile `PATH` (default: CONFIG with the extension .lock)")
				jobs := fs.Int("jobs", 4, "parallel package downloads")
				offline := fs.Bool("offline", false, "use only packages already in the cache")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("vendor takes one CONFIG file, got %d arguments", len(args))
					}
					if *dir == "" {
						return usagef("vendor needs --dir DIR")
					}
					if *jobs < 1 {
						return usagef("--jobs must be at least 1")
					}
					cfg, err := loadConfig(ctx, g, args[0], nil)
					if err != nil {
						return err
					}
					l, err := readLock(cfg, args[0], *lockPath)
					if err != nil {
						return err
					}
					res, err := builder.Vendor(ctx, cfg, l, *dir, builder.BuildOptions{
						Options: builderOptions(g, cfg), Jobs: *jobs, Offline: *offline,
					})
					if err != nil {
						return err
					}
					if !g.Quiet {
						fmt.Fprintf(g.Stdout, "%s: %d packages (%d copied, %s), %d keyrings\n",
							*dir, res.Packages, res.Copied, humanBytes(res.Bytes), res.Keys)
					}
					return nil
				}
			},
		},
	}
}
