package builder

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/slipway-build/slipway/builder/lock"
)

func TestCopyChecked(t *testing.T) {
	t.Parallel()
	data := []byte("an rpm, more or less")
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	vf, err := openVendorFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer vf.close()
	for _, tc := range []struct {
		name string
		sum  lock.Checksum
		ok   bool
	}{
		{"sha256", lock.Checksum{Type: "sha256", Value: hex.EncodeToString(s256[:])}, true},
		{"sha512", lock.Checksum{Type: "sha512", Value: hex.EncodeToString(s512[:])}, true},
		{"wrong", lock.Checksum{Type: "sha256", Value: hex.EncodeToString(s512[:32])}, false},
		{"unknown type", lock.Checksum{Type: "crc32", Value: "00"}, false},
	} {
		dst := filepath.Join(dir, tc.name+".rpm")
		n, err := vf.copyChecked(src, tc.name+".rpm", tc.sum)
		if tc.ok != (err == nil) {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		if !tc.ok {
			if _, err := os.Stat(dst); err == nil {
				t.Errorf("%s: a failed copy left %s", tc.name, dst)
			}
			continue
		}
		got, _ := os.ReadFile(dst)
		if n != int64(len(data)) || !bytes.Equal(got, data) {
			t.Errorf("%s: copied %d bytes %q", tc.name, n, got)
		}
		if err := vf.check(tc.name+".rpm", tc.sum, 0); err != nil {
			t.Errorf("%s: check: %v", tc.name, err)
		}
		if err := vf.check(tc.name+".rpm", tc.sum, int64(len(data))+1); err == nil || !strings.Contains(err.Error(), "bytes, want") {
			t.Errorf("%s: check with another size: %v", tc.name, err)
		}
		os.WriteFile(dst, []byte("damaged"), 0o644)
		if err := vf.check(tc.name+".rpm", tc.sum, 0); err == nil {
			t.Errorf("%s: checkFile accepted a damaged file", tc.name)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".rpm" && e.Name() != "keys" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestWriteKeyRing(t *testing.T) {
	t.Parallel()
	var ring openpgp.EntityList
	for _, n := range []string{"one", "two"} {
		e, err := openpgp.NewEntity(n, "", n+"@example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		ring = append(ring, e)
	}
	dir := t.TempDir()
	vf, err := openVendorFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer vf.close()
	if err := vf.writeKeyRing("keys/k.asc", ring); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "keys", "k.asc")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := openpgp.ReadArmoredKeyRing(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].PrimaryKey.KeyId != ring[0].PrimaryKey.KeyId || back[1].PrimaryKey.KeyId != ring[1].PrimaryKey.KeyId {
		t.Errorf("read back %d keys", len(back))
	}
	if back[0].PrivateKey != nil {
		t.Error("a private key was written")
	}
}
