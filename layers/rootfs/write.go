package rootfs

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/rpmmeta"
)

// WriteTar lays out the image and writes it to out as a PAX tar. It can be
// called more than once (unless Options.SingleWrite); every call writes
// the same bytes. With SingleWrite, the spool is released as it is
// written.
func (w *Writer) WriteTar(ctx context.Context, out io.Writer) (*Report, error) {
	l, err := w.Layout(ctx)
	if err != nil {
		return nil, err
	}
	if err := l.write(ctx, out, nil, w.opts.SingleWrite); err != nil {
		return nil, err
	}
	return l.Report, nil
}

// TarEntry is one entry of the tree's tar: its header, as WriteTar writes
// it (not to be changed), and its owner, as Report.Owners has it.
type TarEntry struct {
	Header *tar.Header
	Owner  string
}

// Layout is the image laid out as WriteTar writes it, before any
// content is read: its entries, in order, and the report. WriteEntries
// writes the tar of any of them, so that a caller can plan layers from
// the entries and write each layer's tar straight from the tree.
type Layout struct {
	Entries []TarEntry
	// Report is WriteTar's report (Bytes: the content of every regular
	// file).
	Report *Report

	w       *Writer
	bodies  []*entry       // of Entries
	at      []int          // index of each entry among the tree's paths
	lastUse map[string]int // spool file -> index among the paths of the last entry reading it
}

