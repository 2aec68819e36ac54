package rootfs

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
	"github.com/slipway-build/slipway/layers/rootfs/scriptlet"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/rpmmeta"
)

// analyzeScripts gives the verdict on every scriptlet and trigger of a
// package; a script pointing outside the image stops the build.
func analyzeScripts(p *rpm.Package, nevra string) ([]*scriptlet.Analysis, []Scriptlet, error) {
	scripts, err := p.Scripts()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the scriptlets of %s: %w", nevra, err)
	}
	var as []*scriptlet.Analysis
	var rep []Scriptlet
	for _, s := range scripts {
		a, err := scriptlet.Analyze(s)
		if err != nil {
			return nil, nil, fmt.Errorf("package %s: %s refused: %w", nevra, s.Kind, err)
		}
		as = append(as, a)
		rep = append(rep, Scriptlet{Kind: a.Kind, Prog: a.Prog, Verdict: a.Verdict, How: a.How, Why: a.Why, FirstLine: a.First})
	}
	return as, rep, nil
}

// runScriptlets reproduces the emulated scriptlets in rpm's order: every
// %pretrans, then for each package in turn what rpm runs when it installs
// it (triggerPkg), then the file triggers that fire on what is installed,
// then every %posttrans. Account changes are written to the tree at once
// (sync), so that later commands see them.
func (w *Writer) runScriptlets(t *tree, pkgs []*pkgState, su *accounts.ShadowUtils, sync func()) {
	if w.opts.Lower != nil || len(w.opts.LowerFiles) > 0 {
		t.lower = newLowerView(t, w.opts.Lower, w.opts.LowerFiles)
		defer w.endLower(t)
	}
	img := &treeImage{w: w, t: t, db: su.DB}
	env := &scriptlet.Env{Image: img, Accounts: su, AccountsChanged: sync, Warn: func(s string) { w.warn("%s", s) },
		BuildTime: time.Unix(w.opts.BuildTime, 0)}
	env.TdnfHistory = func() error {
		if _, ok := img.Stat(rpmdbPath); !ok {
			return fmt.Errorf("the image has no rpm database (%s)", rpmdbPath)
		}
		if _, ok := img.Stat(tdnfHistoryDB); ok {
			return nil // tdnf-history-util finds it in sync: nothing to do
		}
		data, err := w.tdnfHistory(pkgs)
		if err != nil {
			return err
		}
		return img.WriteFile(tdnfHistoryDB, data, 0o644)
	}
	run := func(st *pkgState, kinds ...string) {
		for _, a := range st.analyses {
			if !slices.Contains(kinds, a.Kind) || a.Verdict != scriptlet.Emulated {
				continue
			}
			if err := a.Run(env, st.nevra); err != nil {
				w.warn("%v", err)
			}
		}
	}
	for _, st := range pkgs {
		run(st, "%pretrans")
	}
	tr := w.newTransaction(pkgs, env)
	for i := range pkgs {
		tr.install(i, run)
	}
	for _, old := range tr.left {
		tr.erase(len(pkgs)-1, old)
	}
	// A file trigger of an added package fires on the files installed
	// with it and on those the layers below have; one of a package below
	// on the added files.
	for _, st := range pkgs {
		for _, a := range st.analyses {
			if a.Verdict != scriptlet.Emulated || (a.Kind != "%filetriggerin" && a.Kind != "%transfiletriggerin") {
				continue
			}
			if slices.ContainsFunc(a.Triggers, func(prefix string) bool { return t.hasUnder(prefix) || t.lower.hasUnder(t, prefix) }) {
				if err := a.Run(env, st.nevra); err != nil {
					w.warn("%v", err)
				}
			}
		}
	}
	for _, b := range tr.below {
		for _, s := range b.scripts {
			if (s.Kind == "%filetriggerin" || s.Kind == "%transfiletriggerin") &&
				slices.ContainsFunc(s.Triggers, func(prefix string) bool { return t.hasUnder(prefix) }) {
				w.runBelow(env, b.nevra, b.nevra+" of the layers below", s, scriptlet.Analyze)
			}
		}
	}
	for _, st := range pkgs {
		run(st, "%posttrans")
	}
}

// belowPkg is a package of the layers below that stays installed, with
// its scripts.
type belowPkg struct {
	name, nevra string
	scripts     []rpm.Script
}

