package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/pelletier/go-toml/v2"

	"github.com/slipway-build/slipway/internal/origin"
)

// The canonical rendering: every key written, defaults made explicit,
// repositories and accounts in merged order, maps sorted by key.

type outFile struct {
	Image      outImage    `toml:"image" json:"image"`
	Repository []outRepo   `toml:"repository" json:"repository"`
	Packages   outPackages `toml:"packages" json:"packages"`
	Config     outOCI      `toml:"config" json:"config"`
	Accounts   outAccounts `toml:"accounts" json:"accounts"`
	Paths      outPaths    `toml:"paths" json:"paths"`
	// Omitted for the default strategy: digests of configurations without
	// [layers] stay.
	Layers *outLayers `toml:"layers,omitempty" json:"layers,omitempty"`
	// Omitted without rules. It never enters the digest: a policy decides
	// whether an image may ship, not what is in it.
	Policy *outPolicy `toml:"policy,omitempty" json:"policy,omitempty"`
}

type outPolicy struct {
	Deny              []string `toml:"deny,omitempty" json:"deny,omitempty"`
	MaxSize           string   `toml:"max_size,omitempty" json:"max_size,omitempty"`
	MaxCompressedSize string   `toml:"max_compressed_size,omitempty" json:"max_compressed_size,omitempty"`
	MaxPackages       int      `toml:"max_packages,omitempty" json:"max_packages,omitempty"`
	RequireGPGCheck   bool     `toml:"require_gpgcheck,omitempty" json:"require_gpgcheck,omitempty"`
	Baseline          string   `toml:"baseline,omitempty" json:"baseline,omitempty"`
	AllowNew          bool     `toml:"allow_new" json:"allow_new"`
}

type outLayers struct {
	Strategy string `toml:"strategy" json:"strategy"`
	Max      int    `toml:"max,omitempty" json:"max,omitempty"`
}

type outImage struct {
	Name          string   `toml:"name" json:"name"`
	Architectures []string `toml:"architectures" json:"architectures"`
	Releasever    string   `toml:"releasever" json:"releasever"`
	OSVersion     string   `toml:"os_version,omitempty" json:"os_version,omitempty"` // omitted when unset: digests stay
	RPMDB         string   `toml:"rpmdb" json:"rpmdb"`
	MachineID     string   `toml:"machine_id,omitempty" json:"machine_id,omitempty"`           // omitted when unset: digests stay
	Base          string   `toml:"base,omitempty" json:"base,omitempty"`                       // omitted when unset: digests stay
	BaseVerifyKey string   `toml:"base_verify_key,omitempty" json:"base_verify_key,omitempty"` // omitted when unset: digests stay
	// The keyless options, omitted when unset: digests stay.
	BaseVerifyIdentity         string `toml:"base_verify_identity,omitempty" json:"base_verify_identity,omitempty"`
	BaseVerifyIdentityRegexp   string `toml:"base_verify_identity_regexp,omitempty" json:"base_verify_identity_regexp,omitempty"`
	BaseVerifyOIDCIssuer       string `toml:"base_verify_oidc_issuer,omitempty" json:"base_verify_oidc_issuer,omitempty"`
	BaseVerifyOIDCIssuerRegexp string `toml:"base_verify_oidc_issuer_regexp,omitempty" json:"base_verify_oidc_issuer_regexp,omitempty"`
	BaseVerifyCARoots          string `toml:"base_verify_ca_roots,omitempty" json:"base_verify_ca_roots,omitempty"`
	BaseVerifyRekorKey         string `toml:"base_verify_rekor_key,omitempty" json:"base_verify_rekor_key,omitempty"`
	MTime                      string `toml:"mtime,omitempty" json:"mtime,omitempty"` // omitted when "package" (the default)
}

type outRepo struct {
	ID           string   `toml:"id" json:"id"`
	Name         string   `toml:"name" json:"name"`
	BaseURL      string   `toml:"baseurl" json:"baseurl"`
	GPGKey       []string `toml:"gpgkey" json:"gpgkey"`
	GPGCheck     bool     `toml:"gpgcheck" json:"gpgcheck"`
	RepoGPGCheck bool     `toml:"repo_gpgcheck" json:"repo_gpgcheck"`
	Priority     int      `toml:"priority" json:"priority"`
	IncludePkgs  []string `toml:"includepkgs" json:"includepkgs"`
	ExcludePkgs  []string `toml:"excludepkgs" json:"excludepkgs"`
}

