package rootfs

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/layers/rpm"
)

type kind uint8

const (
	kindReg kind = iota + 1
	kindDir
	kindSymlink
	kindChar
	kindBlock
	kindFifo
)

func (k kind) String() string {
	switch k {
	case kindReg:
		return "file"
	case kindDir:
		return "directory"
	case kindSymlink:
		return "symlink"
	case kindChar:
		return "char device"
	case kindBlock:
		return "block device"
	case kindFifo:
		return "fifo"
	}
	return "unknown"
}

// entry is one file of the image being assembled.
type entry struct {
	path  string // absolute; rewritten through directory symlinks
	kind  kind
	mode  uint32 // permission bits with setuid, setgid and sticky
	user  string // owner names from the package
	group string
	// numeric owners (caller entries, implied directories)
	uid, gid int
	numeric  bool
	mtime    int64
	size     int64
	key      string // spool key of a regular file's content
	data     []byte // content of a generated or caller file
	inline   bool   // content is data, not in the spool
	link     string
	caps     string
	rdev     uint32
	flags    rpm.FileFlags
	hl       string // hard-link set id, "" when not linked

	owner     string // NEVRA of the package, "(added)", "(implied)", "(generated)"
	pkg       int
	order     int
	rpmDigest string
}

// ConflictError is two packages shipping different files at one path.
type ConflictError struct {
	Path         string
	Installed    string // NEVRA of the package that placed the file first
	Installing   string // NEVRA of the package whose file conflicts
	Reason       string
	OriginalPath string // path in the installing package, when rewritten through a symlink
}

func (e *ConflictError) Error() string {
	via := ""
	if e.OriginalPath != "" && e.OriginalPath != e.Path {
		via = " (shipped as " + e.OriginalPath + ")"
	}
	return fmt.Sprintf("file %s%s from install of %s conflicts with file from package %s: %s",
		e.Path, via, e.Installing, e.Installed, e.Reason)
}

type tree struct {
	m map[string]*entry
	// lower is the tree of the layers below (a base image's) while the
	// emulated scriptlets run (nil otherwise, and without a base).
	lower *lowerView
}

// symlinkAt is the target of the symlink at p: the tree's entry, or
// else the lower layers' visible one.
func (t *tree) symlinkAt(p string) (string, bool) {
	if e := t.m[p]; e != nil {
		return e.link, e.kind == kindSymlink
	}
	if t.lower != nil {
		if l, ok := t.lower.get(t, p); ok && l.Type == 'l' {
			return l.Link, true
		}
	}
	return "", false
}

const maxSymlinkHops = 40

// resolveParent rewrites p so that no ancestor is a symlink of the tree,
// following links the way the kernel would inside a chroot at the image
// root: absolute targets start at the root, ".." never leaves it.
func (t *tree) resolveParent(p string) (string, error) {
	hops := 0
	for {
		dirs := parentDirs(p)
		moved := false
		for _, d := range dirs {
			target, ok := t.symlinkAt(d)
			if !ok {
				continue
			}
			hops++
			if hops > maxSymlinkHops {
				return "", fmt.Errorf("too many levels of symbolic links resolving %s", p)
			}
			base := path.Dir(d)
			if strings.HasPrefix(target, "/") {
				base = "/"
			}
			np := path.Clean(path.Join("/", base, target, strings.TrimPrefix(p, d)))
			if np == "/" {
				return "", fmt.Errorf("%s resolves to the image root", p)
			}
			if err := checkPath(np); err != nil {
				// A name past NAME_MAX or a path past PATH_MAX: the
				// kernel would refuse it (ENAMETOOLONG).
				return "", fmt.Errorf("%s resolves through the link at %s to %s: %w", shortPath(p), d, shortPath(np), err)
			}
			p = np
			moved = true
			break
		}
		if !moved {
			return p, nil
		}
	}
}