// transaction is the state of the emulated rpm transaction: which
// packages are installed so far and which name triggers have fired.
type transaction struct {
	w     *Writer
	env   *scriptlet.Env
	pkgs  []*pkgState
	below []belowPkg // the packages below but the upgraded ones
	// upgrades are the packages below each added package replaces
	// (Options.Upgraded, by name and arch); left are those no added
	// package matched.
	upgrades  map[int][]*rpm.Package
	left      []*rpm.Package
	installed map[string][]rpmmeta.EVR // installed so far (the base's all), by name
	fired     map[*scriptlet.Analysis]bool
	firedB    map[[2]int]bool // below index, script index
}

func (w *Writer) newTransaction(pkgs []*pkgState, env *scriptlet.Env) *transaction {
	tr := &transaction{w: w, env: env, pkgs: pkgs, upgrades: map[int][]*rpm.Package{}, installed: map[string][]rpmmeta.EVR{},
		fired: map[*scriptlet.Analysis]bool{}, firedB: map[[2]int]bool{}}
	upgraded := map[string]bool{}
	for _, p := range w.opts.Upgraded {
		n := p.NEVRA()
		upgraded[n.Name+"."+n.Arch] = true
		i := slices.IndexFunc(pkgs, func(st *pkgState) bool { return st.name == n.Name && st.arch == n.Arch })
		if i < 0 {
			tr.left = append(tr.left, p)
			continue
		}
		tr.upgrades[i] = append(tr.upgrades[i], p)
	}
	for _, p := range w.opts.LowerPackages {
		n := p.NEVRA()
		tr.installed[n.Name] = append(tr.installed[n.Name], n.EVR)
		if upgraded[n.Name+"."+n.Arch] {
			continue
		}
		scripts, err := p.Scripts()
		if err != nil {
			w.warn("%s of the layers below: reading its scriptlets: %v", n, err)
			continue
		}
		tr.below = append(tr.below, belowPkg{name: n.Name, nevra: n.String(), scripts: scripts})
	}
	return tr
}

// install runs what rpm runs when it installs pkgs[i] (upgrading the
// packages below it replaces): the %triggerprein of the installed
// packages naming it, then its own on the installed packages, its %pre
// and %post, the %triggerin of the installed packages naming it (the
// packages below first), then its own; then for each package below it
// replaces, erase's. A name trigger fires once, when the first package
// it names is installed.
func (tr *transaction) install(i int, run func(*pkgState, ...string)) {
	st := tr.pkgs[i]
	tr.nameTriggers(i, "%triggerprein")
	run(st, "%pre")
	run(st, "%post")
	tr.installed[st.name] = append(tr.installed[st.name], st.evr)
	tr.nameTriggers(i, "%triggerin")
	for _, old := range tr.upgrades[i] {
		tr.erase(i, old)
	}
}

// nameTriggers fires the kind triggers (%triggerprein, %triggerin) set
// off by installing pkgs[i]: those of the packages below and of the
// added packages installed before naming it, then its own naming an
// installed package.
func (tr *transaction) nameTriggers(i int, kind string) {
	st := tr.pkgs[i]
	for bi, b := range tr.below {
		for si, s := range b.scripts {
			if s.Kind != kind || tr.firedB[[2]int{bi, si}] || !slices.Contains(s.Triggers, st.name) {
				continue
			}
			tr.firedB[[2]int{bi, si}] = true
			tr.w.runBelow(tr.env, b.nevra, b.nevra+" of the layers below", s, scriptlet.Analyze)
		}
	}
	fire := func(o *pkgState, ok func(string) bool) {
		for _, a := range o.analyses {
			if a.Kind != kind || a.Verdict != scriptlet.Emulated || tr.fired[a] || !slices.ContainsFunc(a.Triggers, ok) {
				continue
			}
			tr.fired[a] = true
			if err := a.Run(tr.env, o.nevra); err != nil {
				tr.w.warn("%v", err)
			}
		}
	}
	for _, o := range tr.pkgs[:i] {
		fire(o, func(n string) bool { return n == st.name })
	}
	fire(st, func(n string) bool { return len(tr.installed[n]) > 0 })
}

