// Package lock reads and writes slipway's lockfile: for each architecture,
// exactly which package builds an image is made of, where they come from
// and their checksums, plus a digest of the configuration they were
// resolved from. The file is TOML, sorted, one field a line, so that a
// change of one package is a small diff.
package lock

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/slipway-build/slipway/rpmmeta"
)

// Version is the lockfile format this package writes and reads.
const Version = 1

// Lock is a parsed lockfile.
type Lock struct {
	// ConfigDigest is the digest of the merged configuration the lock was
	// resolved from ("sha256:<hex>").
	ConfigDigest string
	Arches       []Arch // sorted by name
}

// Arch is the resolved set for one architecture.
type Arch struct {
	Name     string
	Packages []Package // sorted by name, then arch, then EVR
	// Base is the manifest digest of the base image's platform image the
	// packages were resolved on ([image] base); "" without a base.
	Base string
}

// Package is one locked package.
type Package struct {
	rpmmeta.NEVRA
	Repo     string // repository id
	Location string // href relative to the repository's baseurl
	Checksum Checksum
	Size     int64 // the RPM file's size in bytes
}

// Checksum is a digest of the RPM file as the repository names it.
type Checksum struct {
	Type  string // sha256, sha512, sha1, md5
	Value string // lower-case hex
}

func (c Checksum) String() string { return c.Type + ":" + c.Value }

// Arch returns the named architecture's set, or nil.
func (l *Lock) Arch(name string) *Arch {
	for i := range l.Arches {
		if l.Arches[i].Name == name {
			return &l.Arches[i]
		}
	}
	return nil
}

// wire types: the TOML shape of the file.
type wireFile struct {
	Version int        `toml:"version"`
	Config  string     `toml:"config_digest"`
	Arch    []wireArch `toml:"arch"`
}

type wireArch struct {
	Name    string        `toml:"name"`
	Base    string        `toml:"base,omitempty"`
	Package []wirePackage `toml:"package"`
}

type wirePackage struct {
	Name     string `toml:"name"`
	Epoch    uint32 `toml:"epoch,omitempty"`
	Version  string `toml:"version"`
	Release  string `toml:"release"`
	Arch     string `toml:"arch"`
	Repo     string `toml:"repo"`
	Location string `toml:"location"`
	Checksum string `toml:"checksum"`
	Size     int64  `toml:"size"`
}

const header = "# slipway lockfile: written by `slipway lock`, checked by `slipway lock --check`.\n# Do not edit by hand.\n\n"

// Sort puts arches and packages in the canonical order.
func (l *Lock) Sort() {
	sort.Slice(l.Arches, func(i, j int) bool { return l.Arches[i].Name < l.Arches[j].Name })
	for _, a := range l.Arches {
		sort.Slice(a.Packages, func(i, j int) bool {
			p, q := a.Packages[i], a.Packages[j]
			if p.Name != q.Name {
				return p.Name < q.Name
			}
			if p.Arch != q.Arch {
				return p.Arch < q.Arch
			}
			return p.EVR.String() < q.EVR.String()
		})
	}
}

