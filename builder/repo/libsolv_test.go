package repo

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/repo/synth"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// solvable is what dumpsolv prints about one package.
type solvable struct {
	provides, requires []string
}

// libsolvRead reads a repository with repo2solv and dumpsolv (libsolv, the
// solver inside dnf) and returns its packages by "name-evr.arch".
func libsolvRead(t *testing.T, dir string) map[string]*solvable {
	t.Helper()
	repo2solv := testutil.RequireTool(t, "repo2solv", "libsolv-tools")
	dumpsolv := testutil.RequireTool(t, "dumpsolv", "libsolv-tools")
	solv := filepath.Join(t.TempDir(), "repo.solv")
	if out, err := exec.Command(repo2solv, "-o", solv, dir).CombinedOutput(); err != nil {
		t.Fatalf("repo2solv: %v\n%s", err, out)
	}
	out, err := exec.Command(dumpsolv, solv).Output()
	if err != nil {
		t.Fatalf("dumpsolv: %v", err)
	}
	res := map[string]*solvable{}
	var name, arch, evr string
	var cur *solvable
	var list *[]string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	flush := func() {
		if cur != nil {
			res[name+"-"+evr+"."+arch] = cur
		}
	}
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "solvable "):
			flush()
			cur, list = &solvable{}, nil
		case strings.HasPrefix(l, "solvable:name: "):
			name = strings.TrimPrefix(l, "solvable:name: ")
		case strings.HasPrefix(l, "solvable:arch: "):
			arch = strings.TrimPrefix(l, "solvable:arch: ")
		case strings.HasPrefix(l, "solvable:evr: "):
			evr = strings.TrimPrefix(l, "solvable:evr: ")
		case l == "solvable:provides:":
			list = &cur.provides
		case l == "solvable:requires:":
			list = &cur.requires
		case strings.HasPrefix(l, "  ") && list != nil:
			e := strings.TrimSpace(l)
			if e == "solvable:filemarker" {
				list = nil // file provides follow; primary has them as files
				continue
			}
			if e != "solvable:prereqmarker" {
				*list = append(*list, e)
			}
		default:
			list = nil
		}
	}
	flush()
	return res
}

// TestMatchesLibsolv compares every package's identity, provides and
// requires with libsolv's reading of the same metadata: the real
// createrepo_c repository and a synthetic one.
func TestMatchesLibsolv(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	syn := t.TempDir()
	if err := synth.Write(syn, synth.Options{N: 400, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for name, dir := range map[string]string{"testrepo": tr.Dir["x86_64"], "synthetic": syn} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := libsolvRead(t, dir)
			r, err := Open(t.Context(), Config{ID: "x", BaseURL: "file://" + dir})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Packages) != len(want) || len(want) == 0 {
				t.Fatalf("%d packages, libsolv reads %d", len(r.Packages), len(want))
			}
			for _, p := range r.Packages {
				key := p.Name + "-" + p.EVR.String() + "." + p.Arch
				s := want[key]
				if s == nil {
					t.Errorf("%s: libsolv does not have it", key)
					continue
				}
				var prov, req []string
				for _, d := range p.Provides {
					prov = append(prov, d.String())
				}
				for _, d := range p.Requires {
					req = append(req, libsolvStyle(d.String()))
				}
				if !slices.Equal(sorted(prov), sorted(s.provides)) {
					t.Errorf("%s provides\n got %q\nlibsolv %q", key, sorted(prov), sorted(s.provides))
				}
				if !slices.Equal(sorted(req), sorted(s.requires)) {
					t.Errorf("%s requires\n got %q\nlibsolv %q", key, sorted(req), sorted(s.requires))
				}
			}
		})
	}
}

// libsolvStyle writes a one-level rich dependency the way dumpsolv prints
// it: "(a or b)" as "a | b", "(a if b else c)" as "a IF b ELSE c".
func libsolvStyle(dep string) string {
	if !strings.HasPrefix(dep, "(") || !strings.HasSuffix(dep, ")") {
		return dep
	}
	inner := dep[1 : len(dep)-1]
	return strings.NewReplacer(" or ", " | ", " and ", " & ", " with ", " + ", " without ", " - ",
		" if ", " IF ", " else ", " ELSE ", " unless ", " UNLESS ").Replace(inner)
}
