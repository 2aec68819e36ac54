package solve

import (
	"slices"
	"strconv"
	"strings"
)

// A package spec is what `dnf install` accepts: a name, a NEVRA in one of
// hawkey's forms (name.arch, name-version, name-version-release,
// name-version-release.arch, each with or without an epoch, globs in
// every part), a provide ("pkgconfig(foo)", "name >= 1.2") or a file path.
// dnf tries them in this order (libdnf Solution::getBestSolution) and
// stops at the first that matches a package; see docs/solver.md.

// specForm is one of hawkey's NEVRA forms (libdnf nevra.cpp).
type specForm uint8

const (
	formNEVRA specForm = iota + 1
	formNEVR
	formNEV
	formNA
	formName
)

// specForms is libdnf's HY_FORMS_MOST_SPEC: the order dnf tries the
// forms in.
var specForms = [...]specForm{formNEVRA, formNA, formName, formNEVR, formNEV}

// nevraSpec is a spec parsed in one form. Empty parts are not set;
// epoch is -1 when not given.
type nevraSpec struct {
	name, version, release, arch string
	epoch                        int64
}

// hasJustName reports whether only a name was given (libdnf
// Nevra::hasJustName): only then does dnf also offer the packages that
// obsolete it.
func (n nevraSpec) hasJustName() bool {
	return n.name != "" && n.epoch < 0 && n.version == "" && n.release == "" && n.arch == ""
}

// Characters no part of a NEVRA form may hold (libdnf's PKG_NAME class);
// versions and releases also exclude '-', arches '-' and '.'.
const specBadChars = ":(/=<> "

// parseSpecForm reads s in form f the way libdnf's regular expressions
// do: the name is as long as it can be, so the version and release are
// the last two '-'-separated parts and the arch the part after the last
// '.'. An epoch is "digits:" at the start of the version.
func parseSpecForm(s string, f specForm) (nevraSpec, bool) {
	n := nevraSpec{epoch: -1}
	rest := s
	if f == formNEVRA || f == formNA {
		dot := strings.LastIndexByte(rest, '.')
		if dot < 0 {
			return n, false
		}
		n.arch = rest[dot+1:]
		if n.arch == "" || strings.ContainsAny(n.arch, specBadChars+"-.") {
			return n, false
		}
		rest = rest[:dot]
	}
	if f == formNEVRA || f == formNEVR {
		dash := strings.LastIndexByte(rest, '-')
		if dash < 0 {
			return n, false
		}
		n.release = rest[dash+1:]
		if n.release == "" || strings.ContainsAny(n.release, specBadChars+"-") {
			return n, false
		}
		rest = rest[:dash]
	}
	if f == formNEVRA || f == formNEVR || f == formNEV {
		dash := strings.LastIndexByte(rest, '-')
		if dash < 0 {
			return n, false
		}
		ev := rest[dash+1:]
		if e, v, ok := strings.Cut(ev, ":"); ok {
			if e == "" || strings.Trim(e, "0123456789") != "" {
				return n, false
			}
			epoch, err := strconv.ParseInt(e, 10, 64)
			if err != nil || epoch > 1<<32-1 {
				return n, false
			}
			n.epoch, ev = epoch, v
		}
		n.version = ev
		if n.version == "" || strings.ContainsAny(n.version, specBadChars+"-") {
			return n, false
		}
		rest = rest[:dash]
	}
	n.name = rest
	if n.name == "" || strings.ContainsAny(n.name, specBadChars) {
		return n, false
	}
	return n, true
}

// isGlob reports whether s holds a glob character (libdnf's
// hy_is_glob_pattern).
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// isFilePattern reports whether a spec names files (hawkey's
// _filename_pattern): it starts with "/" or "*/".
func isFilePattern(s string) bool { return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "*/") }

// partMatches matches one part of a spec against a package's value: a
// glob with fnmatch's rules, anything else by equality. An empty pattern
// or "*" matches everything, as libdnf skips such filters.
func partMatches(pattern, value string) bool {
	if pattern == "" || pattern == "*" {
		return true
	}
	if isGlob(pattern) {
		return fnmatch(pattern, value)
	}
	return pattern == value
}

