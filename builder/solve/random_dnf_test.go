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
var randomDNFSeeds = flag.Int("random-dnf-seeds", 0, "repositories per generator in TestRandomAgainstDNF (0: 16, or 4 with -short)")

// randomDNFSave names a directory where TestRandomAgainstDNF writes a
// minimal testsolv case of each difference between slipway and dnf.
var randomDNFSave = flag.String("random-dnf-save", "", "directory for TestRandomAgainstDNF's minimal testsolv cases of slipway's differences from dnf")

// randomDNFCLI sets how many requests per generator TestRandomAgainstDNF
// also runs through the dnf command line, to check that its Python
// driver answers what `dnf install` answers.
var randomDNFCLI = flag.Int("random-dnf-cli", 0, "requests per generator TestRandomAgainstDNF checks against the dnf command line (0: 3, or 1 with -short)")

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
	// dnf's own job and flags (dnfTestsolvCase). slipway527 is slipway
	// as dnf install with libsolv 0.7.23's bug #527 reproduced (Debian's
	// dnf runs on that libsolv): a difference it explains is that bug.
	dnf, libsolv, libsolvDNF, slipway, slipwayKeep, slipway527 answer
}

// TestRandomAgainstDNF solves the requests of TestRandomAgainstLibsolv,
// on the same generated repositories (same seeds), with dnf too: each
// repository is written as rpm-md metadata (builder/repo/synth) and
// every request is resolved by dnf's own install code
// (testdata/dnf_resolve.py, dnf's Python API: the repository is loaded
// once per seed, not once per request). It compares three ways, per
// generator and with weak deps on and off: slipway against dnf, slipway
// against testsolv, dnf against testsolv, and dnf against testsolv
// given dnf's own job (which must agree: the same libsolv), and logs one
// RESULT line each, which scripts/solver-diff-dnf.sh reports. A choice
// where dnf and testsolv given its job agree and slipway does not is
// logged with "SLIPWAY ALONE".
func TestRandomAgainstDNF(t *testing.T) {
	t.Parallel()
	py := requirePythonDNF(t)
	testutil.RequireTool(t, "testsolv", "libsolv-tools")
	seeds, cli := 16, 3
	if testing.Short() {
		seeds, cli = 4, 1
	}
	if *randomDNFSeeds > 0 {
		seeds = *randomDNFSeeds
	}
	if *randomDNFCLI > 0 {
		cli = *randomDNFCLI
	}
	for _, stress := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "stress"}[stress]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			reqs, dir := dnfDifferential(t, py, seeds, stress)
			checkDNFDriver(t, dir, reqs, cli)
			reportDNFDifferential(t, name, seeds, reqs)
			if *randomDNFSave != "" {
				saveDNFDifferences(t, py, *randomDNFSave, name, stress, reqs)
			}
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
// generator, writes them as repositories (DIR/SEED), asks dnf (one
// driver process for all of them), testsolv and slipway, and returns
// every request and DIR.
func dnfDifferential(t *testing.T, py string, seeds int, stress bool) ([]dnfRequest, string) {
	tmp := t.TempDir()
	specs := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	if stress {
		specs = append(specs, "cap1", "cap2 >= 2", "cap3 < 3")
	}
	var reqs []dnfRequest
	var repos []driverRepo
	for seed := range seeds {
		cs := randomCandidates(seed, stress)
		dir := filepath.Join(tmp, fmt.Sprint(seed))
		writeCandidates(t, dir, cs)
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
				bug := req
				bug.libsolv0723 = true
				q.slipway527 = solveAnswer(t, pool, bug)
				req.KeepObsoleted = true
				q.slipwayKeep = solveAnswer(t, pool, req)
				q.libsolv = testsolvAnswer(t, testsolvCase(t, cs, req, []string{tsJob}))
				q.libsolvDNF = testsolvAnswer(t, dnfTestsolvCase(t, cs, spec, weak))
				reqs = append(reqs, q)
				dr.Requests = append(dr.Requests, driverRequest{Spec: spec, Weak: weak})
			}
		}
		repos = append(repos, dr)
	}
	for i, a := range slices.Concat(runDNFDriver(t, py, tmp, repos)...) {
		reqs[i].dnf = a
	}
	return reqs, tmp
}

