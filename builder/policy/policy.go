// Package policy checks a resolved image against the [policy] of its
// configuration: denied packages, size and package-count bounds, signature
// checking on every repository, and no new packages beyond a baseline.
// It is pure: the caller hands in what the resolution, the build or the
// baseline found, and gets typed violations back, each naming the rule and
// the file and line where it was set.
package policy

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/rpmmeta"
)

// The rules, as [policy] keys name them.
const (
	RuleDeny              = "deny"
	RuleMaxSize           = "max_size"
	RuleMaxCompressedSize = "max_compressed_size"
	RuleMaxPackages       = "max_packages"
	RuleRequireGPGCheck   = "require_gpgcheck"
	RuleAllowNew          = "allow_new" // with baseline
)

// Violation is one broken rule.
type Violation struct {
	Rule string     // one of the Rule constants
	Pos  config.Pos // where the rule (for deny: the entry) was set
	Arch string     // "" for rules on repositories
	// Package is the NEVRA concerned (deny, allow_new); Pattern the deny
	// entry it matched; Chain how the resolution pulled it in, as
	// `slipway why` prints it.
	Package string
	Pattern string
	Chain   string
	Msg     string
}

// Error reads "FILE:LINE: policy.RULE: ARCH: MSG[, pulled in by CHAIN]".
func (v Violation) Error() string {
	var b strings.Builder
	if s := v.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	b.WriteString("policy.")
	b.WriteString(v.Rule)
	b.WriteString(": ")
	if v.Arch != "" {
		b.WriteString(v.Arch)
		b.WriteString(": ")
	}
	b.WriteString(v.Msg)
	if v.Chain != "" {
		b.WriteString(", pulled in by: ")
		b.WriteString(v.Chain)
	}
	return escape(b.String())
}

// escape keeps a violation on one line whatever a package name holds.
func escape(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// Error is a non-empty list of violations.
type Error struct {
	Violations []Violation
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		lines[i] = v.Error()
	}
	if len(lines) == 1 {
		return "policy violated: " + lines[0]
	}
	return fmt.Sprintf("policy violated (%d):\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// AsError returns nil for no violations, otherwise an *Error.
func AsError(vs []Violation) error {
	if len(vs) == 0 {
		return nil
	}
	return &Error{Violations: vs}
}

// Image is what the policy is checked against: one architecture's
// resolved packages, with what is known of its size.
type Image struct {
	Arch     string
	Packages []rpmmeta.NEVRA
	// InstalledSize is the uncompressed size in bytes (the packages'
	// installed sizes); CompressedSize the compressed size (the layers
	// once built, or an estimate before). Below zero: unknown, and the
	// bound is not checked.
	InstalledSize  int64
	CompressedSize int64
	// CompressedEstimate says CompressedSize is an estimate (the RPM
	// files' sizes, before a build); messages say so.
	CompressedEstimate bool
	// Why returns how the resolution pulled a package (a name) in, as
	// `slipway why` prints the chain; nil or "" when unknown.
	Why func(name string) string
}

// Baseline is the package set of the image a configuration is compared
// with (policy.baseline), per architecture.
type Baseline map[string][]rpmmeta.NEVRA

// BaselineRef returns policy.baseline as a reference to load: a lockfile
// (a name ending in .lock) given relative is taken relative to the folder
// of the file that set it; anything else is an image reference, as is.
// ok is false when no baseline is set.
func BaselineRef(cfg *config.Config) (ref string, ok bool) {
	b := cfg.Policy.Baseline
	if b == "" {
		return "", false
	}
	if strings.HasSuffix(b, ".lock") && !filepath.IsAbs(b) {
		if p, ok := cfg.Origin("policy.baseline"); ok && p.File != "" {
			return filepath.Join(filepath.Dir(p.File), b), true
		}
	}
	return b, true
}

func pos(cfg *config.Config, key string) config.Pos {
	p, _ := cfg.Origin(key)
	return p
}

// Check checks one architecture's image against cfg's policy. baseline
// is consulted only when allow_new is false; an architecture the baseline
// does not have makes every package new. Violations come sorted by rule,
// then package.
func Check(cfg *config.Config, img Image, baseline Baseline) []Violation {
	p := cfg.Policy
	var out []Violation
	why := func(name string) string {
		if img.Why == nil {
			return ""
		}
		return img.Why(name)
	}
	for _, n := range img.Packages {
		for _, d := range p.Deny {
			if ok, _ := path.Match(d, n.Name); ok {
				out = append(out, Violation{
					Rule: RuleDeny, Pos: pos(cfg, "policy.deny["+d+"]"), Arch: img.Arch,
					Package: n.String(), Pattern: d, Chain: why(n.Name),
					Msg: fmt.Sprintf("%s is denied (%q)", n, d),
				})
				break
			}
		}
	}
	if p.MaxPackages > 0 && len(img.Packages) > p.MaxPackages {
		out = append(out, Violation{Rule: RuleMaxPackages, Pos: pos(cfg, "policy.max_packages"), Arch: img.Arch,
			Msg: fmt.Sprintf("%d packages, more than %d", len(img.Packages), p.MaxPackages)})
	}
	if p.MaxSize > 0 && img.InstalledSize >= 0 && img.InstalledSize > p.MaxSize {
		out = append(out, Violation{Rule: RuleMaxSize, Pos: pos(cfg, "policy.max_size"), Arch: img.Arch,
			Msg: fmt.Sprintf("installed size %s (%d bytes) is over %s (%d bytes)", human(img.InstalledSize), img.InstalledSize, human(p.MaxSize), p.MaxSize)})
	}
	if p.MaxCompressedSize > 0 && img.CompressedSize >= 0 && img.CompressedSize > p.MaxCompressedSize {
		what := "compressed size"
		if img.CompressedEstimate {
			what = "compressed size (estimated from the RPM files)"
		}
		out = append(out, Violation{Rule: RuleMaxCompressedSize, Pos: pos(cfg, "policy.max_compressed_size"), Arch: img.Arch,
			Msg: fmt.Sprintf("%s %s (%d bytes) is over %s (%d bytes)", what, human(img.CompressedSize), img.CompressedSize, human(p.MaxCompressedSize), p.MaxCompressedSize)})
	}
	if !p.AllowNew && p.Baseline != "" {
		had := map[string]bool{}
		for _, n := range baseline[img.Arch] {
			had[n.Name] = true
		}
		for _, n := range img.Packages {
			if !had[n.Name] {
				out = append(out, Violation{Rule: RuleAllowNew, Pos: pos(cfg, "policy.allow_new"), Arch: img.Arch,
					Package: n.String(), Chain: why(n.Name),
					Msg: fmt.Sprintf("%s is new: the baseline %s does not have %s", n, p.Baseline, n.Name)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Violation) int {
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return strings.Compare(a.Package, b.Package)
	})
	return out
}

// CheckRepos checks require_gpgcheck against the repositories actually
// used (the configuration's and those added from .repo files on the
// command line). The configuration loader already refuses its own
// repositories; this catches the others before any metadata is loaded.
func CheckRepos(cfg *config.Config, repos []config.Repository) []Violation {
	if !cfg.Policy.RequireGPGCheck {
		return nil
	}
	var out []Violation
	for _, r := range repos {
		if msg := config.RepoGPGViolation(r); msg != "" {
			if r.File != "" {
				msg += " (declared in " + r.File + ")"
			}
			out = append(out, Violation{Rule: RuleRequireGPGCheck, Pos: pos(cfg, "policy.require_gpgcheck"), Msg: msg})
		}
	}
	return out
}

// human renders bytes with a decimal unit, as sizes are written in [policy].
func human(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
