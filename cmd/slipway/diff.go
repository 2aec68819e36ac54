package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/manifests/inspect"
	"github.com/slipway-build/slipway/rpmmeta"
)

// diffCommands are the commands defined in diff.go.
func diffCommands() []*command {
	return []*command{
		{
			Name:    "diff",
			Summary: "compare the packages of two images, lockfiles or configurations",
			Usage:   "diff [flags] A B",
			Long: `Compares the installed packages of A and B, per architecture: packages added,
removed, upgraded and downgraded (by rpm's version comparison, epoch first).
A and B are each an image (oci:DIR[:TAG], docker-archive:FILE[:REF] or
REGISTRY/REPO:TAG, its packages read as 'slipway inspect' reads them, within
the same bounds), a lockfile (a name ending in .lock) or a configuration (a
name ending in .toml, resolved first). Versions are printed
[epoch:]version-release.arch, the epoch when not zero. Prints Markdown ready
for release notes, or JSON with --json. With --exit-code, exits 1 when there
are differences. With --advisories CONFIG, the advisories (updateinfo.xml) of
CONFIG's repositories that each upgraded package's new version fixes follow
the table: id, type, severity, CVE ids. When A and B are both images, a
section per architecture follows: how many of B's layers A has (by
digest), the bytes a client that has A must pull for B (the compressed
sizes of the others), and what each new layer holds (the packages the
origin strategy lists, or its metadata layer).`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				arch := fs.String("arch", "", "only this architecture (x86_64, aarch64)")
				asJSON := fs.Bool("json", false, "print one JSON document")
				exitCode := fs.Bool("exit-code", false, "exit 1 when A and B differ")
				advCfg := fs.String("advisories", "", "show the advisories the upgrades fix, from the repositories of `CONFIG`")
				rf := addRegistryFlags(fs, false)
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 2 {
						return usagef("diff takes two arguments A and B, got %d", len(args))
					}
					if *arch != "" && *arch != "x86_64" && *arch != "aarch64" {
						return usagef("--arch %s: want x86_64 or aarch64", *arch)
					}
					var sets [2]pkgSets
					var layers [2]layerSets
					for i, a := range args {
						s, l, err := loadSets(ctx, g, rf, a, *arch)
						if err != nil {
							return redact(g, err)
						}
						sets[i], layers[i] = s, l
					}
					d := diffSets(args[0], args[1], sets[0], sets[1])
					d.Layers = diffLayers(layers[0], layers[1])
					if *advCfg != "" {
						if err := addDiffAdvisories(ctx, g, d, sets[0], sets[1], *advCfg); err != nil {
							return redact(g, err)
						}
					}
					if *asJSON {
						if err := writeJSON(g.Stdout, d); err != nil {
							return err
						}
					} else {
						writeDiffMarkdown(g.Stdout, d)
						if *advCfg != "" {
							writeUpgradeAdvisories(g.Stdout, d.Advisories)
						}
					}
					if *exitCode && d.changed() {
						return &exitError{code: 1}
					}
					return nil
				}
			},
		},
	}
}

// pkgSets maps an RPM architecture to its installed packages.
type pkgSets map[string][]rpmmeta.NEVRA

// loadPackages reads the package sets of an image, a lockfile or a
// configuration.
func loadPackages(ctx context.Context, g *globals, rf *registryFlags, arg, arch string) (pkgSets, error) {
	s, _, err := loadSets(ctx, g, rf, arg, arch)
	return s, err
}

// layerSets maps an RPM architecture to an image's layers.
type layerSets map[string][]inspect.Layer

// loadSets is loadPackages, with the layers of an image (nil for a
// lockfile or a configuration).
func loadSets(ctx context.Context, g *globals, rf *registryFlags, arg, arch string) (pkgSets, layerSets, error) {
	out := pkgSets{}
	var layers layerSets
	switch {
	case strings.HasSuffix(arg, ".lock"):
		data, err := localfile.ReadFile(arg, "lockfile", localfile.ConfigLimit)
		if err != nil {
			return nil, nil, err
		}
		l, err := lock.Parse(data, arg)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range l.Arches {
			if arch != "" && a.Name != arch {
				continue
			}
			for _, p := range a.Packages {
				out[a.Name] = append(out[a.Name], p.NEVRA)
			}
			if out[a.Name] == nil {
				out[a.Name] = []rpmmeta.NEVRA{}
			}
		}
	case strings.HasSuffix(arg, ".toml"):
		cfg, err := loadConfig(ctx, g, arg, nil)
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
		for _, r := range res {
			out[r.Arch] = []rpmmeta.NEVRA{}
			for _, p := range r.Packages {
				out[r.Arch] = append(out[r.Arch], p.NEVRA)
			}
		}
	default:
		rep, err := inspectImage(ctx, g, rf, arg, arch, true)
		if err != nil {
			return nil, nil, err
		}
		for _, im := range rep.Images {
			a := rpmArchOf(im.Platform)
			if a == "" {
				return nil, nil, fmt.Errorf("%s: no RPM architecture for platform %s", arg, im.Platform)
			}
			if _, dup := out[a]; dup {
				return nil, nil, fmt.Errorf("%s holds two images for %s", arg, im.Platform)
			}
			out[a] = []rpmmeta.NEVRA{}
			if layers == nil {
				layers = layerSets{}
			}
			layers[a] = im.Layers
			for _, p := range im.Packages {
				out[a] = append(out[a], p.NEVRA())
			}
		}
	}
	if arch != "" && out[arch] == nil {
		return nil, nil, fmt.Errorf("%s has no packages for %s", arg, arch)
	}
	return out, layers, nil
}

