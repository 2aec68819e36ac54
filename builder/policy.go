package builder

import (
	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/policy"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/rpmmeta"
)

// PolicyImage describes a resolution for policy.Check before anything is
// built: the installed size is the sum of the packages' installed sizes,
// the compressed size an estimate (the sum of the RPM files' sizes), and
// Why the chain `slipway why` prints. A build replaces CompressedSize with
// its layers' size and clears CompressedEstimate.
func PolicyImage(r *Resolution) policy.Image {
	img := policy.Image{Arch: r.Arch, CompressedEstimate: true}
	for _, p := range r.Packages {
		img.Packages = append(img.Packages, p.NEVRA)
		img.InstalledSize += int64(p.InstalledSize)
		img.CompressedSize += int64(p.PackageSize)
	}
	res := r.Result
	img.Why = func(name string) string {
		if res == nil {
			return ""
		}
		return solve.FormatChain(res.Why(name))
	}
	return img
}

// CheckPolicy checks every resolution against cfg's [policy] (see
// policy.Check) and returns a *policy.Error listing every violation, or
// nil. baseline is needed only when allow_new is false.
func CheckPolicy(cfg *config.Config, res []*Resolution, baseline policy.Baseline) error {
	var vs []policy.Violation
	for _, r := range res {
		vs = append(vs, policy.Check(cfg, PolicyImage(r), baseline)...)
	}
	return policy.AsError(vs)
}

// LockBaseline turns a lockfile into a policy baseline.
func LockBaseline(l *lock.Lock) policy.Baseline {
	b := policy.Baseline{}
	for _, a := range l.Arches {
		list := make([]rpmmeta.NEVRA, 0, len(a.Packages))
		for _, p := range a.Packages {
			list = append(list, p.NEVRA)
		}
		b[a.Name] = list
	}
	return b
}
