package config

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-build/slipway/internal/origin"
	"github.com/slipway-build/slipway/rpmmeta"
)

// Architectures slipway builds for (RPM names).
var supportedArches = []string{"aarch64", "x86_64"}

var (
	// OCI distribution spec: path components of a repository name.
	ociName      = regexp.MustCompile(`^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$`)
	repoID       = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
	accountName  = regexp.MustCompile(`^[a-z_][a-z0-9_-]*\$?$`)
	releaseverRe = regexp.MustCompile(`^[A-Za-z0-9._+~-]+$`)
)

const maxID = 1<<31 - 1

// build applies defaults, validates and returns the domain value.
func (m *merged) build(path string) (*Config, error) {
	v := &validator{m: m, errs: slices.Clone(m.errs)}
	c := &Config{origins: m.origins}

	// [image]
	c.Image.Name = deref(m.img.Name, "")
	switch {
	case m.img.Name == nil:
		v.fail("image.name", "required key is missing")
	case len(c.Image.Name) > 255 || !ociName.MatchString(c.Image.Name):
		v.fail("image.name", "%q is not an OCI repository path (lowercase components of [a-z0-9] joined by '.', '_', '__' or '-', separated by '/')", c.Image.Name)
	}
	if m.img.Architectures == nil {
		v.fail("image.architectures", "required key is missing")
	} else {
		c.Image.Architectures = slices.Clone(*m.img.Architectures)
		if len(c.Image.Architectures) == 0 {
			v.fail("image.architectures", "must name at least one architecture")
		}
		for i, a := range c.Image.Architectures {
			switch {
			case !slices.Contains(supportedArches, a):
				v.fail("image.architectures", "%q is not supported (want one of %s)", a, strings.Join(supportedArches, ", "))
			case slices.Contains(c.Image.Architectures[:i], a):
				v.fail("image.architectures", "%q is listed twice", a)
			}
		}
	}
	c.Image.Releasever = deref(m.img.Releasever, "")
	if c.Image.Releasever != "" && !releaseverRe.MatchString(c.Image.Releasever) {
		v.fail("image.releasever", "%q is not a release version (letters, digits and . _ + ~ -)", c.Image.Releasever)
	}
	c.Image.OSVersion = deref(m.img.OSVersion, "")
	if c.Image.OSVersion != "" && !releaseverRe.MatchString(c.Image.OSVersion) {
		v.fail("image.os_version", "%q is not an OS version (letters, digits and . _ + ~ -)", c.Image.OSVersion)
	}
	c.Image.RPMDB = RPMDB(deref(m.img.RPMDB, string(RPMDBSqlite)))
	switch c.Image.RPMDB {
	case RPMDBSqlite, RPMDBManifest, RPMDBNone:
	default:
		v.fail("image.rpmdb", "%q is not one of sqlite, manifest, none", c.Image.RPMDB)
	}
	v.baseImage(c)
	c.Image.MTime = MTime(deref(m.img.MTime, ""))
	switch c.Image.MTime {
	case "package":
		c.Image.MTime = MTimePackage
	case MTimePackage, MTimeClamp:
	default:
		v.fail("image.mtime", "%q is not \"package\" or \"clamp\"", c.Image.MTime)
	}
	c.Image.MachineID = MachineID(deref(m.img.MachineID, ""))
	switch c.Image.MachineID {
	case MachineIDNone, MachineIDEmpty:
	default:
		v.fail("image.machine_id", "%q is not \"empty\" (or left out)", c.Image.MachineID)
	}

	// [[repository]]
	for _, lr := range m.repos {
		if lr.w.Enabled != nil && !*lr.w.Enabled {
			continue
		}
		r := v.repository(lr, c.Image.Releasever)
		c.Repositories = append(c.Repositories, r)
	}
	if len(c.Repositories) == 0 {
		v.fail("repository", "at least one enabled [[repository]] is required")
	}

	// [packages]
	c.Packages.Install = slices.Clone(m.install)
	if len(c.Packages.Install) == 0 {
		v.fail("packages.install", "must name at least one package")
	}
	for _, p := range c.Packages.Install {
		if err := checkPackageSpec(p); err != nil {
			v.fail("packages.install["+p+"]", "%s", err)
		}
	}
	if m.pkgs.Exclude != nil {
		c.Packages.Exclude = slices.Clone(*m.pkgs.Exclude)
	}
	for _, p := range c.Packages.Exclude {
		if err := checkPackageSpec(p); err != nil {
			v.failAt("packages.exclude", "packages.exclude", "%s", err)
		}
	}
	if m.pkgs.AllowUnsatisfied != nil && len(*m.pkgs.AllowUnsatisfied) > 0 {
		c.Packages.AllowUnsatisfied = slices.Clone(*m.pkgs.AllowUnsatisfied)
	}
	for _, p := range c.Packages.AllowUnsatisfied {
		if err := checkPackageSpec(p); err != nil {
			v.failAt("packages.allow_unsatisfied", "packages.allow_unsatisfied", "%s", err)
		} else if strings.ContainsAny(p, " ()<>=/") {
			v.failAt("packages.allow_unsatisfied", "packages.allow_unsatisfied", "%q is not a package name or a glob on names", p)
		} else if _, err := filepath.Match(p, ""); err != nil {
			v.failAt("packages.allow_unsatisfied", "packages.allow_unsatisfied", "%q is not a valid glob: %s", p, err)
		}
	}
	v.installedButHeld(c.Packages)
	c.Packages.WeakDeps = deref(m.pkgs.WeakDeps, false)
	c.Packages.Docs = deref(m.pkgs.Docs, false)
	c.Packages.Licenses = deref(m.pkgs.Licenses, true)
	c.Packages.Scriptlets = ScriptletMode(deref(m.pkgs.Scriptlets, string(ScriptletsEmulate)))
	switch c.Packages.Scriptlets {
	case ScriptletsEmulate, ScriptletsRun:
	default:
		v.fail("packages.scriptlets", "%q is not one of emulate, run", c.Packages.Scriptlets)
	}
	switch u := m.pkgs.UpgradeBase.(type) {
	case nil:
	case bool:
		if u {
			c.Packages.UpgradeBase = UpgradeBaseNeeded
		}
	case string:
		if u != string(UpgradeBaseAll) {
			v.fail("packages.upgrade_base", "%q: want true (the upgrades the request needs), false or \"all\" (every base package with a newer version)", u)
		}
		c.Packages.UpgradeBase = UpgradeBaseAll
	default:
		v.fail("packages.upgrade_base", "wrong type: got %T, want a boolean or \"all\"", u)
	}
	if c.Packages.UpgradeBase != UpgradeBaseNo && c.Image.Base == "" {
		v.fail("packages.upgrade_base", "needs image.base: there is no base image to upgrade")
	}

	// [layers]
	c.Layers.Strategy = LayerStrategy(deref(m.layers.Strategy, string(LayersSingle)))
	switch c.Layers.Strategy {
	case LayersSingle, LayersSharedBase, LayersOrigin:
		// shared-base needs a base file; the builder checks, since the
		// canonical TOML (which has no extends) must load back.
	default:
		v.fail("layers.strategy", "%q is not one of single, shared-base, origin", c.Layers.Strategy)
	}
	if m.layers.Max != nil {
		if n := *m.layers.Max; n < 1 || n > MaxLayers {
			v.fail("layers.max", "%d is not between 1 and %d", n, MaxLayers)
		} else {
			c.Layers.Max = int(n)
		}
	}
	if c.Layers.Strategy == LayersOrigin && c.Layers.Max == 0 {
		c.Layers.Max = DefaultOriginMax
	} else if c.Layers.Strategy == LayersOrigin && c.Layers.Max < 2 {
		v.fail("layers.max", "%d leaves no layer for packages under the origin strategy's metadata layer (at least 2)", c.Layers.Max)
	}

	// [config]
	if m.oci.Entrypoint != nil {
		c.OCI.Entrypoint = slices.Clone(*m.oci.Entrypoint)
	}
	if m.oci.Cmd != nil {
		c.OCI.Cmd = slices.Clone(*m.oci.Cmd)
	}
	// A process argument is a C string: a NUL would cut it short (or
	// make the runtime refuse the image). Newlines are fine ("sh -c").
	for _, a := range []struct {
		key  string
		args []string
	}{{"config.entrypoint", c.OCI.Entrypoint}, {"config.cmd", c.OCI.Cmd}} {
		for i, arg := range a.args {
			if strings.ContainsRune(arg, 0) {
				v.fail(a.key, "argument %d, %q, holds NUL", i+1, arg)
			}
		}
	}
	c.OCI.WorkingDir = deref(m.oci.WorkDir, "/")
	switch {
	case !strings.HasPrefix(c.OCI.WorkingDir, "/"):
		v.fail("config.workdir", "%q is not an absolute path", c.OCI.WorkingDir)
	case hasControl(c.OCI.WorkingDir):
		v.fail("config.workdir", "%q holds control characters", c.OCI.WorkingDir)
	}
	c.OCI.User = deref(m.oci.User, "")
	if hasControl(c.OCI.User) || strings.ContainsAny(c.OCI.User, " \t") {
		v.fail("config.user", "%q holds spaces or control characters", c.OCI.User)
	}
	c.OCI.Env = maps.Clone(m.env)
	for _, k := range slices.Sorted(maps.Keys(c.OCI.Env)) {
		switch {
		case k == "":
			v.fail("config.env.", "empty variable name")
		case strings.ContainsRune(k, '=') || hasControl(k):
			v.fail("config.env."+k, "variable name %q holds '=' or control characters", k)
		case strings.ContainsRune(c.OCI.Env[k], 0):
			v.fail("config.env."+k, "value holds NUL")
		}
	}
	c.OCI.Labels = maps.Clone(m.labels)
	c.OCI.Annotations = maps.Clone(m.annots)
	if _, ok := c.OCI.Labels[""]; ok {
		v.fail("config.labels.", "empty key")
	}
	if _, ok := c.OCI.Annotations[""]; ok {
		v.fail("config.annotations.", "empty key")
	}

	// [[accounts.*]]
	for _, g := range m.groups {
		key := keyAccount("group", g.name, "")
		if !accountName.MatchString(g.name) || len(g.name) > 32 {
			v.fail(key+".name", "%q is not a valid group name (lowercase letters, digits, _ and -, starting with a letter or _, at most 32)", g.name)
		}
		gid := v.id(key+".gid", g.w.GID, nil)
		for _, o := range c.Accounts.Groups {
			if o.GID == gid && g.w.GID != nil {
				v.fail(key+".gid", "gid %d is already used by group %q", gid, o.Name)
			}
		}
		c.Accounts.Groups = append(c.Accounts.Groups, Group{Name: g.name, GID: gid})
	}
	for _, u := range m.users {
		key := keyAccount("user", u.name, "")
		if !accountName.MatchString(u.name) || len(u.name) > 32 {
			v.fail(key+".name", "%q is not a valid user name (lowercase letters, digits, _ and -, starting with a letter or _, at most 32)", u.name)
		}
		uid := v.id(key+".uid", u.w.UID, nil)
		gid := v.id(key+".gid", u.w.GID, nil)
		for _, o := range c.Accounts.Users {
			if o.UID == uid && u.w.UID != nil {
				v.fail(key+".uid", "uid %d is already used by user %q", uid, o.Name)
			}
		}
		usr := User{Name: u.name, UID: uid, GID: gid, Home: deref(u.w.Home, "/home/"+u.name), Shell: deref(u.w.Shell, "/sbin/nologin")}
		// /etc/passwd is lines of ':'-separated fields, read as C
		// strings: a ':', a newline or a NUL would forge or cut fields.
		if !accountPath(usr.Home) {
			v.fail(key+".home", "%q is not an absolute path without ':' or control characters", usr.Home)
		}
		if !accountPath(usr.Shell) {
			v.fail(key+".shell", "%q is not an absolute path without ':' or control characters", usr.Shell)
		}
		c.Accounts.Users = append(c.Accounts.Users, usr)
	}

	// [paths]
	c.Paths.Remove = slices.Clone(m.remove)
	for _, g := range c.Paths.Remove {
		if err := rpmmeta.ValidateGlob(g); err != nil {
			v.fail("paths.remove["+g+"]", "%s", err)
		}
	}

	v.policy(c)

	if err := errors.Join(v.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// policy builds and checks [policy].
func (v *validator) policy(c *Config) {
	m := v.m
	p := &c.Policy
	p.Deny = slices.Clone(m.deny)
	for _, d := range p.Deny {
		if err := checkPackageSpec(d); err != nil {
			v.fail("policy.deny["+d+"]", "%s", err)
		} else if strings.ContainsAny(d, " ()<>=/") {
			v.fail("policy.deny["+d+"]", "%q is not a package name or a glob on names", d)
		} else if _, err := filepath.Match(d, ""); err != nil {
			v.fail("policy.deny["+d+"]", "%q is not a valid glob: %s", d, err)
		}
	}
	for _, s := range []struct {
		key string
		src *string
		dst *int64
	}{{"policy.max_size", m.policy.MaxSize, &p.MaxSize}, {"policy.max_compressed_size", m.policy.MaxCompressedSize, &p.MaxCompressedSize}} {
		if s.src == nil {
			continue
		}
		n, err := ParseSize(*s.src)
		if err != nil {
			v.fail(s.key, "%s", err)
			continue
		}
		*s.dst = n
	}
	if m.policy.MaxPackages != nil {
		if n := *m.policy.MaxPackages; n < 1 || n > 1_000_000 {
			v.fail("policy.max_packages", "%d is not between 1 and 1000000", n)
		} else {
			p.MaxPackages = int(n)
		}
	}
	p.RequireGPGCheck = deref(m.policy.RequireGPGCheck, false)
	p.Baseline = deref(m.policy.Baseline, "")
	if m.policy.Baseline != nil && (p.Baseline == "" || hasControl(p.Baseline)) {
		v.fail("policy.baseline", "%q is not an image reference or a lockfile path", p.Baseline)
	}
	p.AllowNew = deref(m.policy.AllowNew, true)
	if !p.AllowNew && p.Baseline == "" {
		v.fail("policy.allow_new", "allow_new = false needs a baseline")
	}
	if p.RequireGPGCheck {
		for _, r := range c.Repositories {
			if !r.GPGCheck || !r.RepoGPGCheck {
				v.fail("policy.require_gpgcheck", "%s (declared at %s)", RepoGPGViolation(r), posString(v.m.origins[keyRepo(r.ID, "")]))
			}
		}
	}
}

// RepoGPGViolation says what repository r lacks under require_gpgcheck
// ("" when nothing).
func RepoGPGViolation(r Repository) string {
	var miss []string
	if !r.GPGCheck {
		miss = append(miss, "gpgcheck")
	}
	if !r.RepoGPGCheck {
		miss = append(miss, "repo_gpgcheck")
	}
	if len(miss) == 0 {
		return ""
	}
	return fmt.Sprintf("repository %q does not set %s = true, which policy.require_gpgcheck requires", r.ID, strings.Join(miss, " and "))
}

// ParseSize reads a size: a number with an optional unit, B, kB, MB, GB
// (powers of 1000) or KiB, MiB, GiB (powers of 1024): "30MB", "1.5 GiB",
// "4096". It must be above zero.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult := map[string]float64{"": 1, "B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[unit]
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || num == "" {
		return 0, fmt.Errorf("%q is not a size (a number and B, kB, MB, GB, KiB, MiB or GiB)", s)
	}
	n := f * mult
	if n < 1 || n > 1<<62 {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return int64(n), nil
}

// installedButHeld reports each package name of packages.install that
// packages.exclude or packages.allow_unsatisfied matches: the solver
// would refuse it ("package busybox is excluded"), typically because an
// overlay installs what its base holds back. The message names both
// places and how to lift the base's list. Capabilities, files, globs
// and name-version arguments are left to the solver.
func (v *validator) installedButHeld(p Packages) {
	for _, name := range p.Install {
		if strings.ContainsAny(name, " ()<>=/*?[") {
			continue
		}
		for _, l := range []struct {
			key, short, verb string
			globs            []string
		}{
			{"packages.exclude", "exclude", "excluded", p.Exclude},
			{"packages.allow_unsatisfied", "allow_unsatisfied", "held back", p.AllowUnsatisfied},
		} {
			i := slices.IndexFunc(l.globs, func(g string) bool { ok, _ := path.Match(g, name); return ok })
			if i < 0 {
				continue
			}
			key := "packages.install[" + name + "]"
			at := v.m.origins[key]
			by := v.m.origins[l.key]
			var hint string
			switch {
			case by.File == at.File:
				hint = "remove it from one of the two lists"
			case slices.Index(v.m.files, by.File) > slices.Index(v.m.files, at.File):
				// A base holds back what this file installs.
				hint = fmt.Sprintf("set %s in %s to a list without it (%s = [] clears the inherited list)", l.key, at.File, l.short)
			default:
				hint = "remove it from that list"
			}
			v.fail(key, "%q is %s by %s (%q) at %s; %s", name, l.verb, l.key, l.globs[i], posString(by), hint)
		}
	}
}

// posString writes p as FILE:LINE (FILE when the line is unknown).
func posString(p Pos) string {
	if p.Line > 0 {
		return p.File + ":" + strconv.Itoa(p.Line)
	}
	return p.File
}

type validator struct {
	m    *merged
	errs []error
}

// fail records a problem with key, at the position where key was set (or
// the loaded file when the key was not set anywhere).
func (v *validator) fail(key, format string, a ...any) {
	v.failAt(key, key, format, a...)
}

// failAt reports key but finds the position under originKey.
func (v *validator) failAt(key, originKey, format string, a ...any) {
	p, ok := v.m.origins[originKey]
	if !ok {
		// A key under a table: fall back to the nearest parent that was set.
		k := originKey
		for !ok {
			i := strings.LastIndexAny(k, ".[")
			if i <= 0 {
				break
			}
			k = k[:i]
			p, ok = v.m.origins[k]
		}
		if !ok {
			p = Pos{File: v.m.top}
		}
	}
	v.errs = append(v.errs, errAt(p, key, format, a...))
}

func (v *validator) id(key string, n *int64, def *uint32) uint32 {
	if n == nil {
		if def != nil {
			return *def
		}
		v.fail(key, "required key is missing")
		return 0
	}
	if *n < 0 || *n > maxID {
		v.fail(key, "%d is out of range 0..%d", *n, maxID)
		return 0
	}
	return uint32(*n)
}

func (v *validator) repository(lr layerRepo, releasever string) Repository {
	w := lr.w
	id := *w.ID
	r := Repository{
		ID:           id,
		Name:         deref(w.Name, ""),
		BaseURL:      deref(w.BaseURL, ""),
		GPGCheck:     deref(w.GPGCheck, true),
		RepoGPGCheck: deref(w.RepoGPGCheck, false),
		Priority:     99,
		File:         lr.file,
	}
	if !repoID.MatchString(id) {
		v.fail(keyRepo(id, "id"), "%q is not a repository id (letters, digits and _ . : -)", id)
	}
	if w.BaseURL != nil && isLocalPath(r.BaseURL) {
		// A plain path is a local repository relative to the file
		// that declared it.
		r.BaseURL = localPathURL(r.BaseURL, filepath.Dir(lr.file))
	}
	if w.BaseURL == nil {
		v.fail(keyRepo(id, "baseurl"), "required key is missing")
	} else if err := checkURL(r.BaseURL, releasever); err != nil {
		v.fail(keyRepo(id, "baseurl"), "%s", err)
	}
	if w.GPGKey != nil {
		r.GPGKeys = slices.Clone(*w.GPGKey)
	}
	for _, k := range r.GPGKeys {
		if err := checkVars(k, releasever); err != nil {
			v.fail(keyRepo(id, "gpgkey"), "%s", err)
		}
	}
	if (r.GPGCheck || r.RepoGPGCheck) && len(r.GPGKeys) == 0 {
		v.fail(keyRepo(id, "gpgkey"), "gpgcheck or repo_gpgcheck is on but no key is given")
	}
	if w.Priority != nil {
		p := *w.Priority
		if p < 1 || p > 99 {
			v.fail(keyRepo(id, "priority"), "%d is out of range 1..99", p)
		} else {
			r.Priority = int(p)
		}
	}
	if w.IncludePkgs != nil {
		r.IncludePkgs = slices.Clone(*w.IncludePkgs)
	}
	if w.ExcludePkgs != nil {
		r.ExcludePkgs = slices.Clone(*w.ExcludePkgs)
	}
	for _, f := range []struct {
		field string
		list  []string
	}{{"includepkgs", r.IncludePkgs}, {"excludepkgs", r.ExcludePkgs}} {
		field := f.field
		for _, p := range f.list {
			if strings.TrimSpace(p) == "" || strings.ContainsAny(p, " \t\n") {
				v.fail(keyRepo(id, field), "%q is not a package name or glob", p)
			}
		}
	}
	return r
}

// isLocalPath reports whether a baseurl is a plain filesystem path rather
// than a URL (or something that looks like one, "scheme:...").
func isLocalPath(u string) bool {
	return u != "" && !strings.Contains(u, "://") && !schemePrefix.MatchString(u)
}

var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// localPathURL turns a baseurl path into a file:// URL, relative paths
// against dir.
func localPathURL(p, dir string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return "file://" + filepath.ToSlash(p)
}

// checkURL checks a baseurl: file:///abs, http://host/..., https://host/...,
// using only $basearch and (when releasever is set) $releasever.
func checkURL(u, releasever string) error {
	if err := checkURLSyntax(u); err != nil {
		return err
	}
	return checkVars(u, releasever)
}

func checkURLSyntax(u string) error {
	shown := origin.RedactUserinfo(u) // messages never show a password
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return fmt.Errorf("%q is not a URL (file://, http:// or https://)", shown)
	}
	switch scheme {
	case "file":
		if !strings.HasPrefix(rest, "/") {
			return fmt.Errorf("%q: a file:// URL needs an absolute path (file:///...)", shown)
		}
	case "http", "https":
		if rest == "" || rest[0] == '/' {
			return fmt.Errorf("%q: URL has no host", shown)
		}
	default:
		return fmt.Errorf("%q: scheme %q is not file, http or https", shown, scheme)
	}
	if hasControl(u) || strings.ContainsAny(u, " \t") {
		return fmt.Errorf("%q holds spaces or control characters", shown)
	}
	return nil
}

func checkVars(s, releasever string) error {
	shown := origin.RedactUserinfo(s)
	for _, name := range vars(s) {
		switch name {
		case "basearch":
		case "releasever":
			if releasever == "" {
				return fmt.Errorf("%q uses $releasever but image.releasever is not set", shown)
			}
		default:
			return fmt.Errorf("%q uses $%s: only $releasever and $basearch are known", shown, name)
		}
	}
	return nil
}

func checkPackageSpec(p string) error {
	if strings.TrimSpace(p) == "" {
		return errors.New("empty package name")
	}
	if p != strings.TrimSpace(p) || hasControl(p) {
		return fmt.Errorf("%q has surrounding spaces or control characters", p)
	}
	return nil
}

func hasControl(s string) bool { return strings.ContainsFunc(s, isControl) }

// accountPath reports whether s can be a home or shell field of
// /etc/passwd: absolute, without ':' or control characters.
func accountPath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.ContainsRune(s, ':') && !hasControl(s)
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
