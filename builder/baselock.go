package builder

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/manifests"
)

// baseDigest is the base's platform image digest a resolution was made
// on, "" without a base.
func (r *Resolution) baseDigest() string {
	if r.base == nil {
		return ""
	}
	return r.base.img.Digest.String()
}

// checkBaseLock adds to err (lock.Check's verdict) the locked
// architectures whose base image the configured reference no longer
// names: the tag now points elsewhere. Only manifests are read.
func checkBaseLock(ctx context.Context, cfg *config.Config, l *lock.Lock, opts Options, err error) error {
	if cfg.Image.Base == "" {
		return err
	}
	var stale *lock.Stale
	if err != nil && !errors.As(err, &stale) {
		return err
	}
	var reasons []string
	for _, a := range l.Arches {
		if !contains(cfg.Image.Architectures, a.Name) {
			continue
		}
		if a.Base == "" {
			reasons = append(reasons, fmt.Sprintf("architecture %s records no base image; the configuration builds on %s", a.Name, cfg.Image.Base))
			continue
		}
		now, berr := baseManifestDigest(ctx, cfg, a.Name, opts)
		if berr != nil {
			return fmt.Errorf("checking lock: %w", berr)
		}
		if now != a.Base {
			reasons = append(reasons, fmt.Sprintf("the base %s now points to %s for %s; the lock was resolved on %s", cfg.Image.Base, now, a.Name, a.Base))
		}
	}
	if len(reasons) == 0 {
		return err
	}
	if stale == nil {
		stale = &lock.Stale{}
	}
	stale.Reasons = append(stale.Reasons, reasons...)
	return stale
}

// baseManifestDigest is the digest of cfg's base image for arch, read
// from its index (no layer is read).
func baseManifestDigest(ctx context.Context, cfg *config.Config, arch string, opts Options) (string, error) {
	src, err := manifests.ParseSource(cfg.Image.Base, opts.Base.Registry.Insecure)
	if err != nil {
		return "", fmt.Errorf("image.base: %w", err)
	}
	img, err := manifests.OpenBase(ctx, src, arch, "", opts.Base.Registry)
	if err != nil {
		return "", err
	}
	return img.Digest.String(), nil
}

// lockedBase is cfg with [image] base pinned to the digest the lockfile
// records for arch, for a --locked build: a registry base is read by
// that digest, whatever its tag now names; an OCI layout's is checked.
func lockedBase(cfg *config.Config, a *lock.Arch, opts Options) (*config.Config, string, error) {
	if a.Base == "" {
		return nil, "", fmt.Errorf("the lockfile records no base image for %s; run slipway lock", a.Name)
	}
	src, err := manifests.ParseSource(cfg.Image.Base, opts.Base.Registry.Insecure)
	if err != nil {
		return nil, "", fmt.Errorf("image.base: %w", err)
	}
	if src.Ref == nil {
		return cfg, a.Base, nil
	}
	c := *cfg
	c.Image.Base = src.Ref.Context().Digest(a.Base).String()
	return &c, a.Base, nil
}

// BasePackages are the packages the base image of a resolution on
// [image] base has installed (repository BaseRepo) and the image keeps
// (not those upgrade_base upgrades), sorted by name; nil without a base.
func (r *Resolution) BasePackages() []string {
	if r.base == nil {
		return nil
	}
	upgraded := map[string]bool{}
	for _, p := range r.Packages {
		upgraded[p.Name+"."+p.Arch] = true
	}
	out := make([]string, 0, len(r.base.pkgs))
	for _, p := range r.base.pkgs {
		if !upgraded[p.meta.Name+"."+p.meta.Arch] {
			out = append(out, p.meta.NEVRA.String())
		}
	}
	slices.Sort(out)
	return out
}