// fnmatch is POSIX fnmatch(3) with no flags, the matching libdnf and
// libsolv use for globs: '*' and '?' match any character including '/',
// "[...]" is a set with ranges and '!' (or '^') negation, '\' escapes.
// A '[' without its ']' matches itself.
func fnmatch(pattern, s string) bool {
	// Iterative matching with one backtrack point for the last '*'.
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				for p < len(pattern) && pattern[p] == '*' {
					p++
				}
				starP, starI = p, i
				continue
			case '?':
				p++
				i++
				continue
			case '[':
				if ok, width, valid := matchBracket(pattern[p:], s[i]); valid {
					if ok {
						p += width
						i++
						continue
					}
				} else if s[i] == '[' {
					p++
					i++
					continue
				}
			case '\\':
				if p+1 < len(pattern) {
					if pattern[p+1] == s[i] {
						p += 2
						i++
						continue
					}
				} else if s[i] == '\\' {
					p++
					i++
					continue
				}
			default:
				if c == s[i] {
					p++
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchBracket matches byte c against the set at the start of pat
// ("[...]"): whether it matched, the set's width, and whether the set is
// closed at all.
func matchBracket(pat string, c byte) (matched bool, width int, valid bool) {
	j := 1
	negate := false
	if j < len(pat) && (pat[j] == '!' || pat[j] == '^') {
		negate = true
		j++
	}
	first := true
	for j < len(pat) {
		if pat[j] == ']' && !first {
			return matched != negate, j + 1, true
		}
		first = false
		lo := pat[j]
		if lo == '\\' && j+1 < len(pat) {
			j++
			lo = pat[j]
		}
		j++
		hi := lo
		if j+1 < len(pat) && pat[j] == '-' && pat[j+1] != ']' {
			hi = pat[j+1]
			if hi == '\\' && j+2 < len(pat) {
				hi = pat[j+2]
				j++
			}
			j += 2
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return false, 0, false
}

// specMatch is what one spec selects.
type specMatch struct {
	pkgs []int32
	// nevra is the form that matched; nil when the spec matched as a
	// whole NEVRA glob, a provide or a file.
	nevra *nevraSpec
}

// matchSpec finds the packages a spec selects among those ok accepts,
// the way libdnf's Solution::getBestSolution does: each NEVRA form in
// turn, then the spec as a glob on whole NEVRAs, then as a provide, then
// (for "/..." and "*/...") as a file. The first that matches wins.
func (s *solver) matchSpec(spec string, ok func(int32) bool) specMatch {
	p := s.p
	for _, f := range specForms {
		n, parsed := parseSpecForm(spec, f)
		if !parsed {
			continue
		}
		if pkgs := s.matchNEVRA(n, ok); len(pkgs) > 0 {
			return specMatch{pkgs: pkgs, nevra: &n}
		}
	}
	var pkgs []int32
	// A NEVRA never holds "(/=<> ": provides and paths skip this scan.
	if !strings.ContainsAny(spec, "(/=<> ") {
		for i, c := range p.cands {
			if c.Pkg != nil && ok(int32(i)) && partMatches(spec, c.Pkg.NEVRA.String()) {
				pkgs = append(pkgs, int32(i))
			}
		}
	}
	if len(pkgs) > 0 {
		return specMatch{pkgs: pkgs}
	}
	seen := map[int32]bool{}
	add := func(i int32) {
		if ok(i) && !seen[i] {
			seen[i] = true
			pkgs = append(pkgs, i)
		}
	}
	d := parseDep(spec)
	if isGlob(d.Name) {
		for _, name := range p.provideNames() {
			if fnmatch(d.Name, name) {
				g := d
				g.Name = name
				p.providers(g, add)
			}
		}
	} else {
		p.providers(d, add)
	}
	if len(pkgs) > 0 {
		return specMatch{pkgs: sortedIDs(pkgs)}
	}
	if isFilePattern(spec) && isGlob(spec) {
		for i, c := range p.cands {
			if c.Pkg == nil || !ok(int32(i)) {
				continue
			}
			for _, f := range c.Pkg.Files {
				if fnmatch(spec, f) {
					pkgs = append(pkgs, int32(i))
					break
				}
			}
		}
	}
	return specMatch{pkgs: pkgs}
}

// matchNEVRA lists the packages ok accepts that match every part of n
// (a part not given matches anything; an epoch not given, any epoch).
func (s *solver) matchNEVRA(n nevraSpec, ok func(int32) bool) []int32 {
	p := s.p
	var out []int32
	match := func(name string) {
		for i := range p.byName.get(name) {
			pk := p.cands[i].Pkg
			if !ok(i) || (n.epoch >= 0 && int64(pk.Epoch) != n.epoch) ||
				!partMatches(n.version, pk.Version) || !partMatches(n.release, pk.Release) || !partMatches(n.arch, pk.Arch) {
				continue
			}
			out = append(out, i)
		}
	}
	if !isGlob(n.name) {
		match(n.name)
		return out
	}
	for _, name := range p.names() {
		if fnmatch(n.name, name) {
			match(name)
		}
	}
	return sortedIDs(out)
}

func sortedIDs(ids []int32) []int32 {
	slices.Sort(ids)
	return ids
}
