package builder

import (
	"context"
	"fmt"

	"github.com/slipway-build/slipway/builder/config"
)

// LoadBases loads, once, the chain of shared base configurations of cfg
// (layers.strategy = shared-base, down to the first base written whole),
// by file as config.Config.Files names them: what BuildOptions.Bases
// takes, and what the lockfiles of the bases are checked against. On an
// error it returns the bases loaded before it with the error.
func LoadBases(ctx context.Context, cfg *config.Config, opts ...config.Option) (map[string]*config.Config, error) {
	out := map[string]*config.Config{}
	cur := cfg
	for depth := 0; cur.Layers.Strategy == config.LayersSharedBase && len(cur.Files) >= 2 && depth < maxBaseDepth; depth++ {
		f := cur.Files[1]
		bc, err := config.Load(ctx, f, opts...)
		if err != nil {
			return out, fmt.Errorf("loading the base configuration %s: %w", f, err)
		}
		out[f] = bc
		cur = bc
	}
	return out, nil
}
