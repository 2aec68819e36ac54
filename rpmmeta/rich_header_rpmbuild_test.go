package rpmmeta

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseRichHeaderAgainstRpmbuild builds a package with each string as its
// Requires and checks that ParseRich accepts what rpmbuild accepts, and
// reads what rpm -qp --requires prints back to the same tree. rpmbuild
// checks more than rpmrichParse (per-tag rules), so a string ParseRich
// accepts may still be refused there; one it refuses must be refused.
func TestParseRichHeaderAgainstRpmbuild(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"rpmbuild", "rpm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed: %v", tool, err)
			}
			t.Skipf("%s not installed (install rpm-build): %v", tool, err)
		}
	}
	corpus := []string{
		"(foo or bar)", "(foo >= 1.0 or bar)", "(foo>=1 or bar<2)",
		"(libc.so.6(GLIBC_2.34)(64bit) or musl)", "(a\tand  b and\tc)",
		"(a => 1 and b =< 2 and c == 3)", "(a if b else c)", "(a unless b else c)",
		"(a without b)", "(a with b with c)", "((a or b) with c)", "((a if b) and c)",
		"(a else b)", "(and and or)",
		"((a and b) with c)", "(c without (a if b))", "((a unless b) with c)",
		"(a and b or c)", "(a if b if c)", "(a if b else c else d)",
		"(a without b without c)", "(a bogus b)", "(a = )", "(a or)", "()", "(a",
		"(a,b)", "(foo >=1 or bar)", "(foo =1)", "(foo >>= 1)",
	}
	// rpmbuild's per-tag check (rpmrichParseForTag) refuses these in a
	// Requires; rpmrichParse, what rpm indexes with, takes them.
	tagChecked := map[string]bool{"(a unless b else c)": true}
	for i, s := range corpus {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			// Not t.TempDir: its name holds the subtest's parentheses,
			// which rpmbuild's shell scripts cannot take.
			dir, err := os.MkdirTemp("", "richrpm")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			spec := fmt.Sprintf("Name: r%d\nVersion: 1\nRelease: 1\nSummary: r\nLicense: MIT\nRequires: %s\n%%description\nr\n%%files\n", i, s)
			if err = os.WriteFile(filepath.Join(dir, "r.spec"), []byte(spec), 0o644); err != nil {
				t.Fatal(err)
			}
			build := exec.CommandContext(t.Context(), "rpmbuild", "--define", "_topdir "+dir, "-bb", filepath.Join(dir, "r.spec"))
			out, buildErr := build.CombinedOutput()
			r, _, err := ParseRich(s, RichHeader)
			if buildErr != nil {
				if !strings.Contains(string(out), "error: line 6") {
					t.Fatalf("rpmbuild failed elsewhere than the Requires line: %v\n%s", buildErr, out)
				}
				if err == nil && !tagChecked[s] {
					t.Errorf("rpmbuild refuses %q, ParseRich accepts it as %s", s, r)
				}
				return
			}
			if err != nil {
				t.Fatalf("rpmbuild accepts %q, ParseRich refuses it: %v", s, err)
			}
			rpms, _ := filepath.Glob(filepath.Join(dir, "RPMS", "*", "*.rpm"))
			if len(rpms) != 1 {
				t.Fatalf("rpmbuild wrote %d packages", len(rpms))
			}
			q, err := exec.CommandContext(t.Context(), "rpm", "-qp", "--requires", rpms[0]).Output()
			if err != nil {
				t.Fatalf("rpm -qp --requires: %v", err)
			}
			printed := strings.SplitN(string(q), "\n", 2)[0]
			r2, rest, err := ParseRich(printed, RichHeader)
			if err != nil || rest != "" || r2.String() != r.String() {
				t.Errorf("rpm prints %q for %q: ParseRich gives %v, rest %q, err %v; want %s", printed, s, r2, rest, err, r)
			}
		})
	}
}
