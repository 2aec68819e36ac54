// Package rpmmeta holds RPM's value types: package identities (NEVRA),
// versions (EVR) and their comparison, and dependencies. It does no I/O.
package rpmmeta

import (
	"strconv"
	"strings"
)

// EVR is an epoch, version and release. An empty Release in a dependency
// means "any release".
type EVR struct {
	Epoch   uint32
	Version string
	Release string
}

// ParseEVR parses "[epoch:]version[-release]" the way rpm splits a
// dependency's version: the epoch is the leading digits before the first
// ':', the release is everything after the last '-'.
func ParseEVR(s string) EVR {
	var e EVR
	if i := strings.IndexByte(s, ':'); i >= 0 {
		digits := s[:i]
		if n, err := strconv.ParseUint(digits, 10, 32); err == nil {
			e.Epoch = uint32(n)
			s = s[i+1:]
		}
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		e.Version, e.Release = s[:i], s[i+1:]
	} else {
		e.Version = s
	}
	return e
}

// String renders the EVR as rpm prints it: the epoch only when non-zero,
// the release only when set.
func (e EVR) String() string {
	var b strings.Builder
	if e.Epoch != 0 {
		b.WriteString(strconv.FormatUint(uint64(e.Epoch), 10))
		b.WriteByte(':')
	}
	b.WriteString(e.Version)
	if e.Release != "" {
		b.WriteByte('-')
		b.WriteString(e.Release)
	}
	return b.String()
}

// IsZero reports whether no version is set.
func (e EVR) IsZero() bool { return e.Epoch == 0 && e.Version == "" && e.Release == "" }

// NEVRA identifies one package build.
type NEVRA struct {
	Name string
	EVR
	Arch string
}

// String renders name-[epoch:]version-release.arch.
func (n NEVRA) String() string {
	return n.Name + "-" + n.EVR.String() + "." + n.Arch
}

// Sense is rpm's RPMSENSE_* dependency flag word.
type Sense uint32

// The RPMSENSE_* bits that matter to us (rpmds.h).
const (
	SenseLess          Sense = 1 << 1
	SenseGreater       Sense = 1 << 2
	SenseEqual         Sense = 1 << 3
	SensePosttrans     Sense = 1 << 5
	SensePrereq        Sense = 1 << 6
	SensePretrans      Sense = 1 << 7
	SenseInterp        Sense = 1 << 8
	SenseScriptPre     Sense = 1 << 9
	SenseScriptPost    Sense = 1 << 10
	SenseScriptPreun   Sense = 1 << 11
	SenseScriptPostun  Sense = 1 << 12
	SenseScriptVerify  Sense = 1 << 13
	SenseFindRequires  Sense = 1 << 14
	SenseFindProvides  Sense = 1 << 15
	SenseTriggerIn     Sense = 1 << 16
	SenseTriggerUn     Sense = 1 << 17
	SenseTriggerPostun Sense = 1 << 18
	SenseMissingOK     Sense = 1 << 19
	SensePreuntrans    Sense = 1 << 20
	SensePostuntrans   Sense = 1 << 21
	SenseRpmlib        Sense = 1 << 24
	SenseTriggerPrein  Sense = 1 << 25
	SenseKeyring       Sense = 1 << 26
	SenseConfig        Sense = 1 << 28

	SenseCompareMask = SenseLess | SenseGreater | SenseEqual
)

// Dep is one dependency entry: a capability name, a comparison and a
// version. Rich (boolean) dependencies keep their whole text in Name, the
// way rpm stores them; see ParseRich.
type Dep struct {
	Name    string
	Flags   Sense
	Version string // the raw "[epoch:]version[-release]" text, as stored
}

// EVR parses the dependency's version.
func (d Dep) EVR() EVR { return ParseEVR(d.Version) }

// Op renders the comparison ("<", "<=", "=", ">=", ">") or "".
func (d Dep) Op() string {
	switch d.Flags & SenseCompareMask {
	case SenseLess:
		return "<"
	case SenseLess | SenseEqual:
		return "<="
	case SenseEqual:
		return "="
	case SenseGreater | SenseEqual:
		return ">="
	case SenseGreater:
		return ">"
	}
	return ""
}

// String renders the dependency as `rpm -q --requires` prints it.
func (d Dep) String() string {
	op := d.Op()
	if op == "" {
		return d.Name
	}
	return d.Name + " " + op + " " + d.Version
}

// IsRich reports whether the dependency is a boolean expression.
func (d Dep) IsRich() bool { return strings.HasPrefix(d.Name, "(") }

// IsRpmlib reports whether the dependency is an rpmlib() feature check.
func (d Dep) IsRpmlib() bool { return strings.HasPrefix(d.Name, "rpmlib(") }

// IsFile reports whether the dependency names a file path.
func (d Dep) IsFile() bool { return strings.HasPrefix(d.Name, "/") }

// Package is what resolution needs to know about one package: its identity,
// its dependencies and the files it owns. Repository metadata and RPM
// headers are both turned into this.
type Package struct {
	NEVRA
	Provides    []Dep
	Requires    []Dep
	Conflicts   []Dep
	Obsoletes   []Dep
	Recommends  []Dep
	Suggests    []Dep
	Supplements []Dep
	Enhances    []Dep
	// Files lists the paths the package owns, as far as they are known:
	// primary.xml lists only those under /etc and in *bin/ directories,
	// filelists.xml adds the rest.
	Files []string
}