type outPackages struct {
	Install []string `toml:"install" json:"install"`
	Exclude []string `toml:"exclude" json:"exclude"`
	// Omitted when empty: digests of configurations without it stay.
	AllowUnsatisfied []string `toml:"allow_unsatisfied,omitempty" json:"allow_unsatisfied,omitempty"`
	WeakDeps         bool     `toml:"weak_deps" json:"weak_deps"`
	Docs             bool     `toml:"docs" json:"docs"`
	// Omitted when true (the default): digests stay.
	Licenses *bool `toml:"licenses,omitempty" json:"licenses,omitempty"`
	// Omitted when "emulate" (the default): digests stay.
	Scriptlets string `toml:"scriptlets,omitempty" json:"scriptlets,omitempty"`
	// Omitted when false (the default): digests stay.
	// UpgradeBase is true or "all"; omitted when false: digests stay.
	UpgradeBase any `toml:"upgrade_base,omitempty" json:"upgrade_base,omitempty"`
}

type outOCI struct {
	Entrypoint  []string          `toml:"entrypoint" json:"entrypoint"`
	Cmd         []string          `toml:"cmd" json:"cmd"`
	Env         map[string]string `toml:"env,inline" json:"env"`
	WorkDir     string            `toml:"workdir" json:"workdir"`
	User        string            `toml:"user" json:"user"`
	Labels      map[string]string `toml:"labels,inline" json:"labels"`
	Annotations map[string]string `toml:"annotations,inline" json:"annotations"`
}

type outAccounts struct {
	Group []outGroup `toml:"group" json:"group"`
	User  []outUser  `toml:"user" json:"user"`
}

type outGroup struct {
	Name string `toml:"name" json:"name"`
	GID  uint32 `toml:"gid" json:"gid"`
}

type outUser struct {
	Name  string `toml:"name" json:"name"`
	UID   uint32 `toml:"uid" json:"uid"`
	GID   uint32 `toml:"gid" json:"gid"`
	Home  string `toml:"home" json:"home"`
	Shell string `toml:"shell" json:"shell"`
}