// randomCandidates is the repository TestRandomAgainstLibsolv solves for
// seed.
func randomCandidates(seed int, stress bool) []Candidate {
	return randomRepo(rand.New(rand.NewPCG(uint64(seed), map[bool]uint64{false: 7, true: 15}[stress])), stress)
}

func writeCandidates(t *testing.T, dir string, cs []Candidate) {
	pkgs := make([]*rpmmeta.Package, len(cs))
	for i, c := range cs {
		pkgs[i] = c.Pkg
	}
	if err := synth.WritePackages(dir, pkgs); err != nil {
		t.Fatalf("writing repository %s: %v", dir, err)
	}
}

// testsolvAnswer runs a testcase; "" (nothing matches) fails.
func testsolvAnswer(t *testing.T, testcase string) answer {
	if testcase == "" {
		return answer{err: "no match"}
	}
	set, problems := runTestsolv(t, testcase)
	a := answer{set: set, err: firstLine(problems)}
	if problems != "" && a.err == "" {
		a.err = "problems"
	}
	return a
}

type driverRequest struct {
	Spec string `json:"spec"`
	Weak bool   `json:"weak"`
}

type driverRepo struct {
	Dir      string          `json:"dir"`
	Requests []driverRequest `json:"requests"`
}

// runDNFDriver asks testdata/dnf_resolve.py for the answers of dnf to
// every request of every repository, in one process.
func runDNFDriver(t *testing.T, py, tmp string, repos []driverRepo) [][]answer {
	job := struct {
		Root  string       `json:"root"`
		Cache string       `json:"cache"`
		Repos []driverRepo `json:"repos"`
	}{Root: filepath.Join(tmp, "root"), Cache: filepath.Join(tmp, "cache"), Repos: repos}
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
	var all [][]answer
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
		r := len(all)
		if r >= len(repos) || len(answers) != len(repos[r].Requests) {
			t.Fatalf("dnf driver: %d answers for repository %d, want %d", len(answers), r, len(repos[min(r, len(repos)-1)].Requests))
		}
		var as []answer
		for _, a := range answers {
			x := answer{set: a.Install, err: firstLineOf(a.Error)}
			if a.Error == "" && a.Install == nil {
				x.set = []string{}
			}
			as = append(as, x)
		}
		all = append(all, as)
	}
	if len(all) != len(repos) {
		t.Fatalf("dnf driver answered for %d of %d repositories\n%s", len(all), len(repos), stderr.Bytes())
	}
	return all
}

