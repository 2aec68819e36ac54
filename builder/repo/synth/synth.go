// Package synth writes synthetic RPM repository metadata shaped like a real
// distribution's, for benchmarks: repodata/repomd.xml with primary,
// filelists and other (gzip), and no RPM files. dnf, repo2solv and slipway
// read metadata only, so the same repository can time all three.
//
// The output is a pure function of Options: the same N and Seed give the
// same bytes.
//
// The shape: source packages split into a main package, -libs (sonames
// with symbol versions), -devel (pkgconfig), -doc (noarch) and python3-
// (noarch) subpackages; about one name in six has two or three versions;
// requirements on sonames, exact-version subpackage requires, file
// dependencies (/bin/sh, /usr/bin/python3, and some paths found only in
// filelists.xml), rich dependencies, Requires(pre), Recommends, Obsoletes
// and Conflicts; a few i686 packages to be filtered out. Every requirement
// is satisfiable.
package synth

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-build/slipway/rpmmeta"
)

// Options control the generated repository.
type Options struct {
	N    int    // number of packages (at least 50)
	Seed uint64 // random seed
}

type dep struct {
	name, flags, epoch, ver, rel string
	pre                          bool
}

type pkg struct {
	name, arch, ver, rel, epoch string
	summary, desc               string
	provides, requires          []dep
	recommends, obsoletes       []dep
	conflicts                   []dep
	suggests, supplements       []dep
	enhances                    []dep
	primaryFiles, otherFiles    []string
	dirs                        []string
	pkgid                       string
	size                        int
}

var words = strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor
incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris
nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat
nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim
id est laborum library tool daemon network parser compression crypto filesystem kernel utility`)

var stems = strings.Fields(`acl attr audit bzip cairo curl dbus expat ffi gcrypt glib gmp gnutls gpgme
harfbuzz icu idn jansson json krb lcms ldap lz magic mpfr ncurses nettle nghttp nspr nss openssl pam pcre
pixman png popt readline rpm sasl seccomp selinux sqlite ssh systemd tasn tiff tinfo unistring uuid xml
xslt xz yaml zlib zstd avahi boost brotli cap elf event evdev fontconfig freetype gdbm gettext gpg gssapi`)

// Write writes the repository into dir (dir/repodata/...).
func Write(dir string, o Options) error {
	if o.N < 50 {
		return fmt.Errorf("synth: N=%d, want at least 50", o.N)
	}
	return writeRepo(dir, generate(o))
}

// WritePackages writes pkgs as a repository into dir (dir/repodata/...),
// with every dependency kind and each package's Files in primary.xml and
// filelists.xml: a hand-made or generated package set that dnf and
// repo2solv can read. A package provides itself (name = EVR) as
// createrepo writes it.
func WritePackages(dir string, pkgs []*rpmmeta.Package) error {
	out := make([]*pkg, 0, len(pkgs))
	for i, p := range pkgs {
		q := &pkg{name: p.Name, arch: p.Arch, ver: p.Version, rel: p.Release, epoch: fmt.Sprint(p.Epoch),
			summary: p.Name, desc: p.Name, size: 1000, primaryFiles: p.Files}
		q.provides = append([]dep{{name: p.Name, flags: "EQ", epoch: q.epoch, ver: p.Version, rel: p.Release}}, deps(p.Provides)...)
		q.requires, q.conflicts, q.obsoletes = deps(p.Requires), deps(p.Conflicts), deps(p.Obsoletes)
		q.recommends, q.suggests = deps(p.Recommends), deps(p.Suggests)
		q.supplements, q.enhances = deps(p.Supplements), deps(p.Enhances)
		s := sha256.Sum256(fmt.Appendf(nil, "%d %s", i, p.NEVRA))
		q.pkgid = hex.EncodeToString(s[:])
		out = append(out, q)
	}
	return writeRepo(dir, out)
}

// deps turns rpmmeta dependencies into primary.xml entries.
func deps(ds []rpmmeta.Dep) []dep {
	var out []dep
	for _, d := range ds {
		e := dep{name: d.Name, pre: d.Flags&rpmmeta.SensePrereq != 0}
		if op := d.Op(); op != "" {
			evr := d.EVR()
			e.flags = map[string]string{"<": "LT", "<=": "LE", "=": "EQ", ">=": "GE", ">": "GT"}[op]
			e.ver, e.rel = evr.Version, evr.Release
			if strings.Contains(d.Version, ":") {
				e.epoch = fmt.Sprint(evr.Epoch)
			}
		}
		out = append(out, e)
	}
	return out
}

// writeRepo writes primary, filelists and other (gzip) and repomd.xml.
func writeRepo(dir string, pkgs []*pkg) error {
	rd := filepath.Join(dir, "repodata")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		return err
	}
	type rec struct {
		typ, href      string
		sum, openSum   string
		size, openSize int
	}
	var recs []rec
	for _, kind := range []string{"primary", "filelists", "other"} {
		var open bytes.Buffer
		switch kind {
		case "primary":
			writePrimary(&open, pkgs)
		case "filelists":
			writeFilelists(&open, pkgs)
		case "other":
			writeOther(&open, pkgs)
		}
		var comp bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&comp, gzip.DefaultCompression)
		zw.Write(open.Bytes())
		if err := zw.Close(); err != nil {
			return err
		}
		sum := sha256.Sum256(comp.Bytes())
		hexsum := hex.EncodeToString(sum[:])
		osum := sha256.Sum256(open.Bytes())
		href := "repodata/" + hexsum + "-" + kind + ".xml.gz"
		if err := os.WriteFile(filepath.Join(dir, href), comp.Bytes(), 0o644); err != nil {
			return err
		}
		recs = append(recs, rec{kind, href, hexsum, hex.EncodeToString(osum[:]), comp.Len(), open.Len()})
	}
	var md bytes.Buffer
	md.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
`)
	for _, r := range recs {
		fmt.Fprintf(&md, `  <data type="%s">
    <checksum type="sha256">%s</checksum>
    <open-checksum type="sha256">%s</open-checksum>
    <location href="%s"/>
    <timestamp>1700000000</timestamp>
    <size>%d</size>
    <open-size>%d</open-size>
  </data>
`, r.typ, r.sum, r.openSum, r.href, r.size, r.openSize)
	}
	md.WriteString("</repomd>\n")
	return os.WriteFile(filepath.Join(rd, "repomd.xml"), md.Bytes(), 0o644)
}

func sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

func generate(o Options) []*pkg {
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	var pkgs []*pkg
	add := func(p *pkg) { pkgs = append(pkgs, p) }

	// The base every ELF package needs.
	glibc := &pkg{name: "glibc", arch: "x86_64", ver: "2.38", rel: "1.syn"}
	glibc.provides = []dep{{name: "libc.so.6()(64bit)"}, {name: "rtld(GNU_HASH)"}}
	for _, v := range []string{"2.2.5", "2.14", "2.17", "2.28", "2.34", "2.38"} {
		glibc.provides = append(glibc.provides, dep{name: "libc.so.6(GLIBC_" + v + ")(64bit)"})
	}
	glibc.primaryFiles = []string{"/etc/ld.so.conf", "/usr/sbin/ldconfig"}
	add(glibc)
	bash := &pkg{name: "bash", arch: "x86_64", ver: "5.2.15", rel: "2.syn"}
	bash.primaryFiles = []string{"/usr/bin/bash", "/usr/bin/sh", "/bin/sh"}
	bash.requires = []dep{{name: "libc.so.6()(64bit)"}, {name: "libc.so.6(GLIBC_2.34)(64bit)"}}
	add(bash)
	python := &pkg{name: "python3", arch: "x86_64", ver: "3.12.1", rel: "1.syn"}
	python.primaryFiles = []string{"/usr/bin/python3"}
	python.provides = []dep{{name: "python(abi)", flags: "EQ", epoch: "0", ver: "3.12"}}
	python.requires = []dep{{name: "libc.so.6()(64bit)"}}
	add(python)

	type lib struct{ soname, dataFile string }
	var libs []lib
	nSrc := 0
	for len(pkgs) < o.N {
		nSrc++
		stem := stems[r.IntN(len(stems))]
		base := fmt.Sprintf("%s%d", stem, nSrc)
		nver := 1
		if r.IntN(6) == 0 {
			nver = 2 + r.IntN(2)
		}
		major := 1 + r.IntN(5)
		epoch := "0"
		if r.IntN(20) == 0 {
			epoch = fmt.Sprint(1 + r.IntN(3))
		}
		for v := range nver {
			ver := fmt.Sprintf("%d.%d.%d", major, r.IntN(20), v)
			rel := fmt.Sprintf("%d.syn", 1+r.IntN(9))
			arch := "x86_64"
			if r.IntN(60) == 0 {
				arch = "i686"
			}
			self := func(p *pkg) dep { return dep{name: p.name, flags: "EQ", epoch: epoch, ver: ver, rel: rel} }
			mk := func(name, a string) *pkg {
				p := &pkg{name: name, arch: a, ver: ver, rel: rel, epoch: epoch}
				p.summary = sentence(r, 4+r.IntN(6))
				p.desc = sentence(r, 25+r.IntN(50))
				p.provides = []dep{self(p)}
				if a != "noarch" {
					p.provides = append(p.provides, dep{name: name + "(x86-64)", flags: "EQ", epoch: epoch, ver: ver, rel: rel})
				}
				p.size = 1000 + r.IntN(5_000_000)
				return p
			}
			// -libs
			libp := mk(base+"-libs", arch)
			so := fmt.Sprintf("lib%s.so.%d", base, major)
			libp.provides = append(libp.provides, dep{name: so + "()(64bit)"})
			for k := range 1 + r.IntN(4) {
				libp.provides = append(libp.provides, dep{name: fmt.Sprintf("%s(%s_%d.%d)(64bit)", so, strings.ToUpper(stem), major, k)})
			}
			libp.requires = append(libp.requires, dep{name: "libc.so.6()(64bit)"}, dep{name: "libc.so.6(GLIBC_2.34)(64bit)"}, dep{name: "rtld(GNU_HASH)"})
			for range r.IntN(8) {
				if len(libs) > 0 {
					l := libs[r.IntN(len(libs))]
					libp.requires = append(libp.requires, dep{name: l.soname})
				}
			}
			data := fmt.Sprintf("/usr/share/%s/data.%d", base, v)
			libp.otherFiles = []string{"/usr/lib64/" + so, fmt.Sprintf("/usr/lib64/%s.%d.0", so, v), data}
			libp.dirs = []string{"/usr/share/" + base}
			add(libp)
			// main
			mainp := mk(base, arch)
			mainp.requires = append(mainp.requires, self(libp), dep{name: so + "()(64bit)"}, dep{name: "libc.so.6()(64bit)"})
			mainp.primaryFiles = []string{"/usr/bin/" + base}
			if r.IntN(4) == 0 {
				mainp.primaryFiles = append(mainp.primaryFiles, "/etc/"+base+".conf")
				mainp.provides = append(mainp.provides, dep{name: "config(" + base + ")", flags: "EQ", epoch: epoch, ver: ver, rel: rel})
				mainp.requires = append(mainp.requires, dep{name: "/bin/sh", pre: true}, dep{name: "/bin/sh"})
			}
			if len(libs) > 0 && r.IntN(10) == 0 {
				// A file dependency only filelists.xml can satisfy.
				mainp.requires = append(mainp.requires, dep{name: libs[r.IntN(len(libs))].dataFile})
			}
			if r.IntN(25) == 0 && len(pkgs) > 10 {
				a, b := pkgs[r.IntN(len(pkgs))].name, pkgs[r.IntN(len(pkgs))].name
				mainp.requires = append(mainp.requires, dep{name: "(" + a + " or " + b + ")"})
			}
			if r.IntN(30) == 0 && len(pkgs) > 10 {
				a, b := pkgs[r.IntN(len(pkgs))].name, pkgs[r.IntN(len(pkgs))].name
				mainp.recommends = append(mainp.recommends, dep{name: "(" + a + " if " + b + ")"})
			}
			if r.IntN(8) == 0 && len(pkgs) > 10 {
				mainp.recommends = append(mainp.recommends, dep{name: pkgs[r.IntN(len(pkgs))].name})
			}
			if r.IntN(15) == 0 {
				mainp.obsoletes = append(mainp.obsoletes, dep{name: base + "-compat", flags: "LT", epoch: "0", ver: ver, rel: rel})
			}
			if r.IntN(40) == 0 && len(pkgs) > 10 {
				mainp.conflicts = append(mainp.conflicts, dep{name: pkgs[r.IntN(len(pkgs))].name, flags: "LT", epoch: "0", ver: "0.1"})
			}
			for k := range 3 + r.IntN(25) {
				mainp.otherFiles = append(mainp.otherFiles, fmt.Sprintf("/usr/share/man/man1/%s-%d.1.gz", base, k))
			}
			add(mainp)
			// -devel
			if r.IntN(2) == 0 {
				dev := mk(base+"-devel", arch)
				dev.provides = append(dev.provides, dep{name: "pkgconfig(" + base + ")", flags: "EQ", epoch: "0", ver: ver})
				dev.requires = append(dev.requires, self(libp), dep{name: "/usr/bin/pkg-config"})
				dev.otherFiles = []string{"/usr/lib64/lib" + base + ".so", "/usr/include/" + base + ".h", "/usr/lib64/pkgconfig/" + base + ".pc"}
				add(dev)
			}
			// -doc (noarch)
			if r.IntN(3) == 0 {
				doc := mk(base+"-doc", "noarch")
				for k := range 5 + r.IntN(30) {
					doc.otherFiles = append(doc.otherFiles, fmt.Sprintf("/usr/share/doc/%s/page%d.html", base, k))
				}
				add(doc)
			}
			// python3- (noarch)
			if r.IntN(5) == 0 {
				py := mk("python3-"+base, "noarch")
				py.provides = append(py.provides, dep{name: "python3dist(" + base + ")", flags: "EQ", ver: ver}, dep{name: "python3.12dist(" + base + ")", flags: "EQ", ver: ver})
				py.requires = append(py.requires, dep{name: "python(abi)", flags: "EQ", ver: "3.12"}, dep{name: "/usr/bin/python3"}, dep{name: base, flags: "GE", epoch: epoch, ver: ver})
				for k := range 4 + r.IntN(20) {
					py.otherFiles = append(py.otherFiles, fmt.Sprintf("/usr/lib/python3.12/site-packages/%s/mod%d.py", base, k))
				}
				add(py)
			}
			if arch == "x86_64" {
				libs = append(libs, lib{soname: so + "()(64bit)", dataFile: data})
			}
		}
	}
	pkgconf := &pkg{name: "pkgconf", arch: "x86_64", ver: "1.9.5", rel: "1.syn"}
	pkgconf.primaryFiles = []string{"/usr/bin/pkg-config"}
	pkgconf.requires = []dep{{name: "libc.so.6()(64bit)"}}
	pkgs[len(pkgs)-1] = pkgconf // keep exactly N
	for i, p := range pkgs {
		if p.summary == "" {
			p.summary = p.name + " base package"
			p.desc = sentence(r, 30)
			p.provides = append([]dep{{name: p.name, flags: "EQ", epoch: "0", ver: p.ver, rel: p.rel}}, p.provides...)
			p.size = 1 << 20
		}
		s := sha256.Sum256(fmt.Appendf(nil, "%d %s-%s-%s.%s", i, p.name, p.ver, p.rel, p.arch))
		p.pkgid = hex.EncodeToString(s[:])
	}
	return pkgs[:o.N]
}

