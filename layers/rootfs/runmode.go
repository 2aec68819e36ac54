//go:build linux

package rootfs

import (
	"runtime"
	"time"

	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rootfs/scriptlet"
)

// Running scriptlets for real (Options.RunScriptlets, [packages]
// scriptlets = "run"): the tree is written to a folder, every install-time
// scriptlet runs in rpm's order in a child process with new user, mount,
// network, PID, IPC and UTS namespaces (uid and gid 0 inside mapped to
// the caller: no root on the host, no network), chrooted into the
// folder, with SOURCE_DATE_EPOCH set; then what changed in the folder
// goes back into the tree, every time clamped to the build time.

// scriptDirPrefix names the folder (at the top of the tree) a script
// file is written to.
const scriptDirPrefix = ".slipway-scriptlet-"

// sandboxFlags are the namespaces a scriptlet runs in.
const sandboxFlags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET |
	syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS

// sandboxBase is the first host uid and gid of the ids inside the
// namespaces when slipway runs as root: ids 0-65535 inside are
// sandboxBase+0... on the host, ids no account uses, so that a scriptlet
// that leaves its chroot (root in a user namespace may chroot again) is
// nobody on the host, not root; and files keep their owners inside.
const sandboxBase = 0x70000000

// idMap says which host ids the ids inside are: inside id n < size is
// host base+n.
type idMap struct{ uid, gid, size int }

// sandboxIDs maps 65536 ids for a root caller; an unprivileged caller
// can map only itself, as root inside.
func sandboxIDs() idMap {
	if os.Getuid() == 0 {
		return idMap{sandboxBase, sandboxBase, 65536}
	}
	return idMap{os.Getuid(), os.Getgid(), 1}
}

// inside turns a host uid or gid into the id inside (0 when unmapped).
func (m idMap) inside(host, base int) int {
	if host >= base && host < base+m.size {
		return host - base
	}
	return 0
}

// sandboxAttr is how the child is made, as root inside.
func sandboxAttr(root string) *syscall.SysProcAttr {
	m := sandboxIDs()
	return &syscall.SysProcAttr{
		Cloneflags:  sandboxFlags,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.uid, Size: m.size}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: m.gid, Size: m.size}},
		// setgroups must be denied before an unprivileged process
		// writes gid_map.
		GidMappingsEnableSetgroups: false,
		// Become root inside (a root caller is host uid 0, which the
		// map leaves out, until it sets its ids in the namespace).
		Credential: &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true},
		Chroot:     root,
		Pdeathsig:  syscall.SIGKILL,
	}
}

// CheckUserNamespaces makes the namespaces a scriptlet runs in, chroots
// into an empty folder and tries to run a program that is not there: the
// attempt fails with "no such file" exactly when everything before the
// program (clone with the namespaces, the uid and gid maps, chroot)
// worked. Any other failure means user namespaces are not available.
func CheckUserNamespaces(tmp string) error {
	dir, err := os.MkdirTemp(tmp, "slipway-userns-")
	if err != nil {
		return fmt.Errorf("checking user namespaces: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := handOver(dir); err != nil {
		return fmt.Errorf("checking user namespaces: %w", err)
	}
	cmd := &exec.Cmd{Path: "/slipway-probe", Args: []string{"/slipway-probe"}, Dir: "/", SysProcAttr: sandboxAttr(dir)}
	err = cmd.Run()
	if errors.Is(err, syscall.ENOENT) {
		return nil
	}
	return namespaceError(err)
}

func namespaceError(err error) error {
	return fmt.Errorf("%w (clone with CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWNET and a uid map, then chroot): %v; "+
		"check that the kernel allows them (sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone = 1, "+
		"kernel.apparmor_restrict_unprivileged_userns = 0) and that no seccomp policy (a container's) forbids them, "+
		"or use scriptlets = \"emulate\"", ErrNoUserNamespaces, err)
}

// handOver gives what is under dir (dir included) to root inside when
// that is not the caller (a root caller).
func handOver(dir string) error {
	m := sandboxIDs()
	if m.uid == os.Getuid() {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, m.uid, m.gid)
	})
}

