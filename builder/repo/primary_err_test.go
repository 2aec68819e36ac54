package repo

import (
	"bytes"
	"strings"
	"testing"
)

// TestPrimaryFormatErrorKept checks that an error inside <format> is the
// one reported, not a confusing complaint about the tags that follow it.
func TestPrimaryFormatErrorKept(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, from, to, want string }{
		{"header-range", `start="1"`, `start="x1"`, `start=`},
		{"entry", `flags="GE"`, `flags="BOGUS"`, "BOGUS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := strings.Replace(seedPrimary, tc.from, tc.to, 1)
			if doc == seedPrimary {
				t.Fatalf("the seed has no %q", tc.from)
			}
			_, err := parsePrimary(bytes.NewReader([]byte(doc)))
			if err == nil {
				t.Fatal("parsePrimary accepted a malformed <format>")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "unexpected </format>") {
				t.Fatalf("error %q: want the cause (%s), not a later tag", err, tc.want)
			}
		})
	}
}
