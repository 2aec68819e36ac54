package solve

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

// dnfCase is one reduced case of testdata/dnf-differences: a repository
// where the old solver differed from dnf, `dnf install spec` and dnf's
// answer.
type dnfCase struct {
	spec string
	weak bool
	want []string // dnf's set, sorted
	cs   []Candidate
}

// TestDNFDifferences solves every reduced case TestRandomAgainstDNF saved
// where slipway's old search differed from dnf (testdata/dnf-differences,
// scripts/solver-diff-dnf.sh SAVE=DIR) as `dnf install SPEC` and wants
// dnf's set. The cases of libsolv527/ are libsolv 0.7.23's bug #527,
// which Debian's dnf runs on: there slipway follows the fixed libsolv, so
// it must differ from dnf, and give dnf's set with the bug reproduced.
// Each case is also run through testsolv, which must print nothing: the
// libsolv given dnf's job agrees with the recorded answer.
func TestDNFDifferences(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "dnf-differences", "*.t"))
	if err != nil {
		t.Fatal(err)
	}
	bug, err := filepath.Glob(filepath.Join("testdata", "dnf-differences", "libsolv527", "*.t"))
	if err != nil {
		t.Fatal(err)
	}
	// The first run's 318 cases: 303 here, and 15 that are libsolv #527
	// with the decision core (9 of them the same files as requests of
	// its full run) in libsolv527/ with the rest of those 17 requests.
	if len(files) != 303 || len(bug) != 23 {
		t.Fatalf("found %d cases and %d libsolv #527 cases, want the 303 and 23 saved", len(files), len(bug))
	}
	for _, file := range slices.Concat(files, bug) {
		is527 := filepath.Base(filepath.Dir(file)) == "libsolv527"
		t.Run(strings.TrimPrefix(file, filepath.Join("testdata", "dnf-differences")+string(filepath.Separator)), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseDNFCase(string(data))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			pool := NewPool(c.cs)
			req := Request{Arch: "x86_64", Install: []string{c.spec}, WeakDeps: c.weak}
			got := solveAnswer(t, pool, req)
			want := answer{set: c.want}
			if !is527 {
				if !got.same(want) {
					t.Errorf("dnf install %q (weak=%v): slipway %v, dnf %v", c.spec, c.weak, got, want)
				}
				return
			}
			if got.same(want) {
				t.Errorf("dnf install %q (weak=%v): slipway gives dnf's %v, want libsolv 0.7.23's bug #527 fixed", c.spec, c.weak, want)
			}
			bugReq := req
			bugReq.libsolv0723 = true
			if got := solveAnswer(t, pool, bugReq); !got.same(want) {
				t.Errorf("dnf install %q (weak=%v) with libsolv #527 reproduced: slipway %v, dnf %v", c.spec, c.weak, got, want)
			}
		})
	}
	t.Run("testsolv", func(t *testing.T) {
		t.Parallel()
		bin := testutil.RequireTool(t, "testsolv", "libsolv-tools")
		for _, file := range slices.Concat(files, bug) {
			out, err := exec.Command(bin, file).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Errorf("testsolv %s (libsolv given dnf's job differs from the recorded answer): %v\n%s", file, err, out)
			}
		}
	})
}

