package rpm_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
)

// built holds RPMs this package builds itself with rpmbuild from
// testdata/features.spec: every payload compressor, and signed copies
// (RSA and EdDSA keys made with gpg).
type built struct {
	dir      string
	byComp   map[string]string // compressor -> RPM
	rsa      string            // signed with the RSA key
	eddsa    string            // signed with the EdDSA key
	rsaKey   string            // armored public keys
	eddsaKey string
	dbpath   string
}

var (
	buildOnce sync.Once
	buildRes  *built
	buildErr  string
	buildRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildRoot != "" {
		os.RemoveAll(buildRoot)
	}
	os.Exit(code)
}

// rpmEnv is the environment for rpm tools: a private HOME whose .rpmmacros
// keeps rpm away from ~/.rpmdb (see ORACLES.md).
func rpmEnv(dir string) []string {
	return append(os.Environ(), "HOME="+filepath.Join(dir, "home"), "GNUPGHOME="+filepath.Join(dir, "gnupg"))
}

func run(t testing.TB, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = rpmEnv(dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// buildRPMs builds the feature RPMs once per test binary.
func buildRPMs(t testing.TB) *built {
	t.Helper()
	testutil.RequireTool(t, "rpmbuild", "rpm")
	testutil.RequireTool(t, "rpmsign", "rpm")
	testutil.RequireTool(t, "gpg", "gpg")
	buildOnce.Do(func() {
		ft := &onceT{}
		buildRes = doBuild(ft)
		buildErr = ft.msg
	})
	if buildErr != "" {
		t.Fatal(buildErr)
	}
	return buildRes
}

// onceT lets the build run outside a particular test.
type onceT struct {
	testing.TB
	msg string
}

func (o *onceT) Helper() {}
func (o *onceT) Fatalf(format string, a ...any) {
	o.msg = sprintf(format, a...)
	panic(o)
}

func doBuild(t *onceT) (b *built) {
	defer func() {
		if r := recover(); r != nil && r != any(t) {
			panic(r)
		}
	}()
	dir, err := os.MkdirTemp("", "slipway-rpm-test-")
	if err != nil {
		t.Fatalf("%v", err)
	}
	buildRoot = dir
	b = &built{dir: dir, byComp: map[string]string{}, dbpath: filepath.Join(dir, "db")}
	for _, d := range []string{"home", "gnupg", "db"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatalf("%v", err)
		}
	}
	macros := "%_dbpath " + b.dbpath + "\n%__gpg /usr/bin/gpg\n"
	if err := os.WriteFile(filepath.Join(dir, "home", ".rpmmacros"), []byte(macros), 0o644); err != nil {
		t.Fatalf("%v", err)
	}
	spec, err := filepath.Abs("testdata/features.spec")
	if err != nil {
		t.Fatalf("%v", err)
	}
	comps := map[string]string{"gzip": "w9.gzdio", "zstd": "w19.zstdio", "xz": "w6.xzdio", "bzip2": "w9.bzdio", "lzma": "w6.lzdio", "none": "w0.ufdio"}
	for name, macro := range comps {
		top := filepath.Join(dir, "top-"+name)
		run(t, dir, "rpmbuild", "-bb", "--quiet", "--define", "_topdir "+top, "--define", "_binary_payload "+macro,
			"--define", "dist .azl3", "--define", "debug_package %{nil}", spec)
		m, _ := filepath.Glob(filepath.Join(top, "RPMS", "*", "*.rpm"))
		if len(m) != 1 {
			t.Fatalf("rpmbuild %s: %d RPMs", name, len(m))
		}
		b.byComp[name] = m[0]
	}
	keys := []struct {
		name, algo string
		rpm, key   *string
	}{
		{"Slipway RSA Test <rsa@slipway.invalid>", "rsa3072", &b.rsa, &b.rsaKey},
		{"Slipway EdDSA Test <eddsa@slipway.invalid>", "ed25519", &b.eddsa, &b.eddsaKey},
	}
	for i, k := range keys {
		run(t, dir, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", k.name, k.algo, "sign", "never")
		*k.key = run(t, dir, "gpg", "--batch", "--armor", "--export", k.name)
		dst := filepath.Join(dir, sprintf("signed-%d.rpm", i))
		data, err := os.ReadFile(b.byComp["zstd"])
		if err != nil {
			t.Fatalf("%v", err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatalf("%v", err)
		}
		run(t, dir, "rpmsign", "--define", "_gpg_name "+k.name, "--addsign", dst)
		*k.rpm = dst
	}
	exec.Command("gpgconf", "--homedir", filepath.Join(dir, "gnupg"), "--kill", "gpg-agent").Run()
	return b
}

var sprintf = fmt.Sprintf
