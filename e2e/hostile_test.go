//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/slipway-build/slipway/internal/hostile"
	"github.com/slipway-build/slipway/internal/testrepo"
)

// noPanic fails t when a run crashed instead of reporting an error.
func noPanic(t *testing.T, r result) {
	t.Helper()
	if r.code != 1 {
		t.Errorf("exit %d, want 1\nstderr: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("crashed:\n%s", r.stderr)
	}
}

// TestHostileRPMs runs `slipway rpminfo --verify` over every hostile RPM of
// the corpus: exit 1, one line naming the file, the exact error.
func TestHostileRPMs(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	var real [2][]byte
	for i, name := range []string{"tzdata-2024a", "webd-2.4"} {
		for _, p := range tr.RPMs["x86_64"] {
			if strings.HasPrefix(filepath.Base(p), name) {
				real[i], _ = os.ReadFile(p)
			}
		}
	}
	dir := t.TempDir()
	for i, tc := range hostile.RPMCases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.Make(real)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(dir, fmt.Sprintf("case%02d.rpm", i))
			if err := os.WriteFile(f, b, 0o644); err != nil {
				t.Fatal(err)
			}
			r := slipway(t, nil, "rpminfo", "--verify", f)
			noPanic(t, r)
			if !strings.Contains(r.stderr, tc.Want) || !strings.Contains(r.stderr, f) {
				t.Errorf("stderr %q, want %q naming %s", r.stderr, tc.Want, f)
			}
			if r.stdout != "" {
				t.Errorf("printed %q for a hostile package", r.stdout)
			}
		})
	}
	// A signature moved onto another package's header, checked with the key.
	b, err := hostile.SwapSignature(real[0], real[1])
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "swapped.rpm")
	os.WriteFile(f, b, 0o644)
	r := slipway(t, nil, "rpminfo", "--key", tr.KeyFile, f)
	noPanic(t, r)
	if !strings.Contains(r.stderr, f) || !strings.Contains(r.stderr, "header SHA256 digest mismatch") {
		t.Errorf("swapped signature with --key: %q", r.stderr)
	}
}

// TestHostileConfigs loads the hostile configurations of
// testdata/hostile/config with `slipway config`.
func TestHostileConfigs(t *testing.T) {
	t.Parallel()
	dir, _ := filepath.Abs("../testdata/hostile/config")
	gen := t.TempDir()
	// generated: nesting beyond the TOML decoder's limit, an extends chain
	// longer than 32 files.
	os.WriteFile(filepath.Join(gen, "deep.toml"), []byte("[image]\nname = \"x\"\narchitectures = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+"\n"), 0o644)
	for i := 0; i < 40; i++ {
		os.WriteFile(filepath.Join(gen, fmt.Sprintf("chain%d.toml", i)), fmt.Appendf(nil, "extends = \"chain%d.toml\"\n", i+1), 0o644)
	}
	cases := []struct{ file, want string }{
		{"cycle-a.toml", "cycle-b.toml:1: extends: cycle: " + dir + "/cycle-a.toml -> " + dir + "/cycle-b.toml -> " + dir + "/cycle-a.toml"},
		{"self.toml", "self.toml:1: extends: cycle: " + dir + "/self.toml -> " + dir + "/self.toml"},
		{"key-outside.toml", `key-outside.toml:8: repository[r].gpgkey: "../../../../../../etc/passwd" leaves the folder of the file that names it`},
		{"priority-overflow.toml", "priority-overflow.toml:9: repository.priority: decimal number is too large to fit in a 64-bit signed integer"},
		{"priority-negative.toml", "priority-negative.toml:9: repository[r].priority: -5 is out of range 1..99"},
		{"uid-overflow.toml", "uid-overflow.toml:13: accounts.user[x].uid: 4294967296 is out of range 0..2147483647"},
		{"unknown-table.toml", `unknown-table.toml:11: unknown key "evil"`},
		{"unknown-key.toml", `unknown-key.toml:5: unknown key "image.architectures_typo"`},
		{"unknown-key-packages.toml", `unknown-key-packages.toml:11: unknown key "packages.extra"`},
		{"extends-url.toml", `extends-url.toml:1: extends: "http://example.invalid/base.toml": must be a file path, not a URL`},
		{"extends-missing.toml", "extends-missing.toml:1: extends: reading /nonexistent/base.toml"},
		{"unknown-variable.toml", "unknown-variable.toml:7: repository[r].baseurl: \"file:///nonexistent/$evilvar\" uses $evilvar: only $releasever and $basearch are known"},
		{"broken-syntax.toml", "broken-syntax.toml:1: expected ']' to close table name"},
		{gen + "/deep.toml", "deep.toml:3: arrays and inline tables are nested more than the maximum of 10000 levels deep"},
		{gen + "/chain0.toml", "extends"},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			t.Parallel()
			f := tc.file
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			r := slipway(t, nil, "config", f)
			noPanic(t, r)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.want)
			}
		})
	}
}

