package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

func runSlipway(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &o, &e, func(string) string { return "" })
	return o.String(), e.String(), code
}

// runEnv runs slipway with env as its whole environment and returns the
// exit code and what it printed (stdout, then stderr).
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String() + errb.String()
}

// rpmEnvDir makes a private HOME and rpmdb for rpm (see ORACLES.md).
func rpmEnvDir(t *testing.T) (env []string, dbpath string) {
	dir := t.TempDir()
	home, db := filepath.Join(dir, "home"), filepath.Join(dir, "db")
	os.MkdirAll(home, 0o755)
	os.MkdirAll(db, 0o755)
	os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath "+db+"\n"), 0o644)
	return append(os.Environ(), "HOME="+home), db
}

// TestRpminfoMatchesRPM: for every RPM of the test repositories (both
// arches and the negative ones), each query flag prints exactly what
// rpm -qp prints with it, alone and combined, one FILE and several.
func TestRpminfoMatchesRPM(t *testing.T) {
	testutil.RequireTool(t, "rpm", "rpm")
	r := testrepo.Get(t)
	env, db := rpmEnvDir(t)
	var files []string
	for _, arch := range testrepo.Arches {
		files = append(files, r.RPMs[arch]...)
	}
	files = append(files, r.Tampered, r.UnknownSigned, r.Unsigned)
	flagSets := [][]string{
		nil, {"--requires"}, {"--provides"}, {"--conflicts"}, {"--obsoletes"}, {"--recommends"},
		{"--suggests"}, {"--supplements"}, {"--enhances"}, {"--dump"},
		{"--provides", "--requires"}, {"--dump", "--obsoletes", "--conflicts"},
	}
	rpmOut := func(t *testing.T, args []string) string {
		cmd := exec.Command("rpm", append([]string{"-qp", "--dbpath", db}, args...)...)
		cmd.Env = env
		var o bytes.Buffer
		cmd.Stdout = &o
		if err := cmd.Run(); err != nil {
			t.Fatalf("rpm -qp %v: %v", args, err)
		}
		return o.String()
	}
	for _, flags := range flagSets {
		name := strings.Join(flags, " ")
		if name == "" {
			name = "nevra"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, f := range files {
				args := append(append([]string(nil), flags...), f)
				want := rpmOut(t, args)
				got, errOut, code := runSlipway(t, append([]string{"rpminfo"}, args...)...)
				if code != 0 || got != want {
					t.Errorf("rpminfo %s (exit %d, %s):\ngot:\n%s\nrpm -qp:\n%s", strings.Join(args, " "), code, errOut, got, want)
				}
			}
			// All files at once.
			args := append(append([]string(nil), flags...), files...)
			want := rpmOut(t, args)
			if got, errOut, code := runSlipway(t, append([]string{"rpminfo"}, args...)...); code != 0 || got != want {
				t.Errorf("rpminfo %s on %d files (exit %d, %s): output differs from rpm -qp", name, len(files), code, errOut)
			}
		})
	}
}

