package lock

import (
	"strings"
	"testing"
)

// TestBaseDigest: an architecture's base image digest round-trips, is
// left out when unset (lockfiles without a base are unchanged), and a
// malformed one is refused.
func TestBaseDigest(t *testing.T) {
	t.Parallel()
	plain, err := sample().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain), "base =") {
		t.Errorf("a lock without a base names one:\n%s", plain)
	}
	l := sample()
	d := "sha256:" + strings.Repeat("c", 64)
	l.Arches[0].Base = d
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "x.lock")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if got := back.Arch("x86_64").Base; got != d {
		t.Errorf("base %q, want %q", got, d)
	}
	if got := back.Arch("aarch64").Base; got != "" {
		t.Errorf("aarch64 base %q, want none", got)
	}
	bad := strings.Replace(string(data), d, "sha256:nothex", 1)
	if _, err := Parse([]byte(bad), "x.lock"); err == nil || !strings.Contains(err.Error(), `x.lock: arch x86_64: base "sha256:nothex" is not a sha256 digest`) {
		t.Errorf("malformed base: %v", err)
	}
}
