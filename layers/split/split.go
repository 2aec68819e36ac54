// Package split turns the tar of a tree written by rootfs.Writer into
// layers: the layer of a variant over its base's tree (the shared-base
// strategy: changed and new entries, OCI whiteouts for the removed ones)
// and the grouping of a tree's entries into at most layers.max layers by
// package. It works on tar streams and paths; the layers' media, history
// and names are the caller's.
package split

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// The shared-base strategy: a variant's image is its base image's layers,
// byte for byte, and one layer above them holding what the variant's tree
// changes: new files, files whose content or metadata differ (its own rpm
// database, /etc/passwd, ld.so.cache...), and OCI whiteouts for the base
// paths it does not have. Unpacked, the layers give the tree the single
// layer would hold.

// tarEntry is what two trees compare on for one path.
type tarEntry struct {
	typ  byte
	key  string // metadata and content digest; equal keys are equal entries
	link string // hard-link target, for TypeLink
}

// readTarIndex reads a tar written by rootfs.Writer into path -> entry.
// Paths lose their trailing slash.
func readTarIndex(ctx context.Context, file string) (map[string]tarEntry, []string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	idx := map[string]tarEntry{}
	var order []string
	tr := tar.NewReader(f)
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return idx, order, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading tar %s: %w", file, err)
		}
		e, err := entryOf(h, tr)
		if err != nil {
			return nil, nil, fmt.Errorf("reading tar %s: %s: %w", file, h.Name, err)
		}
		p := cleanName(h.Name)
		if _, dup := idx[p]; !dup {
			order = append(order, p)
		}
		idx[p] = e
	}
}

func cleanName(n string) string { return strings.TrimSuffix(strings.TrimPrefix(n, "./"), "/") }

// entryOf is an entry's comparable form; content is hashed.
func entryOf(h *tar.Header, r io.Reader) (tarEntry, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%c|%o|%d|%d|%s|%s|%d|%d|%s|%d|%d|%d", h.Typeflag, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname,
		h.ModTime.Unix(), h.ModTime.Nanosecond(), h.Linkname, h.Size, h.Devmajor, h.Devminor)
	for _, k := range slices.Sorted(maps.Keys(h.PAXRecords)) {
		if k == "path" || k == "linkpath" || k == "mtime" || k == "size" {
			continue // already compared through the header fields
		}
		fmt.Fprintf(&b, "|%s=%q", k, h.PAXRecords[k])
	}
	if h.Typeflag == tar.TypeReg {
		hs := sha256.New()
		if _, err := io.Copy(hs, r); err != nil {
			return tarEntry{}, err
		}
		fmt.Fprintf(&b, "|%x", hs.Sum(nil))
	}
	e := tarEntry{typ: h.Typeflag, key: b.String()}
	if h.Typeflag == tar.TypeLink {
		e.link = cleanName(h.Linkname)
	}
	return e, nil
}

