package repo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-build/slipway/rpmmeta"
)

// Advisory is one <update> of updateinfo.xml: an erratum stating which
// package builds fix something.
type Advisory struct {
	Repo     string // repository id
	ID       string // e.g. "AZL-2024-0042", "FEDORA-2024-1a2b3c"
	Type     AdvisoryType
	Severity string // as the repository writes it ("Important"); may be empty
	Title    string
	Issued   time.Time // zero when not stated or not readable
	Updated  time.Time
	// References are the advisory's links: CVE ids, bugzilla entries,
	// vendor pages, in file order.
	References []Reference
	// Packages are the builds that carry the fix, in file order (the
	// union of every collection of the pkglist).
	Packages []rpmmeta.NEVRA
}

// AdvisoryType is an advisory's type attribute.
type AdvisoryType string

// The advisory types dnf knows. Anything else is kept as written.
const (
	AdvisorySecurity    AdvisoryType = "security"
	AdvisoryBugfix      AdvisoryType = "bugfix"
	AdvisoryEnhancement AdvisoryType = "enhancement"
	AdvisoryNewPackage  AdvisoryType = "newpackage"
)

// Reference is one <reference> of an advisory.
type Reference struct {
	Type  string // "cve", "bugzilla", "self", ...
	ID    string // "CVE-2024-1234", a bug number
	Href  string
	Title string
}

// CVEs returns the ids of the advisory's references of type "cve", in
// order, each once.
func (a *Advisory) CVEs() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range a.References {
		if strings.EqualFold(r.Type, "cve") && r.ID != "" && !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r.ID)
		}
	}
	return out
}

// Severity ranks, low to high. An unknown or empty severity ranks
// SeverityNone.
const (
	SeverityNone = iota
	SeverityLow
	SeverityModerate
	SeverityImportant
	SeverityCritical
)

// SeverityRank orders a severity as written in updateinfo.xml or given on
// a command line: none, low, moderate (medium), important (high),
// critical; case does not matter. ok is false for any other word.
func SeverityRank(s string) (rank int, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none", "unspecified", "unknown":
		return SeverityNone, true
	case "low":
		return SeverityLow, true
	case "moderate", "medium":
		return SeverityModerate, true
	case "important", "high":
		return SeverityImportant, true
	case "critical":
		return SeverityCritical, true
	}
	return SeverityNone, false
}

// Bounds of updateinfo.xml. The decompressed size is bounded like every
// metadata file (open-size, or WithMaxOpenSize); these bound what is kept.
const (
	maxAdvisories        = 250_000
	maxAdvisoryPackages  = 2_000_000 // over all advisories
	maxAdvisoryRefs      = 2_000_000 // over all advisories
	maxAdvisoryString    = 64 << 10  // id, title, severity, a reference's fields, a NEVRA's parts
	maxAdvisoryText      = 4 << 20   // description, summary and other text that is skipped
	maxUpdateinfoNesting = 32
)

// ErrNoUpdateinfo is returned by LoadUpdateinfo for a repository whose
// repomd.xml has no updateinfo record.
var ErrNoUpdateinfo = errors.New("repomd.xml has no updateinfo record")

// LoadUpdateinfo reads the repository's updateinfo.xml, located through
// repomd.xml and checked against its checksums like primary.xml, from the
// cache when an entry for its checksum exists. A repository without one
// returns ErrNoUpdateinfo.
func (r *Repository) LoadUpdateinfo(ctx context.Context) ([]Advisory, error) {
	rec, ok := r.Record("updateinfo")
	if !ok {
		return nil, fmt.Errorf("repo %s: %w", r.Config.ID, ErrNoUpdateinfo)
	}
	advs, hit, err := loadCached(ctx, r, rec, "updateinfo", readUpdateinfoCache, parseUpdateinfo, encodeUpdateinfo)
	if err != nil {
		return nil, fmt.Errorf("repo %s: %w", r.Config.ID, err)
	}
	r.o.log.Debug("loaded updateinfo", "repo", r.Config.ID, "advisories", len(advs), "cached", hit)
	for i := range advs {
		advs[i].Repo = r.Config.ID
	}
	return advs, nil
}

