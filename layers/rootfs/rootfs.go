// Package rootfs installs RPM packages into a deterministic tar layer
// without root, without extracting onto the host and without running rpm or
// scriptlets.
//
// A Writer reads every package once (AddPackage, AddRPMFiles with one
// package per core), keeping regular file contents (each distinct file
// digest once) in memory up to a budget and otherwise in one spool file per
// package in a private folder; WriteTar then lays out the image tree the way
// rpm would (directory symlinks followed, conflicts checked with rpm's
// rules), produces what scriptlets would have (users and groups,
// /etc/ld.so.cache), applies the remove globs and writes a PAX tar in path
// order, reading contents back from the spool.
//
// Decisions worth knowing:
//   - Entry names are relative ("usr/bin/sh", directories end in "/"); the
//     root directory itself is not written.
//   - Package files keep the modification times their headers record, as
//     rpm installs them (so rpm -Va finds nothing to report and a file
//     shipped by a base and its variant is the same entry in both);
//     implied parent directories and generated files get BuildTime. With
//     Options.ClampMTimes every time is min(file mtime, BuildTime).
//   - Owners are numeric ids resolved through the image's own /etc/passwd and
//     /etc/group (after accounts and sysusers.d are applied); unknown names
//     become 0 with a warning, as rpm does. Uname/Gname carry the name of the
//     id in the image (empty when it has none).
//   - Character and block devices and FIFOs are written as such; sockets are
//     skipped with a warning (tar cannot hold them).
//   - %ghost files are not created; %doc files are dropped when
//     Options.Docs is false, the way rpm's --excludedocs drops %doc: folders
//     flagged %doc (the per-package doc folder) go too, other folders stay;
//     %license files stay (checked against dnf's tsflags=nodocs) unless
//     Options.DropLicenses.
//   - Scriptlets are never run: each gets a verdict (package scriptlet
//     audit) and the effects of those understood are reproduced
//     (/etc/shells, alternatives, useradd and pwconv, lua posix calls...).
//   - Over a base image (Options.Lower, LowerFiles), the emulations see
//     the base's tree under the packages' files (lower.go): a base file
//     they change is copied into the tree, a base path they remove
//     becomes a whiteout entry (.wh.NAME); triggers fire across the base's
//     packages (LowerPackages) and the added ones, and an upgraded base
//     package's erase scripts and triggers run (Upgraded).
//   - Hard-link sets become one regular file (the first path) and TypeLink
//     entries pointing at it.
//   - Conflicts follow rpm's transaction check (rpmfilesCompare), checked
//     against `rpm -i --test`: two packages may share a path only when
//     type, mode, owner and content (symlink target, digest) agree; that
//     holds for directories too, and for a directory over a directory
//     symlink (a conflict). %ghost files never conflict; %config changes
//     nothing. The error is a *ConflictError naming both packages.
//   - Paths are rewritten through directory symlinks of the image itself
//     (usrmerge: /lib/x lands in /usr/lib/x); absolute targets start at
//     the image root and ".." stops there, so nothing leaves the image.
//     Paths are placed shallow first, so a link shipped by any package is
//     followed whatever the package order.
package rootfs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"github.com/slipway-build/slipway/layers/rootfs/ldcache"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rootfs/scriptlet"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/rpmmeta"
)

