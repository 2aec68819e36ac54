package builder

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
	"strconv"
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

// upperLayer writes to out, as a tar, what turns the tree of baseTar into
// the tree of fullTar when laid over it. Entries keep fullTar's order;
// whiteouts (.wh.NAME, zero-length, mtime buildTime) come right before
// the entry that replaces a path of another kind, and for removed paths
// in path order among the entries. It returns the numbers of entries
// copied and of whiteouts.
func upperLayer(ctx context.Context, baseTar, fullTar string, buildTime int64, out io.Writer) (copied, whiteouts int, err error) {
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

// layerComment is the history comment of the shared-base upper layer.
func layerComment(pkgs, copied, whiteouts int) string {
	return strconv.Itoa(pkgs) + " packages; " + strconv.Itoa(copied) + " paths over the base, " + strconv.Itoa(whiteouts) + " removed"
}