// Advisories loads the updateinfo.xml of every repository of the set that
// has one (in parallel) and returns their advisories, in repository order.
// Repositories without updateinfo contribute none.
func (s *Set) Advisories(ctx context.Context) ([]Advisory, error) {
	lists := make([][]Advisory, len(s.Repos))
	errs := make([]error, len(s.Repos))
	done := make(chan struct{})
	for i, r := range s.Repos {
		go func() {
			defer func() { done <- struct{}{} }()
			lists[i], errs[i] = r.LoadUpdateinfo(ctx)
			if errors.Is(errs[i], ErrNoUpdateinfo) {
				errs[i] = nil
			}
		}()
	}
	for range s.Repos {
		<-done
	}
	ids := make([]string, len(s.Repos))
	for i, r := range s.Repos {
		ids[i] = r.Config.ID
	}
	if err := joinFailures("repository", ids, errs); err != nil {
		return nil, err
	}
	var out []Advisory
	for _, l := range lists {
		out = append(out, l...)
	}
	return out, nil
}

// updateinfoParser reads updateinfo.xml token by token, keeping only what
// Advisory holds and counting everything against the bounds.
type updateinfoParser struct {
	d    *xml.Decoder
	out  []Advisory
	pkgs int
	refs int
}

// parseUpdateinfo reads updateinfo.xml from r. Unknown elements and
// attributes are skipped; an <update> without an id, a package without a
// name, version or arch, or a value over its bound is an error naming the
// advisory.
func parseUpdateinfo(r io.Reader) ([]Advisory, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	p := &updateinfoParser{d: d}
	root, err := p.start()
	if err != nil {
		return nil, err
	}
	if root.Name.Local != "updates" {
		return nil, fmt.Errorf("updateinfo: root element is <%s>, want <updates>", root.Name.Local)
	}
	for {
		t, err := p.next()
		if err != nil {
			return nil, fmt.Errorf("updateinfo: %w", err)
		}
		switch t := t.(type) {
		case xml.EndElement:
			return p.out, p.rest()
		case xml.StartElement:
			if t.Name.Local != "update" {
				if err := p.skip(); err != nil {
					return nil, fmt.Errorf("updateinfo: %w", err)
				}
				continue
			}
			if len(p.out) >= maxAdvisories {
				return nil, fmt.Errorf("updateinfo: more than %d advisories", maxAdvisories)
			}
			a, err := p.update(t)
			if err != nil {
				return nil, fmt.Errorf("updateinfo: advisory %d%s: %w", len(p.out)+1, idSuffix(a.ID), err)
			}
			p.out = append(p.out, a)
		}
	}
}

func idSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " (" + strconv.Quote(id) + ")"
}

// next returns the next start or end element, skipping text, comments and
// processing instructions.
func (p *updateinfoParser) next() (xml.Token, error) {
	for {
		t, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t.(type) {
		case xml.StartElement, xml.EndElement:
			return t, nil
		}
	}
}

// start returns the root element.
func (p *updateinfoParser) start() (xml.StartElement, error) {
	for {
		t, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				return xml.StartElement{}, errors.New("updateinfo: empty document")
			}
			return xml.StartElement{}, fmt.Errorf("updateinfo: %w", err)
		}
		if s, ok := t.(xml.StartElement); ok {
			return s, nil
		}
	}
}

// rest checks that nothing but whitespace, comments and processing
// instructions follows the root element.
func (p *updateinfoParser) rest() error {
	for {
		t, err := p.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("updateinfo: after </updates>: %w", err)
		}
		if _, ok := t.(xml.StartElement); ok {
			return errors.New("updateinfo: an element after </updates>")
		}
	}
}

