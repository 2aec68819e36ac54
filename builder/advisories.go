package builder

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/rpmmeta"
)

// Advisories loads the advisories (updateinfo.xml) of the set's
// repositories and indexes them; repositories without updateinfo give
// none.
func Advisories(ctx context.Context, set *repo.Set) (*repo.AdvisoryIndex, error) {
	advs, err := set.Advisories(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading advisories for %s: %w", set.Arch, err)
	}
	return repo.NewAdvisoryIndex(advs), nil
}

// MatchAdvisories returns the advisories of the set's repositories that
// concern installed: fixed by its versions, or open because the set holds
// a newer build that fixes them (see repo.AdvisoryIndex.Match).
func MatchAdvisories(ctx context.Context, set *repo.Set, installed []rpmmeta.NEVRA) ([]repo.AdvisoryMatch, error) {
	x, err := Advisories(ctx, set)
	if err != nil {
		return nil, err
	}
	avail := make([]rpmmeta.NEVRA, len(set.Packages))
	for i, p := range set.Packages {
		avail[i] = p.NEVRA
	}
	return x.Match(installed, avail), nil
}

// fixedAdvisories sets each build's Advisories: those of the metadata its
// resolution loaded (only updateinfo.xml is read besides, from the cache
// when there) that the installed versions fix. They are release notes,
// not part of the image: a repository whose updateinfo cannot be read is
// logged and its build gets none.
func fixedAdvisories(ctx context.Context, sets []archSet, builds []*ArchBuild, log *slog.Logger) {
	var wg sync.WaitGroup
	for i, s := range sets {
		if s.res == nil || s.res.Set == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			installed := make([]rpmmeta.NEVRA, len(s.pkgs))
			for j, p := range s.pkgs {
				installed[j] = p.NEVRA
			}
			ms, err := MatchAdvisories(ctx, s.res.Set, installed)
			if err != nil {
				log.Warn("no advisories in the report", "arch", s.arch, "err", err.Error())
				return
			}
			var fixed []repo.AdvisoryMatch
			for _, m := range ms {
				if m.State == repo.AdvisoryFixed {
					fixed = append(fixed, m)
				}
			}
			builds[i].Advisories = fixed
		}()
	}
	wg.Wait()
}