// resolve follows p itself too, when it is a symlink.
func (t *tree) resolve(p string) (string, error) {
	for hops := 0; ; hops++ {
		if hops > maxSymlinkHops {
			return "", fmt.Errorf("too many levels of symbolic links resolving %s", p)
		}
		q, err := t.resolveParent(p)
		if err != nil {
			return "", err
		}
		link, ok := t.symlinkAt(q)
		if !ok {
			return q, nil
		}
		base := path.Dir(q)
		if strings.HasPrefix(link, "/") {
			base = "/"
		}
		np := path.Clean(path.Join("/", base, link))
		if np == "/" {
			return np, nil
		}
		if err := checkPath(np); err != nil {
			return "", fmt.Errorf("%s resolves through the link at %s to %s: %w", shortPath(p), q, shortPath(np), err)
		}
		p = np
	}
}

// insert places n in the tree with rpm's conflict rules.
func (t *tree) insert(n *entry, orig string) error {
	old := t.m[n.path]
	if old == nil {
		t.m[n.path] = n
		return nil
	}
	conflict := func(reason string) error {
		return &ConflictError{Path: n.path, Installed: old.owner, Installing: n.owner, Reason: reason, OriginalPath: orig}
	}
	switch {
	case old.kind == kindDir && n.kind == kindDir:
		// Shared directories are fine when rpm's rpmfilesCompare finds
		// them identical: same mode, same owner.
		if old.mode != n.mode {
			return conflict(fmt.Sprintf("directory %s: mode %04o vs %04o", n.path, n.mode, old.mode))
		}
		if old.user != n.user || old.group != n.group {
			return conflict(fmt.Sprintf("directory %s: owner %s:%s vs %s:%s", n.path, n.user, n.group, old.user, old.group))
		}
		return nil
	case old.kind != n.kind:
		return conflict(fmt.Sprintf("%s vs %s", n.kind, old.kind))
	}
	if old.user != n.user || old.group != n.group {
		return conflict(fmt.Sprintf("owner %s:%s vs %s:%s", n.user, n.group, old.user, old.group))
	}
	switch n.kind {
	case kindSymlink:
		if old.link != n.link {
			return conflict(fmt.Sprintf("symlink to %q vs %q", n.link, old.link))
		}
		return nil
	case kindReg:
		if old.mode != n.mode {
			return conflict(fmt.Sprintf("mode %04o vs %04o", n.mode, old.mode))
		}
		if old.size != n.size || old.key != n.key {
			return conflict("different contents")
		}
		return nil
	default:
		if old.mode != n.mode || old.rdev != n.rdev {
			return conflict("different device or mode")
		}
		return nil
	}
}

// place puts entries (all of them from packages) into t: shallow paths
// first so that directory symlinks exist before what they lead to, then in
// package order and header order. A second pass moves entries whose parent
// became a symlink later.
func (t *tree) place(entries []*entry) error {
	depth := func(p string) int { return strings.Count(p, "/") }
	slices.SortStableFunc(entries, func(a, b *entry) int {
		if c := cmp.Compare(depth(a.path), depth(b.path)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.pkg, b.pkg); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	var errs []error
	for _, e := range entries {
		orig := e.path
		p, err := t.resolveParent(e.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("package %s: file %s: %w", e.owner, orig, err))
			continue
		}
		e.path = p
		if err := t.insert(e, orig); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for pass := 0; pass < 8; pass++ {
		var move []*entry
		for p, e := range t.m {
			if q, err := t.resolveParent(p); err == nil && q != p {
				move = append(move, e)
			}
		}
		if len(move) == 0 {
			return nil
		}
		slices.SortFunc(move, func(a, b *entry) int { return cmp.Compare(a.path, b.path) })
		for _, e := range move {
			orig := e.path
			delete(t.m, orig)
			q, err := t.resolveParent(orig)
			if err != nil {
				errs = append(errs, fmt.Errorf("package %s: file %s: %w", e.owner, orig, err))
				continue
			}
			e.path = q
			if err := t.insert(e, orig); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	return nil
}

// sortedPaths lists the tree's paths in byte order.
func (t *tree) sortedPaths() []string {
	ps := make([]string, 0, len(t.m))
	for p := range t.m {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}