// skip skips the element just started, bounding its depth.
func (p *updateinfoParser) skip() error {
	depth := 1
	for depth > 0 {
		t, err := p.next()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
			if depth > maxUpdateinfoNesting {
				return fmt.Errorf("elements nested more than %d deep", maxUpdateinfoNesting)
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// text returns the character data of the element just started, which
// must hold no elements, bounded by limit.
func (p *updateinfoParser) text(name string, limit int) (string, error) {
	var b strings.Builder
	for {
		t, err := p.d.Token()
		if err != nil {
			if err == io.EOF {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			if b.Len()+len(t) > limit {
				return "", fmt.Errorf("<%s> is longer than %d bytes", name, limit)
			}
			b.Write(t)
		case xml.StartElement:
			return "", fmt.Errorf("<%s> holds an element <%s>", name, t.Name.Local)
		case xml.EndElement:
			return strings.TrimSpace(b.String()), nil
		}
	}
}

func attr(se xml.StartElement, name string) (string, error) {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			if len(a.Value) > maxAdvisoryString {
				return "", fmt.Errorf("<%s %s=...> is longer than %d bytes", se.Name.Local, name, maxAdvisoryString)
			}
			return strings.TrimSpace(a.Value), nil
		}
	}
	return "", nil
}

func (p *updateinfoParser) update(se xml.StartElement) (Advisory, error) {
	var a Advisory
	typ, err := attr(se, "type")
	if err != nil {
		return a, err
	}
	a.Type = AdvisoryType(strings.ToLower(typ))
	for {
		t, err := p.next()
		if err != nil {
			return a, err
		}
		if _, ok := t.(xml.EndElement); ok {
			break
		}
		c := t.(xml.StartElement)
		switch c.Name.Local {
		case "id":
			a.ID, err = p.text("id", maxAdvisoryString)
		case "title":
			a.Title, err = p.text("title", maxAdvisoryString)
		case "severity":
			a.Severity, err = p.text("severity", maxAdvisoryString)
		case "issued", "updated":
			var d string
			if d, err = attr(c, "date"); err == nil {
				tm := parseAdvisoryDate(d)
				if c.Name.Local == "issued" {
					a.Issued = tm
				} else {
					a.Updated = tm
				}
				err = p.skip()
			}
		case "references":
			err = p.references(&a)
		case "pkglist":
			err = p.pkglist(&a)
		case "description", "summary", "solution", "rights", "release", "status":
			_, err = p.text(c.Name.Local, maxAdvisoryText)
		default:
			err = p.skip()
		}
		if err != nil {
			return a, err
		}
	}
	if a.ID == "" {
		return a, errors.New("<update> has no <id>")
	}
	if a.Type == "" {
		a.Type = "unknown"
	}
	return a, nil
}

func (p *updateinfoParser) references(a *Advisory) error {
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		if _, ok := t.(xml.EndElement); ok {
			return nil
		}
		c := t.(xml.StartElement)
		if c.Name.Local != "reference" {
			if err := p.skip(); err != nil {
				return err
			}
			continue
		}
		if p.refs >= maxAdvisoryRefs {
			return fmt.Errorf("more than %d references in the file", maxAdvisoryRefs)
		}
		var ref Reference
		for _, f := range []struct {
			name string
			dst  *string
		}{{"type", &ref.Type}, {"id", &ref.ID}, {"href", &ref.Href}, {"title", &ref.Title}} {
			if *f.dst, err = attr(c, f.name); err != nil {
				return err
			}
		}
		if err := p.skip(); err != nil {
			return err
		}
		p.refs++
		a.References = append(a.References, ref)
	}
}

func (p *updateinfoParser) pkglist(a *Advisory) error {
	return p.children(func(c xml.StartElement) error {
		if c.Name.Local != "collection" {
			return p.skip()
		}
		return p.children(func(c xml.StartElement) error {
			if c.Name.Local != "package" {
				return p.skip()
			}
			if p.pkgs >= maxAdvisoryPackages {
				return fmt.Errorf("more than %d packages in the file", maxAdvisoryPackages)
			}
			n, err := packageAttrs(c)
			if err != nil {
				return err
			}
			if err := p.skip(); err != nil {
				return err
			}
			p.pkgs++
			a.Packages = append(a.Packages, n)
			return nil
		})
	})
}

// children calls fn for every child element of the element just started;
// fn must consume the child up to its end.
func (p *updateinfoParser) children(fn func(xml.StartElement) error) error {
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		if _, ok := t.(xml.EndElement); ok {
			return nil
		}
		if err := fn(t.(xml.StartElement)); err != nil {
			return err
		}
	}
}