// Options configure a Writer.
type Options struct {
	// BuildTime (seconds since the epoch, from SOURCE_DATE_EPOCH) dates
	// what the Writer generates (and, with ClampMTimes, clamps every
	// modification time).
	BuildTime int64
	// ClampMTimes writes min(mtime, BuildTime) for every entry instead of
	// the package files' own mtimes.
	ClampMTimes bool
	// Docs keeps %doc files (rpm's --excludedocs, dnf's tsflags=nodocs
	// when false: %license files stay).
	Docs bool
	// AuditOnly gives every scriptlet its verdict but reproduces no
	// effect (no scriptlet emulation).
	AuditOnly bool
	// RunScriptlets runs the install-time scriptlets for real, in an
	// unprivileged user namespace with a chroot of the tree (see
	// runmode.go), instead of emulating them.
	RunScriptlets bool
	// DropLicenses drops %license files too.
	DropLicenses bool
	// Homes creates the home folder of every configured user that the
	// image lacks, owned by the user, with the mode useradd gives
	// (login.defs HOME_MODE, else 0777 without UMASK) and /etc/skel's
	// files, as useradd -m does.
	Homes bool
	// HomesOf, when Homes is false, names the users of Users whose homes
	// are made that way (a build on a base: the configured users whose
	// home the base lacks).
	HomesOf []string
	// EmptyMachineID writes an empty /etc/machine-id (systemd then makes
	// one at first boot), as distributions' image tools do.
	EmptyMachineID bool
	// Remove holds globs (rpmmeta.MatchPath syntax) of paths removed
	// after everything else, with everything below them.
	Remove []string
	// Users and Groups are accounts the configuration declares; they are
	// added to (or replace same-named entries of) the image's files.
	Users  []accounts.User
	Groups []accounts.Group
	// LDCache generates /etc/ld.so.cache from the libraries of the tree.
	LDCache bool
	// LDCacheDirs replaces the default library folders scanned after
	// those of /etc/ld.so.conf (nil = by Arch, as Azure Linux's glibc).
	LDCacheDirs []string
	// LDCacheLower are libraries of the layers below the tree (a base
	// image's) that the cache lists too, unless the tree has a library of
	// the same path.
	LDCacheLower []ldcache.Lib
	// LowerFiles are files of the layers below the tree (a base image's
	// /etc/shadow, /etc/gshadow), by absolute path, that the emulated
	// scriptlets read when the tree has no such file; a file they change
	// is written into the tree, one they leave is not.
	LowerFiles map[string][]byte
	// Lower lists the paths of the layers below the tree (a base
	// image's), which the emulated scriptlets see under the tree's own
	// (alternatives configured in the base, its trust sources); see
	// Lower. The contents they read are LowerFiles'.
	Lower *Lower
	// Upgraded are the packages of the layers below that the tree's
	// packages replace with another version (their headers, from the
	// base's rpm database): each is erased as rpm erases it right after
	// the package replacing it is installed (its own %triggerun, those
	// of the installed packages on it, its %preun and %postun, their
	// %triggerpostun), with $1 = 1 (an `alternatives --remove` of the
	// old version's path). An unhandled one is a warning.
	Upgraded []*rpm.Package
	// LowerPackages are the packages installed in the layers below
	// (their headers): an added package's trigger on one of them, or
	// file trigger on their files, fires; their own triggers fire on the
	// added packages and files (but those of Upgraded's packages).
	LowerPackages []*rpm.Package
	// Arch ("x86_64", "aarch64"...) selects the default library folders of
	// the cache: /lib64 and /usr/lib64 for 64-bit arches, /lib and /usr/lib
	// otherwise; "" takes both.
	Arch string
	// SpoolDir is the folder under which the spool is made ("" = the
	// system's temporary folder).
	SpoolDir string
	// MemoryBudget bounds the bytes of file contents kept in memory
	// instead of the spool folder (files up to 1 MiB each); 0 means
	// DefaultMemoryBudget, a negative value spools everything to disk.
	MemoryBudget int64
	// SingleWrite lets WriteTar release the spool as it writes: a spool
	// file is removed once the last entry read from it is written, so
	// the removal overlaps the writing instead of following it. WriteTar
	// can then be called once.
	SingleWrite bool
	// Log receives warnings (nil = discard).
	Log *slog.Logger
}

// DefaultMemoryBudget is the default Options.MemoryBudget.
const DefaultMemoryBudget = 32 << 20

// maxMemFile is the largest file kept in memory.
const maxMemFile = 1 << 20

// ownerAdded marks entries the caller added.
const ownerAdded = "(added)"

// Entry is a file added by the caller (an rpm database, a generated
// configuration file...). It replaces a package file of the same path and
// is never replaced by a generated one (/etc/passwd, /etc/ld.so.cache...);
// generators see it (a caller's ld.so.conf or library counts).
type Entry struct {
	Path   string      // absolute path in the image
	Mode   fs.FileMode // permissions plus fs.ModeDir or fs.ModeSymlink (regular otherwise); setuid etc. allowed
	UID    int
	GID    int
	Data   []byte // regular files
	LinkTo string // symlinks
}

// Scriptlet is a scriptlet or trigger of a package (none is run) and
// the verdict of the audit on it.
type Scriptlet struct {
	Kind string `json:"kind"`           // "%pre", "%post", "%triggerin"...
	Prog string `json:"prog,omitempty"` // interpreter, e.g. "/bin/sh"
	// Verdict is "emulated" (its effect is reproduced), "not-needed"
	// (its effect does not belong in an image) or "unhandled".
	Verdict string `json:"verdict"`
	// How names the emulations used, or why the effect is not needed.
	How []string `json:"how,omitempty"`
	// Why says, for an unhandled script, what was not understood.
	Why       string `json:"why,omitempty"`
	FirstLine string `json:"first_line,omitempty"`
}

