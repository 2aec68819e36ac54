package solve

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

// libsolvDep renders a dependency in libsolv's testcase syntax, where rich
// operators are written &, |, <IF>, <ELSE>, <UNLESS>, + (with) and - (without).
func libsolvDep(t testing.TB, d rpmmeta.Dep) string {
	if !d.IsRich() {
		return d.String()
	}
	r, _, err := rpmmeta.ParseRich(d.Name, rpmmeta.RichRepodata)
	if err != nil {
		t.Fatalf("rich dep %q: %v", d.Name, err)
	}
	return libsolvRich(r)
}

func libsolvRich(r *rpmmeta.RichDep) string {
	if r.Op == rpmmeta.RichLeaf {
		return r.Dep.String()
	}
	op := map[rpmmeta.RichOp]string{rpmmeta.RichAnd: "&", rpmmeta.RichOr: "|", rpmmeta.RichIf: "<IF>",
		rpmmeta.RichUnless: "<UNLESS>", rpmmeta.RichWith: "+", rpmmeta.RichWithout: "-"}[r.Op]
	var parts []string
	for i, a := range r.Args {
		if i == 2 {
			parts = append(parts, "<ELSE>")
		} else if i > 0 {
			parts = append(parts, op)
		}
		parts = append(parts, libsolvRich(a))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// testsolvCase writes a libsolv testcase for the candidates visible to
// req (its arch plus noarch, excludes removed) and one install job per
// request argument, the way dnf asks libsolv.
func testsolvCase(t testing.TB, cs []Candidate, req Request, jobs []string) string {
	var b strings.Builder
	b.WriteString("repo system 0 testtags <inline>\nrepo available 0 testtags <inline>\n")
	for _, c := range cs {
		p := c.Pkg
		if p.Arch != req.Arch && p.Arch != "noarch" {
			continue
		}
		excluded := false
		for _, g := range req.Exclude {
			if ok, _ := filepath.Match(g, p.Name); ok {
				excluded = true
			}
		}
		if excluded {
			continue
		}
		ver := p.Version
		if p.Epoch != 0 {
			ver = fmt.Sprintf("%d:%s", p.Epoch, p.Version)
		}
		fmt.Fprintf(&b, "#>=Pkg: %s %s %s %s\n", p.Name, ver, p.Release, p.Arch)
		for _, l := range []struct {
			tag  string
			deps []rpmmeta.Dep
		}{{"Req", p.Requires}, {"Prv", p.Provides}, {"Con", p.Conflicts}, {"Obs", p.Obsoletes}, {"Rec", p.Recommends}, {"Sup", p.Supplements}, {"Sug", p.Suggests}, {"Enh", p.Enhances}} {
			for _, d := range l.deps {
				if d.IsRpmlib() {
					continue
				}
				fmt.Fprintf(&b, "#>=%s: %s\n", l.tag, libsolvDep(t, d))
			}
		}
		for _, f := range p.Files {
			fmt.Fprintf(&b, "#>=Prv: %s\n", f)
		}
	}
	fmt.Fprintf(&b, "system %s rpm system\n", req.Arch)
	if !req.WeakDeps {
		b.WriteString("solverflags ignorerecommended\n")
	}
	for _, j := range jobs {
		fmt.Fprintf(&b, "job install %s\n", j)
	}
	return b.String()
}

// runTestsolv returns the NEVRAs libsolv installs, sorted, or the problem
// text when it finds problems.
func runTestsolv(t testing.TB, testcase string) (installed []string, problems string) {
	return runTestsolvIn(t, t.TempDir(), testcase)
}

// runTestsolvIn writes the testcase into dir (testsolv opens the files a
// testcase names relative to it).
func runTestsolvIn(t testing.TB, dir, testcase string) (installed []string, problems string) {
	t.Helper()
	bin := testutil.RequireTool(t, "testsolv", "libsolv-tools")
	f, err := os.CreateTemp(dir, "case-*.t")
	if err != nil {
		t.Fatal(err)
	}
	file := f.Name()
	defer os.Remove(file)
	_, err = f.WriteString(testcase)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, file).CombinedOutput()
	text := string(out)
	if strings.Contains(text, "problems:") || strings.Contains(text, "Problem 1") {
		return nil, text
	}
	if err != nil {
		t.Fatalf("testsolv: %v\n%s\ncase:\n%s", err, out, testcase)
	}
	for _, line := range strings.Split(text, "\n") {
		if s, ok := strings.CutPrefix(line, "  - "); ok {
			installed = append(installed, strings.TrimSpace(s))
		}
	}
	sort.Strings(installed)
	return installed, ""
}

func sortedNEVRAs(r *Result) []string {
	out := names(r)
	sort.Strings(out)
	return out
}