// erase runs what rpm runs when an upgrade (by pkgs[i] and those
// before) erases old, a package below: the old version's %triggerun on
// the installed packages, the %triggerun of the installed packages
// naming it (version conditions checked against the old version), its
// %preun and %postun, then their %triggerpostun, each with $1 = 1.
func (tr *transaction) erase(i int, old *rpm.Package) {
	n := old.NEVRA()
	nevra := n.String()
	scripts, err := old.Scripts()
	if err != nil {
		tr.w.warn("the upgraded %s: reading its scriptlets: %v", nevra, err)
		return
	}
	who := "the upgraded " + nevra
	for _, s := range scripts {
		if s.Kind == "%triggerun" && slices.ContainsFunc(triggerConds(s), func(d rpmmeta.Dep) bool {
			return slices.ContainsFunc(tr.installed[d.Name], func(evr rpmmeta.EVR) bool { return d.MatchesEVR(d.Name, evr) })
		}) {
			tr.w.runBelow(tr.env, nevra, who, s, scriptlet.AnalyzeUpgraded)
		}
	}
	tr.triggersOn(i, n, "%triggerun")
	for _, kind := range []string{"%preun", "%postun"} {
		for _, s := range scripts {
			if s.Kind == kind {
				tr.w.runBelow(tr.env, nevra, who, s, scriptlet.AnalyzeUpgraded)
			}
		}
	}
	if evrs := tr.installed[n.Name]; len(evrs) > 0 {
		if k := slices.IndexFunc(evrs, func(e rpmmeta.EVR) bool { return e == n.EVR }); k >= 0 {
			tr.installed[n.Name] = slices.Delete(slices.Clone(evrs), k, k+1)
		}
	}
	tr.triggersOn(i, n, "%triggerpostun")
}

// triggersOn runs the kind triggers (%triggerun, %triggerpostun) of the
// installed packages (those below, then the added ones up to pkgs[i])
// that the erasure of old sets off.
func (tr *transaction) triggersOn(i int, old rpmmeta.NEVRA, kind string) {
	on := func(s rpm.Script) bool {
		return s.Kind == kind && slices.ContainsFunc(triggerConds(s), func(d rpmmeta.Dep) bool { return d.MatchesEVR(old.Name, old.EVR) })
	}
	for _, b := range tr.below {
		for _, s := range b.scripts {
			if on(s) {
				tr.w.runBelow(tr.env, b.nevra, b.nevra+" of the layers below", s, scriptlet.AnalyzeUpgraded)
			}
		}
	}
	for _, o := range tr.pkgs[:i+1] {
		for _, a := range o.analyses {
			if on(a.Script()) {
				tr.w.runBelow(tr.env, o.nevra, o.nevra, a.Script(), scriptlet.AnalyzeUpgraded)
			}
		}
	}
}

// triggerConds are the conditions of the name trigger s (its names
// without a version when the header gave none).
func triggerConds(s rpm.Script) []rpmmeta.Dep {
	if len(s.Conds) == len(s.Triggers) {
		return s.Conds
	}
	out := make([]rpmmeta.Dep, len(s.Triggers))
	for k, n := range s.Triggers {
		out[k] = rpmmeta.Dep{Name: n}
	}
	return out
}

// runBelow emulates s, a script of the package nevra of the layers below
// (who names it in warnings), judged by analyze; one that is refused or
// not understood is a warning: it is not in the report, which lists the
// tree's packages.
func (w *Writer) runBelow(env *scriptlet.Env, nevra, who string, s rpm.Script, analyze func(rpm.Script) (*scriptlet.Analysis, error)) {
	a, err := analyze(s)
	if err != nil {
		w.warn("%s: its %s is not run: %v", who, s.Kind, err)
		return
	}
	switch a.Verdict {
	case scriptlet.Unhandled:
		w.warn("%s: its %s is not understood and not reproduced (%s): %s", who, s.Kind, a.First, a.Why)
	case scriptlet.Emulated:
		if err := a.Run(env, nevra); err != nil {
			w.warn("%v", err)
		}
	}
}

// hasUnder reports whether the tree has a path at or under prefix.
func (t *tree) hasUnder(prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	for p := range t.m {
		if (p == prefix || strings.HasPrefix(p, prefix+"/")) && !isWhiteout(p) {
			return true
		}
	}
	return false
}

