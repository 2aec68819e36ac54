// Package scriptlet decides, for every scriptlet and trigger of a
// package, whether slipway reproduces its effect (emulated), whether
// its effect does not belong in an image (not needed), or neither
// (unhandled), and reproduces the emulated effects on an image without
// running anything.
//
// The verdict comes from what the script does: its interpreter and the
// commands it runs, parsed by a small, conservative shell parser (see
// shell.go) or a tiny lua reader (lua.go). A script with any command
// that is not understood is unhandled, whatever the package.
package scriptlet

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rpm"
)

// The verdicts.
const (
	Emulated  = "emulated"
	NotNeeded = "not-needed"
	Unhandled = "unhandled"
)

// Analysis is the verdict on one script.
type Analysis struct {
	Kind    string   // "%post", "%triggerin"...
	Prog    string   // interpreter as rpm would run it
	Verdict string   // Emulated, NotNeeded or Unhandled
	How     []string // emulations used, or reasons it is not needed
	Why     string   // for Unhandled: what was not understood
	First   string   // the script's first non-comment line (or the program)
	// Triggers are what a trigger fires on (package names, or path
	// prefixes for file triggers).
	Triggers []string

	script rpm.Script
	sh     *list
	lua    *luaChunk
}

// ErrOutside is wrapped by the error of a script that points outside the
// image (a path with ".." above the root, a link target leaving it).
var ErrOutside = errors.New("points outside the image")

// eraseKinds never run when a package is installed.
var eraseKinds = []string{"%preun", "%postun", "%preuntrans", "%postuntrans", "%triggerun", "%triggerpostun",
	"%filetriggerun", "%filetriggerpostun", "%transfiletriggerun", "%transfiletriggerpostun"}

// Analyze gives the verdict on s. The error is a refusal: the script
// points outside the image; the build must stop.
func Analyze(s rpm.Script) (*Analysis, error) {
	a := newAnalysis(s)
	switch {
	case slices.Contains(eraseKinds, s.Kind):
		return a.set(NotNeeded, "runs when a package is erased, never at install"), nil
	case s.Kind == "%verifyscript":
		return a.set(NotNeeded, "runs only for rpm --verify"), nil
	}
	return a.analyze(s)
}

// AnalyzeUpgraded gives the verdict on a script rpm runs when an install
// upgrades a package (a base image's package replaced by a newer
// version): the old version's %preun or %postun, run after the new
// version's %post, or a %triggerun or %triggerpostun set off by the old
// version's erasure. rpm runs each with $1 = 1 (one version of the
// package, or of the trigger's owner, stays installed), which is the $1
// the emulations give every script. The error is a refusal, as
// Analyze's.
func AnalyzeUpgraded(s rpm.Script) (*Analysis, error) {
	switch s.Kind {
	case "%preun", "%postun", "%triggerun", "%triggerpostun":
	default:
		return nil, fmt.Errorf("%s is not run when a package is upgraded", s.Kind)
	}
	return newAnalysis(s).analyze(s)
}

// newAnalysis is the Analysis of s before its verdict.
func newAnalysis(s rpm.Script) *Analysis {
	a := &Analysis{Kind: s.Kind, Prog: strings.Join(s.Prog, " "), Triggers: s.Triggers, script: s}
	if a.Prog == "" {
		a.Prog = "/bin/sh"
	}
	a.First = firstLine(s.Body)
	if a.First == "" {
		a.First = a.Prog
	}
	return a
}

// analyze classifies the body (or program) of s.
func (a *Analysis) analyze(s rpm.Script) (*Analysis, error) {
	prog := ""
	if len(s.Prog) > 0 {
		prog = s.Prog[0]
	}
	switch {
	case prog == "<lua>":
		c, err := parseLua(s.Body)
		if err != nil {
			if errors.Is(err, ErrOutside) {
				return nil, err
			}
			return a.unhandled(err), nil
		}
		a.lua = c
		how, err := c.classify()
		if err != nil {
			if errors.Is(err, ErrOutside) {
				return nil, err
			}
			return a.unhandled(err), nil
		}
		return a.from(how), nil
	case prog == "" || isShell(prog):
		if len(s.Prog) > 1 && !(len(s.Prog) == 2 && s.Prog[1] == "-e") {
			return a.unhandled(notUnderstood("shell options %q", strings.Join(s.Prog[1:], " "))), nil
		}
		l, err := parseShell(s.Body)
		if err != nil {
			return a.unhandled(err), nil
		}
		a.sh = l
		c := &checker{}
		if err := c.list(l); err != nil {
			if errors.Is(err, ErrOutside) {
				return nil, err
			}
			return a.unhandled(err), nil
		}
		return a.from(c.how), nil
	default:
		// -p PROGRAM: the program runs with the body (if any) as a file
		// argument; only programs whose whole effect is known qualify.
		args := slices.Clone(s.Prog)
		if strings.TrimSpace(s.Body) != "" {
			return a.unhandled(notUnderstood("interpreter %s", prog)), nil
		}
		c := &checker{}
		if err := c.simple(&simple{args: args}); err != nil {
			if errors.Is(err, ErrOutside) {
				return nil, err
			}
			return a.unhandled(err), nil
		}
		return a.from(c.how), nil
	}
}

func isShell(p string) bool {
	switch p {
	case "/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/bash":
		return true
	}
	return false
}

func (a *Analysis) set(verdict string, how ...string) *Analysis {
	a.Verdict, a.How = verdict, how
	return a
}

