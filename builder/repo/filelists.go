package repo

import (
	"fmt"
	"io"

	"github.com/slipway-build/slipway/rpmmeta"
)

// fileList is one <package> of filelists.xml.
type fileList struct {
	PkgID string
	Name  string
	Arch  string
	EVR   rpmmeta.EVR
	Files []string
}

// parseFilelists reads filelists.xml from r.
func parseFilelists(r io.Reader) ([]fileList, error) {
	p := &primaryParser{s: newScanner(r), in: newInterner()}
	var out []fileList
	err := p.s.packages("filelists",
		func(n int) { out = make([]fileList, 0, min(n, maxPackagesHint)) },
		func() error {
			fl, err := p.fileListPkg()
			if err != nil {
				return fmt.Errorf("filelists package %d: %w", len(out)+1, err)
			}
			out = append(out, fl)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (p *primaryParser) fileListPkg() (fileList, error) {
	s := p.s
	var fl fileList
	if err := s.parseAttrs(); err != nil {
		return fl, err
	}
	for _, a := range s.attrs {
		v, err := s.attrValue(a.value)
		if err != nil {
			return fl, err
		}
		switch string(a.name) {
		case "pkgid":
			fl.PkgID = string(v)
		case "name":
			fl.Name = p.in.get(v)
		case "arch":
			fl.Arch = p.in.get(v)
		}
	}
	if fl.PkgID == "" || fl.Name == "" {
		return fl, s.errorf("<package> without pkgid or name")
	}
	if s.selfClose {
		return fl, nil
	}
	p.files = p.files[:0]
	for {
		end, err := s.child("<package>")
		if err != nil {
			return fl, err
		}
		if end {
			fl.Files = p.strs.copy(p.files)
			return fl, nil
		}
		switch string(s.name) {
		case "version":
			if err = s.parseAttrs(); err == nil {
				if fl.EVR, err = p.evr(); err == nil {
					err = s.skip()
				}
			}
		case "file":
			var b []byte
			if b, err = p.text(); err == nil && len(b) > 0 {
				p.files = append(p.files, string(b))
			}
		default:
			err = s.skip()
		}
		if err != nil {
			return fl, err
		}
	}
}
