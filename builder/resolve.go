// Package builder orchestrates slipway's pipeline: from a configuration to
// the repositories' metadata, a resolved package set per architecture, a
// lockfile and (in later stages) layers, images and an index. It holds no
// format knowledge of its own; the packages below it do the work.
package builder

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/rpmmeta"
)

// Options are what the command line hands the builder.
type Options struct {
	// Log receives progress and debug messages; nil discards them.
	Log *slog.Logger
	// Repo is passed to every repository load (cache dir, HTTP client,
	// credentials, retries).
	Repo []repo.Option
	// Base says how a configuration's [image] base is read.
	Base BaseOptions
}

func (o Options) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// Resolution is the resolved package set of one architecture.
type Resolution struct {
	Arch string
	// Packages is the installed set with its repository data, in the
	// order of Result.Packages (sorted by name, then arch).
	Packages []*repo.Package
	Result   *solve.Result
	// Set is the metadata the resolution was made from.
	Set *repo.Set

	base *baseImage // the base image resolved on ([image] base), or nil
}

// RepoConfigs turns the configuration's repositories into the repository
// client's form for one architecture ($releasever and $basearch expanded).
func RepoConfigs(cfg *config.Config, arch string) []repo.Config {
	out := make([]repo.Config, 0, len(cfg.Repositories))
	for _, r := range cfg.Repositories {
		out = append(out, repo.Config{
			ID:           r.ID,
			BaseURL:      cfg.RepoURL(r, arch),
			GPGKeys:      cfg.GPGKeyURLs(r, arch),
			GPGCheck:     r.GPGCheck,
			RepoGPGCheck: r.RepoGPGCheck,
			Priority:     r.Priority,
			IncludePkgs:  r.IncludePkgs,
			ExcludePkgs:  r.ExcludePkgs,
		})
	}
	return out
}

// LoadRepos loads the metadata of every configured repository for arch,
// with filelists when a file dependency needs them.
func LoadRepos(ctx context.Context, cfg *config.Config, arch string, opts Options) (*repo.Set, error) {
	set, err := repo.Load(ctx, RepoConfigs(cfg, arch), arch, opts.Repo...)
	if err != nil {
		return nil, fmt.Errorf("loading repositories for %s: %w", arch, err)
	}
	if path, ok := needsFilelists(set, cfg.Packages.Install); ok {
		opts.log().Debug("loading filelists", "arch", arch, "because", path)
		if err := set.LoadFilelists(ctx); err != nil {
			return nil, fmt.Errorf("loading filelists for %s (needed for %s): %w", arch, path, err)
		}
	}
	return set, nil
}

// Resolve resolves the configuration's request for one architecture.
func Resolve(ctx context.Context, cfg *config.Config, arch string, opts Options) (*Resolution, error) {
	set, err := LoadRepos(ctx, cfg, arch, opts)
	if err != nil {
		return nil, err
	}
	return ResolveSet(ctx, cfg, set, opts)
}

// ResolveSet resolves the configuration's request against loaded metadata.
func ResolveSet(ctx context.Context, cfg *config.Config, set *repo.Set, opts Options) (*Resolution, error) {
	if cfg.Image.Base != "" {
		return resolveOnBase(ctx, cfg, set, opts)
	}
	cands := make([]solve.Candidate, len(set.Packages))
	byMeta := make(map[*rpmmeta.Package]*repo.Package, len(set.Packages))
	for i, p := range set.Packages {
		cands[i] = solve.Candidate{Pkg: &p.Package, Repo: p.Repo, Priority: p.Priority}
		byMeta[&p.Package] = p
	}
	req := solve.Request{
		Arch:             set.Arch,
		Install:          cfg.Packages.Install,
		Exclude:          cfg.Packages.Exclude,
		AllowUnsatisfied: cfg.Packages.AllowUnsatisfied,
		WeakDeps:         cfg.Packages.WeakDeps,
	}
	res, err := solve.Solve(ctx, opts.log(), req, cands)
	if err != nil {
		return nil, fmt.Errorf("resolving %s for %s: %w", cfg.Image.Name, set.Arch, err)
	}
	r := &Resolution{Arch: set.Arch, Result: res, Set: set, Packages: make([]*repo.Package, len(res.Packages))}
	for i, c := range res.Packages {
		r.Packages[i] = byMeta[c.Pkg]
	}
	return r, nil
}

// ResolveAll resolves every configured architecture (or only those in
// arches), concurrently; results are in the order of the arches asked for.
func ResolveAll(ctx context.Context, cfg *config.Config, arches []string, opts Options) ([]*Resolution, error) {
	if len(arches) == 0 {
		arches = cfg.Image.Architectures
	}
	results := make([]*Resolution, len(arches))
	errs := make([]error, len(arches))
	done := make(chan struct{})
	for i, a := range arches {
		go func() {
			defer func() { done <- struct{}{} }()
			results[i], errs[i] = Resolve(ctx, cfg, a, opts)
		}()
	}
	for range arches {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// needsFilelists reports whether some file dependency (of a package, or of
// the request) names a path that primary.xml does not answer; primary
// lists only files under /etc and in *bin/ directories.
func needsFilelists(set *repo.Set, install []string) (string, bool) {
	known := make(map[string]struct{})
	for _, p := range set.Packages {
		for _, f := range p.Files {
			known[f] = struct{}{}
		}
		for _, d := range p.Provides {
			if d.IsFile() {
				known[d.Name] = struct{}{}
			}
		}
	}
	missing := func(dep string) (string, bool) {
		for _, path := range filePaths(dep) {
			if _, ok := known[path]; !ok {
				return path, true
			}
		}
		return "", false
	}
	for _, s := range install {
		if p, ok := missing(s); ok {
			return p, true
		}
	}
	for _, p := range set.Packages {
		for _, deps := range [][]rpmmeta.Dep{p.Requires, p.Recommends, p.Supplements, p.Conflicts} {
			for _, d := range deps {
				if !d.IsFile() && !d.IsRich() {
					continue
				}
				if path, ok := missing(d.Name); ok {
					return path, true
				}
			}
		}
	}
	return "", false
}

// filePaths returns the file paths a dependency (plain or rich) names.
func filePaths(dep string) []string {
	// A request may also be a glob on paths, "/usr/share/doc/x-*" or
	// "*/webctl" (dnf's file specs): neither is a known path, so
	// filelists get loaded for it.
	if strings.HasPrefix(dep, "/") || strings.HasPrefix(dep, "*/") {
		if i := strings.IndexByte(dep, ' '); i >= 0 {
			dep = dep[:i]
		}
		return []string{dep}
	}
	if !strings.HasPrefix(dep, "(") {
		return nil
	}
	var out []string
	for _, tok := range strings.FieldsFunc(dep, func(r rune) bool { return r == ' ' || r == '(' || r == ')' }) {
		if strings.HasPrefix(tok, "/") {
			out = append(out, tok)
		}
	}
	return out
}
