package rpmmeta

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

// vercmpCases are the behaviours rpm's tests/rpmvercmp.at checks (rpm
// 4.18), plus a few edge cases of our own. want is rpmvercmp(a, b).
var vercmpCases = []struct {
	a, b string
	want int
}{
	{"1.0", "1.0", 0},
	{"1.0", "2.0", -1},
	{"2.0", "1.0", 1},
	{"2.0.1", "2.0.1", 0},
	{"2.0", "2.0.1", -1},
	{"2.0.1", "2.0", 1},
	{"2.0.1a", "2.0.1a", 0},
	{"2.0.1a", "2.0.1", 1},
	{"2.0.1", "2.0.1a", -1},
	{"5.5p1", "5.5p1", 0},
	{"5.5p1", "5.5p2", -1},
	{"5.5p2", "5.5p1", 1},
	{"5.5p10", "5.5p10", 0},
	{"5.5p1", "5.5p10", -1},
	{"5.5p10", "5.5p1", 1},
	{"10xyz", "10.1xyz", -1},
	{"10.1xyz", "10xyz", 1},
	{"xyz10", "xyz10", 0},
	{"xyz10", "xyz10.1", -1},
	{"xyz10.1", "xyz10", 1},
	{"xyz.4", "xyz.4", 0},
	{"xyz.4", "8", -1},
	{"8", "xyz.4", 1},
	{"xyz.4", "2", -1},
	{"2", "xyz.4", 1},
	{"5.5p2", "5.6p1", -1},
	{"5.6p1", "5.5p2", 1},
	{"5.6p1", "6.5p1", -1},
	{"6.5p1", "5.6p1", 1},
	{"6.0.rc1", "6.0", 1},
	{"6.0", "6.0.rc1", -1},
	{"10b2", "10a1", 1},
	{"10a2", "10b2", -1},
	{"1.0aa", "1.0aa", 0},
	{"1.0a", "1.0aa", -1},
	{"1.0aa", "1.0a", 1},
	{"10.0001", "10.0001", 0},
	{"10.0001", "10.1", 0},
	{"10.1", "10.0001", 0},
	{"10.0001", "10.0039", -1},
	{"10.0039", "10.0001", 1},
	{"4.999.9", "5.0", -1},
	{"5.0", "4.999.9", 1},
	{"20101121", "20101121", 0},
	{"20101121", "20101122", -1},
	{"20101122", "20101121", 1},
	{"2_0", "2_0", 0},
	{"2.0", "2_0", 0},
	{"2_0", "2.0", 0},
	{"a", "a", 0},
	{"a+", "a+", 0},
	{"a+", "a_", 0},
	{"a_", "a+", 0},
	{"+a", "+a", 0},
	{"+a", "_a", 0},
	{"_a", "+a", 0},
	{"+_", "+_", 0},
	{"_+", "+_", 0},
	{"_+", "_", 0},
	{"+", "_", 0},
	{"1.0~rc1", "1.0~rc1", 0},
	{"1.0~rc1", "1.0", -1},
	{"1.0", "1.0~rc1", 1},
	{"1.0~rc1", "1.0~rc2", -1},
	{"1.0~rc2", "1.0~rc1", 1},
	{"1.0~rc1~git123", "1.0~rc1~git123", 0},
	{"1.0~rc1~git123", "1.0~rc1", -1},
	{"1.0~rc1", "1.0~rc1~git123", 1},
	{"1.0^", "1.0^", 0},
	{"1.0^", "1.0", 1},
	{"1.0", "1.0^", -1},
	{"1.0^git1", "1.0^git1", 0},
	{"1.0^git1", "1.0", 1},
	{"1.0", "1.0^git1", -1},
	{"1.0^git1", "1.0^git2", -1},
	{"1.0^git2", "1.0^git1", 1},
	{"1.0^git1", "1.01", -1},
	{"1.01", "1.0^git1", 1},
	{"1.0^20160101", "1.0^20160101", 0},
	{"1.0^20160101", "1.0.1", -1},
	{"1.0.1", "1.0^20160101", 1},
	{"1.0^20160101^git1", "1.0^20160101^git1", 0},
	{"1.0^20160102", "1.0^20160101^git1", 1},
	{"1.0^20160101^git1", "1.0^20160102", -1},
	{"1.0~rc1^git1", "1.0~rc1^git1", 0},
	{"1.0~rc1^git1", "1.0~rc1", 1},
	{"1.0~rc1", "1.0~rc1^git1", -1},
	{"1.0^git1~pre", "1.0^git1~pre", 0},
	{"1.0^git1", "1.0^git1~pre", 1},
	{"1.0^git1~pre", "1.0^git1", -1},
	// Edge cases of our own.
	{"", "", 0},
	{"", "1", -1},
	{"1", "", 1},
	{"~", "", -1},
	{"^", "", 1},
	{"1.0.", "1.0", 0},
	{"00", "0", 0},
	{"1a", "1.a", 0},
	{"1.0a", "1.0.1", -1},
	{"99999999999999999999", "99999999999999999998", 1},
}