// Layout lays the image out as WriteTar does, without writing it; it
// counts as WriteTar's call with Options.SingleWrite. The Layout's
// entries are written by WriteEntries until the Writer is closed.
func (w *Writer) Layout(ctx context.Context) (*Layout, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil, errors.New("rootfs: WriteTar after Close")
	}
	if w.opts.SingleWrite && w.written {
		w.mu.Unlock()
		return nil, errors.New("rootfs: WriteTar called again with Options.SingleWrite")
	}
	w.written = true
	var idxs []int
	for i := range w.pkgs {
		idxs = append(idxs, i)
	}
	slices.Sort(idxs)
	rep := &Report{Owners: map[string]string{}}
	var all []*entry
	var states []*pkgState
	for _, i := range idxs {
		st := w.pkgs[i]
		states = append(states, st)
		rep.Packages = append(rep.Packages, PackageReport{NEVRA: st.nevra, Scriptlets: st.scripts})
		for _, e := range st.files {
			c := *e
			all = append(all, &c)
		}
	}
	var synth []*entry
	for _, e := range w.synth {
		c := *e
		synth = append(synth, &c)
	}
	startWarnings := len(w.warnings)
	w.mu.Unlock()
	// Warnings of AddPackage stay for every call; those of this call go
	// when it returns, so that a second call reports them once again.
	defer func() {
		w.mu.Lock()
		w.warnings = w.warnings[:startWarnings]
		w.mu.Unlock()
	}()

	t := &tree{m: map[string]*entry{}}
	if err := t.place(all); err != nil {
		return nil, err
	}

	// Caller files go in before the generators run (a caller's
	// ld.so.conf or library counts), and generators leave them alone.
	for _, e := range synth {
		p, err := t.resolveParent(e.path)
		if err != nil {
			return nil, fmt.Errorf("adding %s: %w", e.path, err)
		}
		e.path = p
		t.m[p] = e
	}
	db, err := w.accounts(t, states)
	if err != nil {
		return nil, err
	}
	if w.opts.EmptyMachineID {
		w.generated(t, "/etc/machine-id", []byte{}, 0o444)
	}
	if w.opts.LDCache {
		if err := w.ldcache(t); err != nil {
			return nil, err
		}
	}

	// Remove globs, last; a matched directory goes with everything below.
	paths := t.sortedPaths()
	for _, g := range w.opts.Remove {
		matched := false
		for _, p := range paths {
			if _, ok := t.m[p]; ok && rpmmeta.MatchPath(g, p) {
				matched = true
				for _, q := range paths {
					if q == p || strings.HasPrefix(q, p+"/") {
						if _, ok := t.m[q]; ok {
							delete(t.m, q)
							rep.Removed++
						}
					}
				}
			}
		}
		if !matched {
			rep.UnmatchedRemove = append(rep.UnmatchedRemove, g)
			w.warn("remove glob %q matches nothing", g)
		}
	}

	// Implied parents.
	for _, p := range t.sortedPaths() {
		for _, d := range parentDirs(p) {
			pe := t.m[d]
			if pe == nil {
				t.m[d] = &entry{path: d, kind: kindDir, mode: 0o755, numeric: true, mtime: w.opts.BuildTime, owner: "(implied)"}
				continue
			}
			if pe.kind != kindDir {
				return nil, fmt.Errorf("%s (from %s) needs %s to be a directory, but %s makes it a %s", p, t.m[p].owner, d, pe.owner, pe.kind)
			}
		}
	}

	// Owners.
	unknown := map[string]bool{}
	ids := func(e *entry) (int, int) {
		if e.numeric {
			return e.uid, e.gid
		}
		uid, gid := 0, 0
		if e.user != "root" && e.user != "" {
			if u, ok := db.LookupUser(e.user); ok {
				uid = int(u.UID)
			} else if !unknown["u"+e.user] {
				unknown["u"+e.user] = true
				w.warn("user %s does not exist in the image - using root (first seen on %s from %s)", e.user, e.path, e.owner)
			}
		}
		if e.group != "root" && e.group != "" {
			if g, ok := db.LookupGroup(e.group); ok {
				gid = int(g.GID)
			} else if !unknown["g"+e.group] {
				unknown["g"+e.group] = true
				w.warn("group %s does not exist in the image - using root (first seen on %s from %s)", e.group, e.path, e.owner)
			}
		}
		return uid, gid
	}

	// Hard links: the first path of a set in path order holds the data.
	paths = t.sortedPaths()
	linkHead := map[string]string{}

	// With SingleWrite, the index of the last entry read from each spool
	// file (the first path of a hard-link set holds the data, the others
	// read nothing).
	lastUse := map[string]int{}
	if w.opts.SingleWrite {
		heads := map[string]bool{}
		for i, p := range paths {
			e := t.m[p]
			if e.kind == kindReg && e.hl != "" {
				if heads[e.hl] {
					continue
				}
				heads[e.hl] = true
			}
			if e.kind == kindReg && !e.inline {
				if _, inMem := w.mem[e.key]; !inMem {
					if loc, ok := w.locs[e.key]; ok {
						lastUse[loc.file] = i
					}
				}
			}
		}
	}
	// Every header, before any content is read.
	items := make([]TarEntry, 0, len(paths))
	bodies := make([]*entry, 0, len(paths))
	at := make([]int, 0, len(paths)) // index in paths
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := t.m[p]
		if p == "/" {
			continue
		}
		uid, gid := ids(e)
		h := &tar.Header{
			Name:    p[1:],
			Mode:    int64(e.mode & 0o7777),
			Uid:     uid,
			Gid:     gid,
			ModTime: time.Unix(w.mtime(e), 0),
			Format:  tar.FormatPAX,
		}
		if u, ok := db.UserByID(uint32(uid)); ok {
			h.Uname = u.Name
		}
		if g, ok := db.GroupByID(uint32(gid)); ok {
			h.Gname = g.Name
		}
		if e.caps != "" {
			x, err := CapsXattr(e.caps)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if x != nil {
				h.PAXRecords = map[string]string{paxCapRecord: string(x)}
			}
		}
		switch e.kind {
		case kindDir:
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
		case kindSymlink:
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		case kindChar, kindBlock:
			h.Typeflag = tar.TypeChar
			if e.kind == kindBlock {
				h.Typeflag = tar.TypeBlock
			}
			h.Devmajor = int64((e.rdev >> 8) & 0xfff)
			h.Devminor = int64((e.rdev & 0xff) | ((e.rdev >> 12) & 0xfff00))
		case kindFifo:
			h.Typeflag = tar.TypeFifo
		case kindReg:
			if e.hl != "" {
				if head, ok := linkHead[e.hl]; ok {
					h.Typeflag, h.Linkname = tar.TypeLink, head
					break
				}
				linkHead[e.hl] = h.Name
			}
			h.Typeflag, h.Size = tar.TypeReg, e.size
		}
		items = append(items, TarEntry{Header: h, Owner: e.owner})
		bodies = append(bodies, e)
		at = append(at, i)
		rep.Entries++
		rep.Owners[p[1:]] = e.owner
	}
	for _, te := range items {
		if te.Header.Typeflag == tar.TypeReg {
			rep.Bytes += te.Header.Size
		}
	}
	w.mu.Lock()
	rep.Warnings = slices.Clone(w.warnings)
	w.mu.Unlock()
	return &Layout{Entries: items, Report: rep, w: w, bodies: bodies, at: at, lastUse: lastUse}, nil
}