func esc(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func epochOf(p *pkg) string {
	if p.epoch == "" {
		return "0"
	}
	return p.epoch
}

func (p *pkg) file() string {
	return fmt.Sprintf("%s-%s-%s.%s.rpm", p.name, p.ver, p.rel, p.arch)
}

func writeDeps(w io.Writer, tag string, ds []dep) {
	if len(ds) == 0 {
		return
	}
	fmt.Fprintf(w, "      <rpm:%s>\n", tag)
	for _, d := range ds {
		fmt.Fprintf(w, `        <rpm:entry name="%s"`, esc(d.name))
		if d.flags != "" {
			fmt.Fprintf(w, ` flags="%s"`, d.flags)
			if d.epoch != "" {
				fmt.Fprintf(w, ` epoch="%s"`, d.epoch)
			}
			fmt.Fprintf(w, ` ver="%s"`, esc(d.ver))
			if d.rel != "" {
				fmt.Fprintf(w, ` rel="%s"`, esc(d.rel))
			}
		}
		if d.pre {
			io.WriteString(w, ` pre="1"`)
		}
		io.WriteString(w, "/>\n")
	}
	fmt.Fprintf(w, "      </rpm:%s>\n", tag)
}

func writePrimary(w *bytes.Buffer, pkgs []*pkg) {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">
`, len(pkgs))
	for _, p := range pkgs {
		src := fmt.Sprintf("%s-%s-%s.src.rpm", strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(p.name, "-libs"), "-devel"), "-doc"), p.ver, p.rel)
		fmt.Fprintf(w, `<package type="rpm">
  <name>%s</name>
  <arch>%s</arch>
  <version epoch="%s" ver="%s" rel="%s"/>
  <checksum type="sha256" pkgid="YES">%s</checksum>
  <summary>%s</summary>
  <description>%s</description>
  <packager>Synthetic Build System &lt;build@example.com&gt;</packager>
  <url>https://example.com/%s</url>
  <time file="1700000000" build="1690000000"/>
  <size package="%d" installed="%d" archive="%d"/>
  <location href="Packages/%c/%s"/>
  <format>
      <rpm:license>MIT AND (BSD-3-Clause OR GPL-2.0-or-later)</rpm:license>
      <rpm:vendor>Synthetic Linux</rpm:vendor>
      <rpm:group>Unspecified</rpm:group>
      <rpm:buildhost>build-%d.example.com</rpm:buildhost>
      <rpm:sourcerpm>%s</rpm:sourcerpm>
      <rpm:header-range start="4504" end="%d"/>
`, p.name, p.arch, epochOf(p), p.ver, p.rel, p.pkgid, esc(p.summary), esc(p.desc), p.name,
			p.size/3, p.size, p.size+512, p.name[0], p.file(), len(p.name)%7, src, 4504+2000+len(p.otherFiles)*64)
		writeDeps(w, "provides", p.provides)
		writeDeps(w, "requires", p.requires)
		writeDeps(w, "conflicts", p.conflicts)
		writeDeps(w, "obsoletes", p.obsoletes)
		writeDeps(w, "recommends", p.recommends)
		writeDeps(w, "suggests", p.suggests)
		writeDeps(w, "supplements", p.supplements)
		writeDeps(w, "enhances", p.enhances)
		for _, f := range p.primaryFiles {
			fmt.Fprintf(w, "    <file>%s</file>\n", esc(f))
		}
		w.WriteString("  </format>\n</package>\n")
	}
	w.WriteString("</metadata>\n")
}

func writeFilelists(w *bytes.Buffer, pkgs []*pkg) {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="%d">
`, len(pkgs))
	for _, p := range pkgs {
		fmt.Fprintf(w, "<package pkgid=\"%s\" name=\"%s\" arch=\"%s\">\n  <version epoch=\"%s\" ver=\"%s\" rel=\"%s\"/>\n", p.pkgid, p.name, p.arch, epochOf(p), p.ver, p.rel)
		for _, d := range p.dirs {
			fmt.Fprintf(w, "  <file type=\"dir\">%s</file>\n", esc(d))
		}
		for _, f := range p.primaryFiles {
			fmt.Fprintf(w, "  <file>%s</file>\n", esc(f))
		}
		for _, f := range p.otherFiles {
			fmt.Fprintf(w, "  <file>%s</file>\n", esc(f))
		}
		w.WriteString("</package>\n")
	}
	w.WriteString("</filelists>\n")
}

func writeOther(w *bytes.Buffer, pkgs []*pkg) {
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="%d">
`, len(pkgs))
	for _, p := range pkgs {
		fmt.Fprintf(w, "<package pkgid=\"%s\" name=\"%s\" arch=\"%s\">\n  <version epoch=\"%s\" ver=\"%s\" rel=\"%s\"/>\n", p.pkgid, p.name, p.arch, epochOf(p), p.ver, p.rel)
		fmt.Fprintf(w, "  <changelog author=\"Synthetic Build System &lt;build@example.com&gt; - %s-%s\" date=\"1690000000\">- Update to %s</changelog>\n", p.ver, p.rel, p.ver)
		w.WriteString("</package>\n")
	}
	w.WriteString("</otherdata>\n")
}
