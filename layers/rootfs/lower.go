package rootfs

import (
	"path"
	"slices"
	"strings"
)

// Lower is the tree of the layers below the one being written (a base
// image's, whiteouts applied). The emulated scriptlets see it under the
// tree's own files, as the real tools see the image they run in: the
// alternatives already configured, the trust sources, the extracted
// bundles. What they change of it is written into the tree; what they
// remove of it becomes a whiteout (.wh.NAME) in the tree.
type Lower struct {
	// Paths maps each absolute path to what it is. The root is not
	// listed.
	Paths map[string]LowerPath
}

// LowerPath is one path of the lower layers. The content of a regular
// file is Options.LowerFiles' (a file without one cannot be read,
// changed or copied: the caller keeps the files the emulations need).
type LowerPath struct {
	Type     byte // 'f' regular, 'd' folder, 'l' symlink, 'o' other
	Link     string
	Mode     uint32 // permission bits with setuid, setgid and sticky
	UID, GID int
}

// lowerView is Lower as the emulations see it while they run: the paths
// they removed are gone.
type lowerView struct {
	paths map[string]LowerPath // the caller's (not changed)
	kept  map[string]LowerPath // files of LowerFiles that paths lacks
	files map[string][]byte
	gone  map[string]bool
	kids  map[string][]string // folder -> names below it, sorted; made on first use
}

// whiteoutPrefix starts the name of an OCI whiteout: .wh.NAME hides
// NAME of the layers below.
const whiteoutPrefix = ".wh."

func isWhiteout(p string) bool { return strings.HasPrefix(path.Base(p), whiteoutPrefix) }

// newLowerView is l (and files) under t: the whiteouts t already has
// (the caller's, for the files of an upgraded package) hide their paths.
func newLowerView(t *tree, l *Lower, files map[string][]byte) *lowerView {
	v := &lowerView{kept: map[string]LowerPath{}, files: files, gone: map[string]bool{}}
	for p := range t.m {
		if isWhiteout(p) {
			v.gone[path.Join(path.Dir(p), strings.TrimPrefix(path.Base(p), whiteoutPrefix))] = true
		}
	}
	if l != nil {
		v.paths = l.Paths
	}
	for p := range files { // a file kept without its listing is a file
		if _, ok := v.paths[p]; !ok {
			v.kept[p] = LowerPath{Type: 'f', Mode: 0o644}
		}
	}
	return v
}

// lookup is the lower path at p, removed or not.
func (v *lowerView) lookup(p string) (LowerPath, bool) {
	if l, ok := v.paths[p]; ok {
		return l, true
	}
	l, ok := v.kept[p]
	return l, ok
}

// each calls f for every lower path, removed or not.
func (v *lowerView) each(f func(p string)) {
	for p := range v.paths {
		f(p)
	}
	for p := range v.kept {
		f(p)
	}
}

// get is the lower path at p when it shows through t: not removed, and
// no ancestor removed or hidden by a non-folder of the tree.
func (v *lowerView) get(t *tree, p string) (LowerPath, bool) {
	l, ok := v.lookup(p)
	if !ok || v.gone[p] {
		return LowerPath{}, false
	}
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if v.gone[d] {
			return LowerPath{}, false
		}
		if e := t.m[d]; e != nil && e.kind != kindDir {
			return LowerPath{}, false
		}
		if ld, ok := v.lookup(d); ok && ld.Type != 'd' && t.m[d] == nil {
			return LowerPath{}, false
		}
	}
	return l, true
}

// children are the names of the lower paths right below folder d that
// show through t.
func (v *lowerView) children(t *tree, d string) []string {
	if v.kids == nil {
		v.kids = map[string][]string{}
		v.each(func(p string) { v.kids[path.Dir(p)] = append(v.kids[path.Dir(p)], path.Base(p)) })
		for _, names := range v.kids {
			slices.Sort(names)
		}
	}
	var out []string
	prefix := strings.TrimSuffix(d, "/") + "/"
	for _, n := range v.kids[d] {
		if _, ok := v.get(t, prefix+n); ok {
			out = append(out, n)
		}
	}
	return out
}

// lowerInfo is a lower path as the emulations see it.
func lowerInfo(l LowerPath) entry {
	e := entry{mode: l.Mode, numeric: true, uid: l.UID, gid: l.GID, link: l.Link, owner: ownerLower}
	switch l.Type {
	case 'f':
		e.kind = kindReg
	case 'd':
		e.kind = kindDir
	case 'l':
		e.kind = kindSymlink
	}
	return e
}

// endLower turns the lower paths the emulations removed, and that the
// tree does not have again, into whiteouts, and ends the lower view.
// A path below a removed folder that is not in the tree again needs
// none: the folder's whiteout hides it.
func (w *Writer) endLower(t *tree) {
	v := t.lower
	t.lower = nil
	if v == nil {
		return
	}
	var gone []string
	for p := range v.gone {
		gone = append(gone, p)
	}
	slices.Sort(gone)
	for _, p := range gone {
		if t.m[p] != nil {
			continue
		}
		covered := false
		for d := path.Dir(p); d != "/"; d = path.Dir(d) {
			if v.gone[d] && t.m[d] == nil {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		wh := path.Join(path.Dir(p), whiteoutPrefix+path.Base(p))
		if t.m[wh] == nil {
			t.m[wh] = &entry{path: wh, kind: kindReg, mode: 0o644, numeric: true, mtime: w.opts.BuildTime, data: []byte{}, inline: true, owner: "(generated)"}
		}
	}
}

// hasUnder reports whether a lower path at or under prefix shows
// through t (false for a nil view).
func (v *lowerView) hasUnder(t *tree, prefix string) bool {
	if v == nil {
		return false
	}
	prefix = strings.TrimSuffix(prefix, "/")
	found := false
	v.each(func(p string) {
		if !found && (p == prefix || strings.HasPrefix(p, prefix+"/")) {
			_, found = v.get(t, p)
		}
	})
	return found
}