// WriteEntries writes to out, as a PAX tar, the entries of l at the
// ascending indexes idx, each as WriteTar writes it: with every index,
// WriteTar's bytes. Calls may run at once, each with its own out.
func (l *Layout) WriteEntries(ctx context.Context, out io.Writer, idx []int) error {
	for i, k := range idx {
		if k < 0 || k >= len(l.Entries) || (i > 0 && k <= idx[i-1]) {
			return fmt.Errorf("rootfs: entry index %d (at %d) is out of order or range (%d entries)", k, i, len(l.Entries))
		}
	}
	if idx == nil {
		idx = []int{} // none; nil is every entry to write
	}
	return l.write(ctx, out, idx, false)
}

// write writes the entries idx (nil: all) to out; with release, the
// spool files are removed after their last use (SingleWrite, all
// entries).
func (l *Layout) write(ctx context.Context, out io.Writer, idx []int, release bool) error {
	open := map[string]*os.File{}
	defer func() {
		for _, f := range open {
			f.Close()
		}
	}()
	n := len(l.Entries)
	if idx != nil {
		n = len(idx)
	}
	tw := tar.NewWriter(out)
	buf := make([]byte, 256<<10)
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := i
		if idx != nil {
			k = idx[i]
		}
		h, e := l.Entries[k].Header, l.bodies[k]
		p := "/" + strings.TrimSuffix(h.Name, "/")
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("writing tar header of %s: %w", p, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		var body io.Reader
		if e.inline {
			body = bytes.NewReader(e.data)
		} else {
			ra, err := l.w.open(e, open)
			if err != nil {
				return err
			}
			body = io.NewSectionReader(ra, 0, e.size)
		}
		got, err := io.CopyBuffer(tw, body, buf)
		if err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		if got != e.size {
			return fmt.Errorf("writing %s: spooled %d bytes, want %d", p, got, e.size)
		}
		if !release {
			continue
		}
		if loc, ok := l.w.locs[e.key]; ok {
			if last, ok := l.lastUse[loc.file]; ok && last == l.at[k] {
				if f := open[loc.file]; f != nil {
					f.Close()
					delete(open, loc.file)
				}
				os.Remove(loc.file) // Close removes what is left
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing tar: %w", err)
	}
	return nil
}

// content returns a regular file's bytes.
func (w *Writer) content(e *entry) ([]byte, error) {
	if e.inline {
		return e.data, nil
	}
	ra, err := w.open(e, nil)
	if err != nil {
		return nil, err
	}
	if c, ok := ra.(io.Closer); ok {
		defer c.Close()
	}
	b := make([]byte, e.size)
	if _, err := ra.ReadAt(b, 0); err != nil && !(err == io.EOF && e.size == 0) {
		return nil, fmt.Errorf("reading spooled %s: %w", e.path, err)
	}
	return b, nil
}

// open returns a reader of a regular file's content. With files, spool
// files are opened once and kept there (the caller closes them); without,
// the caller closes what it gets when it is an io.Closer.
func (w *Writer) open(e *entry, files map[string]*os.File) (io.ReaderAt, error) {
	if e.inline {
		return bytes.NewReader(e.data), nil
	}
	if m, ok := w.mem[e.key]; ok {
		return bytes.NewReader(m), nil
	}
	loc, ok := w.locs[e.key]
	if !ok {
		return nil, fmt.Errorf("content of %s is not in the spool", e.path)
	}
	f := files[loc.file]
	if f == nil {
		var err error
		if f, err = os.Open(loc.file); err != nil {
			return nil, fmt.Errorf("reading spooled %s: %w", e.path, err)
		}
		if files == nil {
			return &sectionCloser{io.NewSectionReader(f, loc.off, e.size), f}, nil
		}
		files[loc.file] = f
	}
	return io.NewSectionReader(f, loc.off, e.size), nil
}

type sectionCloser struct {
	*io.SectionReader
	f *os.File
}

func (s *sectionCloser) Close() error { return s.f.Close() }

// generated replaces (or adds) a file made in place of a scriptlet. An
// existing file keeps its mode and owner; a file the caller added stays.
func (w *Writer) generated(t *tree, p string, data []byte, mode uint32) {
	n := &entry{path: p, kind: kindReg, mode: mode, numeric: true, mtime: w.opts.BuildTime, data: data, inline: true, size: int64(len(data)), owner: "(generated)"}
	if old := t.m[p]; old != nil && old.owner == ownerAdded {
		return // the caller's file wins
	}
	if old := t.m[p]; old != nil && old.kind == kindReg {
		n.mode, n.user, n.group, n.numeric, n.uid, n.gid = old.mode, old.user, old.group, old.numeric, old.uid, old.gid
	}
	t.m[p] = n
}

// lower is a file of the layers below the tree (Options.LowerFiles).
func (w *Writer) lower(p string) ([]byte, bool, error) {
	b, ok := w.opts.LowerFiles[p]
	return b, ok, nil
}

// accounts builds the image's user database: the files packages ship,
// then the configured accounts, then what the packages' scriptlets do
// (useradd, pwconv...: every emulated scriptlet runs here, in rpm's
// order), then sysusers.d; then home folders are made. Files are
// rewritten only when something was added.
func (w *Writer) accounts(t *tree, states []*pkgState) (*accounts.DB, error) {
	db := &accounts.DB{}
	read := func(p string) ([]byte, bool, error) {
		rp, err := t.resolve(p)
		if err != nil {
			return w.lower(p)
		}
		e := t.m[rp]
		if e == nil {
			return w.lower(p)
		}
		if e.kind != kindReg {
			return nil, false, nil
		}
		b, err := w.content(e)
		return b, true, err
	}
	passwd, hasPasswd, err := read("/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, hasGroup, err := read("/etc/group")
	if err != nil {
		return nil, err
	}
	if err := db.ParsePasswd("/etc/passwd", passwd); err != nil {
		return nil, err
	}
	if err := db.ParseGroup("/etc/group", group); err != nil {
		return nil, err
	}
	for _, g := range w.opts.Groups {
		if err := g.Check(); err != nil {
			return nil, fmt.Errorf("configured account: %w", err)
		}
		if db.SetGroup(g) {
			w.warn("group %s from the configuration replaces the image's entry", g.Name)
		}
	}
	for _, u := range w.opts.Users {
		if err := u.Check(); err != nil {
			return nil, fmt.Errorf("configured account: %w", err)
		}
		if db.SetUser(u) {
			w.warn("user %s from the configuration replaces the image's entry", u.Name)
		}
	}
	su := &accounts.ShadowUtils{DB: db, Day: w.opts.BuildTime / 86400}
	if b, ok, err := read("/etc/login.defs"); err != nil {
		return nil, err
	} else if ok {
		su.LoginDefs = accounts.ParseLoginDefs(b)
	}
	if b, ok, err := read("/etc/default/useradd"); err != nil {
		return nil, err
	} else if ok {
		su.UseraddDefaults = accounts.ParseUseraddDefaults(b)
	}
	if su.Shadow, su.HasShadow, err = read("/etc/shadow"); err != nil {
		return nil, err
	}
	if su.GShadow, su.HasGShadow, err = read("/etc/gshadow"); err != nil {
		return nil, err
	}
	// Account files are written as soon as a scriptlet changes them, so
	// that later commands (chmod 000 /etc/shadow) find them.
	sync := func() {
		w.generated(t, "/etc/passwd", db.Passwd(), 0o644)
		w.generated(t, "/etc/group", db.Group(), 0o644)
		if su.HasShadow {
			w.generated(t, "/etc/shadow", su.Shadow, 0o400)
		}
		if su.HasGShadow {
			w.generated(t, "/etc/gshadow", su.GShadow, 0o400)
		}
	}
	switch {
	case w.opts.AuditOnly:
	case w.opts.RunScriptlets:
		// The configured accounts go in first, as when emulating; then
		// the accounts are read back from what the scriptlets left.
		if len(w.opts.Users)+len(w.opts.Groups) > 0 {
			sync()
		}
		if err := w.runSandboxed(t, states, db); err != nil {
			return nil, err
		}
		if db, su, err = w.rereadAccounts(t, su); err != nil {
			return nil, err
		}
		passwd, group = db.Passwd(), db.Group()
	default:
		w.runScriptlets(t, states, su, sync)
	}
	// sysusers.d: /etc/sysusers.d overrides /usr/lib/sysusers.d by name;
	// files are read in name order, as systemd-sysusers does.
	conf := map[string]*entry{}
	for _, dir := range []string{"/usr/lib/sysusers.d", "/etc/sysusers.d"} {
		rd, err := t.resolve(dir)
		if err != nil {
			continue
		}
		for p, e := range t.m {
			if path.Dir(p) == rd && strings.HasSuffix(p, ".conf") && e.kind == kindReg {
				conf[path.Base(p)] = e
			}
		}
	}
	names := make([]string, 0, len(conf))
	for n := range conf {
		names = append(names, n)
	}
	slices.Sort(names)
	var entries []accounts.SysusersEntry
	for _, n := range names {
		e := conf[n]
		b, err := w.content(e)
		if err != nil {
			return nil, err
		}
		es, err := accounts.ParseSysusers(e.path, b)
		if err != nil {
			return nil, fmt.Errorf("sysusers.d file from %s: %w", e.owner, err)
		}
		entries = append(entries, es...)
	}
	if _, err := db.ApplySysusers(entries); err != nil {
		return nil, err
	}
	newPasswd, newGroup := db.Passwd(), db.Group()
	if string(newPasswd) != string(passwd) || (!hasPasswd && len(db.Users) > 0) {
		w.generated(t, "/etc/passwd", newPasswd, 0o644)
	}
	if string(newGroup) != string(group) || (!hasGroup && len(db.Groups) > 0) {
		w.generated(t, "/etc/group", newGroup, 0o644)
	}
	for _, s := range []struct {
		p   string
		gen func([]byte) []byte
	}{{"/etc/shadow", db.Shadow}, {"/etc/gshadow", db.GShadow}} {
		old, ok, err := read(s.p)
		if err != nil {
			return nil, err
		}
		if ok {
			if nb := s.gen(old); string(nb) != string(old) {
				w.generated(t, s.p, nb, 0)
			}
		}
	}
	homes := su.Homes
	for _, u := range w.opts.Users {
		if w.opts.Homes || slices.Contains(w.opts.HomesOf, u.Name) {
			homes = append(homes, accounts.Home{Path: u.Home, UID: u.UID, GID: u.GID, Mode: su.HomeMode(), Skel: "/etc/skel"})
		}
	}
	w.makeHomes(t, homes)
	return db, nil
}

// mtime is the modification time e is written with: its own (a package
// file's header mtime; BuildTime for what the Writer generates), or with
// ClampMTimes no later than BuildTime.
func (w *Writer) mtime(e *entry) int64 {
	if w.opts.ClampMTimes {
		return min(e.mtime, w.opts.BuildTime)
	}
	return e.mtime
}
