package repo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/repo/synth"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/rpmmeta"
)

const seedPrimary = `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">
<package type="rpm">
  <name>a&amp;b</name>
  <arch>noarch</arch>
  <version epoch="2" ver="1.0" rel="1"/>
  <checksum type="sha" pkgid="YES">0123456789abcdef0123456789abcdef01234567</checksum>
  <summary><![CDATA[x < y]]></summary>
  <description>line&#10;two &#x263a; &lt;ok&gt;</description>
  <location xml:base="http://mirror/x/" href="Packages/a.rpm"/>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:header-range start="1" end="2"/>
    <rpm:provides><rpm:entry name="a" flags="EQ" epoch="2" ver="1.0" rel="1"/></rpm:provides>
    <rpm:requires><rpm:entry name="/bin/sh" pre="1"/><rpm:entry name="(b if c)"/><rpm:entry name="d" flags="GE" epoch="0" ver="2"/></rpm:requires>
    <file type="dir">/etc/a</file>
  </format>
</package>
<!-- comment -->
</metadata>
`

const seedFilelists = `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="1">
<package pkgid="0123" name="a" arch="noarch"><version epoch="0" ver="1" rel="1"/><file>/a</file><file type="dir">/b</file></package>
</filelists>
`

// metadataSeeds returns the decompressed primary, filelists and repomd of
// the real test repository.
func metadataSeeds(f *testing.F) (primary, filelists, repomd []byte) {
	tr := testrepo.Get(f)
	dir := tr.Dir["x86_64"]
	var err error
	repomd, err = os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		f.Fatal(err)
	}
	_, _, primary = rawRecordF(f, dir, "primary")
	_, _, filelists = rawRecordF(f, dir, "filelists")
	return
}

func rawRecordF(f *testing.F, dir, typ string) (string, []byte, []byte) {
	md, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		f.Fatal(err)
	}
	m, err := parseRepomd(md)
	if err != nil {
		f.Fatal(err)
	}
	for _, rec := range m.Records {
		if rec.Type != typ {
			continue
		}
		fh, err := os.Open(filepath.Join(dir, rec.Location))
		if err != nil {
			f.Fatal(err)
		}
		defer fh.Close()
		ra, err := openStream(fh, rec, 1<<30)
		if err != nil {
			f.Fatal(err)
		}
		defer ra.Close()
		b, err := io.ReadAll(ra)
		if err != nil {
			f.Fatal(err)
		}
		return rec.Location, nil, b
	}
	f.Fatalf("no %s", typ)
	return "", nil, nil
}

