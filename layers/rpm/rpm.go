// Package rpm reads RPM package files: the lead, the signature header, the
// main header (with its immutable region kept byte for byte), and the
// payload, streamed through its decompressor and cpio archive while every
// digest the package carries is checked.
//
// Nothing here holds a whole payload in memory, and every count and size
// read from a package is checked against the data before it is used: a
// hostile file gives an error, never a panic.
package rpm

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/slipway-build/slipway/rpmmeta"
)

var leadMagic = []byte{0xed, 0xab, 0xee, 0xdb}

const leadSize = 96

// Package is an RPM whose lead and headers have been read. The reader it
// was opened from is positioned at the start of the payload.
type Package struct {
	// Signature is the signature header, Header the main header.
	Signature *Header
	Header    *Header

	r         io.Reader
	hdrBytes  []byte // the main header with its magic: what digests cover
	payloadOn bool   // Payload was called
}

// Open reads the lead, the signature header and the main header from r and
// checks the header digests (SHA256HEADER, SHA1HEADER) the signature header
// carries. r is left at the start of the payload; read it with Payload.
func Open(r io.Reader) (*Package, error) {
	var lead [leadSize]byte
	if _, err := io.ReadFull(r, lead[:]); err != nil {
		return nil, readErr("lead", "lead", err)
	}
	if !bytes.Equal(lead[:4], leadMagic) {
		return nil, formatErr("lead", "bad magic %x: not an RPM package", lead[:4])
	}
	if lead[4] != 3 && lead[4] != 4 {
		return nil, formatErr("lead", "unsupported major version %d", lead[4])
	}
	if st := binary.BigEndian.Uint16(lead[78:80]); st != 5 {
		return nil, formatErr("lead", "signature type %d, want 5 (header-style)", st)
	}
	sig, sigBytes, err := readHeader(r, "signature header")
	if err != nil {
		return nil, err
	}
	if pad := (8 - len(sigBytes)%8) % 8; pad > 0 {
		var z [8]byte
		if _, err := io.ReadFull(r, z[:pad]); err != nil {
			return nil, readErr("signature header", "padding", err)
		}
	}
	hdr, hdrBytes, err := readHeader(r, "header")
	if err != nil {
		return nil, err
	}
	p := &Package{Signature: sig, Header: hdr, r: r, hdrBytes: hdrBytes}
	if err := p.checkHeaderDigests(); err != nil {
		return nil, err
	}
	if !p.hasDigest() {
		return nil, fmt.Errorf("package %s: %w: it carries no header SHA256 or SHA1 digest, no payload digest and no MD5 (rpm refuses it too)", p.NEVRA(), ErrNoDigest)
	}
	return p, nil
}

// hasDigest reports whether the package carries at least one of the
// digests rpm 4.18 checks (header SHA256 or SHA1, payload digest, MD5 of
// header and payload); rpm refuses a package with none ("no digest"),
// whose content nothing would then vouch for.
func (p *Package) hasDigest() bool {
	return p.Signature.Has(SigTagSHA256) || p.Signature.Has(SigTagSHA1) || p.Signature.Has(SigTagMD5) ||
		p.Header.Has(TagPayloadDigest) || p.Header.Has(TagPayloadDigestAlt)
}

func (p *Package) checkHeaderDigests() error {
	check := func(tag Tag, name string, sum func() []byte) error {
		if !p.Signature.Has(tag) {
			return nil
		}
		want := strings.ToLower(p.Signature.String(tag))
		if got := hex.EncodeToString(sum()); got != want {
			return &DigestError{What: "header " + name, Want: want, Got: got}
		}
		return nil
	}
	// Each digest is computed only when the package carries it.
	if err := check(SigTagSHA256, "SHA256", func() []byte { s := sha256.Sum256(p.hdrBytes); return s[:] }); err != nil {
		return err
	}
	return check(SigTagSHA1, "SHA1", func() []byte { s := sha1.Sum(p.hdrBytes); return s[:] })
}

// HeaderBytes returns the main header as it is in the file, magic
// included: the bytes header digests and signatures cover.
func (p *Package) HeaderBytes() []byte { return p.hdrBytes }

// NEVRA returns the package's name, epoch, version, release and arch.
// A source package's arch is "src", as rpm names it.
func (p *Package) NEVRA() rpmmeta.NEVRA {
	h := p.Header
	n := rpmmeta.NEVRA{Name: h.String(TagName), Arch: h.String(TagArch)}
	n.Version = h.String(TagVersion)
	n.Release = h.String(TagRelease)
	if e, ok := h.Int(TagEpoch); ok {
		n.Epoch = uint32(e)
	}
	if p.IsSource() {
		n.Arch = "src"
	}
	return n
}

