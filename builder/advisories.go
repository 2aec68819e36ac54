package builder

import (
	"context"
	"fmt"

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