// otherKeySignature signs data with a fresh key that no configuration
// trusts and returns the armored detached signature.
func otherKeySignature(t *testing.T, data []byte) []byte {
	t.Helper()
	e, err := openpgp.NewEntity("hostile", "", "hostile@example.invalid", nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := armor.Encode(&b, "PGP SIGNATURE", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := openpgp.DetachSign(w, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return b.Bytes()
}

// TestHostileRepos resolves against hostile repository metadata.
func TestHostileRepos(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	pkg := func(name, sum string) hostile.PrimaryPackage {
		return hostile.PrimaryPackage{Name: name, Version: "1", Release: "1", Arch: "noarch", Checksum: sum, Location: name + ".rpm"}
	}
	good := hostile.Primary([]hostile.PrimaryPackage{pkg("busybox", strings.Repeat("a", 64))})
	cases := []struct {
		name string
		repo hostile.Repo
		gpg  bool // repo_gpgcheck with the test key; repomd.xml.asc by another key
		want string
	}{
		{"billion laughs in repomd.xml", hostile.Repo{Primary: good, Repomd: hostile.BillionLaughs("repomd", 9)}, false, "parsing repomd.xml: XML syntax error on line 14: invalid character entity &lol9;"},
		{"billion laughs in primary.xml", hostile.Repo{Primary: hostile.BillionLaughs("metadata", 9)}, false, "XML at byte 22: DOCTYPE with an internal subset is not supported"},
		{"primary nested 1,000,000 deep", hostile.Repo{Primary: hostile.Nested(1000000)}, false, "package 1: XML at byte 217: unexpected element inside a text element <x>"},
		{"primary claims a 10 GB open-size", hostile.Repo{Primary: good, OpenSize: 10 << 30}, false, "checksum mismatch: decompressed size 719, repomd.xml says open-size 10737418240"},
		{"primary checksum mismatch", hostile.Repo{Primary: good, BadChecksum: true}, false, "checksum mismatch: sha256 a05f1441071564bd4ddd02a81e33befaa09fd00c5d27a6347cb929e0e7368b75, repomd.xml says 0000000000000000000000000000000000000000000000000000000000000000"},
		{"repomd.xml.asc from another key", hostile.Repo{Primary: good}, true, "repo h: repomd.xml is signed by a key that is not among the repository's gpgkey"},
		{"same package twice with different checksums", hostile.Repo{Primary: hostile.Primary([]hostile.PrimaryPackage{
			pkg("busybox", strings.Repeat("a", 64)), pkg("busybox", strings.Repeat("b", 64))})}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := hostile.WriteRepo(dir, tc.repo); err != nil {
				t.Fatal(err)
			}
			keys := ""
			if tc.gpg {
				md, _ := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
				os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml.asc"), otherKeySignature(t, md), 0o644)
				keys = fmt.Sprintf("gpgkey = [%q]\nrepo_gpgcheck = true\n", tr.KeyFile)
			}
			cfg := filepath.Join(t.TempDir(), "image.toml")
			os.WriteFile(cfg, fmt.Appendf(nil, "[image]\nname = \"h/x\"\narchitectures = [\"x86_64\"]\nreleasever = \"3.0\"\n\n[[repository]]\nid = \"h\"\nbaseurl = \"file://%s\"\ngpgcheck = false\n%s\n[packages]\ninstall = [\"busybox\"]\n", dir, keys), 0o644)
			r := slipway(t, nil, "--cache-dir", t.TempDir(), "resolve", cfg)
			t.Logf("exit %d: %s%s", r.code, r.stdout, r.stderr)
			if tc.want == "" {
				// accepted, as dnf does: one of the two is chosen, and its
				// own checksum is checked when it is downloaded.
				mustSucceed(t, r, "resolve")
				if strings.Count(r.stdout, "busybox-1-1.noarch") != 1 {
					t.Errorf("resolved %q, want busybox once", r.stdout)
				}
				return
			}
			noPanic(t, r)
			if !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "repo h") {
				t.Errorf("stderr %q, want %q", r.stderr, tc.want)
			}
		})
	}
}

// slipwayWithin runs slipway like slipway() but fails the test when the
// run takes longer than d (a hang on a named pipe, say) instead of
// waiting for the test binary's own timeout.
func slipwayWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, slipwayBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("slipway %s still running after %v: it hangs", strings.Join(args, " "), d)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running slipway: %v", err)
	}
	return result{code, out.String(), errb.String()}
}