// makeHomes creates home folders (useradd -m, configured users) that do
// not exist, owned by their user, with /etc/skel copied in. Over a base
// (Options.Lower) a home the base has is left alone, and the base's skel
// files are copied too (those whose content LowerFiles has; another is a
// warning), as useradd -m copies the skel of the image it runs in.
func (w *Writer) makeHomes(t *tree, homes []accounts.Home) {
	if t.lower == nil && (w.opts.Lower != nil || len(w.opts.LowerFiles) > 0) {
		t.lower = newLowerView(t, w.opts.Lower, w.opts.LowerFiles)
		defer func() { t.lower = nil }()
	}
	lowerGet := func(p string) (LowerPath, bool) {
		if t.lower == nil {
			return LowerPath{}, false
		}
		return t.lower.get(t, p)
	}
	for _, h := range homes {
		if h.Path == "" || h.Path == "/" || h.Path == "/nonexistent" || h.Path == "/dev/null" {
			continue // homes that are meant not to exist
		}
		p, err := t.resolve(h.Path)
		if err != nil || t.m[p] != nil {
			continue // present (useradd leaves an existing home alone)
		}
		if _, ok := lowerGet(p); ok {
			continue // present in the base
		}
		t.m[p] = &entry{path: p, kind: kindDir, mode: h.Mode, numeric: true, uid: int(h.UID), gid: int(h.GID), mtime: w.opts.BuildTime, owner: "(generated)"}
		if h.Skel == "" {
			continue
		}
		skel, err := t.resolve(h.Skel)
		if err != nil || (t.m[skel] != nil && t.m[skel].kind != kindDir) {
			continue // a folder only implied by its files counts
		}
		if l, ok := lowerGet(skel); ok && t.m[skel] == nil && l.Type != 'd' {
			continue
		}
		var under []string
		for q := range t.m {
			if strings.HasPrefix(q, skel+"/") && !isWhiteout(q) {
				under = append(under, q)
			}
		}
		if t.lower != nil {
			t.lower.each(func(q string) {
				if _, ok := t.m[q]; !ok && strings.HasPrefix(q, skel+"/") {
					if _, ok := t.lower.get(t, q); ok {
						under = append(under, q)
					}
				}
			})
		}
		slices.Sort(under)
		for _, q := range under {
			var c entry
			if src := t.m[q]; src != nil {
				c = *src
				if c.kind == kindReg && !c.inline {
					data, err := w.content(src)
					if err != nil {
						w.warn("copying %s into %s: %v", q, p, err)
						continue
					}
					c.data, c.inline, c.key = data, true, ""
				}
			} else {
				l, _ := t.lower.lookup(q)
				c = lowerInfo(l)
				if c.kind == kindReg {
					data, ok := t.lower.files[q]
					if !ok {
						w.warn("copying %s of the layers below into %s: its content was not read", q, p)
						continue
					}
					c.data, c.inline, c.size = slices.Clone(data), true, int64(len(data))
				}
			}
			if c.kind != kindReg && c.kind != kindDir && c.kind != kindSymlink {
				continue
			}
			c.path = p + strings.TrimPrefix(q, skel)
			c.numeric, c.uid, c.gid, c.user, c.group = true, int(h.UID), int(h.GID), "", ""
			c.owner, c.hl, c.caps = "(generated)", "", ""
			c.mtime = w.opts.BuildTime
			t.m[c.path] = &c
		}
	}
}

// treeImage is the tree as the emulations see it.
type treeImage struct {
	w  *Writer
	t  *tree
	db *accounts.DB // resolves owners given by name (Chown)
}

var _ scriptlet.Image = (*treeImage)(nil)

func info(e *entry) scriptlet.FileInfo {
	fi := scriptlet.FileInfo{Mode: e.mode, Link: e.link, Type: 'o'}
	switch e.kind {
	case kindReg:
		fi.Type = 'f'
	case kindDir:
		fi.Type = 'd'
	case kindSymlink:
		fi.Type = 'l'
	}
	return fi
}

func (m *treeImage) Lstat(p string) (scriptlet.FileInfo, bool) {
	if p == "/" {
		return scriptlet.FileInfo{Type: 'd', Mode: 0o755}, true
	}
	q, err := m.t.resolveParent(p)
	if err != nil {
		return scriptlet.FileInfo{}, false
	}
	return m.stat(q)
}