func FuzzPrimary(f *testing.F) {
	primary, _, _ := metadataSeeds(f)
	f.Add(primary)
	f.Add([]byte(seedPrimary))
	f.Add([]byte(`<metadata packages="99999999999"/>`))
	f.Add([]byte(`<metadata><package><name>x</name></package></metadata>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := parsePrimary(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What parses must survive the cache unchanged.
		back, err := decodePrimary(encodePrimary(pkgs)[len(cacheMagic)+2:])
		if err != nil {
			t.Fatalf("cache round trip: %v", err)
		}
		if fmt.Sprintf("%+v", pkgs) != fmt.Sprintf("%+v", back) {
			t.Fatalf("cache round trip changed packages")
		}
		// And agree with encoding/xml where that parser accepts the input.
		if !bytes.Contains(data, []byte("\r")) {
			if ref, err := referencePrimary(data); err == nil {
				if got := summarize(pkgs); got != ref {
					t.Fatalf("parsers disagree\nours:\n%s\nencoding/xml:\n%s", got, ref)
				}
			}
		}
	})
}

func FuzzFilelists(f *testing.F) {
	_, filelists, _ := metadataSeeds(f)
	f.Add(filelists)
	f.Add([]byte(seedFilelists))
	f.Add([]byte(`<filelists><package pkgid="1" name="x"><file>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fls, err := parseFilelists(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, fl := range fls {
			if fl.PkgID == "" || fl.Name == "" {
				t.Fatalf("accepted a package without pkgid or name: %+v", fl)
			}
		}
		back, err := decodeFilelists(encodeFilelists(fls)[len(cacheMagic)+2:])
		if err != nil || fmt.Sprint(back) != fmt.Sprint(fls) {
			t.Fatalf("cache round trip: %v", err)
		}
	})
}

func FuzzRepomd(f *testing.F) {
	_, _, repomd := metadataSeeds(f)
	f.Add(repomd)
	f.Add([]byte(`<repomd><data type="primary"><checksum type="sha">0123456789abcdef0123456789abcdef01234567</checksum><location href="r/p.xml.gz"/><size>1</size></data></repomd>`))
	f.Add([]byte(`<repomd><data type="primary"><location href="../p"/></data></repomd>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := parseRepomd(data)
		if err != nil {
			return
		}
		for _, r := range md.Records {
			if r.Type == "" || checkHref(r.Location) != nil || len(r.Checksum.Value) != 2*hashSizes[r.Checksum.Type] {
				t.Fatalf("accepted a bad record: %+v", r)
			}
			if _, err := compressionOf(r.Location); err == nil {
				// Must not panic on any content.
				openStream(bytes.NewReader(data), r, 1<<20)
			}
		}
	})
}

// TestParserMatchesEncodingXML compares the hand-written parser with a
// plain encoding/xml reading of the same documents: the real test
// repository and a synthetic one.
func TestParserMatchesEncodingXML(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	_, _, real := rawRecord(t, tr.Dir["x86_64"], "primary")
	dir := t.TempDir()
	if err := synth.Write(dir, synth.Options{N: 300, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	_, _, syn := rawRecord(t, dir, "primary")
	for name, doc := range map[string][]byte{"testrepo": real, "synthetic": syn, "seed": []byte(seedPrimary)} {
		pkgs, err := parsePrimary(bytes.NewReader(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ref, err := referencePrimary(doc)
		if err != nil {
			t.Fatalf("%s: encoding/xml: %v", name, err)
		}
		if got := summarize(pkgs); got != ref {
			t.Errorf("%s: parsers disagree\nours:\n%s\nencoding/xml:\n%s", name, got, ref)
		}
	}
}

// summarize renders what both parsers must agree on.
func summarize(pkgs []Package) string {
	var b strings.Builder
	for _, p := range pkgs {
		fmt.Fprintf(&b, "%s %d %s %s %s|%s|%s|%s|%s|%s|%s\n", p.Name, p.Epoch, p.Version, p.Release, p.Arch, p.Checksum.Value, p.Summary, p.Description, p.Location, p.LocationBase, p.License)
		for _, d := range p.Provides {
			fmt.Fprintf(&b, " P %s %d %s\n", d.Name, d.Flags, d.Version)
		}
		for _, d := range p.Requires {
			fmt.Fprintf(&b, " R %s %d %s\n", d.Name, d.Flags, d.Version)
		}
		for _, f := range p.Files {
			fmt.Fprintf(&b, " F %s\n", f)
		}
	}
	return b.String()
}

// referencePrimary reads primary.xml with encoding/xml and renders it like
// summarize, for packages of type rpm.
func referencePrimary(doc []byte) (string, error) {
	type entry struct {
		Name  string `xml:"name,attr"`
		Flags string `xml:"flags,attr"`
		Epoch string `xml:"epoch,attr"`
		Ver   string `xml:"ver,attr"`
		Rel   string `xml:"rel,attr"`
		Pre   string `xml:"pre,attr"`
	}
	type xpkg struct {
		Type    string `xml:"type,attr"`
		Name    string `xml:"name"`
		Arch    string `xml:"arch"`
		Version struct {
			Epoch string `xml:"epoch,attr"`
			Ver   string `xml:"ver,attr"`
			Rel   string `xml:"rel,attr"`
		} `xml:"version"`
		Checksum    string `xml:"checksum"`
		Summary     string `xml:"summary"`
		Description string `xml:"description"`
		Location    struct {
			Href string `xml:"href,attr"`
			Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
		} `xml:"location"`
		Format struct {
			License  string   `xml:"license"`
			Provides []entry  `xml:"provides>entry"`
			Requires []entry  `xml:"requires>entry"`
			Files    []string `xml:"file"`
		} `xml:"format"`
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	var b strings.Builder
	flags := map[string]int{"": 0, "EQ": 8, "LT": 2, "LE": 10, "GT": 4, "GE": 12}
	dep := func(kind string, e entry) error {
		f, ok := flags[e.Flags]
		if !ok {
			return fmt.Errorf("flags %q", e.Flags)
		}
		if e.Pre == "1" || e.Pre == "true" {
			f |= 1<<6 | 1<<9
		}
		v := ""
		if e.Ver != "" || e.Epoch != "" || e.Rel != "" {
			if e.Epoch != "" && e.Epoch != "0" {
				v = e.Epoch + ":"
			}
			v += e.Ver
			if e.Rel != "" {
				v += "-" + e.Rel
			}
		}
		fmt.Fprintf(&b, " %s %s %d %s\n", kind, e.Name, f, v)
		return nil
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "package" {
			continue
		}
		var p xpkg
		if err := d.DecodeElement(&p, &se); err != nil {
			return "", err
		}
		if p.Type != "" && p.Type != "rpm" {
			continue
		}
		epoch := p.Version.Epoch
		if epoch == "" {
			epoch = "0"
		}
		fmt.Fprintf(&b, "%s %s %s %s %s|%s|%s|%s|%s|%s|%s\n", p.Name, epoch, p.Version.Ver, p.Version.Rel, p.Arch, p.Checksum, p.Summary, p.Description, p.Location.Href, p.Location.Base, p.Format.License)
		for _, e := range p.Format.Provides {
			if err := dep("P", e); err != nil {
				return "", err
			}
		}
		for _, e := range p.Format.Requires {
			if err := dep("R", e); err != nil {
				return "", err
			}
		}
		for _, f := range p.Format.Files {
			if f != "" {
				fmt.Fprintf(&b, " F %s\n", f)
			}
		}
	}
}

// FuzzDecodeCache feeds damaged cache bodies to every decoder: they must
// fail with errCacheCorrupt or decode, never panic or over-allocate.
func FuzzDecodeCache(f *testing.F) {
	pkgs := []Package{{Location: "a.rpm"}}
	pkgs[0].Name, pkgs[0].Version, pkgs[0].Arch = "a", "1", "noarch"
	pkgs[0].Provides = []rpmmeta.Dep{{Name: "a", Flags: rpmmeta.SenseEqual, Version: "1"}}
	pkgs[0].Files = []string{"/usr/bin/a"}
	f.Add(encodePrimary(pkgs)[len(cacheMagic)+2:])
	f.Add(encodeFilelists([]fileList{{PkgID: "x", Name: "a", Arch: "noarch", Files: []string{"/a", "/b"}}})[len(cacheMagic)+2:])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	if advs, err := parseUpdateinfo(strings.NewReader(seedUpdateinfo)); err == nil {
		f.Add(encodeUpdateinfo(advs)[len(cacheMagic)+2:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The decoders alias strings into their input: give them a copy
		// the fuzzer will not reuse.
		if _, err := decodePrimary(bytes.Clone(data)); err != nil && !errors.Is(err, errCacheCorrupt) {
			t.Fatalf("primary: %v is not errCacheCorrupt", err)
		}
		if _, err := decodeFilelists(bytes.Clone(data)); err != nil && !errors.Is(err, errCacheCorrupt) {
			t.Fatalf("filelists: %v is not errCacheCorrupt", err)
		}
		if _, err := decodeUpdateinfo(bytes.Clone(data)); err != nil && !errors.Is(err, errCacheCorrupt) {
			t.Fatalf("updateinfo: %v is not errCacheCorrupt", err)
		}
	})
}