// TestRpminfoKeys checks --key verdicts, and that they agree with rpm -K
// given the same key.
func TestRpminfoKeys(t *testing.T) {
	testutil.RequireTool(t, "rpm", "rpm")
	r := testrepo.Get(t)
	env, db := rpmEnvDir(t)
	imp := exec.Command("rpm", "--dbpath", db, "--import", r.KeyFile)
	imp.Env = env
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("rpm --import: %v\n%s", err, out)
	}
	cases := []struct {
		file    string
		ok      bool
		errText string
	}{
		{r.RPMs["x86_64"][0], true, ""},
		{r.RPMs["aarch64"][len(r.RPMs["aarch64"])-1], true, ""},
		{r.Tampered, false, "payload digest mismatch"},
		{r.Unsigned, false, "not signed"},
		{r.UnknownSigned, false, "unknown key"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			t.Parallel()
			out, errOut, code := runSlipway(t, "rpminfo", "--key", r.KeyFile, c.file)
			k := exec.Command("rpm", "--dbpath", db, "-K", c.file)
			k.Env = env
			kout, kerr := k.CombinedOutput()
			// rpm -K passes an unsigned package (digests OK): we fail it on
			// purpose, as --key asks for a signature.
			rpmOK := kerr == nil && strings.Contains(string(kout), "signatures OK")
			if rpmOK != c.ok {
				t.Fatalf("test expectation wrong? rpm -K: %v %s", kerr, kout)
			}
			if c.ok {
				if code != 0 || !strings.Contains(out, c.file+": RSA/SHA512 signature, key ID") || !strings.Contains(out, "Slipway Test Signing") {
					t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
				}
				return
			}
			if code != 1 || !strings.Contains(errOut, c.file+": ") || !strings.Contains(errOut, c.errText) {
				t.Errorf("exit %d, stderr %q, want exit 1 naming the file and %q", code, errOut, c.errText)
			}
		})
	}
	// The other key alone accepts only UnknownSigned.
	if _, errOut, code := runSlipway(t, "rpminfo", "--key", r.OtherKeyFile, r.UnknownSigned); code != 0 {
		t.Errorf("UnknownSigned with its own key: exit %d: %s", code, errOut)
	}
}

func TestRpminfoJSONAndUsage(t *testing.T) {
	r := testrepo.Get(t)
	f := r.RPMs["x86_64"][0]
	out, errOut, code := runSlipway(t, "rpminfo", "--json", f)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var docs []struct {
		Name  string `json:"name"`
		NEVRA string `json:"nevra"`
		Files []struct {
			Path string `json:"path"`
		} `json:"files"`
		Deps map[string][]struct {
			Name string `json:"name"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal([]byte(out), &docs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	nevra, _, _ := runSlipway(t, "rpminfo", f)
	if len(docs) != 1 || !strings.HasPrefix(strings.TrimSpace(nevra), docs[0].Name+"-") || len(docs[0].Deps["requires"]) == 0 {
		t.Errorf("JSON %+v does not describe %s", docs, nevra)
	}
	if _, _, code := runSlipway(t, "rpminfo"); code != 2 {
		t.Errorf("no FILE: exit %d, want 2", code)
	}
	if _, errOut, code := runSlipway(t, "rpminfo", filepath.Join(t.TempDir(), "nope.rpm"), f); code != 1 || !strings.Contains(errOut, "nope.rpm") {
		t.Errorf("missing FILE: exit %d, stderr %q", code, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.rpm")
	os.WriteFile(bad, []byte("not an rpm at all, but long enough to hold a lead of ninety-six bytes.............................."), 0o644)
	if _, errOut, code := runSlipway(t, "rpminfo", bad); code != 1 || !strings.Contains(errOut, "bad.rpm: lead: bad magic") {
		t.Errorf("bad FILE: exit %d, stderr %q", code, errOut)
	}
}

// TestRpminfoVerifyRestoresGCPercent: rpminfo raises GOGC while it reads
// (unless the user set GOGC) and must give the process its setting back;
// every package of the test repositories verifies, the tampered one
// fails. Not parallel: the GC percentage is the process's.
func TestRpminfoVerifyRestoresGCPercent(t *testing.T) {
	r := testrepo.Get(t)
	files := append([]string{}, r.RPMs["x86_64"]...)
	files = append(files, r.RPMs["aarch64"]...)
	const mine = 137
	old := debug.SetGCPercent(mine)
	defer debug.SetGCPercent(old)
	out, errOut, code := runSlipway(t, append([]string{"rpminfo", "--verify"}, files...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, ": digests OK\n"); n != len(files) {
		t.Errorf("%d of %d packages verified:\n%s", n, len(files), out)
	}
	if _, errOut, code := runSlipway(t, "rpminfo", "--verify", r.Tampered); code != 1 || !strings.Contains(errOut, "digest mismatch") {
		t.Errorf("tampered package: exit %d, stderr %q", code, errOut)
	}
	if got := debug.SetGCPercent(mine); got != mine {
		t.Errorf("GC percent after rpminfo: %d, want %d", got, mine)
	}
}
