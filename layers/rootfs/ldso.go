package rootfs

import (
	"io"
	"path"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/layers/rootfs/ldcache"
)

// ldcache writes /etc/ld.so.cache for the tree, as `ldconfig -X -r ROOT`
// would: the folders of /etc/ld.so.conf (and its includes) then the
// default ones, each folder once (by its resolved path), every ELF shared
// object named lib*.so* or ld-*.so* in them, recorded as folder/soname.
func (w *Writer) ldcache(t *tree) error {
	var dirs []string
	seenConf := map[string]bool{}
	var readConf func(p string, depth int)
	readConf = func(p string, depth int) {
		if depth > 8 || seenConf[p] {
			return
		}
		seenConf[p] = true
		rp, err := t.resolve(p)
		if err != nil {
			return
		}
		e := t.m[rp]
		if e == nil || e.kind != kindReg {
			return
		}
		b, err := w.content(e)
		if err != nil {
			return
		}
		for _, l := range ldcache.ParseConf(b, path.Dir(p)) {
			if l.Dir != "" {
				dirs = append(dirs, l.Dir)
				continue
			}
			inc := l.Include
			var matches []string
			for q := range t.m {
				if ok, _ := path.Match(inc, q); ok {
					matches = append(matches, q)
				}
			}
			// ldconfig also matches through directory symlinks; match the
			// pattern's folder resolved as well.
			if rd, err := t.resolve(path.Dir(inc)); err == nil && rd != path.Dir(inc) {
				for q := range t.m {
					if ok, _ := path.Match(path.Join(rd, path.Base(inc)), q); ok {
						matches = append(matches, path.Join(path.Dir(inc), path.Base(q)))
					}
				}
			}
			slices.Sort(matches)
			for _, m := range slices.Compact(matches) {
				readConf(m, depth+1)
			}
		}
	}
	readConf("/etc/ld.so.conf", 0)
	switch {
	case w.opts.LDCacheDirs != nil:
		dirs = append(dirs, w.opts.LDCacheDirs...)
	default:
		dirs = append(dirs, defaultLibDirs(w.opts.Arch)...)
	}

	children := map[string][]string{}
	for p := range t.m {
		children[path.Dir(p)] = append(children[path.Dir(p)], p)
	}
	var libs []ldcache.Lib
	seenDir := map[string]bool{}
	for _, d := range dirs {
		if !strings.HasPrefix(d, "/") {
			continue
		}
		rd, err := t.resolve(d)
		if err != nil || seenDir[rd] {
			continue
		}
		// A folder may be implied (made later, for the files below it).
		if e := t.m[rd]; (e == nil && len(children[rd]) == 0) || (e != nil && e.kind != kindDir) {
			continue
		}
		seenDir[rd] = true
		type found struct {
			name   string
			flags  int32
			isLink bool
		}
		bySoname := map[string]found{}
		var order []string
		kids := slices.Clone(children[rd])
		slices.Sort(kids)
		for _, p := range kids {
			name := path.Base(p)
			if !ldcache.IsCandidate(name) {
				continue
			}
			e := t.m[p]
			isLink := e.kind == kindSymlink
			real := p
			if isLink {
				if real, err = t.resolve(p); err != nil {
					continue
				}
			}
			re := t.m[real]
			if re == nil || re.kind != kindReg {
				continue
			}
			soname, flags, ok := w.elfSoname(re)
			if !ok {
				continue
			}
			if soname == "" {
				soname = name
			}
			// A symlink named after the soname, or the "libfoo.so" link for
			// ld(1), is recorded under its own name; any other is taken
			// as a normal file (ldconfig's search_dir).
			if isLink && name != soname && (!strings.HasSuffix(name, ".so") || !strings.HasPrefix(soname, name)) {
				isLink = false
			}
			if isLink {
				soname = name
			}
			if old, ok := bySoname[soname]; ok {
				// Keep the newer file name, as ldconfig does.
				if ldcache.LibCmp(old.name, name) < 0 {
					bySoname[soname] = found{name, flags, isLink}
				}
				continue
			}
			bySoname[soname] = found{name, flags, isLink}
			order = append(order, soname)
		}
		for _, so := range order {
			libs = append(libs, ldcache.Lib{Soname: so, Path: strings.TrimSuffix(d, "/") + "/" + so, Flags: bySoname[so].flags})
		}
	}
	if len(w.opts.LDCacheLower) > 0 {
		have := map[string]bool{}
		for _, l := range libs {
			have[l.Path] = true
		}
		for _, l := range w.opts.LDCacheLower {
			if !have[l.Path] {
				libs = append(libs, l)
			}
		}
	}
	w.generated(t, "/etc/ld.so.cache", ldcache.Encode(libs, ""), 0o644)
	return nil
}

// elfSoname reads a spooled file's soname and cache flags; ok is false for
// anything that is not an ELF shared object ldconfig would record.
func (w *Writer) elfSoname(e *entry) (string, int32, bool) {
	ra, err := w.open(e, nil)
	if err != nil {
		return "", 0, false
	}
	if c, ok := ra.(io.Closer); ok {
		defer c.Close()
	}
	so, fl, err := ldcache.Soname(ra)
	return so, fl, err == nil
}

// defaultLibDirs are the folders glibc's ldconfig always scans on a
// Fedora-style (Azure Linux) system: SLIBDIR and LIBDIR.
func defaultLibDirs(arch string) []string {
	switch arch {
	case "x86_64", "aarch64", "ppc64le", "s390x", "riscv64":
		return []string{"/lib64", "/usr/lib64"}
	case "":
		return []string{"/lib64", "/usr/lib64", "/lib", "/usr/lib"}
	}
	return []string{"/lib", "/usr/lib"}
}
