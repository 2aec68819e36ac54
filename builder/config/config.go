// Package config loads slipway's build configuration: a strict TOML file,
// optionally extending a base file (extends chains), validated and merged
// into the domain types below. The TOML wire structs live in wire.go and
// never leave the package.
//
// A loaded Config is immutable by convention: callers read it, the loader
// never changes what it was given, and Digest identifies its content.
package config

import (
	"strings"
)

// RPMDB says which package database an image carries.
type RPMDB string

// The rpmdb kinds.
const (
	RPMDBSqlite   RPMDB = "sqlite"   // /var/lib/rpm/rpmdb.sqlite, as rpm 4.18 writes it
	RPMDBManifest RPMDB = "manifest" // /var/lib/rpmmanifest/container-manifest-{1,2}, as distroless images carry
	RPMDBNone     RPMDB = "none"     // no package database at all
)

// Config is a fully merged and validated configuration.
type Config struct {
	Image        Image
	Repositories []Repository // enabled repositories, in declaration order (bases first)
	Packages     Packages
	OCI          ImageConfig // the [config] table: the OCI image configuration
	Accounts     Accounts
	Paths        Paths
	Layers       Layers
	Policy       Policy

	// Files lists the configuration files that were read: the loaded file
	// first, then the file it extends, and so on.
	Files []string

	// keyDigests maps a local key's file:// URL to "sha256:<hex>" of its
	// content; Digest uses it so that the digest does not depend on where
	// the configuration lives.
	keyDigests map[string]string
	// origins maps a key (see keyRepo and friends) to where it was set.
	origins map[string]Pos
}

// Image names the image and what it is built for.
type Image struct {
	Name          string   // OCI repository path, e.g. "azurelinux/base/core"
	Architectures []string // RPM architecture names: x86_64, aarch64
	Releasever    string   // substituted for $releasever in URLs
	OSVersion     string   // the platform's os.version in the image and index, e.g. "azurelinux-3.0"
	RPMDB         RPMDB
	MachineID     MachineID
	// Base is a published image the build adds its packages on top of: a
	// registry reference (tag, digest or both) or "oci:DIR[:TAG]"; ""
	// builds from scratch. See docs/config.md.
	Base string
	// BaseVerifyKey is a cosign public key (an absolute path, made so
	// against the file that set it) the base's signature must verify with.
	BaseVerifyKey string
	// BaseVerify, when set, checks the base's keyless signature instead
	// (cosign verify --certificate-identity ...).
	BaseVerify *BaseKeyless
	MTime      MTime
}

// BaseKeyless is how a base's keyless signature is checked: the
// certificate's identity and OIDC issuer (each exact or a regular
// expression, as cosign's --certificate-identity[-regexp] and
// --certificate-oidc-issuer[-regexp]), the CA roots it must chain to
// (cosign --ca-roots) and, optionally, the Rekor public key its log entry
// must be signed with. Paths are absolute, made so against the file that
// set them.
type BaseKeyless struct {
	Identity, IdentityRegexp     string
	OIDCIssuer, OIDCIssuerRegexp string
	CARoots                      string
	RekorKey                     string // "": the log is not consulted
}

// MTime says which modification times the image's files carry.
type MTime string

// The mtime choices.
const (
	// MTimePackage (the default): package files keep the mtimes their
	// headers record, as rpm installs them; only what slipway generates
	// (rpm database, accounts, ld.so.cache, scriptlet outputs, implied
	// folders) is dated with the build time.
	MTimePackage MTime = ""
	// MTimeClamp clamps every mtime to the build time (no time after it).
	MTimeClamp MTime = "clamp"
)

// MachineID says what /etc/machine-id holds.
type MachineID string

// The machine-id choices.
const (
	MachineIDNone  MachineID = ""      // whatever the packages leave (usually nothing)
	MachineIDEmpty MachineID = "empty" // an empty file, as distributions' image tools write it
)

// Repository is one RPM repository.
type Repository struct {
	ID      string
	Name    string // human name, from .repo files; may be empty
	BaseURL string // may hold $releasever and $basearch; see Config.RepoURL
	// GPGKeys are URLs: http://, https:// or file:// with an absolute path.
	// Key paths written in a config are made absolute against the file that
	// declared them. $releasever and $basearch may appear; see Config.GPGKeyURLs.
	GPGKeys      []string
	GPGCheck     bool // check RPM signatures
	RepoGPGCheck bool // check repodata/repomd.xml.asc
	Priority     int  // dnf semantics: lower wins; 1..99, default 99
	IncludePkgs  []string
	ExcludePkgs  []string
	// File is the configuration (or .repo) file that declared the repository.
	File string
}

