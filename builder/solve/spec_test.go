package solve

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

// possibilities lists the forms s parses in, in dnf's order, as
// "form:name|epoch|version|release|arch".
func possibilities(s string) []string {
	var out []string
	for _, f := range specForms {
		if n, ok := parseSpecForm(s, f); ok {
			out = append(out, fmt.Sprintf("%s|%d|%s|%s|%s", n.name, n.epoch, n.version, n.release, n.arch))
		}
	}
	return out
}

func TestParseSpecForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		want []string // in dnf's order: NEVRA, NA, NAME, NEVR, NEV
	}{
		{"foo", []string{"foo|-1|||"}},
		{"foo.noarch", []string{"foo|-1|||noarch", "foo.noarch|-1|||"}},
		{"foo-1.0-1.noarch", []string{"foo|-1|1.0|1|noarch", "foo-1.0-1|-1|||noarch", "foo-1.0-1.noarch|-1|||", "foo|-1|1.0|1.noarch|", "foo-1.0|-1|1.noarch||"}},
		{"foo-2:1.0-1.x86_64", []string{"foo|2|1.0|1|x86_64", "foo|2|1.0|1.x86_64|"}},
		{"foo-1.0", []string{"foo-1|-1|||0", "foo-1.0|-1|||", "foo|-1|1.0||"}},
		{"foo-1*", []string{"foo-1*|-1|||", "foo|-1|1*||"}},
		{"foo-bar-1-2", []string{"foo-bar-1-2|-1|||", "foo-bar|-1|1|2|", "foo-bar-1|-1|2||"}},
		{"lib*.x86_64", []string{"lib*|-1|||x86_64", "lib*.x86_64|-1|||"}},
		{"pkgconfig(foo)", nil},
		{"foo >= 1.2", nil},
		{"/usr/bin/sh", nil},
		{"foo-x:1-2", nil},
		{"a-0:1-2.noarch", []string{"a|0|1|2|noarch", "a|0|1|2.noarch|"}},
		{"-1-2", []string{"-1-2|-1|||", "-1|-1|2||"}},
		{"foo.", []string{"foo.|-1|||"}},
	}
	for _, tc := range tests {
		if got := possibilities(tc.spec); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.spec, got, tc.want)
		}
	}
}

