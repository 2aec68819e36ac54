package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/rpmmeta"
)

// lockCheckJSON is what `lock --check --json` prints.
type lockCheckJSON struct {
	Lockfile string `json:"lockfile"`
	Config   string `json:"config"`
	// Current is true when the lockfile is not stale and (with
	// --updates) the resolution gives the locked packages.
	Current bool     `json:"current"`
	Stale   []string `json:"stale_reasons"`
	// Diff and Advisories come with --updates.
	Diff       *pkgDiff              `json:"diff,omitempty"`
	Advisories []upgradeAdvisoryJSON `json:"advisories,omitempty"`
}

// upgradeAdvisoryJSON is one advisory an upgraded package's new version
// fixes.
type upgradeAdvisoryJSON struct {
	Arch     string   `json:"arch"`
	Package  string   `json:"package"`
	From     string   `json:"from"` // [epoch:]version-release.arch
	To       string   `json:"to"`
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Severity string   `json:"severity"`
	Title    string   `json:"title"`
	CVEs     []string `json:"cves"`
}

// checkUpdates is `lock --check` with --updates and/or --json.
func checkUpdates(ctx context.Context, g *globals, cfg *config.Config, l *lock.Lock, cfgPath, lockPath string, updates, asJSON bool, opts builder.Options) error {
	out := lockCheckJSON{Lockfile: lockPath, Config: cfgPath, Stale: []string{}}
	var staleErr error
	var d *pkgDiff
	if !updates {
		staleErr = builder.CheckLock(ctx, cfg, l, opts)
	} else {
		res, err := builder.ResolveAll(ctx, cfg, nil, opts)
		if err != nil {
			return resolveError(g, err)
		}
		type key struct{ repo, location, checksum string }
		avail := map[key]bool{}
		for _, r := range res {
			for _, p := range r.Set.Packages {
				avail[key{p.Repo, p.Location, p.Checksum.Type + ":" + p.Checksum.Value}] = true
			}
		}
		staleErr = lock.Check(l, cfg.Digest(), cfg.Image.Architectures, func(repoID string, p lock.Package) bool {
			return avail[key{repoID, p.Location, p.Checksum.String()}]
		})
		old, cur := pkgSets{}, pkgSets{}
		for _, a := range l.Arches {
			old[a.Name] = []rpmmeta.NEVRA{}
			for _, p := range a.Packages {
				old[a.Name] = append(old[a.Name], p.NEVRA)
			}
		}
		for _, r := range res {
			cur[r.Arch] = []rpmmeta.NEVRA{}
			for _, p := range r.Packages {
				cur[r.Arch] = append(cur[r.Arch], p.NEVRA)
			}
		}
		d = diffSets(lockPath, cfgPath, old, cur)
		out.Diff = d
		advs, err := upgradeAdvisories(ctx, d, old, cur, func(arch string) (*builder.RepoSet, error) {
			for _, r := range res {
				if r.Arch == arch {
					return r.Set, nil
				}
			}
			return nil, nil
		})
		if err != nil {
			return err
		}
		out.Advisories = advs
	}
	var stale *lock.Stale
	if errors.As(staleErr, &stale) {
		out.Stale = stale.Reasons
	} else if staleErr != nil {
		return staleErr
	}
	out.Current = stale == nil && (d == nil || !d.changed())
	if asJSON {
		if err := writeJSON(g.Stdout, out); err != nil {
			return err
		}
	} else {
		if stale != nil {
			fmt.Fprintf(g.Stderr, "slipway: %s is stale:\n", lockPath)
			for _, r := range stale.Reasons {
				fmt.Fprintf(g.Stderr, "  %s\n", r)
			}
		}
		if d != nil && d.changed() {
			writeDiffMarkdown(g.Stdout, d)
			writeUpgradeAdvisories(g.Stdout, out.Advisories)
		}
		if !out.Current {
			fmt.Fprintf(g.Stderr, "Run 'slipway lock %s' to update it.\n", cfgPath)
		} else if !g.Quiet {
			fmt.Fprintf(g.Stdout, "%s is current\n", lockPath)
		}
	}
	if !out.Current {
		return &exitError{code: 1}
	}
	return nil
}

// upgradeAdvisories lists, for every upgraded package, the advisories
// that its new version fixes and its old one did not, from the
// repositories of that architecture (setOf may return nil: none).
func upgradeAdvisories(ctx context.Context, d *pkgDiff, old, cur pkgSets, setOf func(arch string) (*builder.RepoSet, error)) ([]upgradeAdvisoryJSON, error) {
	var out []upgradeAdvisoryJSON
	find := func(l []rpmmeta.NEVRA, name string) (rpmmeta.NEVRA, bool) {
		for _, p := range l {
			if p.Name == name {
				return p, true
			}
		}
		return rpmmeta.NEVRA{}, false
	}
	for _, a := range d.Arches {
		if len(a.Upgraded) == 0 {
			continue
		}
		set, err := setOf(a.Arch)
		if err != nil {
			return nil, err
		}
		if set == nil {
			continue
		}
		x, err := builder.Advisories(ctx, set)
		if err != nil {
			return nil, err
		}
		for _, u := range a.Upgraded {
			from, ok1 := find(old[a.Arch], u.Name)
			to, ok2 := find(cur[a.Arch], u.Name)
			if !ok1 || !ok2 {
				continue
			}
			for _, adv := range x.FixedBetween(from, to) {
				cves := adv.CVEs()
				if cves == nil {
					cves = []string{}
				}
				out = append(out, upgradeAdvisoryJSON{
					Arch: a.Arch, Package: u.Name, From: u.From, To: u.To,
					ID: adv.ID, Type: string(adv.Type), Severity: adv.Severity, Title: adv.Title, CVEs: cves,
				})
			}
		}
	}
	return out, nil
}

// writeUpgradeAdvisories prints the advisories of the upgrades as a
// Markdown table after the diff.
func writeUpgradeAdvisories(w io.Writer, advs []upgradeAdvisoryJSON) {
	fmt.Fprintf(w, "\n## Advisories fixed by the upgrades\n\n")
	if len(advs) == 0 {
		fmt.Fprintln(w, "No advisory names the upgraded versions.")
		return
	}
	fmt.Fprintln(w, "| arch | package | from | to | advisory | type | severity | CVEs |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, a := range advs {
		sev := a.Severity
		if sev == "" {
			sev = "-"
		}
		cves := strings.Join(a.CVEs, ", ")
		if cves == "" {
			cves = "-"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdCell(a.Arch), mdCell(a.Package), mdCell(a.From), mdCell(a.To),
			mdCell(a.ID), mdCell(a.Type), mdCell(sev), mdCell(cves))
	}
}

// addDiffAdvisories fills d.Advisories from the repositories of the
// configuration at cfgPath (diff --advisories).
func addDiffAdvisories(ctx context.Context, g *globals, d *pkgDiff, a, b pkgSets, cfgPath string) error {
	cfg, err := loadConfig(ctx, g, cfgPath, nil)
	if err != nil {
		return err
	}
	opts := builderOptions(g, cfg)
	advs, err := upgradeAdvisories(ctx, d, a, b, func(arch string) (*builder.RepoSet, error) {
		if !slices.Contains(cfg.Image.Architectures, arch) {
			return nil, nil
		}
		return builder.LoadRepos(ctx, cfg, arch, opts)
	})
	if err != nil {
		return err
	}
	d.Advisories = advs
	return nil
}
