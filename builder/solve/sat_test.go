package solve

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
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

// TestLibsolvIssue527 is libsolv's own regression case for its issue
// #527: "pass recommends (xclip if xorg else wl-clipboard)" with only
// xorg available, which cannot be installed. libsolv 0.7.23 installs
// xorg anyway (it made no rules for it); slipway follows the fix and
// installs pass alone, and with 0.7.23's behaviour reproduced gives
// testsolv's set, which is what the differential relies on.
func TestLibsolvIssue527(t *testing.T) {
	t.Parallel()
	cs := cands(t,
		"xorg-1-1.noarch; R:missing-req",
		"pass-1-1.noarch; Rec:(xclip if xorg else wl-clipboard)",
	)
	req := Request{Arch: "x86_64", Install: []string{"pass"}, WeakDeps: true, KeepObsoleted: true}
	pool := NewPool(cs)
	res, err := pool.Solve(t.Context(), nil, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedNEVRAs(res); !slices.Equal(got, []string{"pass-1-1.noarch"}) {
		t.Errorf("got %v, want pass alone", got)
	}
	want, problems := runTestsolv(t, testsolvCase(t, cs, req, []string{"name pass"}))
	if problems != "" {
		t.Fatalf("testsolv: %s", problems)
	}
	if !libsolvBugOnly(t, pool, req, want) {
		t.Errorf("with libsolv 0.7.23's bug reproduced the set is not testsolv's %v", want)
	}
}

// TestSolveConcurrent solves the same requests on one pool from several
// goroutines (one Solve per arch shares a pool): the answers must be
// those of solving them one at a time. Run with -race.
func TestSolveConcurrent(t *testing.T) {
	t.Parallel()
	cs := randomRepo(rand.New(rand.NewPCG(3, 15)), true)
	pool := NewPool(cs)
	var reqs []Request
	for _, weak := range []bool{false, true} {
		for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
			reqs = append(reqs, Request{Arch: "x86_64", Install: []string{n}, WeakDeps: weak})
		}
	}
	want := make([]string, len(reqs))
	for i, req := range reqs {
		res, err := pool.Solve(t.Context(), nil, req)
		want[i] = fmt.Sprint(err)
		if err == nil {
			want[i] = fmt.Sprint(sortedNEVRAs(res))
		}
	}
	got := make([]string, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			res, err := pool.Solve(t.Context(), nil, req)
			got[i] = fmt.Sprint(err)
			if err == nil {
				got[i] = fmt.Sprint(sortedNEVRAs(res))
			}
		})
	}
	wg.Wait()
	if !slices.Equal(got, want) {
		t.Errorf("concurrent answers differ:\n got %v\nwant %v", got, want)
	}
}

// TestPrioritiesAgainstLibsolv is the randomized differential with the
// packages spread over two repositories of different dnf priorities
// (libsolv's prune_to_highest_prio and dislike_old_versions look at
// them): every set must be testsolv's, but for libsolv 0.7.23's bug
// #527 (see libsolvBugOnly).
func TestPrioritiesAgainstLibsolv(t *testing.T) {
	t.Parallel()
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	if *randomSeeds > 0 {
		seeds = *randomSeeds
	}
	var total, bug int
	for seed := 0; seed < seeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 21))
		var hi, lo []Candidate
		for _, c := range randomRepo(r, seed%2 == 1) {
			if r.IntN(2) == 0 {
				c.Repo, c.Priority = "hi", 10
				hi = append(hi, c)
			} else {
				c.Repo, c.Priority = "lo", 99
				lo = append(lo, c)
			}
		}
		// Package ids follow the repositories' order in the testcase.
		pool := NewPool(append(slices.Clone(hi), lo...))
		for _, weak := range []bool{false, true} {
			for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
				req := Request{Arch: "x86_64", Install: []string{n}, WeakDeps: weak, KeepObsoleted: true}
				want, problems := runTestsolv(t, testsolvTwoRepos(t, hi, -10, lo, -99, req, "name "+n))
				res, err := pool.Solve(t.Context(), nil, req)
				total++
				if (err != nil) != (problems != "") {
					t.Errorf("seed %d weak=%v install %s: we say %v, libsolv says %v %s", seed, weak, n, err, want, firstLine(problems))
					continue
				}
				if err != nil {
					continue
				}
				if got := sortedNEVRAs(res); !slices.Equal(got, want) {
					if libsolvBugOnly(t, pool, req, want) {
						bug++
						continue
					}
					t.Errorf("seed %d weak=%v install %s:\n  slipway %v\n  libsolv %v", seed, weak, n, got, want)
				}
			}
		}
	}
	t.Logf("RESULT generator=priorities seeds=%d requests=%d libsolv_527=%d", seeds, total, bug)
}

// testsolvTwoRepos writes a testcase with two repositories of the given
// libsolv priorities (dnf's priority negated: higher wins), in that
// order, and one install job.
func testsolvTwoRepos(t *testing.T, a []Candidate, prioA int, b []Candidate, prioB int, req Request, job string) string {
	body := func(cs []Candidate) string {
		tc := testsolvCase(t, cs, req, nil)
		const head = "repo available 0 testtags <inline>\n"
		start := strings.Index(tc, head) + len(head)
		return tc[start : strings.Index(tc, "\nsystem ")+1]
	}
	tail := testsolvCase(t, nil, req, nil)
	tail = tail[strings.Index(tail, "\nsystem ")+1:]
	return fmt.Sprintf("repo system 0 testtags <inline>\nrepo hi %d testtags <inline>\n%srepo lo %d testtags <inline>\n%s%sjob install %s\n",
		prioA, body(a), prioB, body(b), tail, job)
}