func TestVercmp(t *testing.T) {
	t.Parallel()
	for _, tc := range vercmpCases {
		t.Run(tc.a+"_vs_"+tc.b, func(t *testing.T) {
			t.Parallel()
			if got := Vercmp(tc.a, tc.b); got != tc.want {
				t.Errorf("Vercmp(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
			if got := Vercmp(tc.b, tc.a); got != -tc.want {
				t.Errorf("Vercmp(%q, %q) = %d, want %d (antisymmetry)", tc.b, tc.a, got, -tc.want)
			}
		})
	}
}

// TestVercmpAgainstRPM asks the real rpm (its Lua rpm.vercmp, which calls
// rpmvercmp) about every table case and some generated ones, in one run.
func TestVercmpAgainstRPM(t *testing.T) {
	t.Parallel()
	rpmBin := testutil.RequireTool(t, "rpm", "rpm")
	pairs := make([][2]string, 0, len(vercmpCases)+200)
	for _, tc := range vercmpCases {
		// rpm.vercmp parses its arguments as EVRs and rejects empty ones.
		if tc.a != "" && tc.b != "" {
			pairs = append(pairs, [2]string{tc.a, tc.b})
		}
	}
	atoms := []string{"1", "01", "2", "10", "a", "b", "rc", ".", "~", "^", "_", "+"}
	for x := 0; x < 200; x++ {
		var sa, sb strings.Builder
		for k := 0; k < 4; k++ {
			sa.WriteString(atoms[(x*7+k*3+x/5)%len(atoms)])
			sb.WriteString(atoms[(x*5+k*11+x/3)%len(atoms)])
		}
		pairs = append(pairs, [2]string{sa.String(), sb.String()})
	}
	var lua strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&lua, "print(rpm.vercmp(%q, %q) .. \" \")\n", p[0], p[1])
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "vercmp.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), rpmBin, "--dbpath", dir, "--eval", "%{lua: dofile(\""+script+"\")}")
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rpm --eval: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(pairs) {
		t.Fatalf("rpm printed %d results for %d pairs:\n%s", len(lines), len(pairs), out)
	}
	for i, p := range pairs {
		want, err := strconv.Atoi(lines[i])
		if err != nil {
			t.Fatalf("rpm output line %d %q: %v", i, lines[i], err)
		}
		if got := Vercmp(p[0], p[1]); got != want {
			t.Errorf("Vercmp(%q, %q) = %d, rpm says %d", p[0], p[1], got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"1:1.0-1", "2.0-1", 1},
		{"1.0-1", "1:0.1-1", -1},
		{"0:1.0-1", "1.0-1", 0},
		{"1.0-1", "1.0-2", -1},
		{"1.0", "1.0-2", 0}, // empty release: any release
		{"1.0-2", "1.0", 0},
		{"1.0-1", "1.1", -1},
		{"2:1.0", "1:9", 1},
	}
	for _, tc := range tests {
		if got := Compare(ParseEVR(tc.a), ParseEVR(tc.b)); got != tc.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Compare(ParseEVR(tc.b), ParseEVR(tc.a)); got != -tc.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func FuzzVercmp(f *testing.F) {
	for _, tc := range vercmpCases {
		f.Add(tc.a, tc.b, "1.0")
	}
	f.Add("1.0~rc1", "1.0^git", "1.0")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		ab, ba := Vercmp(a, b), Vercmp(b, a)
		if ab != -ba {
			t.Fatalf("antisymmetry: Vercmp(%q,%q)=%d, Vercmp(%q,%q)=%d", a, b, ab, b, a, ba)
		}
		if Vercmp(a, a) != 0 {
			t.Fatalf("reflexivity: Vercmp(%q,%q) != 0", a, a)
		}
		bc, ac := Vercmp(b, c), Vercmp(a, c)
		if ab <= 0 && bc <= 0 && ac > 0 {
			t.Fatalf("transitivity: %q <= %q <= %q but Vercmp(a,c)=%d", a, b, c, ac)
		}
		if ab >= 0 && bc >= 0 && ac < 0 {
			t.Fatalf("transitivity: %q >= %q >= %q but Vercmp(a,c)=%d", a, b, c, ac)
		}
	})
}