func (a *Analysis) unhandled(err error) *Analysis {
	a.Verdict, a.Why = Unhandled, strings.TrimPrefix(err.Error(), errNotUnderstood.Error()+": ")
	a.sh, a.lua = nil, nil
	return a
}

// from sets the verdict from the classes of the commands: emulated when
// any has an effect to reproduce, not needed otherwise.
func (a *Analysis) from(how []class) *Analysis {
	var em, nn []string
	for _, c := range how {
		switch {
		case c.emulation != "":
			if !slices.Contains(em, c.emulation) {
				em = append(em, c.emulation)
			}
		case c.reason != "":
			if !slices.Contains(nn, c.reason) {
				nn = append(nn, c.reason)
			}
		}
	}
	switch {
	case len(em) > 0:
		return a.set(Emulated, em...)
	case len(nn) > 0:
		return a.set(NotNeeded, nn...)
	}
	return a.set(NotNeeded, "has no effect on the image")
}

func firstLine(body string) string {
	for l := range strings.SplitSeq(body, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "--") {
			continue
		}
		if len(l) > 120 {
			l = l[:120] + "..."
		}
		return l
	}
	return ""
}

// class is what one command is.
type class struct {
	emulation string // name of the emulation reproducing its effect
	reason    string // why its effect is not needed
}

// Emulation names (docs/scriptlets.md lists them).
const (
	emShells       = "shells"
	emCopy         = "copy"
	emChmod        = "chmod"
	emAccounts     = "accounts"
	emShadow       = "pwconv"
	emAlternatives = "alternatives"
	emLua          = "lua-posix"
	emTdnfHistory  = "tdnf-history"
)

// Reasons a command's effect is not needed.
const (
	rsNone    = ""
	rsLdcache = "ldconfig: /etc/ld.so.cache is generated from the image's libraries"
	rsRunning = "acts on a running system"
	rsSELinux = "SELinux labels are applied where the image runs, layers carry none"
)

// Image is the tree the emulations change. Paths are absolute and clean;
// the implementation follows the image's own symlinks in parents (and in
// the last component for Stat, ReadFile, WriteFile and Chmod), never
// leaving the image.
type Image interface {
	Lstat(p string) (FileInfo, bool)
	Stat(p string) (FileInfo, bool)
	ReadFile(p string) ([]byte, bool)
	// WriteFile replaces a regular file's content (keeping its mode and
	// owner) or creates it with mode, owned by root; it fails when the
	// parent is not a folder.
	WriteFile(p string, data []byte, mode uint32) error
	Mkdir(p string, mode uint32) error
	Symlink(target, p string) error
	Chmod(p string, mode uint32) error
	// Chown sets the owner by name ("" leaves that part alone); names
	// are resolved through the image's accounts when the layer is
	// written, as package files' owners are.
	Chown(p, user, group string) error
	Remove(p string) error
	// ReadDir lists the names in a folder (false when it is none).
	ReadDir(p string) ([]string, bool)
}

// FileInfo describes an image file.
type FileInfo struct {
	Type byte // 'f' regular, 'd' folder, 'l' symlink, 'o' other
	Mode uint32
	Link string
}

// Env is what a script runs against.
type Env struct {
	Image    Image
	Accounts *accounts.ShadowUtils
	// AccountsChanged is called after a command changed Accounts.
	AccountsChanged func()
	// TdnfHistory makes tdnf's history database as
	// `tdnf-history-util init` does (nil: the command fails).
	TdnfHistory func() error
	// Warn receives notes (a failed command, a refused alternative...).
	Warn func(string)
	// BuildTime dates what the emulations write (a Java keystore's
	// entries).
	BuildTime time.Time
}

// Run reproduces the effects of an emulated script. A script whose
// verdict is not Emulated does nothing.
func (a *Analysis) Run(env *Env, pkg string) error {
	if a.Verdict != Emulated {
		return nil
	}
	r := &runner{env: env, where: pkg + " " + a.Kind}
	var err error
	var status int
	switch {
	case a.lua != nil:
		err = a.lua.run(r)
	case a.sh != nil:
		status, err = r.list(a.sh)
		if errors.Is(err, errExit) {
			err = nil
			status = r.exit
		}
	default:
		status, err = r.simple(&simple{args: a.script.Prog})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r.where, err)
	}
	if status != 0 && env.Warn != nil {
		env.Warn(fmt.Sprintf("%s: the emulated script ends with status %d, as the real one would", r.where, status))
	}
	return nil
}

// imagePath checks that p is an absolute path that stays in the image
// and returns it clean.
func imagePath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", notUnderstood("relative path %q", p)
	}
	if strings.IndexByte(p, 0) >= 0 {
		return "", notUnderstood("path with NUL")
	}
	depth := 0
	for c := range strings.SplitSeq(p[1:], "/") {
		switch c {
		case "", ".":
		case "..":
			if depth == 0 {
				return "", fmt.Errorf("path %q %w", p, ErrOutside)
			}
			depth--
		default:
			depth++
		}
	}
	return path.Clean(p), nil
}

// linkTarget checks that a symlink at link with target stays in the image.
func linkTarget(link, target string) error {
	if target == "" || strings.IndexByte(target, 0) >= 0 {
		return notUnderstood("bad link target %q", target)
	}
	if strings.HasPrefix(target, "/") {
		_, err := imagePath(target)
		return err
	}
	if _, err := imagePath(path.Dir(link) + "/" + target); err != nil {
		return fmt.Errorf("link %s -> %s %w", link, target, ErrOutside)
	}
	return nil
}