// Upper writes to out, as a tar, what turns the tree of baseTar into
// the tree of fullTar when laid over it. Entries keep fullTar's order;
// whiteouts (.wh.NAME, zero-length, mtime buildTime) come right before
// the entry that replaces a path of another kind, and for removed paths
// in path order among the entries. It returns the numbers of entries
// copied and of whiteouts.
func Upper(ctx context.Context, baseTar, fullTar string, buildTime int64, out io.Writer) (copied, whiteouts int, err error) {
	base, baseOrder, err := readTarIndex(ctx, baseTar)
	if err != nil {
		return 0, 0, err
	}
	full, fullOrder, err := readTarIndex(ctx, fullTar)
	if err != nil {
		return 0, 0, err
	}
	isDir := func(m map[string]tarEntry, p string) bool {
		e, ok := m[p]
		return ok && e.typ == tar.TypeDir
	}
	// What changed, closed over hard-link sets: a link and its target
	// travel together, or the lower layer's inode would be half-updated.
	changed := map[string]bool{}
	for _, p := range fullOrder {
		if b, ok := base[p]; !ok || b.key != full[p].key {
			changed[p] = true
		}
	}
	links := map[string][]string{} // target -> links, in both trees
	for _, m := range []map[string]tarEntry{base, full} {
		for _, p := range slices.Sorted(maps.Keys(m)) {
			if m[p].typ == tar.TypeLink {
				links[m[p].link] = append(links[m[p].link], p)
			}
		}
	}
	for grew := true; grew; {
		grew = false
		for _, p := range fullOrder {
			if !changed[p] {
				continue
			}
			group := slices.Clone(links[p])
			if e := full[p]; e.typ == tar.TypeLink {
				group = append(group, e.link)
				group = append(group, links[e.link]...)
			}
			if b, ok := base[p]; ok && b.typ == tar.TypeLink {
				group = append(group, b.link)
				group = append(group, links[b.link]...)
			}
			for _, q := range group {
				if _, inFull := full[q]; inFull && !changed[q] {
					changed[q] = true
					grew = true
				}
			}
		}
	}
	// Whiteouts: a base path the full tree lacks, under a folder that
	// stays a folder (else the folder's own whiteout covers it); and a
	// path whose kind changes between folder and not-folder.
	wh := map[string]bool{}
	for _, p := range baseOrder {
		parent := path.Dir(p)
		parentStays := parent == "." || (isDir(base, parent) && isDir(full, parent))
		if _, ok := full[p]; !ok {
			if parentStays {
				wh[p] = true
			}
			continue
		}
		if isDir(base, p) != isDir(full, p) {
			wh[p] = true
		}
	}
	var removed []string
	for p := range wh {
		if _, ok := full[p]; !ok {
			removed = append(removed, p)
		}
	}
	slices.Sort(removed)

	f, err := os.Open(fullTar)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	tw := tar.NewWriter(out)
	mtime := time.Unix(buildTime, 0).UTC()
	writeWhiteout := func(p string) error {
		whiteouts++
		name := path.Join(path.Dir(p), ".wh."+path.Base(p))
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, ModTime: mtime, Format: tar.FormatPAX})
	}
	flushRemoved := func(before string) error {
		for len(removed) > 0 && (before == "" || removed[0] < before) {
			if err := writeWhiteout(removed[0]); err != nil {
				return err
			}
			removed = removed[1:]
		}
		return nil
	}
	tr := tar.NewReader(f)
	for {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("reading tar %s: %w", fullTar, err)
		}
		p := cleanName(h.Name)
		if !changed[p] {
			continue
		}
		if err := flushRemoved(p); err != nil {
			return 0, 0, err
		}
		if wh[p] {
			if err := writeWhiteout(p); err != nil {
				return 0, 0, err
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			return 0, 0, fmt.Errorf("writing %s: %w", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := io.Copy(tw, tr); err != nil {
				return 0, 0, fmt.Errorf("writing %s: %w", h.Name, err)
			}
		}
		copied++
	}
	if err := flushRemoved(""); err != nil {
		return 0, 0, err
	}
	return copied, whiteouts, tw.Close()
}

// layers.max: the packages of a tree grouped into at most max layers.
// The packages with the most bytes of regular files in the tar being
// split each get a layer of their own, up to max-1 of them (ties broken
// by NEVRA), in install order; everything else — smaller packages,
// implied folders, generated and added files (rpmdb, passwd,
// ld.so.cache), whiteouts of removed paths — goes in the top layer. A
// package layer holds the package's entries and their parent folders
// (as the tree has them), so its digest stays while neither the package
// nor those folders change.

// splitEntry is one entry of the tar being split.
type splitEntry struct {
	name  string // cleaned
	typ   byte
	size  int64
	link  string // hard-link target, cleaned
	layer int    // the lowest layer holding it, -1 for none yet
}

// Group is one layer of a split: the package (NEVRA, "" for the
// top layer) and the entries it holds.
type Group struct {
	Pkg   string
	Bytes int64 // regular-file bytes of the package
	Paths map[string]bool
	// Packages and Sources (the origin strategy) are the NEVRAs and the
	// source package names the layer holds, sorted; nil for the metadata
	// layer.
	Packages []string
	Sources  []string
}

