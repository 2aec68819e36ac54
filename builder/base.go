package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/layers/rootfs/ldcache"
	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/manifests/inspect"
	"github.com/slipway-build/slipway/rpmmeta"
	"github.com/slipway-build/slipway/signing"
)

// BaseOptions say how the base image of a configuration with [image]
// base is read.
type BaseOptions struct {
	// Registry is the registry client the base is read (and its
	// signature verified) with.
	Registry manifests.PushOptions
	// CacheDir keeps the base's layers by digest (CacheDir/base-layers):
	// a later build on the same base reads none of them again. "" keeps
	// none.
	CacheDir string
}

// baseLowerFile names the base's files (without a leading /) whose
// content the new layer's scriptlet emulation reads under the added
// packages' files: the shadow files useradd and groupadd add to (with
// their settings), /etc/skel (useradd -m copies it into a new home),
// /etc/shells, tmpfiles.d, root's GnuPG keyring, the alternatives'
// state, the trust sources update-ca-trust extracts.
func baseLowerFile(name string) bool {
	switch name {
	case "etc/shadow", "etc/gshadow", "etc/login.defs", "etc/default/useradd", "etc/shells":
		return true
	}
	switch {
	case (strings.HasPrefix(name, "usr/lib/tmpfiles.d/") || strings.HasPrefix(name, "etc/tmpfiles.d/")) && strings.HasSuffix(name, ".conf"):
		return true // a base's systemd-tmpfiles file trigger reads them all
	case strings.HasPrefix(name, "root/.gnupg/"),
		strings.HasPrefix(name, "etc/skel/"),
		strings.HasPrefix(name, "var/lib/alternatives/"),
		strings.HasPrefix(name, "etc/pki/ca-trust/source/"),
		strings.HasPrefix(name, "usr/share/pki/ca-trust-source/"):
		return true
	}
	return false
}

// BaseRepo is the repository id of the packages a base image has
// installed, in resolutions ("@System" in dnf).
const BaseRepo = "@base"

// InstalledInBase starts the Dep of the Reason (of Kind solve.ByRequest)
// a base image's package is installed for, followed by the base's
// reference.
const InstalledInBase = "installed in the base "

// baseImage is a base image of one architecture, read: its image, what
// its layers hold and the packages its rpm database lists.
type baseImage struct {
	img   *manifests.BaseImage
	files *inspect.BaseFiles
	// lower are the base's files the emulated scriptlets read (and
	// rewrite in the new layer when they change them): baseLowerFile.
	lower map[string][]byte
	pkgs  []baseRPM     // in the database's order
	libs  []ldcache.Lib // what its ld.so.cache must list
	// manifestOnly: the base lists its packages in an rpmmanifest only
	// (pkgs have no headers).
	manifestOnly bool
}

// baseRPM is one package installed in the base: its header as the
// base's database stores it, parsed.
type baseRPM struct {
	blob []byte
	pkg  *rpm.Package // nil for a base with an rpmmanifest only
	meta rpmmeta.Package
	line string // the container-manifest-2 line of a base with an rpmmanifest only
}

// manifestLines maps NAME.ARCH to its container-manifest-2 line.
func manifestLines(data []byte) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(l, "\t")
		if len(f) == 10 {
			out[f[0]+"."+f[7]] = l
		}
	}
	return out
}

