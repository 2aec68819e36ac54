package solve

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/repo/synth"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

// randomDNFSeeds sets how many repositories each generator of
// TestRandomAgainstDNF makes; scripts/solver-diff-dnf.sh runs enough of
// them for more than 10,000 requests.
var randomDNFSeeds = flag.Int("random-dnf-seeds", 0, "repositories per generator in TestRandomAgainstDNF (0: 6, or 2 with -short)")

// answer is one solver's answer to a request: the NEVRAs it installs,
// sorted, or why it fails.
type answer struct {
	set []string
	err string
}

func (a answer) failed() bool { return a.err != "" }

func (a answer) same(b answer) bool {
	if a.failed() || b.failed() {
		return a.failed() == b.failed()
	}
	return slices.Equal(a.set, b.set)
}

func (a answer) String() string {
	if a.failed() {
		return "fails: " + a.err
	}
	return fmt.Sprint(a.set)
}

// dnfRequest is one `dnf install SPEC` of a generated repository, with
// the answers of dnf, testsolv and slipway.
type dnfRequest struct {
	seed int
	weak bool
	spec string
	// dnf is `dnf install spec`; libsolv is testsolv's `job install name
	// spec` (or provides) as TestRandomAgainstLibsolv asks it; slipway is
	// Pool.Solve as dnf install (obsoletes offered), slipwayKeep with
	// KeepObsoleted, as testsolv's job is. libsolvDNF is testsolv given
	// dnf's own job and flags (dnfTestsolvCase).
	dnf, libsolv, libsolvDNF, slipway, slipwayKeep answer
}

// TestRandomAgainstDNF solves the requests of TestRandomAgainstLibsolv,
// on the same generated repositories (same seeds), with dnf too: each
// repository is written as rpm-md metadata (builder/repo/synth) and
// every request is resolved by dnf's own install code
// (testdata/dnf_resolve.py, dnf's Python API: the repository is loaded
// once per seed, not once per request). It compares three ways, per
// generator and with weak deps on and off: slipway against dnf, slipway
// against testsolv, dnf against testsolv, and logs one RESULT line each,
// which scripts/solver-diff-dnf.sh reports. A choice where dnf and
// testsolv agree and slipway does not is logged with "SLIPWAY ALONE".
func TestRandomAgainstDNF(t *testing.T) {
	t.Parallel()
	py := requirePythonDNF(t)
	testutil.RequireTool(t, "testsolv", "libsolv-tools")
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	if *randomDNFSeeds > 0 {
		seeds = *randomDNFSeeds
	}
	for _, stress := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "stress"}[stress]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			reqs := dnfDifferential(t, py, seeds, stress)
			reportDNFDifferential(t, name, seeds, reqs)
		})
	}
}

