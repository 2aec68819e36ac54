package hostile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Repo describes hand-made repository metadata: a repomd.xml with one
// primary record (gzip) and no filelists.
type Repo struct {
	Primary []byte // uncompressed primary.xml
	// OpenSize, when not zero, is claimed as the record's open-size.
	OpenSize int64
	// BadChecksum writes a record checksum that does not match.
	BadChecksum bool
	// Repomd, when set, is written as repomd.xml as is (Primary is still
	// written under its usual name).
	Repomd []byte
	// XMLBase, when set, is the primary record's xml:base in repomd.xml.
	XMLBase string
}

// WriteRepo writes r's repodata/ into dir and returns the primary's path.
func WriteRepo(dir string, r Repo) (string, error) {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	if _, err := w.Write(r.Primary); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	sum := sha256.Sum256(z.Bytes())
	open := sha256.Sum256(r.Primary)
	csum := hex.EncodeToString(sum[:])
	href := "repodata/" + csum + "-primary.xml.gz"
	if r.BadChecksum {
		csum = strings.Repeat("0", 64)
	}
	openSize := int64(len(r.Primary))
	if r.OpenSize != 0 {
		openSize = r.OpenSize
	}
	if err := os.MkdirAll(filepath.Join(dir, "repodata"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, href), z.Bytes(), 0o644); err != nil {
		return "", err
	}
	md := r.Repomd
	if md == nil {
		md = fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <data type="primary">
    <checksum type="sha256">%s</checksum>
    <open-checksum type="sha256">%x</open-checksum>
    <location%s href="%s"/>
    <timestamp>1700000000</timestamp>
    <size>%d</size>
    <open-size>%d</open-size>
  </data>
</repomd>
`, csum, open, xmlBaseAttr(r.XMLBase), href, z.Len(), openSize)
	}
	if err := os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml"), md, 0o644); err != nil {
		return "", err
	}
	return filepath.Join(dir, href), nil
}

// xmlBaseAttr is ` xml:base="base"`, or "" for no base.
func xmlBaseAttr(base string) string {
	if base == "" {
		return ""
	}
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(base))
	return ` xml:base="` + b.String() + `"`
}

// PrimaryPackage is one <package> of primary.xml.
type PrimaryPackage struct {
	Name, Version, Release, Arch string
	Checksum                     string // sha256 hex
	Location                     string
	XMLBase                      string // the location's xml:base, if any
	Requires                     []string
}

// Primary renders primary.xml for pkgs.
func Primary(pkgs []PrimaryPackage) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">
`, len(pkgs))
	for _, p := range pkgs {
		fmt.Fprintf(&b, `<package type="rpm">
  <name>%s</name>
  <arch>%s</arch>
  <version epoch="0" ver="%s" rel="%s"/>
  <checksum type="sha256" pkgid="YES">%s</checksum>
  <summary>s</summary>
  <description>d</description>
  <time file="1700000000" build="1700000000"/>
  <size package="100" installed="100" archive="100"/>
  <location%s href="%s"/>
  <format>
    <rpm:provides>
      <rpm:entry name="%s" flags="EQ" epoch="0" ver="%s" rel="%s"/>
    </rpm:provides>
`, p.Name, p.Arch, p.Version, p.Release, p.Checksum, xmlBaseAttr(p.XMLBase), p.Location, p.Name, p.Version, p.Release)
		if len(p.Requires) > 0 {
			b.WriteString("    <rpm:requires>\n")
			for _, r := range p.Requires {
				fmt.Fprintf(&b, "      <rpm:entry name=%q/>\n", r)
			}
			b.WriteString("    </rpm:requires>\n")
		}
		b.WriteString("  </format>\n</package>\n")
	}
	b.WriteString("</metadata>\n")
	return b.Bytes()
}

// BillionLaughs is an XML document whose internal DTD subset defines
// entities that expand to 10^levels copies of "lol" inside the element
// named root.
func BillionLaughs(root string, levels int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE %s [\n <!ENTITY lol0 \"lol\">\n", root)
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, " <!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	fmt.Fprintf(&b, "]>\n<%s>&lol%d;</%s>\n", root, levels, root)
	return b.Bytes()
}

// Nested is primary.xml with one package whose description holds depth
// nested elements.
func Nested(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" packages="1">
<package type="rpm"><name>deep</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><description>`)
	b.WriteString(strings.Repeat("<x>", depth))
	b.WriteString(strings.Repeat("</x>", depth))
	b.WriteString("</description></package></metadata>\n")
	return b.Bytes()
}