func packageAttrs(c xml.StartElement) (rpmmeta.NEVRA, error) {
	var n rpmmeta.NEVRA
	var epoch string
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"name", &n.Name}, {"epoch", &epoch}, {"version", &n.Version}, {"release", &n.Release}, {"arch", &n.Arch}} {
		if *f.dst, err = attr(c, f.name); err != nil {
			return n, err
		}
	}
	if n.Name == "" || n.Version == "" || n.Arch == "" {
		return n, fmt.Errorf("<package> without name, version or arch (name=%q version=%q arch=%q)", n.Name, n.Version, n.Arch)
	}
	if epoch != "" {
		e, err := strconv.ParseUint(epoch, 10, 32)
		if err != nil {
			return n, fmt.Errorf("package %s: epoch %q is not a number", n.Name, epoch)
		}
		n.Epoch = uint32(e)
	}
	return n, nil
}

// parseAdvisoryDate reads the forms updateinfo.xml dates come in: "2024-03-01
// 12:00:00", "2024-03-01", RFC 3339, or seconds since the epoch (as libdnf
// does). Anything else gives the zero time.
func parseAdvisoryDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0).UTC()
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func encodeUpdateinfo(advs []Advisory) []byte {
	e := newEncoder('U', len(advs), 256*len(advs))
	for i := range advs {
		a := &advs[i]
		e.str(a.ID)
		e.str(string(a.Type))
		e.str(a.Severity)
		e.str(a.Title)
		e.int(timeUnix(a.Issued))
		e.int(timeUnix(a.Updated))
		e.uint(uint64(len(a.References)))
		for _, r := range a.References {
			e.str(r.Type)
			e.str(r.ID)
			e.str(r.Href)
			e.str(r.Title)
		}
		e.uint(uint64(len(a.Packages)))
		for _, n := range a.Packages {
			e.str(n.Name)
			e.uint(uint64(n.Epoch))
			e.str(n.Version)
			e.str(n.Release)
			e.str(n.Arch)
		}
	}
	return e.rec
}

// timeUnix is seconds since the epoch, with math.MinInt64 for the zero time.
func timeUnix(t time.Time) int64 {
	if t.IsZero() {
		return -1 << 63
	}
	return t.Unix()
}

func unixTime(n int64) time.Time {
	if n == -1<<63 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

func readUpdateinfoCache(path string) ([]Advisory, error) {
	return readCache(path, 'U', decodeUpdateinfo)
}

func decodeUpdateinfo(body []byte) ([]Advisory, error) {
	d, n, err := newDecoder(body)
	if err != nil {
		return nil, err
	}
	if n > d.left()/6 {
		return nil, fmt.Errorf("%w: advisory count %d", errCacheCorrupt, n)
	}
	out := make([]Advisory, n)
	for i := range out {
		a := &out[i]
		a.ID = d.str()
		a.Type = AdvisoryType(d.str())
		a.Severity = d.str()
		a.Title = d.str()
		a.Issued = unixTime(d.int())
		a.Updated = unixTime(d.int())
		if nr := d.count(); nr > 0 {
			a.References = make([]Reference, nr)
			for j := range a.References {
				r := &a.References[j]
				r.Type, r.ID, r.Href, r.Title = d.str(), d.str(), d.str(), d.str()
			}
		}
		if np := d.count(); np > 0 {
			a.Packages = make([]rpmmeta.NEVRA, np)
			for j := range a.Packages {
				p := &a.Packages[j]
				p.Name = d.str()
				ep := d.uint()
				if ep > 1<<32-1 {
					d.err = errCacheCorrupt
				}
				p.Epoch = uint32(ep)
				p.Version, p.Release, p.Arch = d.str(), d.str(), d.str()
			}
		}
		if d.err != nil {
			return nil, fmt.Errorf("%w: advisory %d", errCacheCorrupt, i+1)
		}
	}
	if d.left() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCacheCorrupt, d.left())
	}
	return out, nil
}