// checkDNFDriver runs n of the requests through `dnf --assumeno install`
// and wants the driver's answers: first requests where dnf offers an
// obsoleting package (its answer differs from testsolv's plain job),
// then one where dnf fails, then requests spread over the rest.
func checkDNFDriver(t *testing.T, dir string, reqs []dnfRequest, n int) {
	var pick []int
	add := func(i int) {
		if len(pick) < n && !slices.Contains(pick, i) {
			pick = append(pick, i)
		}
	}
	if i := slices.IndexFunc(reqs, func(q dnfRequest) bool { return !q.dnf.same(q.libsolv) }); i >= 0 {
		add(i)
	}
	if i := slices.IndexFunc(reqs, func(q dnfRequest) bool { return q.dnf.failed() }); i >= 0 {
		add(i)
	}
	for i := 0; len(pick) < n && len(pick) < len(reqs); i += len(reqs)/n + 1 {
		add(i % len(reqs))
	}
	dnf := testutil.RequireTool(t, "dnf", "dnf")
	crashed := 0
	for _, i := range pick {
		q := reqs[i]
		tmp := t.TempDir()
		args := []string{"--assumeno", "--releasever=3", "--setopt=reposdir=/dev/null", "--setopt=cachedir=" + filepath.Join(tmp, "cache"),
			fmt.Sprintf("--setopt=install_weak_deps=%v", q.weak), "--installroot=" + filepath.Join(tmp, "root"), "--forcearch=x86_64",
			"--repofrompath=gen,file://" + filepath.Join(dir, fmt.Sprint(q.seed)), "--repo=gen", "--nogpgcheck", "install", q.spec}
		cmd := exec.CommandContext(t.Context(), dnf, args...)
		cmd.Env = append(os.Environ(), "HOME="+tmp)
		out, err := cmd.CombinedOutput() // --assumeno always exits 1
		text := string(out)
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && !ee.Exited() {
			// dnf 4.14 crashes (SIGSEGV) after printing a best=False
			// warning about a rich conflict "provided by <NULL>"; the
			// driver's resolve of the same goal is unaffected.
			t.Logf("seed %d weak=%v: dnf install %q crashed (%v), not compared:\n%s", q.seed, q.weak, q.spec, ee, text)
			crashed++
			continue
		}
		got := answer{set: testutil.ParseDNFTransaction(text, "gen")}
		switch {
		case strings.Contains(text, "Error:"):
			got = answer{err: "dnf: Error"}
		case !strings.Contains(text, "Operation aborted") && !strings.Contains(text, "Nothing to do"):
			t.Fatalf("dnf: unexpected output:\n%s", text)
		case got.set == nil:
			got.set = []string{}
		}
		if !got.same(q.dnf) {
			t.Errorf("seed %d weak=%v: dnf install %q says %v, the driver %v\n%s", q.seed, q.weak, q.spec, got, q.dnf, text)
		}
	}
	t.Logf("the dnf command line agrees with the driver on %d requests (and crashed on %d)", len(pick)-crashed, crashed)
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
	var all, allAlone int
	for _, weak := range []bool{false, true} {
		var total, sd, sl, dl, dlJob, alone, bug527, followsDNF, notDNF, solvability int
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
			if q.dnf.same(q.libsolvDNF) && q.slipway527.same(q.dnf) {
				// libsolv 0.7.23's bug #527 (fixed by commit 1edb35a3),
				// which dnf's libsolv has: reproduced, slipway gives
				// dnf's set.
				bug527++
				t.Logf("libsolv #527 %s:\n  slipway %v\n  dnf     %v", where, q.slipway, q.dnf)
				continue
			}
			if q.dnf.same(q.libsolvDNF) {
				alone++
				t.Logf("SLIPWAY ALONE %s:\n  slipway %v\n  dnf     %v\n  libsolv %v (plain job: %v)", where, q.slipway, q.dnf, q.libsolvDNF, q.libsolv)
			}
		}
		t.Logf("RESULT generator=%s weak=%v seeds=%d requests=%d slipway_vs_dnf=%d slipway_vs_libsolv=%d dnf_vs_libsolv=%d (dnf follows: slipway_same=%d slipway_other=%d) dnf_vs_libsolv_dnfjob=%d slipway_alone=%d libsolv_527=%d solvability=%d",
			name, weak, seeds, total, sd, sl, dl, followsDNF, notDNF, dlJob, alone, bug527, solvability)
		all, allAlone = all+total, allAlone+alone
	}
	// Every set must be dnf's, except where libsolv 0.7.23's bug #527
	// alone explains the difference (docs/solver.md).
	if allAlone > 0 {
		t.Errorf("choices differ from dnf: %d of %d", allAlone, all)
	}
}

