package solve

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

func TestDebugCase(t *testing.T) {
	seed, err := strconv.Atoi(os.Getenv("DBG_SEED"))
	if err != nil {
		t.Skip()
	}
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	cs := randomRepo(r)
	req := Request{Arch: "x86_64", Install: []string{os.Getenv("DBG_NAME")}, WeakDeps: os.Getenv("DBG_WEAK") != ""}
	tc := testsolvCase(t, cs, req, []string{"name " + req.Install[0]})
	t.Log(tc)
	want, pr := runTestsolv(t, tc)
	res, err := Solve(t.Context(), nil, req, cs)
	t.Log(want, pr)
	if err != nil {
		t.Log(err)
	} else {
		t.Log(sortedNEVRAs(res))
	}
}