// at is the entry at q: the tree's, else the lower layers' (a copy,
// owner "(lower)"), else nil.
func (m *treeImage) at(q string) *entry {
	if isWhiteout(q) {
		return nil // not a file of the image: it hides one below
	}
	if e := m.t.m[q]; e != nil {
		return e
	}
	if m.t.lower != nil {
		if l, ok := m.t.lower.get(m.t, q); ok {
			e := lowerInfo(l)
			e.path = q
			return &e
		}
	}
	return nil
}

// stat describes the entry at q; a folder only implied by what is
// below it (made when the tar is written) is a folder too.
func (m *treeImage) stat(q string) (scriptlet.FileInfo, bool) {
	if e := m.at(q); e != nil {
		return info(e), true
	}
	if m.hasChildren(q) {
		return scriptlet.FileInfo{Type: 'd', Mode: 0o755}, true
	}
	return scriptlet.FileInfo{}, false
}

func (m *treeImage) Stat(p string) (scriptlet.FileInfo, bool) {
	q, err := m.t.resolve(p)
	if err != nil {
		return scriptlet.FileInfo{}, false
	}
	if q == "/" {
		return scriptlet.FileInfo{Type: 'd', Mode: 0o755}, true
	}
	return m.stat(q)
}

func (m *treeImage) ReadFile(p string) ([]byte, bool) {
	q, err := m.t.resolve(p)
	if err != nil {
		return nil, false
	}
	e := m.at(q)
	if e == nil || e.kind != kindReg {
		return nil, false
	}
	if e.owner == ownerLower {
		b, ok := m.t.lower.files[q]
		return b, ok
	}
	b, err := m.w.content(e)
	if err != nil {
		return nil, false
	}
	return b, true
}

// parent checks that the folder p goes in exists.
func (m *treeImage) parent(p string) error {
	d := path.Dir(p)
	if d == "/" {
		return nil
	}
	if fi, ok := m.stat(d); !ok || fi.Type != 'd' {
		return fmt.Errorf("%s: no such directory", d)
	}
	return nil
}

var errCallerFile = errors.New("is a file the caller added")

func (m *treeImage) WriteFile(p string, data []byte, mode uint32) error {
	q, err := m.t.resolve(p)
	if err != nil {
		return err
	}
	n := &entry{path: q, kind: kindReg, mode: mode, numeric: true, mtime: m.w.opts.BuildTime, data: data, inline: true, size: int64(len(data)), owner: "(generated)"}
	if old := m.at(q); old != nil {
		if old.kind != kindReg {
			return fmt.Errorf("%s is a %s", q, old.kind)
		}
		if old.owner == ownerAdded {
			return fmt.Errorf("%s %w", q, errCallerFile)
		}
		if old.owner == ownerLower {
			// Replacing a base file whose content is unknown could drop
			// what the writer meant to keep (echo >> appends to it).
			if _, ok := m.t.lower.files[q]; !ok {
				return fmt.Errorf("%s of the layers below: its content was not read", q)
			}
		}
		n.mode, n.user, n.group, n.numeric, n.uid, n.gid = old.mode, old.user, old.group, old.numeric, old.uid, old.gid
	} else if err := m.parent(q); err != nil {
		return err
	}
	m.t.m[q] = n
	return nil
}

func (m *treeImage) create(p string, n *entry) error {
	q, err := m.t.resolveParent(p)
	if err != nil {
		return err
	}
	if m.at(q) != nil || q == "/" {
		return fmt.Errorf("%s exists", q)
	}
	if err := m.parent(q); err != nil {
		return err
	}
	n.path, n.numeric, n.mtime, n.owner = q, true, m.w.opts.BuildTime, "(generated)"
	m.t.m[q] = n
	return nil
}

func (m *treeImage) Mkdir(p string, mode uint32) error {
	return m.create(p, &entry{kind: kindDir, mode: mode})
}

func (m *treeImage) Symlink(target, p string) error {
	return m.create(p, &entry{kind: kindSymlink, mode: 0o777, link: target})
}

func (m *treeImage) Chmod(p string, mode uint32) error {
	q, err := m.t.resolve(p)
	if err != nil {
		return err
	}
	e, err := m.upper(q)
	if err != nil {
		return err
	}
	c := *e
	c.mode = mode
	m.t.m[q] = &c
	return nil
}

// ownerLower marks the entries of the lower layers at() returns.
const ownerLower = "(lower)"

