package repo

import (
	"fmt"
	"io"
	"strconv"

	"github.com/slipway-build/slipway/rpmmeta"
)

// interner shares the bytes of repeated strings (dependency names,
// versions, arches, licenses...).
type interner struct {
	m map[string]string
}

func newInterner() *interner { return &interner{m: make(map[string]string, 1<<14)} }

func (in *interner) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	in.m[s] = s
	return s
}

// depArena hands out sub-slices of large Dep blocks, so a repository's
// dependencies take a few big allocations instead of one per package and
// kind.
type depArena struct{ block []rpmmeta.Dep }

func (a *depArena) copy(ds []rpmmeta.Dep) []rpmmeta.Dep {
	if len(ds) == 0 {
		return nil
	}
	if len(ds) > cap(a.block)-len(a.block) {
		a.block = make([]rpmmeta.Dep, 0, max(len(ds), 1<<14))
	}
	n := len(a.block)
	a.block = append(a.block, ds...)
	return a.block[n : n+len(ds) : n+len(ds)]
}

type strArena struct{ block []string }

func (a *strArena) copy(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	if len(ss) > cap(a.block)-len(a.block) {
		a.block = make([]string, 0, max(len(ss), 1<<14))
	}
	n := len(a.block)
	a.block = append(a.block, ss...)
	return a.block[n : n+len(ss) : n+len(ss)]
}

// maxPackagesHint bounds the preallocation a hostile packages="..." can
// ask for (32768 packages are about 18 MB); beyond it the slice grows as
// packages actually arrive.
const maxPackagesHint = 1 << 15

// primaryParser holds the reusable state of one primary.xml parse.
type primaryParser struct {
	s     *scanner
	in    *interner
	deps  depArena
	strs  strArena
	tmp   [8][]rpmmeta.Dep
	files []string
	ver   []byte
}

// parsePrimary reads primary.xml from r. Packages of other types than
// "rpm" are skipped.
func parsePrimary(r io.Reader) ([]Package, error) {
	p := &primaryParser{s: newScanner(r), in: newInterner()}
	return p.parse()
}