// TestHostileLocalFiles: local files that are named pipes or links to
// /dev/zero, lockfile names that would lead writes out of the vendor
// folder, a symlinked folder inside it, and an OCI output folder holding
// a user's files: each fails fast with one exact line, or (the layout)
// keeps every file that is not the layout's.
func TestHostileLocalFiles(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	cache := t.TempDir()
	cfg := config(t, repos, "", "busybox")
	mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "lock", cfg), "lock")
	lockPath := strings.TrimSuffix(cfg, ".toml") + ".lock"
	lockData, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", zero)
	// configurations: extends a named pipe; a gpgkey linked to /dev/zero.
	extFifo := filepath.Join(dir, "ext-fifo.toml")
	os.WriteFile(extFifo, []byte("extends = \"fifo\"\n"), 0o644)
	keyZero := filepath.Join(dir, "key-zero.toml")
	os.WriteFile(keyZero, []byte("[image]\nname = \"h/x\"\narchitectures = [\"x86_64\"]\n\n[[repository]]\nid = \"r\"\nbaseurl = \"file:///nonexistent\"\ngpgcheck = true\ngpgkey = [\"zero\"]\n\n[packages]\ninstall = [\"busybox\"]\n"), 0o644)
	// lockfiles with an architecture that is a path.
	badLock := func(name, arch string) string {
		p := filepath.Join(filepath.Dir(cfg), name)
		os.WriteFile(p, []byte(strings.Replace(string(lockData), "name = 'x86_64'", "name = '"+arch+"'", 1)), 0o644)
		return p
	}
	dotdot := badLock("dotdot.lock", "../../x")
	absolute := badLock("absolute.lock", "/tmp/x")
	// a vendor folder whose keys/ leads outside.
	outside := t.TempDir()
	linkedVendor := filepath.Join(t.TempDir(), "vendor")
	os.Mkdir(linkedVendor, 0o755)
	os.Symlink(outside, filepath.Join(linkedVendor, "keys"))

	cases := []struct {
		name string
		args []string
		want string
	}{
		{"extends a named pipe", []string{"config", extFifo},
			extFifo + ":1: extends: reading " + fifo + ": not a regular file (named pipe)"},
		{"config is a named pipe", []string{"config", fifo},
			"reading config " + fifo + ": not a regular file (named pipe)"},
		{"gpgkey links to /dev/zero", []string{"config", keyZero},
			keyZero + ":9: repository[r].gpgkey: reading key " + zero + ": not a regular file (character device)"},
		{"lockfile links to /dev/zero", []string{"--cache-dir", cache, "vendor", cfg, "--dir", t.TempDir(), "--lockfile", zero},
			"reading lockfile " + zero + ": not a regular file (character device)"},
		{"lockfile is a named pipe", []string{"--cache-dir", cache, "build", "--locked", "--lockfile", fifo, cfg, "--output", "oci:" + filepath.Join(t.TempDir(), "o")},
			"reading lockfile " + fifo + ": not a regular file (named pipe)"},
		{"verify --key links to /dev/zero", []string{"verify", "--key", zero, "127.0.0.1:1/x:t"},
			"reading public key " + zero + ": not a regular file (character device)"},
		{"verify --key is a named pipe", []string{"verify", "--key", fifo, "127.0.0.1:1/x:t"},
			"reading public key " + fifo + ": not a regular file (named pipe)"},
		{"rpminfo --key is a named pipe", []string{"rpminfo", "--key", fifo, zero},
			"reading key " + fifo + ": not a regular file (named pipe)"},
		{"rpminfo of /dev/zero", []string{"rpminfo", zero},
			zero + ": open " + zero + ": not a regular file (character device)"},
		{"lockfile arch ../../x", []string{"--cache-dir", cache, "vendor", cfg, "--dir", t.TempDir(), "--lockfile", dotdot},
			dotdot + `: arch #2: "../../x" is not an architecture name (letters, digits and _)`},
		{"lockfile arch /tmp/x", []string{"--cache-dir", cache, "vendor", cfg, "--dir", t.TempDir(), "--lockfile", absolute},
			absolute + `: arch #2: "/tmp/x" is not an architecture name (letters, digits and _)`},
		{"vendor keys/ links outside", []string{"--cache-dir", cache, "vendor", cfg, "--dir", linkedVendor},
			"vendor: " + linkedVendor + "/keys: path escapes from parent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := slipwayWithin(t, 30*time.Second, tc.args...)
			noPanic(t, r)
			if got := strings.TrimSpace(r.stderr); got != "slipway: "+tc.want {
				t.Errorf("stderr %q\nwant   %q", got, "slipway: "+tc.want)
			}
		})
	}
	if ents, _ := os.ReadDir(outside); len(ents) > 0 {
		t.Errorf("vendor wrote outside its folder: %v", ents)
	}

	t.Run("vendored RPM links to /dev/zero", func(t *testing.T) {
		t.Parallel()
		vendor := filepath.Join(t.TempDir(), "vendor")
		mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "vendor", cfg, "--dir", vendor), "vendor")
		rpms, _ := filepath.Glob(filepath.Join(vendor, "*.rpm"))
		if len(rpms) == 0 {
			t.Fatal("nothing vendored")
		}
		os.Remove(rpms[0])
		os.Symlink("/dev/zero", rpms[0])
		r := slipwayWithin(t, 60*time.Second, "--cache-dir", t.TempDir(), "build", "--locked", "--vendor-dir", vendor, cfg, "--output", "oci:"+filepath.Join(t.TempDir(), "o"))
		noPanic(t, r)
		if want := "open " + rpms[0] + ": not a regular file (character device)"; !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
	})

	t.Run("oci output into a folder with user files", func(t *testing.T) {
		t.Parallel()
		project := t.TempDir()
		user := map[string]string{"image.toml": "mine", ".git/HEAD": "ref: refs/heads/main\n", "oci-layout": `{"imageLayoutVersion": "1.0.0"}`}
		for name, data := range user {
			os.MkdirAll(filepath.Dir(filepath.Join(project, name)), 0o755)
			os.WriteFile(filepath.Join(project, name), []byte(data), 0o644)
		}
		kept := func() {
			t.Helper()
			for name, data := range user {
				if b, err := os.ReadFile(filepath.Join(project, name)); err != nil || string(b) != data {
					t.Errorf("%s: %q, %v: a user's file was not kept", name, b, err)
				}
			}
		}
		// An oci-layout file alone does not make a layout: refused.
		r := slipway(t, nil, "--cache-dir", cache, "build", "--arch", "x86_64", cfg, "--output", "oci:"+project+":a")
		noPanic(t, r)
		if want := "slipway: output " + project + ": open index.json: no such file or directory; refusing to write into it"; strings.TrimSpace(r.stderr) != want {
			t.Errorf("stderr %q\nwant   %q", r.stderr, want)
		}
		kept()
		// A real layout with the user's files beside it is added to.
		lay := t.TempDir()
		mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "build", "--arch", "x86_64", cfg, "--output", "oci:"+lay+":a"), "build a")
		delete(user, "oci-layout")
		project = lay
		for name, data := range user {
			os.MkdirAll(filepath.Dir(filepath.Join(project, name)), 0o755)
			os.WriteFile(filepath.Join(project, name), []byte(data), 0o644)
		}
		mustSucceed(t, slipway(t, nil, "--cache-dir", cache, "build", "--arch", "aarch64", cfg, "--output", "oci:"+lay+":b"), "build b")
		kept()
		for _, tag := range []string{"a", "b"} {
			mustSucceed(t, slipway(t, nil, "inspect", "oci:"+lay+":"+tag), "inspect "+tag)
		}
	})
}
