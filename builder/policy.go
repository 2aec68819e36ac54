package builder

import (
	"context"
	"fmt"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-build/slipway/builder/config"
	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/builder/policy"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/manifests"
	"github.com/slipway-build/slipway/manifests/inspect"
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

// LoadBaseline reads the package sets of cfg's policy.baseline when
// allow_new is false (nil, nil otherwise): a lockfile, a configuration
// (resolved with opts) or an image or index (oci:, docker-archive:, a
// registry reference, read with reg), as `slipway diff` reads them.
// resolve, build and publish share it.
func LoadBaseline(ctx context.Context, cfg *config.Config, opts Options, reg manifests.PushOptions) (policy.Baseline, error) {
	ref, ok := policy.BaselineRef(cfg)
	if !ok || cfg.Policy.AllowNew {
		return nil, nil
	}
	b, err := loadBaseline(ctx, ref, opts, reg)
	if err != nil {
		pos, _ := cfg.Origin("policy.baseline")
		return nil, fmt.Errorf("%s: policy.baseline: reading %s: %w", pos, ref, err)
	}
	return b, nil
}

func loadBaseline(ctx context.Context, ref string, opts Options, reg manifests.PushOptions) (policy.Baseline, error) {
	switch {
	case strings.HasSuffix(ref, ".lock"):
		data, err := localfile.ReadFile(ref, "lockfile", localfile.ConfigLimit)
		if err != nil {
			return nil, err
		}
		l, err := lock.Parse(data, ref)
		if err != nil {
			return nil, err
		}
		return LockBaseline(l), nil
	case strings.HasSuffix(ref, ".toml"):
		cfg, err := config.Load(ctx, ref, config.WithLogger(opts.log()))
		if err != nil {
			return nil, err
		}
		res, err := ResolveAll(ctx, cfg, cfg.Image.Architectures, opts)
		if err != nil {
			return nil, err
		}
		return LockBaseline(NewLock(cfg, res)), nil
	}
	src, err := manifests.ParseSource(ref, reg.Insecure)
	if err != nil {
		return nil, err
	}
	rep, err := inspect.Inspect(ctx, src, inspect.Options{Packages: true, Registry: reg, Log: opts.Log})
	if err != nil {
		return nil, err
	}
	b := policy.Baseline{}
	for _, im := range rep.Images {
		p, err := v1.ParsePlatform(im.Platform)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", im.Digest, err)
		}
		a, err := manifests.RPMArch(*p)
		if err != nil {
			return nil, err
		}
		if _, dup := b[a]; dup {
			return nil, fmt.Errorf("two images for %s", im.Platform)
		}
		list := make([]rpmmeta.NEVRA, 0, len(im.Packages))
		for _, p := range im.Packages {
			list = append(list, p.NEVRA())
		}
		b[a] = list
	}
	return b, nil
}

// archSet is the package set one architecture's build installs: the
// locked set, or a fresh resolution (res) turned into lock entries.
type archSet struct {
	arch string
	pkgs []lock.Package
	res  *Resolution // nil for a build of a lockfile
}

func (s archSet) result() *solve.Result {
	if s.res == nil {
		return nil
	}
	return s.res.Result
}

// policyImage describes the set for policy.Check before the build: a
// resolution's sizes as PolicyImage gives them; for a lockfile, which
// records no installed sizes, the installed size is unknown until the
// tree is written and the compressed one estimated from the RPM files.
func (s archSet) policyImage() policy.Image {
	if s.res != nil {
		return PolicyImage(s.res)
	}
	img := policy.Image{Arch: s.arch, InstalledSize: -1, CompressedEstimate: true}
	for _, p := range s.pkgs {
		img.Packages = append(img.Packages, p.NEVRA)
		img.CompressedSize += p.Size
	}
	return img
}

// packageSets resolves (or reads from the lock) every architecture's
// package set, concurrently; a failure names the architecture.
func packageSets(ctx context.Context, cfg *config.Config, arches []string, opts BuildOptions) ([]archSet, error) {
	sets := make([]archSet, len(arches))
	errs := make([]error, len(arches))
	var wg sync.WaitGroup
	for i, arch := range arches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts.progress(ProgressEvent{Arch: arch, Stage: StageMetadata})
			sets[i].arch = arch
			if opts.Lock != nil {
				sets[i].pkgs, _, errs[i] = packageSet(ctx, cfg, arch, opts.Lock, opts)
				return
			}
			r, err := Resolve(ctx, cfg, arch, opts.Options)
			if err != nil {
				errs[i] = err
				return
			}
			sets[i].res = r
			sets[i].pkgs = NewLock(cfg, []*Resolution{r}).Arches[0].Packages
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("building %s: %w", arches[i], err)
		}
	}
	return sets, nil
}

// checkSets checks the package sets against [policy] before anything is
// fetched.
func checkSets(cfg *config.Config, sets []archSet, baseline policy.Baseline) error {
	var vs []policy.Violation
	for _, s := range sets {
		vs = append(vs, policy.Check(cfg, s.policyImage(), baseline)...)
	}
	return policy.AsError(vs)
}

// checkBuilt checks the built images' sizes against [policy] before
// anything is output: the compressed size is now the layers' own, and
// a lockfile's installed size the file content the tree holds. The
// package rules were checked before the build and are not repeated.
func checkBuilt(cfg *config.Config, sets []archSet, builds []*ArchBuild, baseline policy.Baseline) error {
	var vs []policy.Violation
	for i, b := range builds {
		img := sets[i].policyImage()
		img.CompressedSize, img.CompressedEstimate = 0, false
		for _, l := range b.Layers {
			n, err := l.Size()
			if err != nil {
				return fmt.Errorf("%s: size of a layer: %w", b.Arch, err)
			}
			img.CompressedSize += n
		}
		if img.InstalledSize < 0 && b.Report != nil {
			img.InstalledSize = b.Report.Bytes
		}
		for _, v := range policy.Check(cfg, img, baseline) {
			if v.Rule == policy.RuleMaxSize || v.Rule == policy.RuleMaxCompressedSize {
				vs = append(vs, v)
			}
		}
	}
	return policy.AsError(vs)
}