func (p *primaryParser) parse() ([]Package, error) {
	s := p.s
	var pkgs []Package
	err := s.packages("metadata",
		func(n int) { pkgs = make([]Package, 0, min(n, maxPackagesHint)) },
		func() error {
			if err := s.parseAttrs(); err != nil {
				return err
			}
			if t, ok := s.attr("type"); ok && string(t) != "rpm" {
				return s.skip()
			}
			pkgs = append(pkgs, Package{})
			if err := p.pkg(&pkgs[len(pkgs)-1]); err != nil {
				return fmt.Errorf("package %d: %w", len(pkgs), err)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	return pkgs, nil
}

// text returns the decoded text of the current element.
func (p *primaryParser) text() ([]byte, error) {
	if p.s.selfClose {
		return nil, nil
	}
	return p.s.readText()
}

func (p *primaryParser) pkg(pk *Package) error {
	s := p.s
	if s.selfClose {
		return s.errorf("empty <package>")
	}
	var haveVersion, haveChecksum, haveLocation bool
	for i := range p.tmp {
		p.tmp[i] = p.tmp[i][:0]
	}
	p.files = p.files[:0]
	for {
		end, err := s.child("<package>")
		if err != nil {
			return err
		}
		if end {
			if string(s.name) != "package" {
				return s.errorf("unexpected </%s> in <package>", s.name)
			}
			if pk.Name == "" || pk.Arch == "" || !haveVersion || !haveChecksum || !haveLocation {
				return s.errorf("package %q lacks name, arch, version, checksum or location", pk.Name)
			}
			pk.Provides = p.deps.copy(p.tmp[0])
			pk.Requires = p.deps.copy(p.tmp[1])
			pk.Conflicts = p.deps.copy(p.tmp[2])
			pk.Obsoletes = p.deps.copy(p.tmp[3])
			pk.Recommends = p.deps.copy(p.tmp[4])
			pk.Suggests = p.deps.copy(p.tmp[5])
			pk.Supplements = p.deps.copy(p.tmp[6])
			pk.Enhances = p.deps.copy(p.tmp[7])
			pk.Files = p.strs.copy(p.files)
			return nil
		}
		switch string(s.name) {
		case "name":
			pk.Name, err = p.internText()
		case "arch":
			pk.Arch, err = p.internText()
		case "version":
			if err = s.parseAttrs(); err == nil {
				pk.EVR, err = p.evr()
				haveVersion = true
			}
		case "checksum":
			if err = s.parseAttrs(); err != nil {
				break
			}
			t, _ := s.attr("type")
			pk.Checksum.Type = p.in.get(t)
			if pk.Checksum.Type == "sha" {
				pk.Checksum.Type = "sha1"
			}
			var v []byte
			if v, err = p.text(); err == nil {
				pk.Checksum.Value = string(v)
				haveChecksum = pk.Checksum.Value != ""
			}
		case "summary":
			pk.Summary, err = p.plainText()
		case "description":
			pk.Description, err = p.plainText()
		case "packager":
			pk.Packager, err = p.internText()
		case "url":
			pk.URL, err = p.plainText()
		case "time":
			if err = s.parseAttrs(); err == nil {
				pk.FileTime, err = p.intAttr("file")
				if err == nil {
					pk.BuildTime, err = p.intAttr("build")
				}
			}
		case "size":
			if err = s.parseAttrs(); err == nil {
				if pk.PackageSize, err = p.uintAttr("package"); err != nil {
					break
				}
				if pk.InstalledSize, err = p.uintAttr("installed"); err != nil {
					break
				}
				pk.ArchiveSize, err = p.uintAttr("archive")
			}
		case "location":
			if err = s.parseAttrs(); err != nil {
				break
			}
			h, _ := s.attr("href")
			if h, err = s.attrValue(h); err != nil {
				break
			}
			pk.Location = string(h)
			haveLocation = pk.Location != ""
			if b, ok := s.attr("xml:base"); ok {
				if b, err = s.attrValue(b); err != nil {
					break
				}
				pk.LocationBase = p.in.get(b)
			}
		case "format":
			// format consumes its own end tag: go straight on to the
			// next child, but never past an error.
			if err = p.format(pk); err != nil {
				return err
			}
			continue
		default:
			err = s.skip()
		}
		if err != nil {
			return err
		}
		if s.kind == tokStart && !s.selfClose && !isLeafDone(s) {
			// Attribute-only elements written with an end tag.
			if err := s.skip(); err != nil {
				return err
			}
		}
	}
}

// isLeafDone reports whether the scanner already consumed the end of the
// current element (text readers stop on its end tag).
func isLeafDone(s *scanner) bool { return s.kind != tokStart }

func (p *primaryParser) internText() (string, error) {
	b, err := p.text()
	if err != nil {
		return "", err
	}
	return p.in.get(b), nil
}

func (p *primaryParser) plainText() (string, error) {
	b, err := p.text()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (p *primaryParser) intAttr(name string) (int64, error) {
	v, ok := p.s.attr(name)
	if !ok || len(v) == 0 {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, p.s.errorf("attribute %s=%q is not an integer", name, trunc(v))
	}
	return n, nil
}

func (p *primaryParser) uintAttr(name string) (uint64, error) {
	v, ok := p.s.attr(name)
	if !ok || len(v) == 0 {
		return 0, nil
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, p.s.errorf("attribute %s=%q is not a non-negative integer", name, trunc(v))
	}
	return n, nil
}

// evr reads epoch/ver/rel attributes of the current tag.
func (p *primaryParser) evr() (rpmmeta.EVR, error) {
	var e rpmmeta.EVR
	if v, ok := p.s.attr("epoch"); ok && len(v) > 0 {
		n, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			return e, p.s.errorf("epoch %q is not a number", trunc(v))
		}
		e.Epoch = uint32(n)
	}
	ver, _ := p.s.attr("ver")
	rel, _ := p.s.attr("rel")
	var err error
	if ver, err = p.s.attrValue(ver); err != nil {
		return e, err
	}
	e.Version = p.in.get(ver)
	if rel, err = p.s.attrValue(rel); err != nil {
		return e, err
	}
	e.Release = p.in.get(rel)
	return e, nil
}

var depKinds = map[string]int{
	"provides": 0, "requires": 1, "conflicts": 2, "obsoletes": 3,
	"recommends": 4, "suggests": 5, "supplements": 6, "enhances": 7,
}

func (p *primaryParser) format(pk *Package) error {
	s := p.s
	if s.selfClose {
		return nil
	}
	for {
		end, err := s.child("<format>")
		if err != nil {
			return err
		}
		if end {
			if string(s.name) != "format" {
				return s.errorf("unexpected </%s> in <format>", s.name)
			}
			return nil
		}
		switch string(s.name) {
		case "license":
			pk.License, err = p.internText()
		case "vendor":
			pk.Vendor, err = p.internText()
		case "group":
			pk.Group, err = p.internText()
		case "buildhost":
			pk.BuildHost, err = p.internText()
		case "sourcerpm":
			pk.SourceRPM, err = p.plainText()
		case "header-range":
			if err = s.parseAttrs(); err == nil {
				if pk.HeaderStart, err = p.uintAttr("start"); err == nil {
					pk.HeaderEnd, err = p.uintAttr("end")
				}
				if err == nil {
					err = s.skip()
				}
			}
		case "file":
			var b []byte
			if b, err = p.text(); err == nil && len(b) > 0 {
				p.files = append(p.files, string(b))
			}
		default:
			k, ok := depKinds[string(s.name)]
			if !ok {
				err = s.skip()
				break
			}
			err = p.entries(k)
		}
		if err != nil {
			return err
		}
	}
}

// entries reads <rpm:entry> elements up to the end of a dependency list.
func (p *primaryParser) entries(k int) error {
	s := p.s
	if s.selfClose {
		return nil
	}
	for {
		end, err := s.child("a dependency list")
		if err != nil {
			return err
		}
		if end {
			return nil
		}
		if string(s.name) != "entry" {
			if err := s.skip(); err != nil {
				return err
			}
			continue
		}
		if err := s.parseAttrs(); err != nil {
			return err
		}
		d, err := p.dep()
		if err != nil {
			return err
		}
		p.tmp[k] = append(p.tmp[k], d)
		if err := s.skip(); err != nil {
			return err
		}
	}
}

func (p *primaryParser) dep() (rpmmeta.Dep, error) {
	s := p.s
	var d rpmmeta.Dep
	var name, flags, epoch, ver, rel, pre []byte
	for _, a := range s.attrs {
		switch string(a.name) {
		case "name":
			name = a.value
		case "flags":
			flags = a.value
		case "epoch":
			epoch = a.value
		case "ver":
			ver = a.value
		case "rel":
			rel = a.value
		case "pre":
			pre = a.value
		}
	}
	var err error
	if name, err = s.attrValue(name); err != nil {
		return d, err
	}
	if len(name) == 0 {
		return d, s.errorf("dependency entry without a name")
	}
	d.Name = p.in.get(name)
	switch string(flags) {
	case "":
	case "EQ":
		d.Flags = rpmmeta.SenseEqual
	case "LT":
		d.Flags = rpmmeta.SenseLess
	case "LE":
		d.Flags = rpmmeta.SenseLess | rpmmeta.SenseEqual
	case "GT":
		d.Flags = rpmmeta.SenseGreater
	case "GE":
		d.Flags = rpmmeta.SenseGreater | rpmmeta.SenseEqual
	default:
		return d, s.errorf("dependency %s: unknown flags %q", d.Name, trunc(flags))
	}
	if string(pre) == "1" || string(pre) == "true" {
		d.Flags |= rpmmeta.SensePrereq | rpmmeta.SenseScriptPre
	}
	if len(ver) > 0 || len(epoch) > 0 || len(rel) > 0 {
		if ver, err = s.attrValue(ver); err != nil {
			return d, err
		}
		if rel, err = s.attrValue(rel); err != nil {
			return d, err
		}
		b := p.ver[:0]
		if len(epoch) > 0 && string(epoch) != "0" {
			if _, err := strconv.ParseUint(string(epoch), 10, 32); err != nil {
				return d, s.errorf("dependency %s: epoch %q is not a number", d.Name, trunc(epoch))
			}
			b = append(append(b, epoch...), ':')
		}
		b = append(b, ver...)
		if len(rel) > 0 {
			b = append(append(b, '-'), rel...)
		}
		p.ver = b
		d.Version = p.in.get(b)
	}
	return d, nil
}
