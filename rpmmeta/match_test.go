package rpmmeta

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

var ops = []struct {
	s string
	f Sense
}{
	{"<", SenseLess}, {"<=", SenseLess | SenseEqual}, {"=", SenseEqual},
	{">=", SenseGreater | SenseEqual}, {">", SenseGreater},
}

// matchCases returns requirement/provide pairs covering every flag
// combination against a spread of versions, epochs and releases.
func matchCases() [][2]Dep {
	versions := []string{"1.0", "1.0-1", "1.0-2", "2.0", "1:0.5", "1:1.0-1", "0:1.0", "0.9-5", "1.0~rc1"}
	var out [][2]Dep
	for _, ro := range ops {
		for _, po := range ops {
			for _, rv := range versions {
				for _, pv := range versions {
					out = append(out, [2]Dep{{Name: "cap", Flags: ro.f, Version: rv}, {Name: "cap", Flags: po.f, Version: pv}})
				}
			}
		}
	}
	for _, v := range versions {
		out = append(out,
			[2]Dep{{Name: "cap"}, {Name: "cap", Flags: SenseEqual, Version: v}},
			[2]Dep{{Name: "cap", Flags: SenseGreater, Version: v}, {Name: "cap"}})
	}
	return out
}

func TestMatchesTable(t *testing.T) {
	t.Parallel()
	d := func(s string) Dep {
		f := strings.Fields(s)
		if len(f) == 1 {
			return Dep{Name: f[0]}
		}
		for _, o := range ops {
			if o.s == f[1] {
				return Dep{Name: f[0], Flags: o.f, Version: f[2]}
			}
		}
		t.Fatalf("bad dep %q", s)
		return Dep{}
	}
	tests := []struct {
		req, prov string
		want      bool
	}{
		{"foo", "foo = 1.0-1", true},
		{"foo >= 2", "foo", true},
		{"foo >= 1.0", "foo = 1.0-1", true},
		{"foo > 1.0", "foo = 1.0-1", false},
		{"foo > 1.0-1", "foo = 1.0-2", true},
		{"foo >= 1.0", "foo = 1:0.5-1", true},  // missing epoch is 0
		{"foo = 1.0", "foo = 2:1.0-1", false},  // libsolv agrees
		{"foo = 1.0-1", "foo = 1.0", true},     // release missing on provide
		{"foo < 1.0", "foo < 0.5", true},       // two open ranges overlap
		{"foo > 2.0", "foo < 1.0", false},      // disjoint ranges
		{"foo >= 1.0", "bar = 1.0", false},     // other name
		{"foo < 1.0", "foo = 1.0~rc1-1", true}, // tilde pre-release
		{"foo <= 1:1.0", "foo = 1.0-1", true},  // epoch 0 < 1
	}
	for _, tc := range tests {
		if got := d(tc.req).Matches(d(tc.prov)); got != tc.want {
			t.Errorf("%q matches %q = %v, want %v", tc.req, tc.prov, got, tc.want)
		}
	}
}

// TestMatchesAgainstLibsolv asks libsolv (testsolv) which requirements
// are satisfied, one unique capability per pair, in a single run.
func TestMatchesAgainstLibsolv(t *testing.T) {
	t.Parallel()
	testsolv := testutil.RequireTool(t, "testsolv", "libsolv-tools")
	cases := matchCases()
	var b strings.Builder
	b.WriteString("repo system 0 testtags <inline>\nrepo available 0 testtags <inline>\n")
	for i, c := range cases {
		req, prov := c[0], c[1]
		req.Name, prov.Name = fmt.Sprintf("cap%d", i), fmt.Sprintf("cap%d", i)
		fmt.Fprintf(&b, "#>=Pkg: r%d 1 1 noarch\n#>=Req: %s\n", i, req)
		fmt.Fprintf(&b, "#>=Pkg: p%d 1 1 noarch\n#>=Prv: %s\n", i, prov)
	}
	b.WriteString("system x86_64 rpm system\n")
	for i := range cases {
		fmt.Fprintf(&b, "job install name r%d\n", i)
	}
	file := filepath.Join(t.TempDir(), "match.t")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.CommandContext(t.Context(), testsolv, file).CombinedOutput() // exits 1 when there are problems
	failed := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "nothing provides ") {
			if i := strings.LastIndex(line, " needed by r"); i >= 0 {
				failed[strings.TrimSuffix(line[i+len(" needed by "):], "-1-1.noarch")] = true
			}
		}
	}
	if !strings.Contains(string(out), "Problem") && len(failed) == 0 && !strings.Contains(string(out), "install") {
		t.Fatalf("unexpected testsolv output:\n%s", out)
	}
	var nFail int
	for i, c := range cases {
		want := !failed[fmt.Sprintf("r%d", i)]
		if !want {
			nFail++
		}
		if got := c[0].Matches(c[1]); got != want {
			t.Errorf("%q matches provide %q = %v, libsolv says %v", c[0], c[1], got, want)
		}
	}
	if nFail == 0 || nFail == len(cases) {
		t.Fatalf("libsolv rejected %d of %d pairs: the output was not understood:\n%.2000s", nFail, len(cases), out)
	}
}

func TestMatchesEVRAndSelfProvide(t *testing.T) {
	t.Parallel()
	p := &Package{NEVRA: NEVRA{Name: "foo", EVR: EVR{Epoch: 1, Version: "2.0", Release: "3"}, Arch: "noarch"}}
	for _, c := range matchCases() {
		req := c[0]
		req.Name = "foo"
		if got, want := req.MatchesEVR("foo", p.EVR), req.Matches(p.SelfProvide()); got != want {
			t.Errorf("%q: MatchesEVR=%v, Matches(self)=%v", req, got, want)
		}
	}
	if n := len(p.AllProvides()); n != 1 {
		t.Errorf("AllProvides of a package without provides has %d entries, want 1", n)
	}
	p.Provides = []Dep{{Name: "foo", Flags: SenseEqual, Version: "1:2.0-3"}, {Name: "bar"}}
	if n := len(p.AllProvides()); n != 2 {
		t.Errorf("AllProvides double counts the listed self-provide: %d entries, want 2", n)
	}
}