// parseDNFCase reads the testcase subset saveDNFDifferences writes
// (testsolvCase's and dnfTestsolvCase's lines, the inverse of libsolvDep
// for rich dependencies) and fails on anything else, so that no case is
// read as less than it says.
func parseDNFCase(text string) (*dnfCase, error) {
	c := &dnfCase{}
	var p *rpmmeta.Package
	var header, installs []string
	var job string
	var sawSpec, sawAnswer, sawFlags, sawResult bool
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		bad := func(err error) (*dnfCase, error) {
			return nil, fmt.Errorf("line %d %q: %w", n+1, line, err)
		}
		switch {
		case strings.HasPrefix(line, "#>=Pkg: "):
			f := strings.Fields(strings.TrimPrefix(line, "#>=Pkg: "))
			if len(f) != 4 {
				return bad(fmt.Errorf("want name version release arch"))
			}
			evr := rpmmeta.EVR{Version: f[1], Release: f[2]}
			if e, v, ok := strings.Cut(f[1], ":"); ok {
				ep, err := strconv.ParseUint(e, 10, 32)
				if err != nil {
					return bad(fmt.Errorf("epoch: %w", err))
				}
				evr.Epoch, evr.Version = uint32(ep), v
			}
			p = &rpmmeta.Package{NEVRA: rpmmeta.NEVRA{Name: f[0], EVR: evr, Arch: f[3]}}
			c.cs = append(c.cs, Candidate{Pkg: p, Repo: "available"})
		case strings.HasPrefix(line, "#>="):
			tag, v, ok := strings.Cut(strings.TrimPrefix(line, "#>="), ": ")
			kind := map[string]string{"Req": "R", "Prv": "P", "Con": "C", "Obs": "O", "Rec": "Rec", "Sup": "Sup", "Sug": "Sug", "Enh": "Enh"}[tag]
			if !ok || kind == "" {
				return bad(fmt.Errorf("unknown tag"))
			}
			if p == nil {
				return bad(fmt.Errorf("dependency before any package"))
			}
			if kind == "P" && strings.HasPrefix(v, "/") {
				p.Files = append(p.Files, v)
				continue
			}
			d, err := rpmDepOfLibsolv(v)
			if err != nil {
				return bad(err)
			}
			addDep(p, kind, d)
		case strings.HasPrefix(line, "#>install "):
			nevra, ok := strings.CutSuffix(strings.TrimPrefix(line, "#>install "), "@available")
			if !ok {
				return bad(fmt.Errorf("not from the available repo"))
			}
			installs = append(installs, nevra)
		case strings.HasPrefix(line, "# TestRandomAgainstDNF "):
			_, spec, ok := strings.Cut(line, ": dnf install ")
			spec, ok2 := strings.CutSuffix(spec, ", reduced")
			q, err := strconv.Unquote(spec)
			if !ok || !ok2 || err != nil {
				return bad(fmt.Errorf("no dnf install \"SPEC\", reduced"))
			}
			c.spec, sawSpec = q, true
			header = append(header, line)
		case strings.HasPrefix(line, "# dnf (and testsolv given dnf's job, this case): "):
			s := strings.TrimPrefix(line, "# dnf (and testsolv given dnf's job, this case): ")
			s, ok := strings.CutPrefix(s, "[")
			s, ok2 := strings.CutSuffix(s, "]")
			if !ok || !ok2 {
				return bad(fmt.Errorf("dnf's answer is not a set"))
			}
			c.want, sawAnswer = strings.Fields(s), true
			if c.want == nil {
				c.want = []string{}
			}
		case strings.HasPrefix(line, "# slipway: "), strings.HasPrefix(line, "# full repository: "):
			// The old solver's answers, for the reader.
		case line == "repo system 0 testtags <inline>", line == "repo available 0 testtags <inline>",
			line == "system x86_64 rpm system", line == "poolflags implicitobsoleteusescolors whatprovideswithdisabled",
			line == "result transaction,problems <inline>":
			sawResult = sawResult || strings.HasPrefix(line, "result ")
		case strings.HasPrefix(line, "solverflags "):
			const flags = "solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes"
			switch line {
			case flags:
				c.weak = true
			case flags + " ignorerecommended":
				c.weak = false
			default:
				return bad(fmt.Errorf("not dnf's solver flags"))
			}
			sawFlags = true
		case strings.HasPrefix(line, "job "):
			if job != "" {
				return bad(fmt.Errorf("a second job"))
			}
			job = line
		default:
			return bad(fmt.Errorf("not part of the testcase subset the dnf differential writes"))
		}
	}
	if !sawSpec || !sawAnswer || !sawFlags || !sawResult || job == "" {
		return nil, fmt.Errorf("incomplete case: spec %v, dnf's answer %v, solverflags %v, result %v, job %q", sawSpec, sawAnswer, sawFlags, sawResult, job)
	}
	if !strings.Contains(header[0], fmt.Sprintf(" weak=%v: ", c.weak)) {
		return nil, fmt.Errorf("header %q and solverflags (weak=%v) disagree", header[0], c.weak)
	}
	slices.Sort(installs)
	if !slices.Equal(installs, c.want) {
		return nil, fmt.Errorf("expected result %v is not dnf's answer %v", installs, c.want)
	}
	// The job must be dnf's for the spec: the provides job for a
	// capability, otherwise one of the name's packages (or their
	// obsoleters), each a package of this case.
	if strings.HasPrefix(c.spec, "cap") {
		if job != "job install provides "+c.spec {
			return nil, fmt.Errorf("job %q is not dnf's for %q", job, c.spec)
		}
		return c, nil
	}
	list, ok := strings.CutPrefix(job, "job install oneof ")
	list, ok2 := strings.CutSuffix(list, " [setevr,setarch]")
	if !ok || !ok2 {
		return nil, fmt.Errorf("job %q is not dnf's install oneof", job)
	}
	named := false
	for _, s := range strings.Fields(list) {
		nevra, ok := strings.CutSuffix(s, "@available")
		i := slices.IndexFunc(c.cs, func(x Candidate) bool { return x.Pkg.NEVRA.String() == nevra })
		if !ok || i < 0 {
			return nil, fmt.Errorf("job names %q, not a package of the case", s)
		}
		named = named || c.cs[i].Pkg.Name == c.spec
	}
	if !named {
		return nil, fmt.Errorf("job %q names no package %q", job, c.spec)
	}
	return c, nil
}