func rpmArchOf(platform string) string {
	switch archOfPlatform(platform) {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return ""
}

func archOfPlatform(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// pkgDiff is the comparison of two package sets.
type pkgDiff struct {
	A      string     `json:"a"`
	B      string     `json:"b"`
	Arches []archDiff `json:"arches"`
	// Advisories fixed by the upgrades (diff --advisories).
	Advisories []upgradeAdvisoryJSON `json:"advisories,omitempty"`
	// Layers compares the layers when A and B are both images.
	Layers []layerDiff `json:"layers,omitempty"`
}

// layerDiff says, for one architecture, which layers of B a client that
// has A's must pull, and how many bytes that is.
type layerDiff struct {
	Arch string `json:"arch"`
	// Kept counts B's layers A has (by digest); New lists the others.
	Kept int        `json:"kept"`
	New  []newLayer `json:"new"`
	// PullBytes is the compressed size of New; TotalBytes of all of B's.
	PullBytes  int64 `json:"pull_bytes"`
	TotalBytes int64 `json:"total_bytes"`
}

type newLayer struct {
	Digest   string   `json:"digest"`
	Size     int64    `json:"size"`
	Packages []string `json:"packages,omitempty"`
	Metadata bool     `json:"metadata,omitempty"`
}

// diffLayers compares the layers of the architectures both images have.
func diffLayers(a, b layerSets) []layerDiff {
	if a == nil || b == nil {
		return nil
	}
	var out []layerDiff
	for _, arch := range slices.Sorted(maps.Keys(b)) {
		la, ok := a[arch]
		if !ok {
			continue
		}
		have := map[string]bool{}
		for _, l := range la {
			have[l.Digest] = true
		}
		d := layerDiff{Arch: arch, New: []newLayer{}}
		for _, l := range b[arch] {
			d.TotalBytes += l.Size
			if have[l.Digest] {
				d.Kept++
				continue
			}
			d.PullBytes += l.Size
			d.New = append(d.New, newLayer{Digest: l.Digest, Size: l.Size, Packages: l.Packages, Metadata: l.Metadata})
		}
		out = append(out, d)
	}
	return out
}

type archDiff struct {
	Arch string `json:"arch"`
	// OnlyIn is "a" or "b" when only one side has the architecture.
	OnlyIn     string       `json:"only_in,omitempty"`
	Added      []pkgVersion `json:"added"`
	Removed    []pkgVersion `json:"removed"`
	Upgraded   []pkgChange  `json:"upgraded"`
	Downgraded []pkgChange  `json:"downgraded"`
	Unchanged  int          `json:"unchanged"`
}

type pkgVersion struct {
	Name string `json:"name"`
	Arch string `json:"arch"`
	EVR  string `json:"evr"`
}

type pkgChange struct {
	Name string `json:"name"`
	From string `json:"from"` // [epoch:]version-release.arch in A
	To   string `json:"to"`
}

func (d *pkgDiff) changed() bool {
	for _, a := range d.Arches {
		if a.OnlyIn != "" || len(a.Added)+len(a.Removed)+len(a.Upgraded)+len(a.Downgraded) > 0 {
			return true
		}
	}
	return false
}

// diffSets compares a and b per architecture. Packages are matched by
// name; a name installed more than once on a side (gpg-pubkey) is matched
// by its full NEVRA.
func diffSets(nameA, nameB string, a, b pkgSets) *pkgDiff {
	d := &pkgDiff{A: nameA, B: nameB, Arches: []archDiff{}}
	arches := map[string]bool{}
	for k := range a {
		arches[k] = true
	}
	for k := range b {
		arches[k] = true
	}
	names := make([]string, 0, len(arches))
	for k := range arches {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, arch := range names {
		pa, okA := a[arch]
		pb, okB := b[arch]
		ad := diffArch(pa, pb)
		ad.Arch = arch
		if !okA {
			ad.OnlyIn = "b"
		} else if !okB {
			ad.OnlyIn = "a"
		}
		d.Arches = append(d.Arches, ad)
	}
	return d
}

func diffArch(a, b []rpmmeta.NEVRA) archDiff {
	d := archDiff{Added: []pkgVersion{}, Removed: []pkgVersion{}, Upgraded: []pkgChange{}, Downgraded: []pkgChange{}}
	group := func(l []rpmmeta.NEVRA) map[string][]rpmmeta.NEVRA {
		m := map[string][]rpmmeta.NEVRA{}
		for _, p := range l {
			m[p.Name] = append(m[p.Name], p)
		}
		return m
	}
	ga, gb := group(a), group(b)
	all := map[string]bool{}
	for n := range ga {
		all[n] = true
	}
	for n := range gb {
		all[n] = true
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	ver := func(p rpmmeta.NEVRA) pkgVersion { return pkgVersion{Name: p.Name, Arch: p.Arch, EVR: p.EVR.String()} }
	evra := func(p rpmmeta.NEVRA) string { return p.EVR.String() + "." + p.Arch }
	for _, n := range names {
		la, lb := ga[n], gb[n]
		if len(la) == 1 && len(lb) == 1 {
			x, y := la[0], lb[0]
			switch c := rpmmeta.Compare(x.EVR, y.EVR); {
			case c < 0:
				d.Upgraded = append(d.Upgraded, pkgChange{Name: n, From: evra(x), To: evra(y)})
			case c > 0:
				d.Downgraded = append(d.Downgraded, pkgChange{Name: n, From: evra(x), To: evra(y)})
			case x.Arch != y.Arch:
				d.Removed = append(d.Removed, ver(x))
				d.Added = append(d.Added, ver(y))
			default:
				d.Unchanged++
			}
			continue
		}
		inB := map[string]bool{}
		for _, p := range lb {
			inB[p.String()] = true
		}
		inA := map[string]bool{}
		for _, p := range la {
			inA[p.String()] = true
			if !inB[p.String()] {
				d.Removed = append(d.Removed, ver(p))
			} else {
				d.Unchanged++
			}
		}
		for _, p := range lb {
			if !inA[p.String()] {
				d.Added = append(d.Added, ver(p))
			}
		}
	}
	return d
}

// writeDiffMarkdown prints the comparison for release notes.
func writeDiffMarkdown(w io.Writer, d *pkgDiff) {
	fmt.Fprintf(w, "# Package changes\n\nFrom `%s` to `%s`.\n", d.A, d.B)
	for _, a := range d.Arches {
		fmt.Fprintf(w, "\n## %s\n\n", a.Arch)
		switch a.OnlyIn {
		case "a":
			fmt.Fprintf(w, "Only in `%s`: the architecture was dropped.\n\n", d.A)
		case "b":
			fmt.Fprintf(w, "Only in `%s`: the architecture was added.\n\n", d.B)
		}
		if len(a.Added)+len(a.Removed)+len(a.Upgraded)+len(a.Downgraded) == 0 {
			fmt.Fprintf(w, "No package changes (%d packages).\n", a.Unchanged)
			continue
		}
		changes := func(title string, l []pkgChange) {
			if len(l) == 0 {
				return
			}
			fmt.Fprintf(w, "### %s (%d)\n\n| package | from | to |\n| --- | --- | --- |\n", title, len(l))
			for _, c := range l {
				fmt.Fprintf(w, "| %s | %s | %s |\n", mdCell(c.Name), mdCell(c.From), mdCell(c.To))
			}
			fmt.Fprintln(w)
		}
		versions := func(title string, l []pkgVersion) {
			if len(l) == 0 {
				return
			}
			fmt.Fprintf(w, "### %s (%d)\n\n| package | version |\n| --- | --- |\n", title, len(l))
			for _, p := range l {
				fmt.Fprintf(w, "| %s | %s |\n", mdCell(p.Name), mdCell(p.EVR+"."+p.Arch))
			}
			fmt.Fprintln(w)
		}
		changes("Upgraded", a.Upgraded)
		changes("Downgraded", a.Downgraded)
		versions("Added", a.Added)
		versions("Removed", a.Removed)
		fmt.Fprintf(w, "%d packages unchanged.\n", a.Unchanged)
	}
	for _, l := range d.Layers {
		fmt.Fprintf(w, "\n## Layers, %s\n\n%d of %d layers unchanged; a client with `%s` pulls %d of %d bytes.\n", l.Arch, l.Kept, l.Kept+len(l.New), d.A, l.PullBytes, l.TotalBytes)
		if len(l.New) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n| new layer | bytes | holds |\n| --- | --- | --- |\n")
		for _, n := range l.New {
			holds := strings.Join(n.Packages, ", ")
			if n.Metadata {
				holds = "metadata (rpm database, accounts, ld.so.cache...)"
			}
			fmt.Fprintf(w, "| %s | %d | %s |\n", n.Digest, n.Size, mdCell(holds))
		}
	}
}

// mdCell escapes what would break a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
