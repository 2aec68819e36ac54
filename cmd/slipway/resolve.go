package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/policy"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/manifests"
)

// resolveCommands are the commands defined in resolve.go.
func resolveCommands() []*command {
	return []*command{
		{
			Name:    "resolve",
			Summary: "resolve the packages an image is made of, per architecture",
			Usage:   "resolve [flags] CONFIG",
			Long: `Loads the repositories' metadata and resolves [packages] install with every
	dependency, the way dnf does, without running dnf. Prints one package a line,
	name-version-release.arch sorted by name then arch, with EPOCH: before the
	version only when the epoch is not zero. Without --arch, every configured
	architecture is resolved, each block headed "# ARCH". When the request cannot
	be satisfied, slipway says why in dnf's words and exits 1.

	With [image] base, the added packages are printed first, then the packages
	the base has installed, each followed by " @base" (dnf's "@System"); 'why'
	says "installed in the base REF" for them.

	The configuration's [policy] is enforced: when the resolved set breaks a
	rule (a denied package, more packages or bytes than allowed, a repository
	without signature checks, a package the baseline does not have), slipway
	prints each violation with the rule, the file and line that set it and, for
	a package, the chain that pulled it in, and exits 1 without printing the set.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				arch := fs.String("arch", "", "resolve only this architecture (x86_64, aarch64)")
				asJSON := fs.Bool("json", false, "print one JSON document")
				repofiles := fs.StringArray("repofile", nil, "add the repositories of a dnf/yum .repo `FILE` (repeatable)")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("resolve takes one CONFIG file, got %d arguments", len(args))
					}
					defer relaxGC(g, -1)()
					cfg, err := loadConfig(ctx, g, args[0], *repofiles)
					if err != nil {
						return err
					}
					if err := policyError(g, policy.CheckRepos(cfg, cfg.Repositories)); err != nil {
						return err
					}
					arches, err := pickArches(cfg, *arch)
					if err != nil {
						return err
					}
					res, err := builder.ResolveAll(ctx, cfg, arches, builderOptions(g, cfg))
					if err != nil {
						return resolveError(g, err)
					}
					noteUnsatisfied(g.Stderr, res)
					if err := checkPolicy(ctx, g, cfg, res); err != nil {
						return err
					}
					if *asJSON {
						return writeJSON(g.Stdout, resolveJSON(cfg, res))
					}
					for i, r := range res {
						if *arch == "" {
							if i > 0 {
								fmt.Fprintln(g.Stdout)
							}
							fmt.Fprintf(g.Stdout, "# %s\n", r.Arch)
						}
						for _, p := range r.Packages {
							fmt.Fprintln(g.Stdout, p.NEVRA.String())
						}
						// [image] base: what the base has installed, as dnf marks it.
						for _, n := range r.BasePackages() {
							fmt.Fprintln(g.Stdout, n+" "+builder.BaseRepo)
						}
					}
					return nil
				}
			},
		},
		{
			Name:    "why",
			Summary: "show the dependency chains that pull a package into the image",
			Usage:   "why [flags] CONFIG PACKAGE",
			Long: `Resolves CONFIG and prints how PACKAGE (a name or a NEVRA) came to be in
	the image: the shortest chain from the request, as
	"appd -> libfoo.so.1()(64bit) -> libfoo", then every package that needs
	PACKAGE directly. A chain step through a weak dependency is marked
	"(recommends)" or "(supplements)". Exits 1 when PACKAGE is not in the image.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				arch := fs.String("arch", "", "only this architecture")
				repofiles := fs.StringArray("repofile", nil, "add the repositories of a dnf/yum .repo `FILE` (repeatable)")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 2 {
						return usagef("why takes CONFIG and PACKAGE, got %d arguments", len(args))
					}
					defer relaxGC(g, -1)()
					_, res, err := resolveConfig(ctx, g, args[0], *arch, *repofiles)
					if err != nil {
						return err
					}
					var missing []string
					for i, r := range res {
						if len(res) > 1 {
							if i > 0 {
								fmt.Fprintln(g.Stdout)
							}
							fmt.Fprintf(g.Stdout, "# %s\n", r.Arch)
						}
						if !printWhy(g.Stdout, r.Result, args[1]) {
							fmt.Fprintf(g.Stdout, "%s is not in the image\n", args[1])
							missing = append(missing, r.Arch)
						}
					}
					if len(missing) > 0 {
						return &exitError{code: 1, msg: fmt.Sprintf("%s is not in the image for %s", args[1], strings.Join(missing, ", "))}
					}
					return nil
				}
			},
		},
	}
}

