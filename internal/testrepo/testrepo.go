// Package testrepo gives tests real, signed RPM repositories built by
// scripts/gen-testrepo.sh with rpmbuild, rpmsign and createrepo_c.
//
// The repositories are built once per content of the generator (the script
// and everything under testdata/rpms) and cached on disk, so that the many
// test binaries of `go test ./...` share one copy. The cache folder is
// $SLIPWAY_TESTREPO_CACHE, or else os.UserCacheDir()/slipway-testrepo.
package testrepo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testutil"
)

// Arches are the architectures Get builds repositories for.
var Arches = []string{"x86_64", "aarch64"}

// Repos describes the generated repositories. Every path is absolute.
type Repos struct {
	// Root is the cache folder holding everything below.
	Root string
	// Dir maps an arch ("x86_64", "aarch64") to its repository folder: that
	// arch's RPMs, the shared noarch RPMs and repodata/ (gz metadata,
	// repomd.xml.asc). Nothing else is in it.
	Dir map[string]string
	// XZDir and ZstdDir are copies of the x86_64 repository whose metadata
	// (primary, filelists, other) is compressed with xz and zstd; their
	// repomd.xml is signed too.
	XZDir, ZstdDir string
	// Key is the armored public key that signed every RPM and every
	// repomd.xml.asc; KeyFile is the file holding it.
	Key, KeyFile string
	// OtherKey is the armored public key of a second key, which signed only
	// UnknownSigned; OtherKeyFile is the file holding it.
	OtherKey, OtherKeyFile string
	// Tampered is an RPM signed by Key whose payload was altered after
	// signing: the header and its signature check out, the payload digest
	// does not.
	Tampered string
	// UnknownSigned is an RPM signed by OtherKey only.
	UnknownSigned string
	// Unsigned is an RPM with no signature.
	Unsigned string
	// RPMs maps an arch to every RPM file of that arch's repository, sorted.
	RPMs map[string][]string
}

var (
	mu     sync.Mutex
	cached = map[string]*Repos{}
)

// Get returns the test repositories, building them first if the cache holds
// none for the current generator inputs. A failure fails t; a missing tool
// skips t locally and fails it under CI (see testutil.RequireTool).
func Get(t testing.TB) *Repos {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatalf("testrepo: %v", err)
	}
	sum, err := inputsHash(root)
	if err != nil {
		t.Fatalf("testrepo: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if r, ok := cached[sum]; ok {
		return r
	}

	base := os.Getenv("SLIPWAY_TESTREPO_CACHE")
	if base == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			t.Fatalf("testrepo: no cache folder (set SLIPWAY_TESTREPO_CACHE): %v", err)
		}
		base = filepath.Join(uc, "slipway-testrepo")
	}
	if base, err = filepath.Abs(base); err != nil {
		t.Fatalf("testrepo: cache folder: %v", err)
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatalf("testrepo: creating cache folder: %v", err)
	}
	final := filepath.Join(base, sum)

	if _, err := os.Stat(final); err != nil {
		unlock, err := lockFile(filepath.Join(base, sum+".lock"))
		if err != nil {
			t.Fatalf("testrepo: %v", err)
		}
		defer unlock()
		// Another test binary may have built it while we waited.
		if _, err := os.Stat(final); err != nil {
			generate(t, root, base, final)
		}
	}

	r, err := load(final)
	if err != nil {
		t.Fatalf("testrepo: %v", err)
	}
	cached[sum] = r
	return r
}

// generate runs the script into a temporary folder next to final and renames
// it into place once complete.
func generate(t testing.TB, root, base, final string) {
	t.Helper()
	for _, tool := range [][2]string{
		{"rpmbuild", "rpm"}, {"rpmsign", "rpm"}, {"rpm", "rpm"},
		{"createrepo_c", "createrepo-c"}, {"gpg", "gpg"}, {"gpgconf", "gpgconf"},
		{"zstd", "zstd"}, {"gcc", "gcc"},
		{"aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"},
		{"aarch64-linux-gnu-strip", "binutils-aarch64-linux-gnu"},
		{"busybox", "busybox-static"}, {"dpkg-deb", "dpkg"},
	} {
		testutil.RequireTool(t, tool[0], tool[1])
	}
	tmp, err := os.MkdirTemp(base, filepath.Base(final)+".tmp-")
	if err != nil {
		t.Fatalf("testrepo: %v", err)
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(root, "scripts", "gen-testrepo.sh"), tmp)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("testrepo: scripts/gen-testrepo.sh: %v\n%s", err, out.String())
	}
	if err := os.Rename(tmp, final); err != nil {
		t.Fatalf("testrepo: %v", err)
	}
	t.Logf("testrepo: built %s in %v", final, time.Since(start).Round(time.Millisecond))
}

func load(dir string) (*Repos, error) {
	r := &Repos{
		Root:          dir,
		Dir:           map[string]string{},
		XZDir:         filepath.Join(dir, "x86_64-xz"),
		ZstdDir:       filepath.Join(dir, "x86_64-zstd"),
		KeyFile:       filepath.Join(dir, "keys", "RPM-GPG-KEY-slipway-test"),
		OtherKeyFile:  filepath.Join(dir, "keys", "RPM-GPG-KEY-slipway-other"),
		Tampered:      filepath.Join(dir, "negative", "tampered.rpm"),
		UnknownSigned: filepath.Join(dir, "negative", "unknown-signed.rpm"),
		Unsigned:      filepath.Join(dir, "negative", "unsigned.rpm"),
		RPMs:          map[string][]string{},
	}
	for _, arch := range Arches {
		d := filepath.Join(dir, arch)
		r.Dir[arch] = d
		rpms, err := filepath.Glob(filepath.Join(d, "*.rpm"))
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", d, err)
		}
		if len(rpms) == 0 {
			return nil, fmt.Errorf("no RPMs in %s", d)
		}
		slices.Sort(rpms)
		r.RPMs[arch] = rpms
	}
	for _, k := range []struct {
		dst  *string
		path string
	}{{&r.Key, r.KeyFile}, {&r.OtherKey, r.OtherKeyFile}} {
		b, err := os.ReadFile(k.path)
		if err != nil {
			return nil, fmt.Errorf("reading key: %w", err)
		}
		*k.dst = string(b)
	}
	return r, nil
}

// moduleRoot finds the folder holding slipway's go.mod, upwards from the
// working directory (a package folder while tests run).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding module root: %w", err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/slipway-build/slipway\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("finding module root: no slipway go.mod above the working directory")
		}
		dir = parent
	}
}

// inputsHash is the sha256 of the generator's inputs: the script and every
// file under testdata/rpms, names included.
func inputsHash(root string) (string, error) {
	h := sha256.New()
	add := func(rel string) error {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return fmt.Errorf("hashing generator inputs: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
		return nil
	}
	if err := add(filepath.Join("scripts", "gen-testrepo.sh")); err != nil {
		return "", err
	}
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "testdata", "rpms"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing generator inputs: %w", err)
	}
	slices.Sort(files)
	for _, f := range files {
		if err := add(f); err != nil {
			return "", err
		}
	}
	return strings.ToLower(hex.EncodeToString(h.Sum(nil)))[:32], nil
}