// IsSource reports whether this is a source package (it has no SOURCERPM).
func (p *Package) IsSource() bool { return !p.Header.Has(TagSourceRPM) }

// HasEpoch reports whether the package sets an epoch (even 0).
func (p *Package) HasEpoch() bool { return p.Header.Has(TagEpoch) }

func (p *Package) deps(nameTag, flagsTag, versionTag Tag) ([]rpmmeta.Dep, error) {
	names, err := p.Header.Strings(nameTag)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, nil
	}
	flags, err := p.Header.Ints(flagsTag)
	if err != nil {
		return nil, err
	}
	versions, err := p.Header.Strings(versionTag)
	if err != nil {
		return nil, err
	}
	if (flags != nil && len(flags) != len(names)) || (versions != nil && len(versions) != len(names)) {
		return nil, formatErr("header", "tag %d: %d names but %d flags and %d versions", nameTag, len(names), len(flags), len(versions))
	}
	out := make([]rpmmeta.Dep, len(names))
	for i, n := range names {
		out[i].Name = n
		if flags != nil {
			out[i].Flags = rpmmeta.Sense(flags[i])
		}
		if versions != nil {
			out[i].Version = versions[i]
		}
	}
	return out, nil
}

// DepKind names one of the dependency lists of a package.
type DepKind int

// The dependency kinds, in rpm's order.
const (
	Requires DepKind = iota
	Provides
	Conflicts
	Obsoletes
	Recommends
	Suggests
	Supplements
	Enhances
)

var depTags = [...]struct {
	name                   string
	names, flags, versions Tag
}{
	Requires:    {"requires", TagRequireName, TagRequireFlags, TagRequireVersion},
	Provides:    {"provides", TagProvideName, TagProvideFlags, TagProvideVersion},
	Conflicts:   {"conflicts", TagConflictName, TagConflictFlags, TagConflictVersion},
	Obsoletes:   {"obsoletes", TagObsoleteName, TagObsoleteFlags, TagObsoleteVersion},
	Recommends:  {"recommends", TagRecommendName, TagRecommendFlags, TagRecommendVersion},
	Suggests:    {"suggests", TagSuggestName, TagSuggestFlags, TagSuggestVersion},
	Supplements: {"supplements", TagSupplementName, TagSupplementFlags, TagSupplementVersion},
	Enhances:    {"enhances", TagEnhanceName, TagEnhanceFlags, TagEnhanceVersion},
}

func (k DepKind) String() string {
	if k < 0 || int(k) >= len(depTags) {
		return fmt.Sprintf("DepKind(%d)", int(k))
	}
	return depTags[k].name
}

// Deps returns one dependency list, in header order. Versions are kept as
// the raw strings, rich dependencies as their whole text.
func (p *Package) Deps(k DepKind) ([]rpmmeta.Dep, error) {
	if k < 0 || int(k) >= len(depTags) {
		return nil, fmt.Errorf("unknown dependency kind %d", int(k))
	}
	t := depTags[k]
	d, err := p.deps(t.names, t.flags, t.versions)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", t.name, err)
	}
	return d, nil
}

func (p *Package) mustDeps(k DepKind) []rpmmeta.Dep { d, _ := p.Deps(k); return d }

// Requires and the other dependency getters return nil when the list is
// malformed; use Deps for the error.
func (p *Package) Requires() []rpmmeta.Dep    { return p.mustDeps(Requires) }
func (p *Package) Provides() []rpmmeta.Dep    { return p.mustDeps(Provides) }
func (p *Package) Conflicts() []rpmmeta.Dep   { return p.mustDeps(Conflicts) }
func (p *Package) Obsoletes() []rpmmeta.Dep   { return p.mustDeps(Obsoletes) }
func (p *Package) Recommends() []rpmmeta.Dep  { return p.mustDeps(Recommends) }
func (p *Package) Suggests() []rpmmeta.Dep    { return p.mustDeps(Suggests) }
func (p *Package) Supplements() []rpmmeta.Dep { return p.mustDeps(Supplements) }
func (p *Package) Enhances() []rpmmeta.Dep    { return p.mustDeps(Enhances) }

// Meta returns the package as the resolver sees it.
func (p *Package) Meta() (rpmmeta.Package, error) {
	m := rpmmeta.Package{NEVRA: p.NEVRA()}
	lists := []*[]rpmmeta.Dep{&m.Requires, &m.Provides, &m.Conflicts, &m.Obsoletes, &m.Recommends, &m.Suggests, &m.Supplements, &m.Enhances}
	for k, dst := range lists {
		d, err := p.Deps(DepKind(k))
		if err != nil {
			return m, err
		}
		*dst = d
	}
	files, err := p.Files()
	if err != nil {
		return m, err
	}
	for _, f := range files {
		m.Files = append(m.Files, f.Path)
	}
	return m, nil
}