// Packages says what is installed.
type Packages struct {
	Install []string // package names or provides, installed with their dependencies
	Exclude []string // packages never installed, even as a dependency
	// AllowUnsatisfied holds packages back (names or globs): they are
	// never installed, and a requirement that only they provide is left
	// unsatisfied on purpose instead of failing the resolution, as
	// distroless images do with bash, coreutils and grep.
	AllowUnsatisfied []string
	WeakDeps         bool // install Recommends/Supplements
	Docs             bool // keep files marked %doc
	Licenses         bool // keep files marked %license (default true)
	// Scriptlets says how the packages' scriptlets take effect.
	Scriptlets ScriptletMode
	// UpgradeBase says which packages of the base image (Image.Base) the
	// build may upgrade; UpgradeBaseNo (the default): needing an upgrade
	// is an error.
	UpgradeBase UpgradeBase
}

// UpgradeBase is [packages] upgrade_base: false, true or "all".
type UpgradeBase string

// The upgrade_base choices.
const (
	// UpgradeBaseNo (false): a request needing a newer version of a
	// base package fails naming it.
	UpgradeBaseNo UpgradeBase = ""
	// UpgradeBaseNeeded (true): upgrade the base packages the request
	// needs newer, and only those, as dnf install does on the base's
	// system.
	UpgradeBaseNeeded UpgradeBase = "needed"
	// UpgradeBaseAll ("all"): upgrade every base package the
	// repositories have a newer version of, as dnf upgrade then dnf
	// install do.
	UpgradeBaseAll UpgradeBase = "all"
)

// ScriptletMode is how scriptlets take effect ([packages] scriptlets).
type ScriptletMode string

// The scriptlet modes.
const (
	// ScriptletsEmulate reproduces the effects slipway understands,
	// without running anything (the default).
	ScriptletsEmulate ScriptletMode = "emulate"
	// ScriptletsRun runs the scriptlets in an unprivileged user
	// namespace with a chroot of the tree.
	ScriptletsRun ScriptletMode = "run"
)

// ImageConfig is the OCI image configuration set in [config].
type ImageConfig struct {
	Entrypoint  []string
	Cmd         []string
	Env         map[string]string
	WorkingDir  string
	User        string
	Labels      map[string]string
	Annotations map[string]string
}

// Accounts are users and groups written into /etc/passwd and /etc/group.
type Accounts struct {
	Groups []Group
	Users  []User
}

// Group is one /etc/group entry.
type Group struct {
	Name string
	GID  uint32
}

// User is one /etc/passwd entry.
type User struct {
	Name  string
	UID   uint32
	GID   uint32
	Home  string
	Shell string
}

// Paths holds rules on the files of the image.
type Paths struct {
	Remove []string // globs (see rpmmeta.MatchPath) of paths removed after installation
}

// LayerStrategy says how an image's files are split into layers.
type LayerStrategy string

// The layer strategies.
const (
	// LayersSingle puts the whole tree in one layer.
	LayersSingle LayerStrategy = "single"
	// LayersSharedBase puts the files of the base configuration (the file
	// extends names, built alone) in the base image's own layers, byte for
	// byte, and what this configuration changes in one layer above them.
	LayersSharedBase LayerStrategy = "shared-base"
	// LayersOrigin groups packages by source RPM into at most Max layers
	// (DefaultOriginMax when unset), the biggest groups at the bottom,
	// and puts everything computed from the whole package set (rpm
	// database, accounts, ld.so.cache...) in one metadata layer on top.
	LayersOrigin LayerStrategy = "origin"
)

// DefaultOriginMax is layers.max of the origin strategy when unset: well
// under the runtimes' limits (127 for overlayfs stacks).
const DefaultOriginMax = 50

// MaxLayers is the highest layers.max (registries and runtimes cope
// badly with images of more than about a hundred layers).
const MaxLayers = 100

