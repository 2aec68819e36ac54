package builder

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-build/slipway/layers/split"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/manifests/inspect"
)

// PreviousPlan reads the layer plan of each architecture's image in src
// (an OCI layout or a registry reference): the package layers the origin
// strategy annotated, bottom first. An image without them (another
// strategy) gives an empty plan.
func PreviousPlan(ctx context.Context, src manifests.Source, po manifests.PushOptions) (map[string][]split.PrevLayer, error) {
	rep, err := inspect.Inspect(ctx, src, inspect.Options{Registry: po})
	if err != nil {
		return nil, fmt.Errorf("reading the previous image %s: %w", src, err)
	}
	out := map[string][]split.PrevLayer{}
	for _, im := range rep.Images {
		p, err := v1.ParsePlatform(im.Platform)
		if err != nil {
			return nil, fmt.Errorf("the previous image %s: platform %q: %w", src, im.Platform, err)
		}
		arch, err := manifests.RPMArch(*p)
		if err != nil {
			return nil, fmt.Errorf("the previous image %s: %w", src, err)
		}
		var plan []split.PrevLayer
		for _, l := range im.Layers {
			if pl, ok := split.ParsePrevLayer(l.Annotations, manifests.LayerSourcesAnnotation, manifests.LayerPackagesAnnotation); ok {
				plan = append(plan, pl)
			}
		}
		out[arch] = plan
	}
	return out, nil
}