// printWhy prints the chains that bring pkg in; false when it is not there.
func printWhy(w io.Writer, res *builder.SolveResult, pkg string) bool {
	chain := res.Why(pkg)
	if chain == nil {
		return false
	}
	fmt.Fprintln(w, builder.FormatWhyChain(chain))
	target := chain[len(chain)-1].Package
	var direct []string
	for _, r := range res.Reasons {
		if r.Package != target {
			continue
		}
		switch r.Kind {
		case builder.ByRequest:
			if strings.HasPrefix(r.Dep, builder.InstalledInBase) { // [image] base
				direct = append(direct, "  "+r.Dep)
				continue
			}
			direct = append(direct, fmt.Sprintf("  the request for %s", r.Dep))
		default:
			direct = append(direct, fmt.Sprintf("  %s %s %s", r.By, r.Kind, r.Dep))
		}
	}
	if len(direct) > 0 {
		fmt.Fprintf(w, "needed by:\n%s\n", strings.Join(direct, "\n"))
	}
	return true
}

// checkPolicy checks resolutions against the configuration's [policy],
// loading the baseline (a lockfile, a configuration or an image, as diff
// reads them) when allow_new is false.
func checkPolicy(ctx context.Context, g *globals, cfg *config.Config, res []*builder.Resolution) error {
	po, err := (&registryFlags{timeout: manifests.DefaultTimeout}).pushOptions(g, 1)
	if err != nil {
		return err
	}
	baseline, err := builder.LoadBaseline(ctx, cfg, builderOptions(g, cfg), po)
	if err != nil {
		return err
	}
	var vs []policy.Violation
	for _, r := range res {
		vs = append(vs, policy.Check(cfg, builder.PolicyImage(r), baseline)...)
	}
	return policyError(g, vs)
}

// policyError prints every violation, one a line, and returns exit 1.
func policyError(g *globals, vs []policy.Violation) error {
	if len(vs) == 0 {
		return nil
	}
	fmt.Fprintf(g.Stderr, "slipway: the image breaks its policy (%d):\n", len(vs))
	for _, v := range vs {
		fmt.Fprintf(g.Stderr, "  %s\n", v.Error())
	}
	return &exitError{code: 1}
}

// resolveConfig loads a configuration (with the repositories of .repo
// files) and resolves it for arch, or for every configured arch.
func resolveConfig(ctx context.Context, g *globals, path, arch string, repofiles []string) (*config.Config, []*builder.Resolution, error) {
	cfg, err := loadConfig(ctx, g, path, repofiles)
	if err != nil {
		return nil, nil, err
	}
	arches, err := pickArches(cfg, arch)
	if err != nil {
		return nil, nil, err
	}
	res, err := builder.ResolveAll(ctx, cfg, arches, builderOptions(g, cfg))
	if err != nil {
		return nil, nil, resolveError(g, err)
	}
	return cfg, res, nil
}

// loadConfig loads a config and adds the repositories of .repo files.
func loadConfig(ctx context.Context, g *globals, path string, repofiles []string) (*config.Config, error) {
	cfg, err := config.Load(ctx, path, config.WithLogger(g.Log))
	if err != nil {
		return nil, configError(g, err)
	}
	if len(repofiles) == 0 {
		return cfg, nil
	}
	c := *cfg
	c.Repositories = append([]config.Repository(nil), cfg.Repositories...)
	for _, rf := range repofiles {
		data, err := localfile.ReadFile(rf, "repofile", localfile.ConfigLimit)
		if err != nil {
			return nil, err
		}
		repos, err := config.ParseRepoFile(bytes.NewReader(data), rf)
		if err != nil {
			return nil, err
		}
		for _, r := range repos {
			if _, dup := c.Repository(r.ID); dup {
				return nil, fmt.Errorf("%s: repository %q is already configured", rf, r.ID)
			}
			c.Repositories = append(c.Repositories, r)
		}
	}
	return &c, nil
}

func pickArches(cfg *config.Config, arch string) ([]string, error) {
	if arch == "" {
		return cfg.Image.Architectures, nil
	}
	for _, a := range cfg.Image.Architectures {
		if a == arch {
			return []string{a}, nil
		}
	}
	return nil, usagef("--arch %s is not among the configured architectures (%s)", arch, strings.Join(cfg.Image.Architectures, ", "))
}