// Marshal renders the lock in canonical form. It does not change l.
func (l *Lock) Marshal() ([]byte, error) {
	c := l.clone()
	c.Sort()
	w := wireFile{Version: Version, Config: c.ConfigDigest}
	for _, a := range c.Arches {
		wa := wireArch{Name: a.Name, Base: a.Base}
		for _, p := range a.Packages {
			wa.Package = append(wa.Package, wirePackage{
				Name: p.Name, Epoch: p.Epoch, Version: p.Version, Release: p.Release, Arch: p.Arch,
				Repo: p.Repo, Location: p.Location, Checksum: p.Checksum.String(), Size: p.Size,
			})
		}
		w.Arch = append(w.Arch, wa)
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := toml.NewEncoder(&buf)
	enc.SetIndentTables(false)
	if err := enc.Encode(w); err != nil {
		return nil, fmt.Errorf("encoding lockfile: %w", err)
	}
	return buf.Bytes(), nil
}

func (l *Lock) clone() *Lock {
	c := &Lock{ConfigDigest: l.ConfigDigest, Arches: make([]Arch, len(l.Arches))}
	for i, a := range l.Arches {
		c.Arches[i] = Arch{Name: a.Name, Packages: append([]Package(nil), a.Packages...), Base: a.Base}
	}
	return c
}

// Parse reads a lockfile; name is used in error messages.
func Parse(data []byte, name string) (*Lock, error) {
	var w wireFile
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return nil, fmt.Errorf("%s:%d: %s", name, row, de.Error())
		}
		var se *toml.StrictMissingError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: %s", name, strings.TrimSpace(se.String()))
		}
		return nil, fmt.Errorf("reading lockfile %s: %w", name, err)
	}
	if w.Version != Version {
		return nil, fmt.Errorf("%s: lockfile version %d, this slipway reads version %d", name, w.Version, Version)
	}
	if !strings.HasPrefix(w.Config, "sha256:") {
		return nil, fmt.Errorf("%s: config_digest %q is not a sha256 digest", name, w.Config)
	}
	l := &Lock{ConfigDigest: w.Config}
	seenArch := map[string]bool{}
	for i, wa := range w.Arch {
		if wa.Name == "" {
			return nil, fmt.Errorf("%s: arch #%d has no name", name, i+1)
		}
		if !ValidArch(wa.Name) {
			return nil, fmt.Errorf("%s: arch #%d: %q is not an architecture name (letters, digits and _)", name, i+1, wa.Name)
		}
		if seenArch[wa.Name] {
			return nil, fmt.Errorf("%s: arch %q listed twice", name, wa.Name)
		}
		seenArch[wa.Name] = true
		if wa.Base != "" && !baseDigest.MatchString(wa.Base) {
			return nil, fmt.Errorf("%s: arch %s: base %q is not a sha256 digest", name, wa.Name, wa.Base)
		}
		a := Arch{Name: wa.Name, Base: wa.Base}
		for j, wp := range wa.Package {
			where := fmt.Sprintf("%s: arch %s, package #%d", name, wa.Name, j+1)
			if wp.Name == "" || wp.Version == "" || wp.Arch == "" {
				return nil, fmt.Errorf("%s: name, version and arch are required", where)
			}
			if wp.Location == "" || wp.Repo == "" {
				return nil, fmt.Errorf("%s (%s): repo and location are required", where, wp.Name)
			}
			if !ValidArch(wp.Arch) {
				return nil, fmt.Errorf("%s (%s): arch %q is not an architecture name (letters, digits and _)", where, wp.Name, wp.Arch)
			}
			if !repoID.MatchString(wp.Repo) || wp.Repo == "." || wp.Repo == ".." {
				return nil, fmt.Errorf("%s (%s): repo %q is not a repository id (letters, digits and _ . : -)", where, wp.Name, wp.Repo)
			}
			if strings.HasPrefix(wp.Location, "/") || strings.Contains("/"+wp.Location+"/", "/../") {
				return nil, fmt.Errorf("%s (%s): location %q must stay inside the repository", where, wp.Name, wp.Location)
			}
			sum, err := parseChecksum(wp.Checksum)
			if err != nil {
				return nil, fmt.Errorf("%s (%s): %w", where, wp.Name, err)
			}
			if wp.Size < 0 {
				return nil, fmt.Errorf("%s (%s): negative size", where, wp.Name)
			}
			a.Packages = append(a.Packages, Package{
				NEVRA: rpmmeta.NEVRA{Name: wp.Name, EVR: rpmmeta.EVR{Epoch: wp.Epoch, Version: wp.Version, Release: wp.Release}, Arch: wp.Arch},
				Repo:  wp.Repo, Location: wp.Location, Checksum: sum, Size: wp.Size,
			})
		}
		l.Arches = append(l.Arches, a)
	}
	return l, nil
}

// archName and repoID are what a lockfile's names may hold: an
// architecture and a repository id become parts of file names (a vendor
// folder's keys/ID.ARCH.asc), so neither may hold a / or be . or ..
// (repository ids follow the configuration's rule).
var (
	archName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	repoID   = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
	// baseDigest is a base image's manifest digest.
	baseDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// ValidArch says whether s is a well-formed architecture name (letters,
// digits and _: x86_64, aarch64, noarch).
func ValidArch(s string) bool { return archName.MatchString(s) }

var hexLen = map[string]int{"sha256": 64, "sha512": 128, "sha1": 40, "sha": 40, "md5": 32, "sha384": 96, "sha224": 56}

func parseChecksum(s string) (Checksum, error) {
	typ, val, ok := strings.Cut(s, ":")
	if !ok {
		return Checksum{}, fmt.Errorf("checksum %q is not TYPE:HEX", s)
	}
	n, known := hexLen[typ]
	if !known {
		return Checksum{}, fmt.Errorf("checksum type %q is not one of sha256, sha512, sha384, sha224, sha1, md5", typ)
	}
	if len(val) != n {
		return Checksum{}, fmt.Errorf("%s checksum has %d hex digits, want %d", typ, len(val), n)
	}
	for _, r := range val {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return Checksum{}, fmt.Errorf("checksum %q is not lower-case hex", s)
		}
	}
	return Checksum{Type: typ, Value: val}, nil
}

// Stale explains why a lock no longer fits; see Check.
type Stale struct {
	Reasons []string
}

func (s *Stale) Error() string {
	return "lockfile is stale: " + strings.Join(s.Reasons, "; ")
}

// Available answers whether a repository still offers a locked package
// (same location and checksum).
type Available func(repo string, p Package) bool

// Check compares a lock with the current config digest and architectures
// and asks avail whether each locked package is still in its repository.
// It returns a *Stale error listing every reason, or nil.
func Check(l *Lock, configDigest string, arches []string, avail Available) error {
	var reasons []string
	if l.ConfigDigest != configDigest {
		reasons = append(reasons, "the configuration changed since the lock was written")
	}
	want := map[string]bool{}
	for _, a := range arches {
		want[a] = true
		if l.Arch(a) == nil {
			reasons = append(reasons, "architecture "+a+" is not locked")
		}
	}
	for _, a := range l.Arches {
		if !want[a.Name] {
			reasons = append(reasons, "architecture "+a.Name+" is locked but not configured")
			continue
		}
		if avail == nil {
			continue
		}
		for _, p := range a.Packages {
			if !avail(p.Repo, p) {
				reasons = append(reasons, fmt.Sprintf("%s (%s) is no longer in repository %s", p.NEVRA, a.Name, strconv.Quote(p.Repo)))
			}
		}
	}
	if len(reasons) > 0 {
		return &Stale{Reasons: reasons}
	}
	return nil
}