// openBase reads cfg's base image for arch: its signature first, when
// base_verify_key is set, then the platform's image, its rpm database and
// accounts.
func openBase(ctx context.Context, cfg *config.Config, arch string, opts Options) (*baseImage, error) {
	bo := opts.Base
	src, err := manifests.ParseSource(cfg.Image.Base, bo.Registry.Insecure)
	if err != nil {
		return nil, fmt.Errorf("image.base: %w", err)
	}
	if src.Archive != "" {
		return nil, fmt.Errorf("image.base %s: a docker archive cannot be a base; use a registry or oci:DIR", src)
	}
	cache := ""
	if bo.CacheDir != "" {
		cache = filepath.Join(bo.CacheDir, "base-layers")
	}
	img, err := manifests.OpenBase(ctx, src, arch, cache, bo.Registry)
	if err != nil {
		return nil, err
	}
	if cfg.Image.BaseVerifyKey != "" || cfg.Image.BaseVerify != nil {
		if err := verifyBase(ctx, cfg, src, img, opts); err != nil {
			return nil, err
		}
	}
	tmp, err := os.MkdirTemp("", "slipway-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	keep := func(name string) bool { return keepForLDCache(name) || baseLowerFile(name) }
	files, err := inspect.ReadBase(ctx, img.Image, tmp, inspect.Options{}, keep)
	if err != nil {
		return nil, fmt.Errorf("reading the base %s (%s): %w", src, img.Digest, err)
	}
	b := &baseImage{img: img, files: files, libs: baseLibs(files, arch)}
	if b.lower, err = readLowerFiles(files.Kept, maxLowerContent); err != nil {
		return nil, fmt.Errorf("the base %s: %w", src, err)
	}
	switch files.DB {
	case inspect.DBSqlite:
		blobs, err := inspect.ReadSqliteHeaders(ctx, files.Sqlite)
		if err != nil {
			return nil, fmt.Errorf("the base %s: the rpm database in layer %s: %w", src, files.DBLayer, err)
		}
		for i, blob := range blobs {
			h, err := rpm.ParseHeader(blob)
			if err != nil {
				return nil, fmt.Errorf("the base %s: the rpm database in layer %s: package %d: %w", src, files.DBLayer, i+1, err)
			}
			p := &rpm.Package{Header: h}
			if p.NEVRA().Name == "gpg-pubkey" { // dnf's imported keys: not packages
				continue
			}
			meta, err := p.Meta()
			if err != nil {
				return nil, fmt.Errorf("the base %s: the rpm database in layer %s: %s: %w", src, files.DBLayer, p.NEVRA(), err)
			}
			b.pkgs = append(b.pkgs, baseRPM{blob: blob, pkg: p, meta: meta})
		}
		if len(b.pkgs) == 0 {
			return nil, fmt.Errorf("the base %s: the rpm database in layer %s lists no packages", src, files.DBLayer)
		}
	case inspect.DBManifest:
		// A distroless base: names and versions only. Their dependencies
		// come from the repositories' entry of the same build, when there
		// is one (solveOnBase).
		pkgs, err := inspect.ParseManifest(files.Manifest)
		if err != nil {
			return nil, fmt.Errorf("the base %s: %s in layer %s: %w", src, inspect.ManifestPath, files.DBLayer, err)
		}
		lines := manifestLines(files.Manifest)
		for _, p := range pkgs {
			n := p.NEVRA()
			meta := rpmmeta.Package{NEVRA: n, Provides: []rpmmeta.Dep{
				{Name: n.Name, Flags: rpmmeta.SenseEqual, Version: n.EVR.String()},
				{Name: n.Name + "(" + n.Arch + ")", Flags: rpmmeta.SenseEqual, Version: n.EVR.String()},
			}}
			b.pkgs = append(b.pkgs, baseRPM{meta: meta, line: lines[n.Name+"."+n.Arch]})
		}
		if len(b.pkgs) == 0 {
			return nil, fmt.Errorf("the base %s: %s in layer %s lists no packages", src, inspect.ManifestPath, files.DBLayer)
		}
		b.manifestOnly = true
	default:
		return nil, fmt.Errorf("the base %s has no rpm database (%s): slipway cannot tell which packages it has installed", src, inspect.SqlitePath)
	}
	opts.log().Debug("base image", "base", src.String(), "arch", arch, "digest", img.Digest.String(), "packages", len(b.pkgs), "fetched", img.Fetched())
	return b, nil
}

// verifyBase checks the cosign signature of the base's manifest (the
// index or image its reference names, by digest) with base_verify_key,
// or the keyless one with the base_verify_identity options; both as
// `slipway verify` does (signing.Verify, signing.VerifyKeyless).
func verifyBase(ctx context.Context, cfg *config.Config, src manifests.Source, img *manifests.BaseImage, opts Options) error {
	opt := "image.base_verify_key"
	if cfg.Image.BaseVerify != nil {
		opt = "image.base_verify_identity"
	}
	if src.Ref == nil {
		return fmt.Errorf("%s: the base %s is not in a registry, where its signature would be", opt, src)
	}
	ref := src.Ref.Context().Digest(img.IndexDigest.String())
	vo := signing.VerifyOptions{Options: signing.Options{Registry: opts.Base.Registry, Log: opts.Log}}
	if k := cfg.Image.BaseVerify; k != nil {
		trust, err := signing.LoadKeylessTrust(k.CARoots, k.RekorKey, signing.Identity{
			Subject: k.Identity, SubjectRegexp: k.IdentityRegexp, Issuer: k.OIDCIssuer, IssuerRegexp: k.OIDCIssuerRegexp,
		})
		if err != nil {
			return fmt.Errorf("image.base_verify_identity: %w", err)
		}
		if _, err := signing.VerifyKeyless(ctx, ref, trust, vo); err != nil {
			return fmt.Errorf("the base %s (%s) is not signed by the %s: %w", src, img.IndexDigest, trust, err)
		}
		return nil
	}
	key := cfg.Image.BaseVerifyKey
	pem, err := localfile.ReadFile(key, "cosign public key", localfile.KeyLimit)
	if err != nil {
		return fmt.Errorf("image.base_verify_key: %w", err)
	}
	v, err := signing.LoadPublicKey(key, pem)
	if err != nil {
		return fmt.Errorf("image.base_verify_key: %w", err)
	}
	if _, err := signing.Verify(ctx, ref, v, vo); err != nil {
		return fmt.Errorf("the base %s (%s) is not signed by %s: %w", src, img.IndexDigest, key, err)
	}
	return nil
}

// UpgradeError is a request that needs newer versions of packages the
// base has installed, without [packages] upgrade_base.
type UpgradeError struct {
	Base     string
	Upgrades []string // "libfoo-1.0-1.x86_64 -> libfoo-2.0-1.x86_64"
}

func (e *UpgradeError) Error() string {
	return fmt.Sprintf("the request needs an upgrade of packages of the base %s: %s; set [packages] upgrade_base = true to allow it",
		e.Base, strings.Join(e.Upgrades, ", "))
}

// resolveOnBase resolves cfg's request for set's architecture as dnf
// install would on the base's system: the base's packages are installed
// (repository BaseRepo), a requirement they satisfy pulls nothing, and
// an upgrade of one needs upgrade_base (true: those the request needs,
// as dnf install; "all": every one with a newer version, as dnf upgrade
// then dnf install). The resolution's Packages are the added packages
// (with the upgrades); its Result has the base's too.
func resolveOnBase(ctx context.Context, cfg *config.Config, set *repo.Set, opts Options) (*Resolution, error) {
	base, err := openBase(ctx, cfg, set.Arch, opts)
	if err != nil {
		return nil, err
	}
	if cfg.Packages.UpgradeBase == config.UpgradeBaseAll {
		res, err := solveOnBase(ctx, cfg, set, base, config.UpgradeBaseAll, opts)
		if err != nil {
			return nil, err
		}
		res.base = base
		return res, nil
	}
	res, err := solveOnBase(ctx, cfg, set, base, config.UpgradeBaseNo, opts)
	if err != nil {
		// Would newer versions of base packages do? Then say which.
		up, uerr := solveOnBase(ctx, cfg, set, base, config.UpgradeBaseNeeded, opts)
		if uerr != nil {
			return nil, err
		}
		if cfg.Packages.UpgradeBase == config.UpgradeBaseNo {
			return nil, fmt.Errorf("resolving %s for %s: %w", cfg.Image.Name, set.Arch, &UpgradeError{Base: cfg.Image.Base, Upgrades: upgrades(base, up)})
		}
		res = up
	}
	res.base = base
	return res, nil
}

// upgrades lists the base packages r replaces with other versions.
func upgrades(base *baseImage, r *Resolution) []string {
	installed := map[string]string{}
	for _, p := range base.pkgs {
		installed[p.meta.Name+"."+p.meta.Arch] = p.meta.NEVRA.String()
	}
	var out []string
	for _, p := range r.Packages {
		if old, ok := installed[p.Name+"."+p.Arch]; ok {
			out = append(out, old+" -> "+p.NEVRA.String())
		}
	}
	sort.Strings(out)
	return out
}

// solveOnBase runs the solver with the base's packages installed. With
// UpgradeBaseNo, a repository package of the same name as a base package
// is no candidate (the base's version is the only one). Otherwise newer
// versions are, and the base's packages are requested by name: with
// UpgradeBaseNeeded the base's versions have the best priority, so a
// newer one is taken only where the request needs it (dnf install keeps
// what is installed); with UpgradeBaseAll the worst, so every base
// package is upgraded where a newer version can be installed (dnf
// upgrade).
func solveOnBase(ctx context.Context, cfg *config.Config, set *repo.Set, base *baseImage, mode config.UpgradeBase, opts Options) (*Resolution, error) {
	upgrade := mode != config.UpgradeBaseNo
	basePrio := 1
	if mode == config.UpgradeBaseAll {
		for _, p := range set.Packages {
			prio := p.Priority
			if prio == 0 { // dnf's default
				prio = 99
			}
			basePrio = max(basePrio, prio+1)
		}
	}
	installed := map[string]rpmmeta.NEVRA{}
	for _, p := range base.pkgs {
		installed[p.meta.Name] = p.meta.NEVRA
	}
	if base.manifestOnly {
		// Dependencies of a distroless base's packages: the repositories'
		// entry of the same build.
		same := map[rpmmeta.NEVRA]*repo.Package{}
		for _, p := range set.Packages {
			same[p.NEVRA] = p
		}
		for i := range base.pkgs {
			if p, ok := same[base.pkgs[i].meta.NEVRA]; ok {
				base.pkgs[i].meta = p.Package
			}
		}
	}
	cands := make([]solve.Candidate, 0, len(set.Packages)+len(base.pkgs))
	byMeta := make(map[*rpmmeta.Package]*repo.Package, len(set.Packages))
	fromBase := map[*rpmmeta.Package]bool{}
	for i := range base.pkgs {
		m := &base.pkgs[i].meta
		cands = append(cands, solve.Candidate{Pkg: m, Repo: BaseRepo, Priority: basePrio})
		fromBase[m] = true
	}
	for _, p := range set.Packages {
		if old, ok := installed[p.Name]; ok && (!upgrade || rpmmeta.Compare(p.EVR, old.EVR) <= 0) {
			continue
		}
		cands = append(cands, solve.Candidate{Pkg: &p.Package, Repo: p.Repo, Priority: p.Priority})
		byMeta[&p.Package] = p
	}
	install := slices.Clone(cfg.Packages.Install)
	for _, p := range base.pkgs {
		if upgrade {
			install = append(install, p.meta.Name)
		} else {
			install = append(install, p.meta.NEVRA.String())
		}
	}
	req := solve.Request{
		Arch:             set.Arch,
		Install:          install,
		Exclude:          cfg.Packages.Exclude,
		AllowUnsatisfied: cfg.Packages.AllowUnsatisfied,
		WeakDeps:         cfg.Packages.WeakDeps,
	}
	res, err := solve.Solve(ctx, opts.log(), req, cands)
	if err != nil {
		return nil, fmt.Errorf("resolving %s for %s on the base %s: %w", cfg.Image.Name, set.Arch, cfg.Image.Base, err)
	}
	r := &Resolution{Arch: set.Arch, Result: res, Set: set}
	baseNEVRA := map[string]bool{}
	for _, c := range res.Packages {
		if fromBase[c.Pkg] {
			baseNEVRA[c.Pkg.NEVRA.String()] = true
			continue
		}
		r.Packages = append(r.Packages, byMeta[c.Pkg])
	}
	// The base's packages are there because the base has them, not
	// because of the request that pinned them.
	reasons := res.Reasons[:0:0]
	for _, rs := range res.Reasons {
		if rs.Kind == solve.ByRequest && baseNEVRA[rs.Package] {
			rs.Dep = InstalledInBase + cfg.Image.Base
		}
		reasons = append(reasons, rs)
	}
	res.Reasons = reasons
	return r, nil
}
