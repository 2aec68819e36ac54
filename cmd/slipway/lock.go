package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/internal/localfile"
)

// lockCommands are the commands defined in lock.go.
func lockCommands() []*command {
	return []*command{
		{
			Name:    "lock",
			Summary: "write the lockfile of a configuration, or check that it is current",
			Usage:   "lock [flags] CONFIG",
			Long: `Resolves every configured architecture and writes the lockfile beside
	CONFIG (CONFIG with its extension replaced by .lock): for each architecture
	every package's name, epoch, version, release, arch, repository id, location,
	checksum and size, plus the digest of the merged configuration. The file is
	sorted and stable, so a package update is a small diff.

	With --check nothing is written: slipway exits 0 when the lockfile is current
	and 1, saying why, when it is stale (the configuration changed, an
	architecture was added or dropped, a locked package is gone from its
	repository, or — with [image] base — the base's reference now names
	another image for an architecture than the one locked). A newer package in
	the repositories does not make the lockfile stale: the locked one can still
	be built.

	With [image] base, each architecture also records "base", the digest of
	the base's image for that platform; only the added packages are listed.
	'slipway build --locked' then reads the base by that digest (a registry
	base), whatever its tag names now, or refuses a base (an OCI layout) whose
	image is no longer the locked one.

	With --check --updates, slipway also resolves the configuration against the
	current metadata and exits 1 when the result differs from the lock: it
	prints the table 'slipway diff LOCKFILE CONFIG' prints (upgraded, downgraded,
	added and removed packages, per architecture) and, for each upgraded
	package, the advisories (updateinfo.xml) its new version fixes: id, type,
	severity and CVE ids. --json prints one JSON document instead. Use it in a
	scheduled job to rebuild only when something changed (see docs/ci.md).

	Exit codes of --check (with or without --updates): 0 the lockfile is current
	(and, with --updates, the resolution gives the locked packages); 1 it is
	stale or, with --updates, the resolution differs; 2 usage errors; any other
	failure (a repository that cannot be read) is 1 with an error message.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				check := fs.Bool("check", false, "check the lockfile instead of writing it; exit 1 when stale")
				lockPath := fs.String("lockfile", "", "lockfile `PATH` (default: CONFIG with the extension .lock)")
				updates := fs.Bool("updates", false, "with --check: also resolve against the current metadata and exit 1 when packages changed, printing the diff and the advisories of upgraded packages")
				asJSON := fs.Bool("json", false, "with --check: print one JSON document")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("lock takes one CONFIG file, got %d arguments", len(args))
					}
					if (*updates || *asJSON) && !*check {
						return usagef("--updates and --json go with --check")
					}
					cfg, err := loadConfig(ctx, g, args[0], nil)
					if err != nil {
						return err
					}
					path := *lockPath
					if path == "" {
						path = defaultLockPath(args[0])
					}
					opts := builderOptions(g, cfg)
					if *check {
						data, err := localfile.ReadFile(path, "lockfile", localfile.ConfigLimit)
						if err != nil {
							return err
						}
						l, err := lock.Parse(data, path)
						if err != nil {
							return err
						}
						if *updates || *asJSON {
							return checkUpdates(ctx, g, cfg, l, args[0], path, *updates, *asJSON, opts)
						}
						err = builder.CheckLock(ctx, cfg, l, opts)
						var stale *lock.Stale
						if errors.As(err, &stale) {
							fmt.Fprintf(g.Stderr, "slipway: %s is stale:\n", path)
							for _, r := range stale.Reasons {
								fmt.Fprintf(g.Stderr, "  %s\n", r)
							}
							fmt.Fprintf(g.Stderr, "Run 'slipway lock %s' to update it.\n", args[0])
							return &exitError{code: 1}
						}
						if err != nil {
							return err
						}
						if !g.Quiet {
							fmt.Fprintf(g.Stdout, "%s is current\n", path)
						}
						return nil
					}
					res, err := builder.ResolveAll(ctx, cfg, nil, opts)
					if err != nil {
						return resolveError(g, err)
					}
					data, err := builder.NewLock(cfg, res).Marshal()
					if err != nil {
						return err
					}
					if err := writeFileAtomic(path, data, 0o644); err != nil {
						return fmt.Errorf("writing lockfile: %w", err)
					}
					if !g.Quiet {
						n := 0
						for _, r := range res {
							n += len(r.Packages)
						}
						fmt.Fprintf(g.Stdout, "wrote %s: %d packages for %s\n", path, n, strings.Join(cfg.Image.Architectures, ", "))
					}
					return nil
				}
			},
		},
	}
}

// defaultLockPath is the config path with its extension replaced by .lock.
func defaultLockPath(configPath string) string {
	ext := filepath.Ext(configPath)
	return strings.TrimSuffix(configPath, ext) + ".lock"
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a failure never leaves a half-written file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