// upper is the entry at q to change: the tree's, or a copy of the lower
// layers' (its content with it) to go into the tree.
func (m *treeImage) upper(q string) (*entry, error) {
	e := m.at(q)
	if e == nil {
		return nil, fmt.Errorf("%s: no such file", q)
	}
	if e.owner == ownerAdded {
		return nil, fmt.Errorf("%s %w", q, errCallerFile)
	}
	if e.owner != ownerLower {
		return e, nil
	}
	c := *e
	c.owner, c.mtime = "(generated)", m.w.opts.BuildTime
	if c.kind == kindReg {
		data, ok := m.t.lower.files[q]
		if !ok {
			return nil, fmt.Errorf("%s of the layers below: its content was not read", q)
		}
		c.data, c.inline, c.size = data, true, int64(len(data))
	}
	return &c, nil
}

func (m *treeImage) Remove(p string) error {
	q, err := m.t.resolveParent(p)
	if err != nil {
		return err
	}
	e := m.at(q)
	if e == nil {
		return fmt.Errorf("%s: no such file", q)
	}
	if e.owner == ownerAdded {
		return fmt.Errorf("%s %w", q, errCallerFile)
	}
	if e.kind == kindDir && m.hasChildren(q) {
		return fmt.Errorf("%s: directory not empty", q)
	}
	delete(m.t.m, q)
	// What the tree had at q may have hidden a lower path: it goes too.
	if l := m.t.lower; l != nil {
		if _, ok := l.get(m.t, q); ok {
			l.gone[q] = true
		}
	}
	return nil
}

func (m *treeImage) hasChildren(d string) bool {
	for p := range m.t.m {
		if strings.HasPrefix(p, d+"/") && !isWhiteout(p) {
			return true
		}
	}
	return m.t.lower != nil && len(m.t.lower.children(m.t, d)) > 0
}

// Chown sets the owner of p (through symlinks) by name or number, as the
// image's accounts know them now; the entry becomes numeric.
func (m *treeImage) Chown(p, user, group string) error {
	q, err := m.t.resolve(p)
	if err != nil {
		return err
	}
	e, err := m.upper(q)
	if err != nil {
		return err
	}
	uid, gid := e.uid, e.gid
	if !e.numeric {
		var err error
		if uid, err = m.userID(e.user); err != nil {
			return err
		}
		if gid, err = m.groupID(e.group); err != nil {
			return err
		}
	}
	if user != "" {
		if uid, err = m.userID(user); err != nil {
			return err
		}
	}
	if group != "" {
		if gid, err = m.groupID(group); err != nil {
			return err
		}
	}
	c := *e
	c.numeric, c.uid, c.gid, c.user, c.group = true, uid, gid, "", ""
	m.t.m[q] = &c
	return nil
}

func (m *treeImage) userID(name string) (int, error) {
	return accountID(name, "user", func(n string) (uint32, bool) { u, ok := m.db.LookupUser(n); return u.UID, ok })
}

func (m *treeImage) groupID(name string) (int, error) {
	return accountID(name, "group", func(n string) (uint32, bool) { g, ok := m.db.LookupGroup(n); return g.GID, ok })
}

// accountID is the id of an owner as chown takes it: empty or root is 0,
// a number is itself, a name is looked up.
func accountID(name, kind string, lookup func(string) (uint32, bool)) (int, error) {
	if name == "" || name == "root" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(name, 10, 31); err == nil {
		return int(n), nil
	}
	if id, ok := lookup(name); ok {
		return int(id), nil
	}
	return 0, fmt.Errorf("unknown %s %s", kind, name)
}

// ReadDir lists the names of the entries in folder p (through symlinks),
// implied folders included.
func (m *treeImage) ReadDir(p string) ([]string, bool) {
	q, err := m.t.resolve(p)
	if err != nil {
		return nil, false
	}
	if fi, ok := m.stat(q); !ok || fi.Type != 'd' {
		return nil, false
	}
	seen := map[string]bool{}
	var out []string
	prefix := strings.TrimSuffix(q, "/") + "/"
	for k := range m.t.m {
		if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
			name, _, _ := strings.Cut(rest, "/")
			if !seen[name] && !strings.HasPrefix(name, whiteoutPrefix) {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	if m.t.lower != nil {
		for _, name := range m.t.lower.children(m.t, q) {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out, true
}
