package builder

import (
	"context"
	"fmt"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
)

// NewLock turns resolutions into a lockfile for cfg.
func NewLock(cfg *config.Config, res []*Resolution) *lock.Lock {
	l := &lock.Lock{ConfigDigest: cfg.Digest()}
	for _, r := range res {
		a := lock.Arch{Name: r.Arch, Base: r.baseDigest()}
		for _, p := range r.Packages {
			a.Packages = append(a.Packages, lock.Package{
				NEVRA:    p.NEVRA,
				Repo:     p.Repo,
				Location: p.Location,
				Checksum: lock.Checksum{Type: p.Checksum.Type, Value: p.Checksum.Value},
				Size:     int64(p.PackageSize),
			})
		}
		l.Arches = append(l.Arches, a)
	}
	l.Sort()
	return l
}

// CheckLock reports whether l still fits cfg and the repositories: it
// returns a *lock.Stale naming every reason when it does not. It loads the
// repositories' metadata (not the packages) of each locked architecture.
func CheckLock(ctx context.Context, cfg *config.Config, l *lock.Lock, opts Options) error {
	type key struct{ repo, location, checksum string }
	avail := map[key]bool{}
	for _, a := range l.Arches {
		if !contains(cfg.Image.Architectures, a.Name) {
			continue
		}
		set, err := LoadRepos(ctx, cfg, a.Name, opts)
		if err != nil {
			return fmt.Errorf("checking lock: %w", err)
		}
		for _, p := range set.Packages {
			avail[key{p.Repo, p.Location, p.Checksum.Type + ":" + p.Checksum.Value}] = true
		}
	}
	err := lock.Check(l, cfg.Digest(), cfg.Image.Architectures, func(repoID string, p lock.Package) bool {
		return avail[key{repoID, p.Location, p.Checksum.String()}]
	})
	return checkBaseLock(ctx, cfg, l, opts, err)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