// saveDNFDifferences writes, for each request where slipway differs from
// dnf (and dnf agrees with testsolv given its job), the smallest
// repository found that keeps the difference, as a testsolv case with
// dnf's job and dnf's answer as the expected result (testsolv prints
// nothing when libsolv agrees). dnf itself checks each reduced
// repository before it is kept.
func saveDNFDifferences(t *testing.T, py, dir, name string, stress bool, reqs []dnfRequest) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	type saved struct {
		file string
		q    dnfRequest
		cs   []Candidate
	}
	var cases []saved
	var repos []driverRepo
	tmp := t.TempDir()
	for _, q := range reqs {
		if q.slipway.same(q.dnf) || !q.dnf.same(q.libsolvDNF) {
			continue
		}
		cs := minimizeDifference(t, randomCandidates(q.seed, stress), q.spec, q.weak)
		repo := filepath.Join(tmp, fmt.Sprint(len(cases)))
		writeCandidates(t, repo, cs)
		repos = append(repos, driverRepo{Dir: repo, Requests: []driverRequest{{Spec: q.spec, Weak: q.weak}}})
		file := fmt.Sprintf("%s-seed%d-weak%v-%s.t", name, q.seed, q.weak, strings.Map(func(r rune) rune {
			if r == ' ' || r == '<' || r == '>' || r == '=' {
				return '_'
			}
			return r
		}, q.spec))
		cases = append(cases, saved{file, q, cs})
	}
	if len(cases) == 0 {
		return
	}
	for i, as := range runDNFDriver(t, py, tmp, repos) {
		c := cases[i]
		pool := NewPool(c.cs)
		got := solveAnswer(t, pool, Request{Arch: "x86_64", Install: []string{c.q.spec}, WeakDeps: c.q.weak})
		if got.same(as[0]) || as[0].failed() {
			t.Errorf("%s: the reduced repository no longer differs for dnf (dnf %v, slipway %v)", c.file, as[0], got)
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# TestRandomAgainstDNF generator=%s seed=%d weak=%v: dnf install %q, reduced\n", name, c.q.seed, c.q.weak, c.q.spec)
		fmt.Fprintf(&b, "# dnf (and testsolv given dnf's job, this case): %v\n# slipway:  %v\n", as[0], got)
		fmt.Fprintf(&b, "# full repository: dnf %v, slipway %v\n", c.q.dnf, c.q.slipway)
		b.WriteString(dnfTestsolvCase(t, c.cs, c.q.spec, c.q.weak))
		b.WriteString("result transaction,problems <inline>\n")
		for _, n := range as[0].set {
			fmt.Fprintf(&b, "#>install %s@available\n", n)
		}
		if err := os.WriteFile(filepath.Join(dir, c.file), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d cases into %s", len(cases), dir)
}

// minimizeDifference drops packages, then single dependencies, as long
// as slipway and testsolv given dnf's job still both install something
// and differ.
func minimizeDifference(t *testing.T, cs []Candidate, spec string, weak bool) []Candidate {
	differs := func(cs []Candidate) bool {
		l := testsolvAnswer(t, dnfTestsolvCase(t, cs, spec, weak))
		s := solveAnswer(t, NewPool(cs), Request{Arch: "x86_64", Install: []string{spec}, WeakDeps: weak})
		return !l.failed() && !s.failed() && !s.same(l)
	}
	if !differs(cs) {
		return cs
	}
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(cs); i++ {
			if try := slices.Delete(slices.Clone(cs), i, i+1); differs(try) {
				cs, changed = try, true
				i--
			}
		}
		for i := range cs {
			for k := range 9 {
				for j := 0; j < len(*depList(cs[i].Pkg, k)); j++ {
					p := clonePackage(cs[i].Pkg)
					if k == 8 {
						p.Files = slices.Delete(p.Files, j, j+1)
					} else {
						l := depList(p, k)
						*l = slices.Delete(*l, j, j+1)
					}
					try := slices.Clone(cs)
					try[i] = Candidate{Pkg: p, Repo: cs[i].Repo}
					if differs(try) {
						cs, changed = try, true
						j--
					}
				}
			}
		}
	}
	return cs
}

// depList returns the k-th dependency list of p (k < 8), or for k == 8
// a list as long as p.Files.
func depList(p *rpmmeta.Package, k int) *[]rpmmeta.Dep {
	if k == 8 {
		l := make([]rpmmeta.Dep, len(p.Files))
		return &l
	}
	return []*[]rpmmeta.Dep{&p.Requires, &p.Provides, &p.Conflicts, &p.Obsoletes, &p.Recommends, &p.Supplements, &p.Suggests, &p.Enhances}[k]
}

func clonePackage(p *rpmmeta.Package) *rpmmeta.Package {
	q := *p
	for k := range 8 {
		l := depList(&q, k)
		*l = slices.Clone(*l)
	}
	q.Files = slices.Clone(p.Files)
	return &q
}