// requirePythonDNF returns the python3 that can import dnf (the one
// first on PATH may be a shim without it), or skips (fails under CI).
func requirePythonDNF(t *testing.T) string {
	t.Helper()
	testutil.RequireTool(t, "dnf", "dnf")
	py := "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import dnf").CombinedOutput(); err != nil {
		msg := fmt.Sprintf("%s cannot import dnf (%v: %s): apt-get install dnf python3-dnf (or run scripts/install-test-deps.sh)", py, err, bytes.TrimSpace(out))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

// dnfDifferential generates the repositories of seeds 0..seeds-1 of one
// generator, writes them as repositories, asks dnf (one driver process
// for all of them), testsolv and slipway, and returns every request.
func dnfDifferential(t *testing.T, py string, seeds int, stress bool) []dnfRequest {
	tmp := t.TempDir()
	specs := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	if stress {
		specs = append(specs, "cap1", "cap2 >= 2", "cap3 < 3")
	}
	type driverRequest struct {
		Spec string `json:"spec"`
		Weak bool   `json:"weak"`
	}
	type driverRepo struct {
		Dir      string          `json:"dir"`
		Requests []driverRequest `json:"requests"`
	}
	job := struct {
		Root  string       `json:"root"`
		Cache string       `json:"cache"`
		Repos []driverRepo `json:"repos"`
	}{Root: filepath.Join(tmp, "root"), Cache: filepath.Join(tmp, "cache")}
	var reqs []dnfRequest
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), map[bool]uint64{false: 7, true: 15}[stress]))
		cs := randomRepo(r, stress)
		dir := filepath.Join(tmp, fmt.Sprint(seed))
		pkgs := make([]*rpmmeta.Package, len(cs))
		for i, c := range cs {
			pkgs[i] = c.Pkg
		}
		if err := synth.WritePackages(dir, pkgs); err != nil {
			t.Fatalf("writing the repository of seed %d: %v", seed, err)
		}
		dr := driverRepo{Dir: dir}
		pool := NewPool(cs)
		for _, weak := range []bool{false, true} {
			for _, spec := range specs {
				q := dnfRequest{seed: seed, weak: weak, spec: spec}
				tsJob := "name " + spec
				if strings.HasPrefix(spec, "cap") {
					tsJob = "provides " + spec
				}
				req := Request{Arch: "x86_64", Install: []string{spec}, WeakDeps: weak}
				q.slipway = solveAnswer(t, pool, req)
				req.KeepObsoleted = true
				q.slipwayKeep = solveAnswer(t, pool, req)
				set, problems := runTestsolv(t, testsolvCase(t, cs, req, []string{tsJob}))
				q.libsolv = answer{set: set, err: firstLine(problems)}
				if problems != "" && q.libsolv.err == "" {
					q.libsolv.err = "problems"
				}
				q.libsolvDNF = answer{err: "no match"}
				if c := dnfTestsolvCase(t, cs, spec, weak); c != "" {
					set, problems = runTestsolv(t, c)
					q.libsolvDNF = answer{set: set, err: firstLine(problems)}
					if problems != "" && q.libsolvDNF.err == "" {
						q.libsolvDNF.err = "problems"
					}
				}
				reqs = append(reqs, q)
				dr.Requests = append(dr.Requests, driverRequest{Spec: spec, Weak: weak})
			}
		}
		job.Repos = append(job.Repos, dr)
	}
	in, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, filepath.Join("testdata", "dnf_resolve.py"))
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "HOME="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dnf driver: %v\n%s", err, stderr.Bytes())
	}
	i := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var answers []struct {
			Install []string `json:"install"`
			Error   string   `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &answers); err != nil {
			t.Fatalf("dnf driver output: %v\n%s", err, sc.Bytes())
		}
		for _, a := range answers {
			if i >= len(reqs) {
				t.Fatalf("dnf driver answered more than %d requests", len(reqs))
			}
			reqs[i].dnf = answer{set: a.Install, err: firstLineOf(a.Error)}
			if a.Error == "" && a.Install == nil {
				reqs[i].dnf.set = []string{}
			}
			i++
		}
	}
	if i != len(reqs) {
		t.Fatalf("dnf driver answered %d of %d requests\n%s", i, len(reqs), stderr.Bytes())
	}
	return reqs
}

// dnfTestsolvCase is the testsolv case of `dnf install spec`: the job
// and flags dnf 4.14 (libdnf 0.69) hands libsolv, as its Goal's
// write_debugdata shows them. A bare name is "install oneof" the
// packages of that name and the packages obsoleting one of them
// (hawkey's Subject._get_best_selectors with obsoletes=True); a
// capability is the same job as testsolv's "install provides". It is
// "" when nothing matches.
func dnfTestsolvCase(t *testing.T, cs []Candidate, spec string, weak bool) string {
	// dnf's repository holds every arch (foreign ones are not
	// installable); testsolvCase writes the target arch and noarch only.
	var foreign []Candidate
	for _, c := range cs {
		if c.Pkg.Arch != "x86_64" && c.Pkg.Arch != "noarch" {
			foreign = append(foreign, c)
		}
	}
	head, tail, _ := strings.Cut(testsolvCase(t, cs, Request{Arch: "x86_64", WeakDeps: true}, nil), "system x86_64")
	var b strings.Builder
	b.WriteString(head)
	for _, arch := range []string{"aarch64"} {
		for _, l := range strings.SplitAfter(testsolvCase(t, foreign, Request{Arch: arch, WeakDeps: true}, nil), "\n") {
			if strings.HasPrefix(l, "#>=") && !strings.HasPrefix(l, "#>=Pkg: ") || strings.HasPrefix(l, "#>=Pkg: ") && strings.HasSuffix(l, " "+arch+"\n") {
				b.WriteString(l)
			}
		}
	}
	b.WriteString("system x86_64" + tail)
	b.WriteString("poolflags implicitobsoleteusescolors whatprovideswithdisabled\n")
	b.WriteString("solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes")
	if !weak {
		b.WriteString(" ignorerecommended")
	}
	b.WriteString("\n")
	if strings.HasPrefix(spec, "cap") {
		b.WriteString("job install provides " + spec + "\n")
		return b.String()
	}
	// The obsoleters of the packages of that name dnf can install (its
	// obsoletes filter looks them up through libsolv's whatprovides,
	// which leaves out foreign arches); the job still lists the name's
	// packages of every arch, so a name with none installable fails
	// ("conflicting requests").
	var named []*rpmmeta.Package
	for _, c := range cs {
		if c.Pkg.Name == spec && (c.Pkg.Arch == "x86_64" || c.Pkg.Arch == "noarch") {
			named = append(named, c.Pkg)
		}
	}
	var sel []string
	for _, c := range cs {
		p := c.Pkg
		in := p.Name == spec
		for _, o := range p.Obsoletes {
			for _, n := range named {
				in = in || o.MatchesEVR(n.Name, n.EVR)
			}
		}
		if in {
			sel = append(sel, p.NEVRA.String()+"@available")
		}
	}
	if len(sel) == 0 {
		return ""
	}
	b.WriteString("job install oneof " + strings.Join(sel, " ") + " [setevr,setarch]\n")
	return b.String()
}

func solveAnswer(t *testing.T, pool *Pool, req Request) answer {
	res, err := pool.Solve(t.Context(), nil, req)
	if err != nil {
		if ue := (*UnsolvableError)(nil); !errors.As(err, &ue) {
			t.Fatalf("solving %v: %v", req.Install, err)
		}
		return answer{err: firstLineOf(err.Error())}
	}
	return answer{set: sortedNEVRAs(res)}
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// reportDNFDifferential counts the comparisons, with weak deps off and
// on, logs every difference and one RESULT line each, and fails when
// slipway and dnf differ in solvability, or when testsolv given dnf's
// job differs from dnf (then dnfTestsolvCase, which the classification
// rests on, is wrong).
func reportDNFDifferential(t *testing.T, name string, seeds int, reqs []dnfRequest) {
	for _, weak := range []bool{false, true} {
		var total, sd, sl, dl, dlJob, alone, followsDNF, notDNF, solvability int
		for _, q := range reqs {
			if q.weak != weak {
				continue
			}
			total++
			where := fmt.Sprintf("seed %d weak=%v install %q", q.seed, q.weak, q.spec)
			if !q.slipwayKeep.same(q.libsolv) {
				sl++
			}
			if !q.dnf.same(q.libsolvDNF) {
				dlJob++
				t.Errorf("%s: dnf and testsolv given dnf's job differ:\n  dnf     %v\n  libsolv %v", where, q.dnf, q.libsolvDNF)
			}
			if !q.dnf.same(q.libsolv) {
				// Only the job differs: dnf offers a name's obsoleters.
				dl++
				if q.slipway.same(q.dnf) {
					followsDNF++
				} else {
					notDNF++
				}
			}
			if q.slipway.same(q.dnf) {
				continue
			}
			sd++
			if q.slipway.failed() != q.dnf.failed() {
				solvability++
				t.Errorf("%s: slipway %v, dnf %v", where, q.slipway, q.dnf)
			}
			if q.dnf.same(q.libsolvDNF) {
				alone++
				t.Logf("SLIPWAY ALONE %s:\n  slipway %v\n  dnf     %v\n  libsolv %v (plain job: %v)", where, q.slipway, q.dnf, q.libsolvDNF, q.libsolv)
			}
		}
		t.Logf("RESULT generator=%s weak=%v seeds=%d requests=%d slipway_vs_dnf=%d slipway_vs_libsolv=%d dnf_vs_libsolv=%d (dnf follows: slipway_same=%d slipway_other=%d) dnf_vs_libsolv_dnfjob=%d slipway_alone=%d solvability=%d",
			name, weak, seeds, total, sd, sl, dl, followsDNF, notDNF, dlJob, alone, solvability)
	}
}