// rpmDepOfLibsolv turns a dependency in libsolv's testcase syntax (see
// libsolvDep) back into rpm's.
func rpmDepOfLibsolv(s string) (rpmmeta.Dep, error) {
	if !strings.HasPrefix(s, "(") {
		if strings.ContainsAny(s, "()&|<>+") && len(strings.Fields(s)) != 3 {
			return rpmmeta.Dep{}, fmt.Errorf("dependency %q is neither plain nor rich", s)
		}
		d := parseDep(s)
		if d.String() != s {
			return rpmmeta.Dep{}, fmt.Errorf("dependency %q reads back as %q", s, d.String())
		}
		return d, nil
	}
	ops := map[string]string{"&": "and", "|": "or", "<IF>": "if", "<ELSE>": "else", "<UNLESS>": "unless", "+": "with", "-": "without"}
	f := strings.Fields(s)
	for i, w := range f {
		if op, ok := ops[w]; ok {
			f[i] = op
		} else if strings.Contains(w, "<") && strings.Contains(w, ">") && len(w) > 2 {
			return rpmmeta.Dep{}, fmt.Errorf("unknown rich operator %q in %q", w, s)
		}
	}
	d := rpmmeta.Dep{Name: strings.Join(f, " ")}
	r, _, err := rpmmeta.ParseRich(d.Name, rpmmeta.RichRepodata)
	if err != nil {
		return rpmmeta.Dep{}, fmt.Errorf("rich dependency %q: %w", s, err)
	}
	if back := libsolvRich(r); back != s {
		return rpmmeta.Dep{}, fmt.Errorf("rich dependency %q reads back as %q", s, back)
	}
	return d, nil
}

// TestParseDNFCaseRejects checks that the case parser fails on what it
// does not know rather than reading a case as less than it says.
func TestParseDNFCaseRejects(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "dnf-differences", "plain-seed110-weakfalse-d.t"))
	if err != nil {
		t.Fatal(err)
	}
	good := string(data)
	if _, err := parseDNFCase(good); err != nil {
		t.Fatalf("the case itself: %v", err)
	}
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown tag", "#>=Req: j\n", "#>=Xyz: j\n", "unknown tag"},
		{"unknown rich operator", "(f <= 2 | h)", "(f <= 2 <WITHX> h)", "unknown rich operator"},
		{"unknown line", "system x86_64 rpm system\n", "system x86_64 rpm system\nnamespace foo\n", "not part of the testcase subset"},
		{"other solver flags", " ignorerecommended\n", " ignorerecommended focusbest\n", "not dnf's solver flags"},
		{"expected result not dnf's", "#>install h-3-1.noarch@available\n", "", "is not dnf's answer"},
		{"second job", "[setevr,setarch]\n", "[setevr,setarch]\njob install name h\n", "a second job"},
		{"job of another package", "oneof d-1-1.x86_64@available", "oneof z-1-1.x86_64@available", "not a package of the case"},
		{"no dnf answer", "# dnf (and testsolv given dnf's job, this case): [d-1-1.x86_64 h-3-1.noarch]\n", "", "incomplete case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("case lacks %q", tc.old)
			}
			_, err := parseDNFCase(strings.Replace(good, tc.old, tc.new, 1))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
