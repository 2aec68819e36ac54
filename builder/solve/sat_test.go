package solve

import (
	"fmt"
	"testing"
)

// libsolvUnclosed checks libsolv's answer (NEVRAs) on its own terms, as
// TestResultsAreClosed checks ours: an error means libsolv installed a
// set that breaks one of its packages' requires, conflicts or obsoletes.
// libsolv 0.7.23 does that when a weak dependency reaches a package only
// through the condition of a rich if/unless ... else, for which it made
// no rules (libsolv issue #527, fixed by commit
// 1edb35a3bd9abcede3a200471a4d1868f8054c99); slipway makes the rules.
func libsolvUnclosed(t *testing.T, cs []Candidate, nevras []string) error {
	res := &Result{Arch: "x86_64"}
	for _, n := range nevras {
		found := false
		for _, c := range cs {
			if c.Pkg.NEVRA.String() == n && (c.Pkg.Arch == res.Arch || c.Pkg.Arch == "noarch") {
				res.Packages = append(res.Packages, c)
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("libsolv installed %s, which is not in the repository", n)
		}
	}
	return checkClosed(t, res)
}
