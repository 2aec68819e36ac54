package solve

import (
	"slices"
	"testing"
)

// libsolvBugOnly reports whether solving req with libsolv 0.7.23's
// issue #527 reproduced (Request.libsolv0723) gives libsolv's answer
// want: then a difference from want is that bug, fixed in later libsolv
// by commit 1edb35a3bd9abcede3a200471a4d1868f8054c99, which slipway
// follows. With the bug, libsolv installs the condition of a rich
// if/unless ... else in a Recommends without making rules for it, so
// its requirements go unchecked.
func libsolvBugOnly(t *testing.T, pool *Pool, req Request, want []string) bool {
	req.libsolv0723 = true
	res, err := pool.Solve(t.Context(), nil, req)
	return err == nil && slices.Equal(sortedNEVRAs(res), want)
}