type outPaths struct {
	Remove []string `toml:"remove" json:"remove"`
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

func dict(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

func (c *Config) wire() outFile {
	o := outFile{
		Image: outImage{
			Name:          c.Image.Name,
			Architectures: list(c.Image.Architectures),
			Releasever:    c.Image.Releasever,
			OSVersion:     c.Image.OSVersion,
			RPMDB:         string(c.Image.RPMDB),
			MachineID:     string(c.Image.MachineID),
			Base:          c.Image.Base,
			BaseVerifyKey: c.Image.BaseVerifyKey,
			MTime:         string(c.Image.MTime),
		},
		Repository: []outRepo{},
		Packages: outPackages{
			Install:          list(c.Packages.Install),
			Exclude:          list(c.Packages.Exclude),
			AllowUnsatisfied: slices.Clone(c.Packages.AllowUnsatisfied),
			WeakDeps:         c.Packages.WeakDeps,
			Docs:             c.Packages.Docs,
			Licenses:         falseOnly(c.Packages.Licenses),
			Scriptlets:       nonDefaultScriptlets(c.Packages.Scriptlets),
			UpgradeBase:      renderUpgradeBase(c.Packages.UpgradeBase),
		},
		Config: outOCI{
			Entrypoint:  list(c.OCI.Entrypoint),
			Cmd:         list(c.OCI.Cmd),
			Env:         dict(c.OCI.Env),
			WorkDir:     c.OCI.WorkingDir,
			User:        c.OCI.User,
			Labels:      dict(c.OCI.Labels),
			Annotations: dict(c.OCI.Annotations),
		},
		Accounts: outAccounts{Group: []outGroup{}, User: []outUser{}},
		Paths:    outPaths{Remove: list(c.Paths.Remove)},
	}
	if (c.Layers.Strategy != "" && c.Layers.Strategy != LayersSingle) || c.Layers.Max > 0 {
		o.Layers = &outLayers{Strategy: string(c.Layers.Strategy), Max: c.Layers.Max}
		if o.Layers.Strategy == "" {
			o.Layers.Strategy = string(LayersSingle)
		}
	}
	if !c.Policy.IsZero() {
		p := c.Policy
		o.Policy = &outPolicy{Deny: slices.Clone(p.Deny), MaxPackages: p.MaxPackages, RequireGPGCheck: p.RequireGPGCheck, Baseline: p.Baseline, AllowNew: p.AllowNew}
		if p.MaxSize > 0 {
			o.Policy.MaxSize = strconv.FormatInt(p.MaxSize, 10)
		}
		if p.MaxCompressedSize > 0 {
			o.Policy.MaxCompressedSize = strconv.FormatInt(p.MaxCompressedSize, 10)
		}
	}
	for _, r := range c.Repositories {
		o.Repository = append(o.Repository, outRepo{
			ID: r.ID, Name: r.Name, BaseURL: origin.RedactUserinfo(r.BaseURL), GPGKey: list(r.GPGKeys),
			GPGCheck: r.GPGCheck, RepoGPGCheck: r.RepoGPGCheck, Priority: r.Priority,
			IncludePkgs: list(r.IncludePkgs), ExcludePkgs: list(r.ExcludePkgs),
		})
	}
	for _, g := range c.Accounts.Groups {
		o.Accounts.Group = append(o.Accounts.Group, outGroup(g))
	}
	for _, u := range c.Accounts.Users {
		o.Accounts.User = append(o.Accounts.User, outUser(u))
	}
	if k := c.Image.BaseVerify; k != nil {
		o.Image.BaseVerifyIdentity, o.Image.BaseVerifyIdentityRegexp = k.Identity, k.IdentityRegexp
		o.Image.BaseVerifyOIDCIssuer, o.Image.BaseVerifyOIDCIssuerRegexp = k.OIDCIssuer, k.OIDCIssuerRegexp
		o.Image.BaseVerifyCARoots, o.Image.BaseVerifyRekorKey = k.CARoots, k.RekorKey
	}
	return o
}

// TOML renders the merged configuration as a standalone TOML document
// (no extends, every default written out, local key paths absolute). Its
// output loads back into a Config with the same Digest.
func (c *Config) TOML() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# The merged configuration")
	if len(c.Files) > 0 {
		b.WriteString(" of ")
		for i, f := range c.Files {
			if i > 0 {
				b.WriteString(" <- ")
			}
			fmt.Fprintf(&b, "%s", f)
		}
	}
	b.WriteString(".\n\n")
	enc := toml.NewEncoder(&b)
	enc.SetIndentTables(false)
	if err := enc.Encode(c.wire()); err != nil {
		return nil, fmt.Errorf("rendering config as TOML: %w", err)
	}
	return b.Bytes(), nil
}

// JSON renders the merged configuration as indented JSON with the TOML
// key names.
func (c *Config) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(c.wire(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rendering config as JSON: %w", err)
	}
	return append(b, '\n'), nil
}

// digestVersion changes when the canonical form does.
const digestVersion = "slipway-config-v1\n"

// Digest is "sha256:<hex>" over the canonical form of the merged
// configuration. Local key files enter by the digest of their content,
// not their path, so the digest does not change when the configuration
// folder moves; what only serves messages (file names, lines) is left out.
func (c *Config) Digest() string {
	o := c.wire()
	o.Policy = nil
	for i := range o.Repository {
		for j, k := range o.Repository[i].GPGKey {
			if d, ok := c.keyDigests[k]; ok {
				o.Repository[i].GPGKey[j] = d
			}
		}
	}
	b, err := json.Marshal(o)
	if err != nil {
		// Plain strings, bools, ints and maps do not fail to marshal;
		// should it happen, Go's own rendering is still deterministic.
		b = fmt.Appendf(nil, "%#v", o)
	}
	h := sha256.New()
	h.Write([]byte(digestVersion))
	h.Write(b)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// falseOnly is nil for true, so that a default of true is not rendered.
func nonDefaultScriptlets(m ScriptletMode) string {
	if m == ScriptletsEmulate {
		return ""
	}
	return string(m)
}

func falseOnly(b bool) *bool {
	if b {
		return nil
	}
	return &b
}

// renderUpgradeBase is upgrade_base as written: nil (left out) when
// false, true, or "all".
func renderUpgradeBase(u UpgradeBase) any {
	switch u {
	case UpgradeBaseNeeded:
		return true
	case UpgradeBaseAll:
		return string(u)
	}
	return nil
}
