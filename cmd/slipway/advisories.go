package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/manifests/inspect"
	"github.com/slipway-build/slipway/rpmmeta"
)

// advisoriesCommands are the commands defined in advisories.go.
func advisoriesCommands() []*command {
	return []*command{
		{
			Name:    "advisories",
			Summary: "list the advisories an image's packages fix and those still open",
			Usage:   "advisories [flags] CONFIG|IMAGE",
			Long: `Reads the advisories (updateinfo.xml) of the configuration's repositories and
	sets them against the packages of an image, per architecture. An advisory is
	"fixed" when every installed package it names (by name and arch) is at its
	version or newer, and "open" when some installed package is older and the
	repositories hold the fixed build: rebuilding would bring it in. Advisories
	that name no installed package, or only builds the repositories do not hold,
	are not listed.

	The packages come from CONFIG (a name ending in .toml, resolved against the
	current metadata), or from IMAGE (oci:DIR[:TAG], docker-archive:FILE[:REF],
	REGISTRY/REPO:TAG, read as 'slipway inspect' reads them) or a lockfile (a
	name ending in .lock); those need --config CONFIG for the repositories.

	Prints one line per advisory (state, id, type, severity, CVEs, the installed
	and fixed versions, title), or JSON with --json. --openvex FILE also writes an
	OpenVEX document stating, for each CVE of a fixed advisory, that the
	installed package version fixes it.

	Exit codes: 0; 1 with --fail-on SEVERITY when an open advisory has that
	severity or a higher one (none, low, moderate, important, critical); 2 for a
	usage error.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				arch := fs.String("arch", "", "only this architecture (x86_64, aarch64)")
				asJSON := fs.Bool("json", false, "print one JSON document")
				failOn := fs.String("fail-on", "", "exit 1 when an open advisory has this `SEVERITY` or a higher one")
				cfgPath := fs.String("config", "", "the configuration whose repositories hold the advisories (for an IMAGE or a lockfile)")
				vex := fs.String("openvex", "", "write an OpenVEX document of the CVEs the installed versions fix to `FILE`")
				repofiles := fs.StringArray("repofile", nil, "add the repositories of a dnf/yum .repo `FILE` (repeatable)")
				rf := addRegistryFlags(fs, false)
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 1 {
						return usagef("advisories takes one CONFIG or IMAGE, got %d arguments", len(args))
					}
					failRank := -1
					if *failOn != "" {
						r, ok := builder.SeverityRank(*failOn)
						if !ok {
							return usagef("--fail-on %s: want none, low, moderate, important or critical", *failOn)
						}
						failRank = r
					}
					src := args[0]
					isConfig := strings.HasSuffix(src, ".toml")
					if isConfig && *cfgPath != "" && *cfgPath != src {
						return usagef("--config is for an IMAGE or a lockfile; %s is a configuration already", src)
					}
					if !isConfig && *cfgPath == "" {
						return usagef("%s is not a configuration: name one with --config for the repositories", src)
					}
					path := src
					if !isConfig {
						path = *cfgPath
					}
					cfg, err := loadConfig(ctx, g, path, *repofiles)
					if err != nil {
						return err
					}
					arches, err := pickArches(cfg, *arch)
					if err != nil {
						return err
					}
					rep, err := advisoryReport(ctx, g, rf, cfg, src, isConfig, arches)
					if err != nil {
						return redact(g, err)
					}
					if *asJSON {
						if err := writeJSON(g.Stdout, rep); err != nil {
							return err
						}
					} else {
						writeAdvisories(g.Stdout, rep)
					}
					if *vex != "" {
						data, err := openVEX(rep)
						if err != nil {
							return err
						}
						if err := writeFileAtomic(*vex, data, 0o644); err != nil {
							return fmt.Errorf("writing OpenVEX document: %w", err)
						}
					}
					if failRank >= 0 {
						var hit []string
						for _, a := range rep.Arches {
							for _, adv := range a.Advisories {
								if r, _ := builder.SeverityRank(adv.Severity); adv.State == string(builder.AdvisoryOpen) && r >= failRank && !slices.Contains(hit, adv.ID) {
									hit = append(hit, adv.ID)
								}
							}
						}
						if len(hit) > 0 {
							return &exitError{code: 1, msg: fmt.Sprintf("%d open advisories at or above %s: %s", len(hit), *failOn, strings.Join(hit, ", "))}
						}
					}
					return nil
				}
			},
		},
	}
}

// advisoriesJSON is the report of `slipway advisories`.
type advisoriesJSON struct {
	Source string             `json:"source"`
	Arches []archAdvisoryJSON `json:"arches"`
}

type archAdvisoryJSON struct {
	Arch       string         `json:"arch"`
	Open       int            `json:"open"`
	Fixed      int            `json:"fixed"`
	Advisories []advisoryJSON `json:"advisories"`
}

type advisoryJSON struct {
	ID         string            `json:"id"`
	State      string            `json:"state"` // "open" or "fixed"
	Type       string            `json:"type"`
	Severity   string            `json:"severity"`
	Title      string            `json:"title"`
	Repo       string            `json:"repo"`
	Issued     string            `json:"issued,omitempty"`
	Updated    string            `json:"updated,omitempty"`
	CVEs       []string          `json:"cves"`
	References []referenceJSON   `json:"references"`
	Packages   []advisoryPkgJSON `json:"packages"`
	issuedAt   time.Time         // the newest date, for OpenVEX
}

type referenceJSON struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	Href  string `json:"href,omitempty"`
	Title string `json:"title,omitempty"`
}

type advisoryPkgJSON struct {
	Installed string `json:"installed"` // name-[e:]v-r.arch
	Fix       string `json:"fix"`       // the advisory's build
	Fixed     bool   `json:"fixed"`
}

// advisoryReport reads the installed packages of src per arch and sets
// the repositories' advisories against them.
func advisoryReport(ctx context.Context, g *globals, rf *registryFlags, cfg *config.Config, src string, isConfig bool, arches []string) (*advisoriesJSON, error) {
	rep := &advisoriesJSON{Source: src, Arches: []archAdvisoryJSON{}}
	var inputs []archInput
	if isConfig {
		res, err := builder.ResolveAll(ctx, cfg, arches, builderOptions(g, cfg))
		if err != nil {
			return nil, resolveError(g, err)
		}
		for _, r := range res {
			in := archInput{arch: r.Arch, set: r.Set}
			for _, p := range r.Packages {
				in.installed = append(in.installed, p.NEVRA)
			}
			inputs = append(inputs, in)
		}
	} else {
		arch := ""
		if len(arches) == 1 && len(cfg.Image.Architectures) > 1 {
			arch = arches[0]
		}
		sets, err := loadPackages(ctx, g, rf, src, arch)
		if err != nil {
			return nil, err
		}
		return matchInstalled(ctx, g, cfg, src, arches, sets)
	}
	return matchAll(ctx, rep, inputs)
}

// matchInstalled sets the advisories of cfg's repositories against the
// installed packages of each of arches that sets has.
func matchInstalled(ctx context.Context, g *globals, cfg *config.Config, src string, arches []string, sets pkgSets) (*advisoriesJSON, error) {
	opts := builderOptions(g, cfg)
	var inputs []archInput
	for _, a := range arches {
		pk, ok := sets[a]
		if !ok {
			continue
		}
		set, err := builder.LoadRepos(ctx, cfg, a, opts)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, archInput{arch: a, set: set, installed: pk})
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("%s has no packages for %s", src, strings.Join(arches, ", "))
	}
	return matchAll(ctx, &advisoriesJSON{Source: src, Arches: []archAdvisoryJSON{}}, inputs)
}

// archInput is one architecture's installed packages and metadata.
type archInput struct {
	arch      string
	set       *builder.RepoSet
	installed []rpmmeta.NEVRA
}

func matchAll(ctx context.Context, rep *advisoriesJSON, inputs []archInput) (*advisoriesJSON, error) {
	for _, in := range inputs {
		ms, err := builder.MatchAdvisories(ctx, in.set, in.installed)
		if err != nil {
			return nil, err
		}
		a := archAdvisoryJSON{Arch: in.arch, Advisories: []advisoryJSON{}}
		for _, m := range ms {
			a.Advisories = append(a.Advisories, toAdvisoryJSON(m))
			if m.State == builder.AdvisoryOpen {
				a.Open++
			} else {
				a.Fixed++
			}
		}
		rep.Arches = append(rep.Arches, a)
	}
	return rep, nil
}

func toAdvisoryJSON(m builder.AdvisoryMatch) advisoryJSON {
	adv := m.Advisory
	j := advisoryJSON{
		ID: adv.ID, State: string(m.State), Type: string(adv.Type), Severity: adv.Severity, Title: adv.Title, Repo: adv.Repo,
		CVEs: adv.CVEs(), References: []referenceJSON{}, Packages: []advisoryPkgJSON{},
	}
	if j.CVEs == nil {
		j.CVEs = []string{}
	}
	if !adv.Issued.IsZero() {
		j.Issued = adv.Issued.Format(time.RFC3339)
	}
	if !adv.Updated.IsZero() {
		j.Updated = adv.Updated.Format(time.RFC3339)
	}
	j.issuedAt = adv.Updated
	if j.issuedAt.IsZero() {
		j.issuedAt = adv.Issued
	}
	for _, r := range adv.References {
		j.References = append(j.References, referenceJSON(r))
	}
	for _, p := range m.Packages {
		j.Packages = append(j.Packages, advisoryPkgJSON{Installed: p.Installed.String(), Fix: p.Fix.String(), Fixed: p.Fixed})
	}
	return j
}

// writeAdvisories prints the report, one block per architecture.
func writeAdvisories(w io.Writer, rep *advisoriesJSON) {
	for i, a := range rep.Arches {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "# %s: %d open, %d fixed\n", a.Arch, a.Open, a.Fixed)
		if len(a.Advisories) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "STATE\tADVISORY\tTYPE\tSEVERITY\tCVES\tPACKAGES\tTITLE")
		for _, adv := range a.Advisories {
			cves := strings.Join(adv.CVEs, ",")
			if cves == "" {
				cves = "-"
			}
			sev := adv.Severity
			if sev == "" {
				sev = "-"
			}
			var pk []string
			for _, p := range adv.Packages {
				if p.Fixed {
					pk = append(pk, p.Installed)
				} else {
					pk = append(pk, p.Installed+" -> "+p.Fix)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", adv.State, oneLine(adv.ID), oneLine(adv.Type), oneLine(sev), oneLine(cves), oneLine(strings.Join(pk, ", ")), oneLine(adv.Title))
		}
		tw.Flush()
	}
}

// openVEX renders the CVEs of fixed advisories as an OpenVEX v0.2.0
// document: one statement per CVE, status "fixed", the products being the
// installed packages (as rpm purls) that carry the fix. It is
// deterministic: its timestamp is the newest date of the advisories it
// cites and its id a digest of its statements.
func openVEX(rep *advisoriesJSON) ([]byte, error) {
	type product struct {
		ID string `json:"@id"`
	}
	type statement struct {
		Vulnerability struct {
			Name string `json:"name"`
		} `json:"vulnerability"`
		Products  []product `json:"products"`
		Status    string    `json:"status"`
		Statement string    `json:"status_notes,omitempty"`
	}
	byCVE := map[string]*statement{}
	ids := map[string][]string{} // CVE -> the advisories that fix it
	var newest time.Time
	for _, a := range rep.Arches {
		for _, adv := range a.Advisories {
			if adv.State != string(builder.AdvisoryFixed) {
				continue
			}
			if adv.issuedAt.After(newest) {
				newest = adv.issuedAt
			}
			for _, cve := range adv.CVEs {
				st := byCVE[cve]
				if st == nil {
					st = &statement{Status: "fixed"}
					st.Vulnerability.Name = cve
					byCVE[cve] = st
				}
				if !slices.Contains(ids[cve], adv.ID) {
					ids[cve] = append(ids[cve], adv.ID)
				}
				for _, p := range adv.Packages {
					id := rpmPURL(p.Installed)
					if !slices.ContainsFunc(st.Products, func(x product) bool { return x.ID == id }) {
						st.Products = append(st.Products, product{ID: id})
					}
				}
			}
		}
	}
	cves := make([]string, 0, len(byCVE))
	for c := range byCVE {
		cves = append(cves, c)
	}
	slices.Sort(cves)
	stmts := make([]statement, 0, len(cves))
	for _, c := range cves {
		st := byCVE[c]
		slices.Sort(ids[c])
		st.Statement = "fixed by " + strings.Join(ids[c], ", ")
		slices.SortFunc(st.Products, func(a, b product) int { return strings.Compare(a.ID, b.ID) })
		stmts = append(stmts, *st)
	}
	body, err := json.Marshal(stmts)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if newest.IsZero() {
		newest = time.Unix(0, 0)
	}
	doc := map[string]any{
		"@context":   "https://openvex.dev/ns/v0.2.0",
		"@id":        "urn:slipway:openvex:sha256:" + hex.EncodeToString(sum[:]),
		"author":     "slipway",
		"timestamp":  newest.UTC().Format(time.RFC3339),
		"version":    1,
		"statements": stmts,
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// rpmPURL turns name-[e:]v-r.arch into pkg:rpm/name@v-r?arch=A[&epoch=E].
func rpmPURL(nevra string) string {
	dot := strings.LastIndexByte(nevra, '.')
	if dot < 0 {
		return "pkg:rpm/" + nevra
	}
	arch, rest := nevra[dot+1:], nevra[:dot]
	name := nameOfNEVR(rest)
	evr := rpmmeta.ParseEVR(strings.TrimPrefix(rest, name+"-"))
	s := "pkg:rpm/" + name + "@" + evr.Version + "-" + evr.Release + "?arch=" + arch
	if evr.Epoch != 0 {
		s += fmt.Sprintf("&epoch=%d", evr.Epoch)
	}
	return s
}

// nameOfNEVR returns the name of name-[e:]version-release.
func nameOfNEVR(s string) string {
	for range 2 {
		i := strings.LastIndexByte(s, '-')
		if i <= 0 {
			return s
		}
		s = s[:i]
	}
	return s
}

// inspectAdvisories prints an inspect report followed by the advisories
// of cfgPath's repositories that concern its packages (inspect
// --advisories).
func inspectAdvisories(ctx context.Context, g *globals, rep *inspect.Report, src, cfgPath string, asJSON bool) error {
	cfg, err := loadConfig(ctx, g, cfgPath, nil)
	if err != nil {
		return err
	}
	sets := pkgSets{}
	var arches []string
	for _, im := range rep.Images {
		a := rpmArchOf(im.Platform)
		if a == "" || !slices.Contains(cfg.Image.Architectures, a) {
			continue
		}
		for _, p := range im.Packages {
			sets[a] = append(sets[a], p.NEVRA())
		}
		if !slices.Contains(arches, a) {
			arches = append(arches, a)
		}
	}
	adv, err := matchInstalled(ctx, g, cfg, src, arches, sets)
	if err != nil {
		return redact(g, err)
	}
	if asJSON {
		return writeJSON(g.Stdout, struct {
			Image      *inspect.Report `json:"image"`
			Advisories *advisoriesJSON `json:"advisories"`
		}{rep, adv})
	}
	printInspect(g.Stdout, rep, true)
	fmt.Fprintln(g.Stdout, "\nadvisories:")
	writeAdvisories(g.Stdout, adv)
	return nil
}

// builtAdvisories is the advisories a build's packages fix, for --json.
func builtAdvisories(b *builder.ArchBuild) []advisoryJSON {
	var out []advisoryJSON
	for _, m := range b.Advisories {
		out = append(out, toAdvisoryJSON(m))
	}
	return out
}
