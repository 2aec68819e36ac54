//go:build linux

package repo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

// TestCacheMapping: a sound entry stays mapped (its packages' strings
// point into it) and decodes to what was encoded; a damaged or
// undecodable one is unmapped again, so failed loads leave nothing mapped.
func TestCacheMapping(t *testing.T) {
	t.Parallel()
	pkgs := []Package{{Location: "a.rpm", Summary: "mapped"}}
	pkgs[0].Name, pkgs[0].Version, pkgs[0].Release, pkgs[0].Arch = "a", "1", "1", "noarch"
	pkgs[0].Provides = []rpmmeta.Dep{{Name: "a", Flags: rpmmeta.SenseEqual, Version: "1-1"}}
	good := encodePrimary(pkgs)
	dir := t.TempDir()
	mapped := func(path string) bool {
		t.Helper()
		b, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Skipf("no /proc/self/maps: %v", err)
		}
		return strings.Contains(string(b), path)
	}
	for _, tc := range []struct {
		name string
		data func(path string) error
		ok   bool
	}{
		{"sound", func(p string) error { return writeCache(p, good) }, true},
		{"bad checksum", func(p string) error {
			if err := writeCache(p, good); err != nil {
				return err
			}
			b, _ := os.ReadFile(p)
			b[len(b)-1] ^= 1
			return os.WriteFile(p, b, 0o600)
		}, false},
		{"wrong kind", func(p string) error { return writeCache(p, encodeFilelists(nil)) }, false},
		// A sound CRC over a body that does not decode (a format bug).
		{"undecodable", func(p string) error { return writeCache(p, append(good[:len(good):len(good)], 0)) }, false},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o600) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".primary.slpw")
			if err := tc.data(path); err != nil {
				t.Fatal(err)
			}
			back, err := readPrimaryCache(path)
			if (err == nil) != tc.ok {
				t.Fatalf("read: %v, want ok=%v", err, tc.ok)
			}
			if tc.ok {
				if len(back) != 1 || back[0].Summary != "mapped" || back[0].Provides[0].Version != "1-1" {
					t.Errorf("decoded %+v", back)
				}
				if !mapped(path) {
					t.Errorf("%s is not mapped after a successful read", path)
				}
				return
			}
			if mapped(path) {
				t.Errorf("%s is still mapped after a failed read", path)
			}
		})
	}
}