// foreignArch checks that the host can run arch's programs: natively, or
// through qemu-user registered in binfmt_misc with the F flag (the
// interpreter is opened when registered, so it works in a chroot).
func foreignArch(arch string) error {
	host := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}[runtime.GOARCH]
	if arch == "" || arch == "noarch" || arch == host {
		return nil
	}
	name := "/proc/sys/fs/binfmt_misc/qemu-" + arch
	b, err := os.ReadFile(name)
	if err == nil && strings.HasPrefix(string(b), "enabled") {
		for l := range strings.SplitSeq(string(b), "\n") {
			if f, ok := strings.CutPrefix(l, "flags: "); ok && strings.Contains(f, "F") {
				return nil
			}
		}
		return fmt.Errorf(`scriptlets = "run" for %s on a %s host: %s is registered without the F flag (fix binary), so qemu cannot be found inside the chroot; register it with F (Debian: qemu-user-static's binfmt files have it)`, arch, host, name)
	}
	return fmt.Errorf(`scriptlets = "run" for %s on a %s host needs qemu-user registered in binfmt_misc (%s missing or disabled): mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc and update-binfmts --enable qemu-%s (package qemu-user-static)`, arch, host, name, arch)
}

// snap is what the folder held for a path before the scriptlets ran.
type snap struct {
	kind     kind
	mode     uint32
	uid, gid int // inside
	link     string
	sum      [32]byte
	size     int64
}

// owners gives the ids inside of an entry's owner: its numbers, or its
// names through the image's accounts (root when unknown, as the layer
// gets them); ids that the namespaces do not map are root.
func owners(e *entry, db *accounts.DB, m idMap) (int, int) {
	uid, gid := e.uid, e.gid
	if !e.numeric {
		uid, gid = 0, 0
		if u, ok := db.LookupUser(e.user); ok && e.user != "" {
			uid = int(u.UID)
		}
		if g, ok := db.LookupGroup(e.group); ok && e.group != "" {
			gid = int(g.GID)
		}
	}
	if uid >= m.size {
		uid = 0
	}
	if gid >= m.size {
		gid = 0
	}
	return uid, gid
}