// Plan groups the entries of tarFile (owners from the tree's
// report: tar name -> NEVRA or a "(...)" pseudo-owner) into at most max
// layers; install is the NEVRAs in install order. With max < 2 or no
// package worth a layer, it returns one group holding everything.
func Plan(ctx context.Context, tarFile string, owners map[string]string, install []string, max int) ([]Group, error) {
	entries, byName, err := readSplitEntries(ctx, tarFile)
	if err != nil {
		return nil, err
	}

	pos := map[string]int{}
	for i, n := range install {
		pos[n] = i
	}
	sizes := map[string]int64{}
	for _, e := range entries {
		if o, ok := owners[e.name]; ok {
			if _, isPkg := pos[o]; isPkg {
				sizes[o] += e.size
			}
		}
	}
	var big []string
	for n, s := range sizes {
		if s > 0 {
			big = append(big, n)
		}
	}
	slices.SortFunc(big, func(a, b string) int {
		if sizes[a] != sizes[b] {
			if sizes[a] > sizes[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	if max < 2 {
		big = nil
	} else if len(big) > max-1 {
		big = big[:max-1]
	}
	slices.SortFunc(big, func(a, b string) int { return pos[a] - pos[b] })
	groups := make([]Group, 0, len(big)+1)
	layerOf := map[string]int{}
	for i, n := range big {
		layerOf[n] = i
		groups = append(groups, Group{Pkg: n, Bytes: sizes[n], Paths: map[string]bool{}})
	}
	top := len(groups)
	groups = append(groups, Group{Paths: map[string]bool{}})

	// Each entry's own layer: its package's, or the top one; a hard link
	// follows its target (a link set stays in one layer); a whiteout
	// waits for the layers to be known.
	own := make([]int, len(entries))
	for i, e := range entries {
		own[i] = top
		if l, ok := layerOf[owners[e.name]]; ok {
			own[i] = l
		}
	}
	index := map[string]int{}
	for i, e := range entries {
		index[e.name] = i
	}
	for i, e := range entries {
		if e.typ == tar.TypeLink {
			if j, ok := index[e.link]; ok {
				own[i] = own[j]
			}
		}
	}
	isWhiteout := func(n string) (string, bool) {
		b := path.Base(n)
		if !strings.HasPrefix(b, ".wh.") {
			return "", false
		}
		return path.Join(path.Dir(n), strings.TrimPrefix(b, ".wh.")), true
	}
	add := func(g int, e *splitEntry) {
		groups[g].Paths[e.name] = true
		if e.layer < 0 || g < e.layer {
			e.layer = g
		}
	}
	for i, e := range entries {
		if _, wh := isWhiteout(e.name); wh {
			continue
		}
		add(own[i], e)
		// Parent folders that the tar holds (those of a shared-base
		// upper layer that did not change live in the base).
		for d := path.Dir(e.name); d != "." && d != "/"; d = path.Dir(d) {
			if p, ok := byName[d]; ok && p.typ == tar.TypeDir {
				add(own[i], p)
			}
		}
	}
	// A whiteout goes with the lowest layer that writes its path (it must
	// come before the new entry, and above no layer that wrote it), or
	// the top one for a removed path.
	for _, e := range entries {
		if target, wh := isWhiteout(e.name); wh {
			g := top
			if t, ok := byName[target]; ok && t.layer >= 0 {
				g = t.layer
			}
			groups[g].Paths[e.name] = true
		}
	}
	if len(groups[top].Paths) == 0 && top > 0 {
		groups = groups[:top]
	}
	return groups, nil
}

// Write copies the entries of tarFile that g holds, in the tar's
// order, to out.
func Write(ctx context.Context, tarFile string, g Group, out io.Writer) (int, error) {
	f, err := os.Open(tarFile)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	tw := tar.NewWriter(out)
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("reading tar %s: %w", tarFile, err)
		}
		if !g.Paths[cleanName(h.Name)] {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			return 0, fmt.Errorf("writing %s: %w", h.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := io.Copy(tw, tr); err != nil {
				return 0, fmt.Errorf("writing %s: %w", h.Name, err)
			}
		}
		n++
	}
	return n, tw.Close()
}

// readSplitEntries reads the entries of tarFile, in order and by name.
func readSplitEntries(ctx context.Context, tarFile string) ([]*splitEntry, map[string]*splitEntry, error) {
	hs, err := ReadHeaders(ctx, tarFile)
	if err != nil {
		return nil, nil, err
	}
	entries, byName := splitEntriesOf(hs)
	return entries, byName, nil
}

// ReadHeaders reads the headers of the entries of tarFile, in order.
func ReadHeaders(ctx context.Context, tarFile string) ([]*tar.Header, error) {
	f, err := os.Open(tarFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hs []*tar.Header
	tr := tar.NewReader(f)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return hs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar %s: %w", tarFile, err)
		}
		hs = append(hs, h)
	}
}

// splitEntriesOf is what planning needs of the entries of a tar, in
// order and by name.
func splitEntriesOf(hs []*tar.Header) ([]*splitEntry, map[string]*splitEntry) {
	entries := make([]*splitEntry, 0, len(hs))
	byName := make(map[string]*splitEntry, len(hs))
	for _, h := range hs {
		e := &splitEntry{name: cleanName(h.Name), typ: h.Typeflag, layer: -1}
		if h.Typeflag == tar.TypeReg {
			e.size = h.Size
		}
		if h.Typeflag == tar.TypeLink {
			e.link = cleanName(h.Linkname)
		}
		entries = append(entries, e)
		byName[e.name] = e
	}
	return entries, byName
}

// Holders is, for each of the tar entries hs (in order), the indexes of
// the groups holding it, ascending (a shared parent folder is in several,
// an entry no group holds in none): writing each entry, in order, to the
// tar of each of its groups gives every group the bytes Write writes for
// it alone.
func Holders(groups []Group, hs []*tar.Header) [][]int {
	holders := map[string][]int{}
	for g := range groups {
		for p := range groups[g].Paths {
			holders[p] = append(holders[p], g)
		}
	}
	to := make([][]int, len(hs))
	for i, h := range hs {
		to[i] = holders[cleanName(h.Name)]
	}
	return to
}