// The verdicts of Scriptlet.Verdict.
const (
	VerdictEmulated  = scriptlet.Emulated
	VerdictNotNeeded = scriptlet.NotNeeded
	VerdictUnhandled = scriptlet.Unhandled
)

// PackageReport lists what of a package was not done.
type PackageReport struct {
	NEVRA      string      `json:"nevra"`
	Scriptlets []Scriptlet `json:"scriptlets,omitempty"`
}

// Report is what WriteTar did not do and what it warned about.
type Report struct {
	Packages        []PackageReport `json:"packages"`
	Warnings        []string        `json:"warnings,omitempty"`
	UnmatchedRemove []string        `json:"unmatched_remove,omitempty"`
	Removed         int             `json:"removed"`
	Entries         int             `json:"entries"`
	Bytes           int64           `json:"bytes"` // regular file content written
	// Owners names, for each entry written (by its tar name without a
	// trailing slash), the package whose file it is (NEVRA), or
	// "(implied)", "(generated)" or "(added)". A path several packages
	// ship is named once, for the package whose entry was written.
	Owners map[string]string `json:"-"`
}

// Writer collects packages and writes them as one tar layer. AddPackage and
// AddRPMFiles may be called from several goroutines; WriteTar once all
// packages are added. Close removes the spool.
type Writer struct {
	opts  Options
	log   *slog.Logger
	spool string

	mu       sync.Mutex
	pkgs     map[int]*pkgState
	next     int
	have     map[string]bool   // spool keys present (on disk or in mem)
	mem      map[string][]byte // contents kept in memory
	locs     map[string]spoolLoc
	budget   int64 // bytes left for mem
	synth    []*entry
	warnings []string
	closed   bool
	written  bool // WriteTar was called
	// decoders are decompressors kept across packages (a zstd decoder's
	// window is megabytes); idle ones wait here, Close releases them.
	decoders []*rpm.Decoders
}

// decoder takes an idle decompressor set, or a new one.
func (w *Writer) decoder() *rpm.Decoders {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n := len(w.decoders); n > 0 {
		d := w.decoders[n-1]
		w.decoders = w.decoders[:n-1]
		return d
	}
	return &rpm.Decoders{}
}

// release gives a decompressor set back for the next package.
func (w *Writer) release(d *rpm.Decoders) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		d.Close()
		return
	}
	w.decoders = append(w.decoders, d)
}

type pkgState struct {
	nevra    string
	name     string
	arch     string
	evr      rpmmeta.EVR
	rpmNEVRA string // as rpm's NEVRA tag shows it (epoch whenever set)
	files    []*entry
	scripts  []Scriptlet
	analyses []*scriptlet.Analysis
}

