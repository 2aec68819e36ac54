package rpmmeta

// Matches reports whether the provide p satisfies the requirement d: the
// names are equal and the version ranges overlap, following rpm's
// rpmdsCompare and libsolv (checked with testsolv):
//
//   - an unversioned side (no comparison flags, or no version text)
//     matches every version of the other;
//   - a missing epoch is epoch 0 on both sides ("foo >= 1.0" is satisfied
//     by "foo = 1:0.5", "foo = 1.0" is not satisfied by "foo = 2:1.0");
//   - a version without a release stands for all releases of that
//     version: "foo = 1.0-1" is satisfied by "foo = 1.0", "foo = 1.0" by
//     "foo = 1.0-7", and "foo < 1.0-1" by "foo >= 1.0" (libsolv's
//     EVRCMP_MATCH_RELEASE rule: when only one side has a release and the
//     rest is equal, the ranges meet if the release-less side includes
//     '=').
//
// Rich dependencies are not expanded here: see ParseRich.
func (d Dep) Matches(p Dep) bool {
	if d.Name != p.Name {
		return false
	}
	return RangesOverlap(d.Flags, d.Version, p.Flags, p.Version)
}

// RangesOverlap reports whether the version range (aFlags, aVersion)
// overlaps (bFlags, bVersion); see Dep.Matches.
func RangesOverlap(aFlags Sense, aVersion string, bFlags Sense, bVersion string) bool {
	af, bf := aFlags&SenseCompareMask, bFlags&SenseCompareMask
	if af == 0 || bf == 0 || aVersion == "" || bVersion == "" {
		return true
	}
	return overlap(af, ParseEVR(aVersion), bf, ParseEVR(bVersion))
}

func overlap(af Sense, a EVR, bf Sense, b EVR) bool {
	sense := Compare(EVR{Epoch: a.Epoch, Version: a.Version}, EVR{Epoch: b.Epoch, Version: b.Version})
	if sense == 0 && (a.Release == "") != (b.Release == "") {
		// The side without a release stands for every release of its
		// version: with '=' in it, it reaches the other side's range
		// whatever that is; without, it stops short of this version.
		if af&bf&(SenseLess|SenseGreater) != 0 {
			return true // both open the same way
		}
		if a.Release == "" {
			return af&SenseEqual != 0
		}
		return bf&SenseEqual != 0
	}
	if sense == 0 {
		sense = Vercmp(a.Release, b.Release)
	}
	switch {
	case sense < 0:
		return af&SenseGreater != 0 || bf&SenseLess != 0
	case sense > 0:
		return af&SenseLess != 0 || bf&SenseGreater != 0
	default:
		return af&SenseEqual != 0 && bf&SenseEqual != 0 ||
			af&SenseLess != 0 && bf&SenseLess != 0 ||
			af&SenseGreater != 0 && bf&SenseGreater != 0
	}
}

// MatchesEVR reports whether a package of the given name and EVR (that is,
// its self-provide "name = E:V-R") satisfies d.
func (d Dep) MatchesEVR(name string, evr EVR) bool {
	if d.Name != name {
		return false
	}
	if d.Flags&SenseCompareMask == 0 || d.Version == "" {
		return true
	}
	return overlap(d.Flags&SenseCompareMask, ParseEVR(d.Version), SenseEqual, evr)
}

// SelfProvide is the provide every package carries implicitly:
// "name = E:V-R".
func (p *Package) SelfProvide() Dep {
	return Dep{Name: p.Name, Flags: SenseEqual, Version: p.EVR.String()}
}

// AllProvides returns the package's provides with its self-provide added
// when the metadata does not already list it (createrepo_c lists it; RPM
// headers list it too; hand-made values may not). p is not modified; the
// result may share p.Provides' storage and must not be written to.
func (p *Package) AllProvides() []Dep {
	self := p.SelfProvide()
	for _, d := range p.Provides {
		if d.Name == self.Name && d.Flags&SenseCompareMask == SenseEqual && Compare(d.EVR(), p.EVR) == 0 && (d.EVR().Release != "") == (p.Release != "") {
			return p.Provides
		}
	}
	out := make([]Dep, 0, len(p.Provides)+1)
	out = append(out, p.Provides...)
	return append(out, self)
}