// TestParseSpecFormAgainstHawkey parses generated specs with hawkey
// (dnf's own parser, through python3-hawkey) and with parseSpecForm: the
// forms that parse, and their parts, must be the same.
func TestParseSpecFormAgainstHawkey(t *testing.T) {
	t.Parallel()
	py := testutil.RequireTool(t, "python3", "python3-hawkey")
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		py = "/usr/bin/python3" // the first python3 on PATH may lack hawkey
	}
	parts := []string{"foo", "a-b", "x.y", "1", "1.0", "2:1.0", "0:3", "x:1", "1.fc40", "noarch", "x86_64",
		"*", "f?o", "[ab]c", "lib*", "", "-", ".", ":", "(x)", "a b", "/usr", "=", "<"}
	seps := []string{"-", "-", ".", ""}
	r := rand.New(rand.NewPCG(15, 3))
	specs := []string{"foo", "foo.noarch", "foo-1.0-1.noarch", "foo-1:1.0-1.x86_64", "pkgconfig(foo)", "foo >= 1.2"}
	for len(specs) < 3000 {
		var b strings.Builder
		for k := 1 + r.IntN(5); k > 0; k-- {
			b.WriteString(parts[r.IntN(len(parts))])
			if k > 1 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
		}
		specs = append(specs, b.String())
	}
	const script = `
import hawkey, json, sys
out = []
for s in json.load(sys.stdin):
    forms = []
    for n in hawkey.Subject(s).get_nevra_possibilities():
        e = -1 if n.epoch is None else n.epoch
        forms.append("%s|%d|%s|%s|%s" % (n.name or "", e, n.version or "", n.release or "", n.arch or ""))
    out.append(forms)
json.dump(out, sys.stdout)
`
	in, err := json.Marshal(specs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		msg := fmt.Sprintf("python3 with hawkey: %v (apt-get install python3-hawkey)", err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var want [][]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("hawkey output: %v", err)
	}
	bad := 0
	for i, s := range specs {
		if got := possibilities(s); !slices.Equal(got, want[i]) && !(len(got) == 0 && len(want[i]) == 0) {
			bad++
			if bad < 20 {
				t.Errorf("%q: got %q, hawkey %q", s, got, want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d specs parse differently", bad, len(specs))
	}
}

func TestFnmatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"lib*", "libfoo", true},
		{"lib*", "glibc", false},
		{"*", "", true},
		{"*/sh", "/usr/bin/sh", true}, // '*' matches '/' (no FNM_PATHNAME)
		{"/usr/*/sh", "/usr/local/bin/sh", true},
		{"f?o", "foo", true},
		{"f?o", "fo", false},
		{"[ab]c", "bc", true},
		{"[!ab]c", "bc", false},
		{"[^ab]c", "cc", true},
		{"[a-c]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"[]]", "]", true},
		{"[", "[", true},
		{"a[", "a[", true},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxc", false},
		{"x86_64", "x86_64", true},
	}
	for _, tc := range tests {
		if got := fnmatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// TestRequestSpecs solves one request per spec form on a small repository
// (the dnf-checked cases are in TestSpecsAgainstDNF).
func TestRequestSpecs(t *testing.T) {
	t.Parallel()
	cs := cands(t,
		"tk-1:1.0-5.noarch", "tk-2.0-1.noarch",
		"libz-1.2-1.x86_64;P:libz.so.1()(64bit);P:pkgconfig(zlib) = 1.2", "libz-1.2-1.aarch64",
		"libz-devel-1.2-1.x86_64;P:pkgconfig(zlib) = 1.2;R:libz",
		"old-1.0-1.noarch", "new-2.0-1.noarch;O:old < 2.0",
		"sh-1-1.x86_64;F:/usr/bin/sh;F:/usr/share/doc/sh/README",
		"ex-1-1.noarch",
	)
	tests := []struct {
		spec string
		want string // installed NEVRAs joined by " ", or the error
	}{
		{"tk", "tk-1:1.0-5.noarch"}, // the epoch wins
		{"tk.noarch", "tk-1:1.0-5.noarch"},
		{"tk-2.0", "tk-2.0-1.noarch"},
		{"tk-1.0", "tk-1:1.0-5.noarch"},
		{"tk-1:1.0-5", "tk-1:1.0-5.noarch"},
		{"tk-1:1.0-5.noarch", "tk-1:1.0-5.noarch"},
		{"tk-1.0-5.noarch", "tk-1:1.0-5.noarch"},
		{"tk-0:1.0", "resolving for x86_64: no package matches tk-0:1.0"},
		{"tk-?.0-5*", "tk-1:1.0-5.noarch"},
		{"tk.x86_64", "resolving for x86_64: no package matches tk.x86_64"},
		{"libz.x86_64", "libz-1.2-1.x86_64"},
		{"libz.aarch64", "resolving for x86_64: no package matches libz.aarch64"},
		{"libz*", "libz-1.2-1.x86_64 libz-devel-1.2-1.x86_64"},
		{"pkgconfig(zlib)", "libz-1.2-1.x86_64"},
		{"pkgconfig(zlib) >= 1.2", "libz-1.2-1.x86_64"},
		{"pkgconfig(z*)", "libz-1.2-1.x86_64 libz-devel-1.2-1.x86_64"},
		{"libz.so.1()(64bit)", "libz-1.2-1.x86_64"},
		{"/usr/bin/sh", "sh-1-1.x86_64"},
		{"*/README", "sh-1-1.x86_64"},
		{"old", "new-2.0-1.noarch"},
		{"old.noarch", "old-1.0-1.noarch"},
		{"old-1.0", "old-1.0-1.noarch"},
		{"ex", "resolving for x86_64: package ex is excluded"},
		{"ex.noarch", "resolving for x86_64: package ex.noarch is excluded"},
	}
	pool := NewPool(cs)
	for _, tc := range tests {
		res, err := pool.Solve(t.Context(), nil, Request{Arch: "x86_64", Install: []string{tc.spec}, Exclude: []string{"ex"}})
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = strings.Join(names(res), " ")
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.spec, got, tc.want)
		}
	}
}