// Layers is the [layers] table.
type Layers struct {
	Strategy LayerStrategy
	// Max, when above 0, bounds the number of layers the configuration's
	// own packages take (above the base's with shared-base): the largest
	// packages by installed bytes get a layer each, the rest and the
	// generated files share the top one. 0 is no bound beyond the
	// strategy.
	Max int
}

// Policy is the [policy] table: rules a resolved image must meet. The
// configuration only carries them; builder/policy checks a resolution
// against them. Where each rule was set is Origin("policy.KEY") (for a
// deny entry, Origin("policy.deny[ENTRY]")).
type Policy struct {
	// Deny lists package names or globs (as packages.exclude takes them)
	// that must never be installed. Lists add up along extends.
	Deny []string
	// MaxSize and MaxCompressedSize bound each architecture's image, in
	// bytes: the installed size of its packages, and the size of its
	// compressed layers. 0 is no bound.
	MaxSize           int64
	MaxCompressedSize int64
	// MaxPackages bounds each architecture's package count; 0 is none.
	MaxPackages int
	// RequireGPGCheck asks every repository to check package and metadata
	// signatures (gpgcheck and repo_gpgcheck).
	RequireGPGCheck bool
	// Baseline is an image reference or a lockfile the image is compared
	// with; with AllowNew false, a package the baseline does not have is
	// refused.
	Baseline string
	AllowNew bool // default true
}

// IsZero reports whether no rule is set.
func (p *Policy) IsZero() bool {
	return len(p.Deny) == 0 && p.MaxSize == 0 && p.MaxCompressedSize == 0 && p.MaxPackages == 0 &&
		!p.RequireGPGCheck && p.Baseline == ""
}

// Pos is where a key was set.
type Pos struct {
	File string
	Line int // 0 when unknown
}

// String is "FILE:LINE" (or "FILE" when the line is unknown).
func (p Pos) String() string { return posString(p) }

// Origin reports where a key of the merged configuration was set, for
// messages of later stages. Keys are written "image.name",
// "repository[base].baseurl", "accounts.user[nonroot].uid",
// "config.env.LANG". ok is false for a key that took its default.
func (c *Config) Origin(key string) (Pos, bool) {
	p, ok := c.origins[key]
	return p, ok
}

// RepoURL returns repo's baseurl with $releasever and $basearch (also
// written ${releasever}, ${basearch}) replaced for arch.
func (c *Config) RepoURL(repo Repository, arch string) string {
	return expandVars(repo.BaseURL, c.Image.Releasever, arch)
}

// GPGKeyURLs returns repo's key URLs with $releasever and $basearch
// replaced for arch.
func (c *Config) GPGKeyURLs(repo Repository, arch string) []string {
	out := make([]string, len(repo.GPGKeys))
	for i, k := range repo.GPGKeys {
		out[i] = expandVars(k, c.Image.Releasever, arch)
	}
	return out
}

// Repository returns the repository with the given id.
func (c *Config) Repository(id string) (Repository, bool) {
	for _, r := range c.Repositories {
		if r.ID == id {
			return r, true
		}
	}
	return Repository{}, false
}

// ExpandVars replaces dnf's $releasever and $basearch (and their ${...}
// forms) in s. Other variables are left alone.
func ExpandVars(s, releasever, basearch string) string { return expandVars(s, releasever, basearch) }

func expandVars(s, releasever, basearch string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		name, n := varAt(s, i)
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch name {
		case "releasever":
			b.WriteString(releasever)
		case "basearch":
			b.WriteString(basearch)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// vars lists the dnf variables used in s, in order.
func vars(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if name, n := varAt(s, i); n > 0 {
			out = append(out, name)
			i += n - 1
		}
	}
	return out
}

// varAt reports the variable starting at s[i] ("$name" or "${name}") and
// its length; n is 0 when there is none.
func varAt(s string, i int) (name string, n int) {
	if s[i] != '$' || i+1 >= len(s) {
		return "", 0
	}
	if s[i+1] == '{' {
		end := strings.IndexByte(s[i+2:], '}')
		if end <= 0 || !isVarName(s[i+2:i+2+end]) {
			return "", 0
		}
		return s[i+2 : i+2+end], end + 3
	}
	j := i + 1
	for j < len(s) && isVarByte(s[j]) {
		j++
	}
	if j == i+1 {
		return "", 0
	}
	return s[i+1 : j], j - i
}

func isVarName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isVarByte(s[i]) {
			return false
		}
	}
	return s != ""
}

func isVarByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