// builderOptions turns the globals and the environment into the options of
// the library: cache, proxy, per-repository credentials, logging.
func builderOptions(g *globals, cfg *config.Config) builder.Options {
	opts := builder.Options{Log: g.Log}
	// [image] base: read with the keychain, the certs.d folders and the
	// system's CAs (build and publish replace Registry with their
	// registry flags' options), its layers cached by digest.
	opts.Base = builder.BaseOptions{CacheDir: g.CacheDir, Registry: manifests.PushOptions{Keychain: keychain(g), Log: g.Log}}
	// Without CA files pushOptions cannot fail (only reading them can).
	if po, err := (&registryFlags{timeout: manifests.DefaultTimeout}).pushOptions(g, 1); err == nil {
		opts.Base.Registry = po
	}
	// Basic auth for every repository whose credentials are set.
	auth := map[string][2]string{}
	for _, r := range cfg.Repositories {
		userVar, passVar := builder.RepoAuthEnvNames(r.ID)
		if u := g.Getenv(userVar); u != "" {
			auth[r.ID] = [2]string{u, g.Getenv(passVar)}
		}
	}
	// cmd/ may read the environment: the proxy variables.
	opts.Repo = builder.RepoClientOptions(g.Log, g.CacheDir, http.ProxyFromEnvironment, auth)
	return opts
}

// resolveError prints every problem of an unsolvable request.
func resolveError(g *globals, err error) error {
	var pe *policy.Error
	if errors.As(err, &pe) {
		return policyError(g, pe.Violations)
	}
	var ue *builder.UnsolvableError
	if errors.As(err, &ue) && len(ue.Problems) > 1 {
		fmt.Fprintf(g.Stderr, "slipway: cannot resolve for %s:\n", ue.Arch)
		for _, p := range ue.Problems {
			fmt.Fprintf(g.Stderr, "  %s\n", p)
		}
		return &exitError{code: 1}
	}
	return err
}

type jsonPackage struct {
	Name     string `json:"name"`
	Epoch    uint32 `json:"epoch"`
	Version  string `json:"version"`
	Release  string `json:"release"`
	Arch     string `json:"arch"`
	NEVRA    string `json:"nevra"`
	Repo     string `json:"repo"`
	Location string `json:"location"`
	Checksum string `json:"checksum"`
	Size     uint64 `json:"size"`
}

type jsonArch struct {
	Arch     string        `json:"arch"`
	Packages []jsonPackage `json:"packages"`
	// Unsatisfied lists requirements left unsatisfied on purpose
	// ([packages] allow_unsatisfied); omitted when there are none.
	Unsatisfied []jsonUnsatisfied `json:"unsatisfied,omitempty"`
}

type jsonUnsatisfied struct {
	Package string `json:"package"` // NEVRA of the package whose requirement is open
	Dep     string `json:"dep"`
}

// noteUnsatisfied tells on stderr which requirements were left
// unsatisfied on purpose, one a line.
func noteUnsatisfied(w io.Writer, res []*builder.Resolution) {
	for _, r := range res {
		if len(r.Result.Unsatisfied) == 0 {
			continue
		}
		fmt.Fprintf(w, "slipway: note: %s: %d requirements left unsatisfied on purpose (allow_unsatisfied):\n", r.Arch, len(r.Result.Unsatisfied))
		for _, u := range r.Result.Unsatisfied {
			fmt.Fprintf(w, "  %s needs %s\n", u.Package, u.Dep)
		}
	}
}

type jsonResolve struct {
	Image        string     `json:"image"`
	ConfigDigest string     `json:"config_digest"`
	Arches       []jsonArch `json:"arches"`
}

func resolveJSON(cfg *config.Config, res []*builder.Resolution) jsonResolve {
	out := jsonResolve{Image: cfg.Image.Name, ConfigDigest: cfg.Digest()}
	for _, r := range res {
		a := jsonArch{Arch: r.Arch, Packages: []jsonPackage{}}
		for _, p := range r.Packages {
			a.Packages = append(a.Packages, jsonPackage{
				Name: p.Name, Epoch: p.Epoch, Version: p.Version, Release: p.Release, Arch: p.Arch,
				NEVRA: p.NEVRA.String(), Repo: p.Repo, Location: p.Location,
				Checksum: p.Checksum.Type + ":" + p.Checksum.Value, Size: p.PackageSize,
			})
		}
		for _, u := range r.Result.Unsatisfied {
			a.Unsatisfied = append(a.Unsatisfied, jsonUnsatisfied{Package: u.Package, Dep: u.Dep})
		}
		out.Arches = append(out.Arches, a)
	}
	sort.SliceStable(out.Arches, func(i, j int) bool { return out.Arches[i].Arch < out.Arches[j].Arch })
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