// runSandboxed runs the install-time scriptlets of every package for
// real, in rpm's order (as runScriptlets), and puts their changes into t.
// <lua> scriptlets, which need rpm's own interpreter, get their
// emulation on the tree first.
func (w *Writer) runSandboxed(t *tree, pkgs []*pkgState, db *accounts.DB) error {
	if err := foreignArch(w.opts.Arch); err != nil {
		return err
	}
	if err := CheckUserNamespaces(w.opts.SpoolDir); err != nil {
		return err
	}
	// lua first, on the tree (emulated, in order).
	img := &treeImage{w: w, t: t, db: &accounts.DB{}}
	env := &scriptlet.Env{Image: img, Warn: func(s string) { w.warn("%s", s) }, BuildTime: time.Unix(w.opts.BuildTime, 0)}
	for _, st := range pkgs {
		for _, a := range st.analyses {
			if a.Prog == "<lua>" && isInstallKind(a.Kind) {
				if a.Verdict != scriptlet.Emulated {
					w.warn("%s %s: a <lua> scriptlet is not run (rpm's lua is not available) and is not emulated: %s", st.nevra, a.Kind, a.Why)
					continue
				}
				if err := a.Run(env, st.nevra); err != nil {
					w.warn("%v", err)
				}
			}
		}
	}
	root, err := os.MkdirTemp(w.opts.SpoolDir, "slipway-scriptlets-")
	if err != nil {
		return fmt.Errorf("running scriptlets: %w", err)
	}
	defer removeAll(root)
	before, err := w.materialise(t, root, db)
	if err != nil {
		return fmt.Errorf("writing the tree to run scriptlets: %w", err)
	}
	run := func(st *pkgState, a *scriptlet.Analysis, stdin string) error {
		return w.runOne(root, st.nevra, a, stdin)
	}
	kinds := func(st *pkgState, ks ...string) error {
		for _, a := range st.analyses {
			if slices.Contains(ks, a.Kind) && a.Prog != "<lua>" {
				if err := run(st, a, ""); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, st := range pkgs {
		if err := kinds(st, "%pretrans"); err != nil {
			return err
		}
	}
	for _, st := range pkgs {
		if err := kinds(st, "%pre", "%post"); err != nil {
			return err
		}
	}
	names := map[string]bool{}
	for _, st := range pkgs {
		names[st.name] = true
	}
	for _, st := range pkgs {
		for _, a := range st.analyses {
			if a.Prog == "<lua>" {
				continue
			}
			switch a.Kind {
			case "%triggerprein", "%triggerin":
				if slices.ContainsFunc(a.Triggers, func(n string) bool { return names[n] }) {
					if err := run(st, a, ""); err != nil {
						return err
					}
				}
			case "%filetriggerin", "%transfiletriggerin":
				var files []string
				for _, prefix := range a.Triggers {
					prefix = strings.TrimSuffix(prefix, "/")
					for p := range t.m {
						if p == prefix || strings.HasPrefix(p, prefix+"/") {
							files = append(files, p)
						}
					}
				}
				if len(files) > 0 {
					slices.Sort(files)
					if err := run(st, a, strings.Join(files, "\n")+"\n"); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, st := range pkgs {
		if err := kinds(st, "%posttrans"); err != nil {
			return err
		}
	}
	return w.takeChanges(t, root, before)
}

func isInstallKind(k string) bool {
	return slices.Contains([]string{"%pretrans", "%pre", "%post", "%posttrans"}, k)
}

// runOne runs one scriptlet as rpm does: the body in a file under
// /var/tmp, run by the interpreter with the install count(s) as
// arguments, from /, umask 022. A failure is a warning, as rpm's.
func (w *Writer) runOne(root, nevra string, a *scriptlet.Analysis, stdin string) error {
	s := a.Script()
	prog := s.Prog
	if len(prog) == 0 {
		prog = []string{"/bin/sh"}
	}
	argv := slices.Clone(prog)
	if strings.TrimSpace(s.Body) == "" && len(s.Prog) == 0 {
		return nil // nothing to run
	}
	if strings.TrimSpace(s.Body) != "" {
		// In a folder of its own at the top of the tree (removed after):
		// never through the image's links (/var/tmp may be one, pointing
		// anywhere on the host).
		dir, err := os.MkdirTemp(root, scriptDirPrefix)
		if err != nil {
			return fmt.Errorf("%s %s: %w", nevra, s.Kind, err)
		}
		defer os.RemoveAll(dir)
		f, err := os.CreateTemp(dir, "rpm-tmp.")
		if err != nil {
			return fmt.Errorf("%s %s: %w", nevra, s.Kind, err)
		}
		if _, err := f.WriteString(s.Body); err != nil {
			f.Close()
			return fmt.Errorf("%s %s: %w", nevra, s.Kind, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("%s %s: %w", nevra, s.Kind, err)
		}
		// rpm passes the install counts after the script file.
		if err := handOver(dir); err != nil {
			return fmt.Errorf("%s %s: %w", nevra, s.Kind, err)
		}
		argv = append(argv, "/"+filepath.Base(dir)+"/"+filepath.Base(f.Name()), "1")
		if strings.Contains(s.Kind, "trigger") {
			argv = append(argv, "1")
		}
	}
	// /dev/null as a file when the tree has none (no device can be made
	// without privileges); removed before the changes are read. Only in
	// a real /dev folder: an image's /dev link may point anywhere.
	devDir := filepath.Join(root, "dev")
	if _, err := os.Lstat(devDir); errors.Is(err, fs.ErrNotExist) {
		_ = os.Mkdir(devDir, 0o755)
		_ = handOver(devDir)
	}
	if fi, err := os.Lstat(devDir); err == nil && fi.IsDir() {
		null := filepath.Join(devDir, "null")
		if _, err := os.Lstat(null); errors.Is(err, fs.ErrNotExist) {
			if os.WriteFile(null, nil, 0o666) == nil {
				_ = os.Chmod(null, 0o666)
				_ = handOver(null)
			}
		}
	}
	var out bytes.Buffer
	cmd := &exec.Cmd{
		Path: argv[0], Args: argv, Dir: "/",
		Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LC_ALL=C", "TMPDIR=/var/tmp",
			"SOURCE_DATE_EPOCH=" + strconv.FormatInt(w.opts.BuildTime, 10)},
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &out,
		SysProcAttr: sandboxAttr(root),
	}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		w.warn("%s %s: the scriptlet ended with status %d: %s", nevra, s.Kind, exit.ExitCode(), strings.TrimSpace(out.String()))
	case errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ENOEXEC):
		w.warn("%s %s: cannot run %s in the image: %v", nevra, s.Kind, argv[0], err)
	default:
		return fmt.Errorf("%s %s: %w", nevra, s.Kind, namespaceError(err))
	}
	return nil
}

// materialise writes the tree into root and returns what it wrote.
// Devices and FIFOs cannot be made without privileges: they are left
// out (and left alone in the tree).
func (w *Writer) materialise(t *tree, root string, db *accounts.DB) (map[string]snap, error) {
	m := sandboxIDs()
	paths := make([]string, 0, len(t.m))
	for p := range t.m {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	out := map[string]snap{}
	var dirModes [][2]any
	for _, p := range paths {
		e := t.m[p]
		if p == "/" {
			continue
		}
		host := filepath.Join(root, filepath.FromSlash(p))
		if err := mkParents(root, p, out); err != nil {
			return nil, err
		}
		switch e.kind {
		case kindDir:
			if err := os.Mkdir(host, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return nil, err
			}
			dirModes = append(dirModes, [2]any{host, e.mode})
			out[p] = snap{kind: kindDir, mode: e.mode & 0o7777}
		case kindReg:
			data, err := w.content(e)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(host, data, 0o600); err != nil {
				return nil, err
			}
			if err := os.Chmod(host, fs.FileMode(e.mode&0o777)|modeBits(e.mode)); err != nil {
				return nil, err
			}
			out[p] = snap{kind: kindReg, mode: e.mode & 0o7777, sum: sha256.Sum256(data), size: int64(len(data))}
		case kindSymlink:
			if err := os.Symlink(e.link, host); err != nil {
				return nil, err
			}
			out[p] = snap{kind: kindSymlink, link: e.link}
		default:
			continue
		}
		s := out[p]
		s.uid, s.gid = owners(e, db, m)
		out[p] = s
		if m.uid != os.Getuid() {
			if err := os.Lchown(host, m.uid+s.uid, m.gid+s.gid); err != nil {
				return nil, err
			}
			if e.kind == kindReg && e.mode&0o6000 != 0 { // chown cleared them
				if err := os.Chmod(host, fs.FileMode(e.mode&0o777)|modeBits(e.mode)); err != nil {
					return nil, err
				}
			}
		}
	}
	// The root and the implied folders belong to root inside.
	if m.uid != os.Getuid() {
		for p, s := range out {
			if t.m[p] == nil {
				if err := os.Lchown(filepath.Join(root, p), m.uid+s.uid, m.gid+s.gid); err != nil {
					return nil, err
				}
			}
		}
		if err := os.Lchown(root, m.uid, m.gid); err != nil {
			return nil, err
		}
	}
	// Folder modes last, deepest first, so that read-only folders were
	// still writable while filled.
	for i := len(dirModes) - 1; i >= 0; i-- {
		m := dirModes[i][1].(uint32)
		if err := os.Chmod(dirModes[i][0].(string), fs.FileMode(m&0o777)|modeBits(m)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mkParents makes the missing folders above p (folders the tree only
// implies), 0755 as the tar gets them, and records them. A parent that
// is not a folder (the tree never has one) is an error: nothing is
// written through a link.
func mkParents(root, p string, out map[string]snap) error {
	var missing []string
	for d := filepath.Dir(p); d != "/" && d != "."; d = filepath.Dir(d) {
		fi, err := os.Lstat(filepath.Join(root, d))
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s: %s is not a folder", p, d)
			}
			break
		}
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		host := filepath.Join(root, missing[i])
		if err := os.Mkdir(host, 0o755); err != nil {
			return err
		}
		if err := os.Chmod(host, 0o755); err != nil {
			return err
		}
		out[missing[i]] = snap{kind: kindDir, mode: 0o755}
	}
	return nil
}

func modeBits(m uint32) fs.FileMode {
	var f fs.FileMode
	if m&0o4000 != 0 {
		f |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		f |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		f |= fs.ModeSticky
	}
	return f
}

// takeChanges reads root back and changes t: a new or changed path
// becomes a generated entry with the owner it has inside (one whose
// owner did not change keeps the package's names) and the build time, a
// path gone is removed.
func (w *Writer) takeChanges(t *tree, root string, before map[string]snap) error {
	m := sandboxIDs()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(host string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, host)
		if rel == "." {
			return nil
		}
		p := "/" + filepath.ToSlash(rel)
		if d.IsDir() && strings.HasPrefix(p, "/"+scriptDirPrefix) && !strings.Contains(p[1:], "/") {
			return filepath.SkipDir // a script's own folder
		}
		fi, err := os.Lstat(host)
		if err != nil {
			return err
		}
		if d.IsDir() && fi.Mode().Perm()&0o500 != 0o500 {
			_ = os.Chmod(host, fi.Mode()|0o700) // to read what is inside
		}
		seen[p] = true
		mode := uint32(fi.Mode().Perm())
		if fi.Mode()&fs.ModeSetuid != 0 {
			mode |= 0o4000
		}
		if fi.Mode()&fs.ModeSetgid != 0 {
			mode |= 0o2000
		}
		if fi.Mode()&fs.ModeSticky != 0 {
			mode |= 0o1000
		}
		old, had := before[p]
		uid, gid := 0, 0
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			uid, gid = m.inside(int(st.Uid), m.uid), m.inside(int(st.Gid), m.gid)
		}
		sameOwner := had && old.uid == uid && old.gid == gid
		n := &entry{path: p, mode: mode, numeric: true, uid: uid, gid: gid, mtime: w.opts.BuildTime, owner: "(generated)"}
		switch {
		case fi.Mode().IsDir():
			n.kind = kindDir
			if had && old.kind == kindDir && old.mode == mode && sameOwner {
				return nil
			}
		case fi.Mode()&fs.ModeSymlink != 0:
			n.kind = kindSymlink
			if n.link, err = os.Readlink(host); err != nil {
				return err
			}
			n.mode = 0o777
			if had && old.kind == kindSymlink && old.link == n.link && sameOwner {
				return nil
			}
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(host)
			if errors.Is(err, fs.ErrPermission) {
				_ = os.Chmod(host, fi.Mode()|0o400)
				data, err = os.ReadFile(host)
			}
			if err != nil {
				return err
			}
			if had && old.kind == kindReg && old.mode == mode && sameOwner && old.size == int64(len(data)) && old.sum == sha256.Sum256(data) {
				return nil
			}
			n.kind, n.data, n.inline, n.size = kindReg, data, true, int64(len(data))
		default:
			w.warn("scriptlets made %s, of a kind slipway does not take (%s): left out", p, fi.Mode().Type())
			return nil
		}
		if e := t.m[p]; e != nil {
			if e.owner == ownerAdded {
				w.warn("scriptlets changed %s, a file the configuration adds: the configuration's stays", p)
				return nil
			}
			if sameOwner {
				n.user, n.group, n.numeric, n.uid, n.gid = e.user, e.group, e.numeric, e.uid, e.gid
			}
		}
		t.m[p] = n
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading what the scriptlets changed: %w", err)
	}
	for p, s := range before {
		if !seen[p] && t.m[p] != nil && (s.kind == kindReg || s.kind == kindDir || s.kind == kindSymlink) {
			delete(t.m, p)
		}
	}
	// What running left that does not belong to the image.
	for _, p := range []string{"/dev/null"} {
		if _, had := before[p]; !had {
			if e := t.m[p]; e != nil && (e.kind == kindReg || (e.kind == kindDir && !hasBelow(t, p))) {
				delete(t.m, p)
			}
		}
	}
	if _, had := before["/dev"]; !had {
		if e := t.m["/dev"]; e != nil && !hasBelow(t, "/dev") {
			delete(t.m, "/dev")
		}
	}
	return nil
}

func hasBelow(t *tree, d string) bool {
	for p := range t.m {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// removeAll removes a folder the scriptlets may have made read-only.
func removeAll(root string) {
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	_ = os.RemoveAll(root)
}
