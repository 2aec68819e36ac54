package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/spf13/pflag"
)

// configCommands are the commands defined in config.go.
func configCommands() []*command {
	return []*command{
		{
			Name:    "config",
			Summary: "print the merged configuration (after extends) and its digest",
			Usage:   "config [flags] CONFIG",
			Long: `Loads CONFIG strictly, follows its extends chain, validates the result and
prints the fully merged configuration: TOML by default (every default written
out, local key paths made absolute, a password in a baseurl printed as
xxxxx; it loads back to the same digest), or JSON with
--json. --digest prints only the configuration digest that lockfiles record.
Every problem found is printed as FILE:LINE: KEY: MESSAGE.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				asJSON := fs.Bool("json", false, "print JSON instead of TOML")
				digestOnly := fs.Bool("digest", false, "print only the digest of the merged configuration")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("config takes one CONFIG file, got %d arguments", len(args))
					}
					if *asJSON && *digestOnly {
						return usagef("--json and --digest cannot be used together")
					}
					c, err := config.Load(ctx, args[0], config.WithLogger(g.Log))
					if err != nil {
						return configError(g, err)
					}
					if *digestOnly {
						fmt.Fprintln(g.Stdout, c.Digest())
						return nil
					}
					var out []byte
					if *asJSON {
						out, err = c.JSON()
					} else {
						out, err = c.TOML()
					}
					if err != nil {
						return err
					}
					_, err = g.Stdout.Write(out)
					return err
				}
			},
		},
	}
}

// configError prints each problem of a configuration on its own line.
func configError(g *globals, err error) error {
	var multi interface{ Unwrap() []error }
	if !errors.As(err, &multi) || len(multi.Unwrap()) < 2 {
		return err
	}
	for _, e := range multi.Unwrap() {
		fmt.Fprintf(g.Stderr, "slipway: %s\n", e)
	}
	return &exitError{code: 1}
}
