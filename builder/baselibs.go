package builder

import (
	"archive/tar"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/layers/rootfs/ldcache"
	"github.com/slipway-build/slipway/manifests/inspect"
)

// keepForLDCache names the base's files the ld.so.cache of a derived
// image needs: ld.so.conf and its folder, and the shared-library
// candidates (lib*.so*, ld-*.so*) in folders named like library folders.
func keepForLDCache(name string) bool {
	if name == "etc/ld.so.conf" || (strings.HasPrefix(name, "etc/ld.so.conf.d/") && strings.HasSuffix(name, ".conf")) {
		return true
	}
	return ldcache.IsCandidate(path.Base(name)) && strings.Contains(path.Dir(name), "lib")
}

// baseLibs lists the base's libraries as ldconfig would record them: the
// folders of its ld.so.conf (includes one level deep), then the default
// folders of arch, each once by its resolved path; each ELF shared object
// recorded as folder/soname (the newest file name of a soname wins).
func baseLibs(f *inspect.BaseFiles, arch string) []ldcache.Lib {
	var dirs []string
	if p, ok := f.Kept["etc/ld.so.conf"]; ok {
		if b, err := os.ReadFile(p); err == nil {
			for _, l := range ldcache.ParseConf(b, "/etc") {
				if l.Dir != "" {
					dirs = append(dirs, l.Dir)
					continue
				}
				var incs []string
				for name := range f.Kept {
					if ok, _ := path.Match(strings.TrimPrefix(l.Include, "/"), name); ok {
						incs = append(incs, name)
					}
				}
				slices.Sort(incs)
				for _, inc := range incs {
					if b, err := os.ReadFile(f.Kept[inc]); err == nil {
						for _, l := range ldcache.ParseConf(b, "/"+path.Dir(inc)) {
							if l.Dir != "" {
								dirs = append(dirs, l.Dir)
							}
						}
					}
				}
			}
		}
	}
	switch arch {
	case "x86_64", "aarch64", "ppc64le", "s390x", "riscv64":
		dirs = append(dirs, "/lib64", "/usr/lib64")
	default:
		dirs = append(dirs, "/lib", "/usr/lib")
	}
	byDir := map[string][]string{}
	for name := range f.Kept {
		if ldcache.IsCandidate(path.Base(name)) {
			byDir[path.Dir(name)] = append(byDir[path.Dir(name)], name)
		}
	}
	var libs []ldcache.Lib
	seen := map[string]bool{}
	for _, d := range dirs {
		rd, ok := resolveBaseDir(f, strings.Trim(path.Clean(d), "/"))
		if !ok || seen[rd] {
			continue
		}
		seen[rd] = true
		names := byDir[rd]
		slices.Sort(names)
		type found struct {
			name  string
			flags int32
		}
		bySoname := map[string]found{}
		var order []string
		for _, n := range names {
			soname, flags, ok := fileSoname(f.Kept[n])
			if !ok {
				continue
			}
			if soname == "" {
				soname = path.Base(n)
			}
			if old, ok := bySoname[soname]; ok {
				if ldcache.LibCmp(old.name, path.Base(n)) < 0 {
					bySoname[soname] = found{path.Base(n), flags}
				}
				continue
			}
			bySoname[soname] = found{path.Base(n), flags}
			order = append(order, soname)
		}
		for _, so := range order {
			libs = append(libs, ldcache.Lib{Soname: so, Path: strings.TrimSuffix(d, "/") + "/" + so, Flags: bySoname[so].flags})
		}
	}
	return libs
}

// resolveBaseDir follows the base's symlinks in a folder path (no leading
// slash), at most 32 of them.
func resolveBaseDir(f *inspect.BaseFiles, p string) (string, bool) {
	parts := strings.Split(p, "/")
	cur := ""
	for hops := 0; len(parts) > 0; {
		next := path.Join(cur, parts[0])
		parts = parts[1:]
		if t, ok := f.Links[next]; ok {
			if hops++; hops > 32 {
				return "", false
			}
			if strings.HasPrefix(t, "/") {
				cur = ""
			}
			parts = append(strings.Split(strings.Trim(path.Clean(t), "/"), "/"), parts...)
			continue
		}
		cur = next
	}
	return cur, cur != "" && f.Paths[cur] == tar.TypeDir
}

// fileSoname reads an extracted file's soname and cache flags.
func fileSoname(file string) (string, int32, bool) {
	fh, err := os.Open(file)
	if err != nil {
		return "", 0, false
	}
	defer fh.Close()
	so, fl, err := ldcache.Soname(fh)
	return so, fl, err == nil
}