// New makes a Writer and its spool folder.
func New(opts Options) (*Writer, error) {
	dir, err := os.MkdirTemp(opts.SpoolDir, "slipway-rootfs-")
	if err != nil {
		return nil, fmt.Errorf("making the rootfs spool: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	budget := opts.MemoryBudget
	if budget == 0 {
		budget = DefaultMemoryBudget
	}
	return &Writer{opts: opts, log: log, spool: dir, pkgs: map[int]*pkgState{}, have: map[string]bool{}, mem: map[string][]byte{}, locs: map[string]spoolLoc{}, budget: budget}, nil
}

// Close removes the spool folder.
func (w *Writer) Close() error {
	w.mu.Lock()
	w.closed = true
	for _, d := range w.decoders {
		d.Close()
	}
	w.decoders = nil
	w.mu.Unlock()
	if err := os.RemoveAll(w.spool); err != nil {
		return fmt.Errorf("removing the rootfs spool: %w", err)
	}
	return nil
}

// AddPackage reads a package's files and payload (p must be positioned at
// its payload, as rpm.Open leaves it). Packages are installed in the order
// they are added.
func (w *Writer) AddPackage(ctx context.Context, p *rpm.Package) error {
	w.mu.Lock()
	idx := w.next
	w.next++
	w.mu.Unlock()
	return w.addPackage(ctx, idx, p)
}

// AddRPMFiles opens and adds RPM files, installed in the given order,
// reading up to GOMAXPROCS of them at once, the largest files first (so
// that no large package is left to decode alone at the end).
func (w *Writer) AddRPMFiles(ctx context.Context, paths []string) error {
	w.mu.Lock()
	base := w.next
	w.next += len(paths)
	w.mu.Unlock()
	errs := make([]error, len(paths))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, i := range largestFirst(paths) {
		p := paths[i]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			errs[i] = w.addFile(ctx, base+i, p)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// largestFirst returns the indexes of paths by decreasing file size (ties
// and files that cannot be read keep their order; opening them reports
// the error).
func largestFirst(paths []string) []int {
	order := make([]int, len(paths))
	sizes := make([]int64, len(paths))
	for i, p := range paths {
		order[i] = i
		if fi, err := os.Stat(p); err == nil {
			sizes[i] = fi.Size()
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sizes[b], sizes[a]) })
	return order
}

func (w *Writer) addFile(ctx context.Context, idx int, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("opening package: %w", err)
	}
	defer f.Close()
	p, err := rpm.Open(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if err := w.addPackage(ctx, idx, p); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Add adds a file of the caller's. It replaces any package file of the
// same path (parent symlinks of the image are followed).
func (w *Writer) Add(e Entry) error {
	if err := checkPath(e.Path); err != nil {
		return fmt.Errorf("adding %s: %w", shortPath(e.Path), err)
	}
	n := &entry{path: e.Path, mode: uint32(e.Mode.Perm()), uid: e.UID, gid: e.GID, numeric: true, mtime: w.opts.BuildTime, owner: ownerAdded}
	if e.Mode&fs.ModeSetuid != 0 {
		n.mode |= 0o4000
	}
	if e.Mode&fs.ModeSetgid != 0 {
		n.mode |= 0o2000
	}
	if e.Mode&fs.ModeSticky != 0 {
		n.mode |= 0o1000
	}
	switch {
	case e.Mode.IsDir():
		n.kind = kindDir
	case e.Mode&fs.ModeSymlink != 0:
		n.kind, n.link = kindSymlink, e.LinkTo
	case e.Mode.IsRegular():
		n.kind, n.data, n.size, n.inline = kindReg, e.Data, int64(len(e.Data)), true
	default:
		return fmt.Errorf("adding %s: unsupported file type %v", e.Path, e.Mode.Type())
	}
	w.mu.Lock()
	w.synth = append(w.synth, n)
	w.mu.Unlock()
	return nil
}

// Linux's limits, which rpm meets when it installs (ENAMETOOLONG) and tar
// when it unpacks a layer: PATH_MAX bytes for a path, its terminating NUL
// included, and NAME_MAX bytes for one component.
const (
	pathMax = 4096
	nameMax = 255
)

// checkPath rejects paths rpm would never write: relative, with NUL, "..",
// ".", empty components or a trailing slash, or longer than Linux allows
// (pathMax, nameMax).
func checkPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return errors.New("path is not absolute")
	case strings.IndexByte(p, 0) >= 0:
		return errors.New("path contains NUL")
	case p == "/":
		return nil
	case len(p) >= pathMax:
		return fmt.Errorf("path is %d bytes, longer than PATH_MAX allows (%d with its NUL)", len(p), pathMax)
	}
	for c := range strings.SplitSeq(p[1:], "/") {
		switch {
		case c == "..":
			return errors.New("path has a .. component")
		case c == "." || c == "":
			return errors.New("path is not clean")
		case len(c) > nameMax:
			return fmt.Errorf("path has a component of %d bytes, longer than NAME_MAX (%d)", len(c), nameMax)
		}
	}
	return nil
}

// shortPath is p for a message: at most 80 bytes of it, and its length
// when it was cut (a 4 KiB path would drown the message).
func shortPath(p string) string {
	if len(p) <= 80 {
		return strconv.Quote(p)
	}
	return fmt.Sprintf("%q... (%d bytes)", p[:80], len(p))
}

func (w *Writer) addPackage(ctx context.Context, idx int, p *rpm.Package) error {
	nevra := p.NEVRA().String()
	files, err := p.Files()
	if err != nil {
		return fmt.Errorf("reading the file list of %s: %w", nevra, err)
	}
	analyses, scripts, err := analyzeScripts(p, nevra)
	if err != nil {
		return err
	}
	n := p.NEVRA()
	var epoch *uint32
	if p.HasEpoch() {
		epoch = &n.Epoch
	}
	st := &pkgState{nevra: nevra, name: n.Name, arch: n.Arch, evr: n.EVR, rpmNEVRA: rpmTagNEVRA(n.Name, epoch, n.Version, n.Release, n.Arch),
		scripts: scripts, analyses: analyses}
	algo := p.FileDigestAlgo()
	links := map[[2]uint32]int{}
	for _, f := range files {
		if f.IsRegular() && !f.IsGhost() {
			links[[2]uint32{f.Device, f.Inode}]++
		}
	}
	skip := w.skipped(files)
	byIndex := make([]*entry, len(files))
	for i := range files {
		f := &files[i]
		if err := checkPath(f.Path); err != nil {
			return fmt.Errorf("package %s: file %s: %w", nevra, shortPath(f.Path), err)
		}
		if f.Path == "/" || f.IsGhost() || skip[i] {
			continue
		}
		e := &entry{
			path: f.Path, mode: f.Mode & 0o7777, user: f.User, group: f.Group,
			mtime: f.MTime, size: f.Size, owner: nevra, pkg: idx, order: i,
			rpmDigest: f.Digest, caps: f.Caps, flags: f.Flags, rdev: f.Rdev,
		}
		switch f.Mode & 0o170000 {
		case 0o100000:
			e.kind = kindReg
			if f.Digest != "" {
				e.key = fmt.Sprintf("%d-%s", algo, f.Digest)
			} else {
				e.key = fmt.Sprintf("p%d-%d", idx, i)
			}
			if links[[2]uint32{f.Device, f.Inode}] > 1 {
				e.hl = fmt.Sprintf("%d:%d:%d", idx, f.Device, f.Inode)
			}
		case 0o040000:
			e.kind = kindDir
		case 0o120000:
			e.kind, e.link = kindSymlink, f.LinkTo
			if f.LinkTo == "" || strings.IndexByte(f.LinkTo, 0) >= 0 {
				return fmt.Errorf("package %s: symlink %s: bad target %q", nevra, f.Path, f.LinkTo)
			}
			if len(f.LinkTo) >= pathMax {
				return fmt.Errorf("package %s: symlink %s: target is %d bytes, longer than PATH_MAX allows (%d with its NUL)", nevra, f.Path, len(f.LinkTo), pathMax)
			}
		case 0o020000:
			e.kind = kindChar
		case 0o060000:
			e.kind = kindBlock
		case 0o010000:
			e.kind = kindFifo
		case 0o140000:
			w.warn("package %s: socket %s is not written (tar cannot hold sockets)", nevra, f.Path)
			continue
		default:
			return fmt.Errorf("package %s: file %s: unknown type in mode %o", nevra, f.Path, f.Mode)
		}
		if e.caps != "" {
			if _, err := CapsXattr(e.caps); err != nil {
				return fmt.Errorf("package %s: file %s: %w", nevra, f.Path, err)
			}
		}
		byIndex[i] = e
		st.files = append(st.files, e)
	}

	dec := w.decoder()
	defer w.release(dec) // after pl.Close: deferred calls run last first
	pl, err := p.Payload(rpm.WithDecoders(dec))
	if err != nil {
		return fmt.Errorf("reading the payload of %s: %w", nevra, err)
	}
	defer pl.Close()
	buf := make([]byte, 256<<10)
	// Contents go to one spool file per package, one after the other: one
	// file to create instead of one per packaged file.
	var sp *os.File
	var spOff int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, r, err := pl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the payload of %s: %w", nevra, err)
		}
		if f.Index < 0 || f.Index >= len(byIndex) {
			continue
		}
		e := byIndex[f.Index]
		if e == nil || e.kind != kindReg {
			continue
		}
		w.mu.Lock()
		done := w.have[e.key]
		w.mu.Unlock()
		if done {
			continue // the reader is drained (and its digest checked) by Next
		}
		var n int64
		if e.size <= maxMemFile && w.reserve(e.size) {
			data, err := readExactly(r, e.size)
			if err != nil {
				w.reserve(-e.size)
				return fmt.Errorf("package %s: file %s: %w", nevra, f.Path, err)
			}
			if len(data) == 0 && e.size > 0 {
				w.reserve(-e.size)
				continue // a hard-link member whose data comes with a later one
			}
			w.mu.Lock()
			w.mem[e.key] = data
			w.have[e.key] = true
			w.mu.Unlock()
			continue
		}
		if sp == nil {
			name := filepath.Join(w.spool, fmt.Sprintf("pkg-%d", idx))
			if sp, err = os.Create(name); err != nil {
				return fmt.Errorf("spooling %s: %w", nevra, err)
			}
			defer sp.Close()
		}
		n, err = io.CopyBuffer(sp, r, buf)
		if err != nil {
			return fmt.Errorf("package %s: file %s: %w", nevra, f.Path, err)
		}
		if n == 0 && e.size > 0 {
			continue // a hard-link member whose data comes with a later one
		}
		if n != e.size {
			return fmt.Errorf("package %s: file %s: payload holds %d bytes, header says %d", nevra, f.Path, n, e.size)
		}
		w.mu.Lock()
		w.locs[e.key] = spoolLoc{file: sp.Name(), off: spOff}
		w.have[e.key] = true
		w.mu.Unlock()
		spOff += n
	}
	if sp != nil {
		if err := sp.Close(); err != nil {
			return fmt.Errorf("spooling %s: %w", nevra, err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range st.files {
		if e.kind == kindReg && !w.have[e.key] {
			if e.size == 0 {
				w.mem[e.key] = []byte{}
				w.have[e.key] = true
				continue
			}
			return fmt.Errorf("package %s: file %s is missing from the payload", nevra, e.path)
		}
	}
	w.pkgs[idx] = st
	return nil
}

// reserve takes n bytes from the memory budget (or gives them back when
// n is negative) and reports whether they were available.
func (w *Writer) reserve(n int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n > w.budget {
		return false
	}
	w.budget -= n
	return true
}

// readExactly reads all of r, which should hold size bytes (or none, for a
// hard-link member), reading to EOF so that the payload reader checks the
// file's digest.
func readExactly(r io.Reader, size int64) ([]byte, error) {
	data := make([]byte, size)
	n, err := io.ReadFull(r, data)
	if err == io.EOF && n == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("payload holds %d bytes, header says %d: %w", n, size, err)
	}
	var one [1]byte
	m, err := r.Read(one[:])
	for err == nil && m == 0 {
		m, err = r.Read(one[:])
	}
	if m > 0 {
		return nil, fmt.Errorf("payload holds more than the %d bytes the header says", size)
	}
	if err != io.EOF {
		return nil, err
	}
	return data, nil
}

// skipped marks the files of a package that are not installed.
func (w *Writer) skipped(files []rpm.File) []bool {
	return SkippedFiles(files, w.opts.Docs, !w.opts.DropLicenses)
}

// SkippedFiles marks the files of a package that are not installed: %doc
// files when docs is false (%license files are not %doc: rpm's
// --excludedocs keeps them), %license files when licenses is false, and
// then, as rpm's skipInstallFiles does, the package's own folders that
// this left empty (deepest first). The rpm database records them as not
// installed.
func SkippedFiles(files []rpm.File, docs, licenses bool) []bool {
	skip := make([]bool, len(files))
	drop := rpm.FileFlags(0)
	if !docs {
		drop |= rpm.FileDoc
	}
	if !licenses {
		drop |= rpm.FileLicense
	}
	if drop == 0 {
		return skip
	}
	kept := map[string]int{}     // folder -> files of this package kept in it
	emptied := map[string]bool{} // folder -> some file in it was skipped
	for i := range files {
		f := &files[i]
		if f.Flags&drop != 0 {
			skip[i] = true
			emptied[path.Dir(f.Path)] = true
		} else {
			kept[path.Dir(f.Path)]++
		}
	}
	order := make([]int, 0, len(files))
	for i := range files {
		if files[i].IsDir() && !skip[i] {
			order = append(order, i)
		}
	}
	// Deepest folders first (rpm walks its directory list backwards).
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(strings.Count(files[b].Path, "/"), strings.Count(files[a].Path, "/"))
	})
	for _, i := range order {
		d := files[i].Path
		if kept[d] == 0 && emptied[d] {
			skip[i] = true
		}
	}
	return skip
}

// spoolLoc is where a content lives in the spool: a package's spool file
// and the offset in it (the size is the entry's).
type spoolLoc struct {
	file string
	off  int64
}

func (w *Writer) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	w.log.Warn(msg)
	w.mu.Lock()
	w.warnings = append(w.warnings, msg)
	w.mu.Unlock()
}

// parentDirs lists the ancestors of p, nearest last ("/a/b/c" -> /a, /a/b).
func parentDirs(p string) []string {
	var out []string
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		out = append(out, d)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
