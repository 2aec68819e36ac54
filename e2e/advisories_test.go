//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// advisoryXML is the security advisory of the second repository version:
// tzdata 2024a fixes a CVE that 2023c has.
const advisoryXML = `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="security@example.com" status="stable" type="security" version="2.0">
    <id>AZL-2024-0042</id>
    <title>tzdata security update</title>
    <issued date="2024-03-01 00:00:00"/>
    <severity>Important</severity>
    <description>A crafted zone file overflows a buffer.</description>
    <references>
      <reference href="https://www.cve.org/CVERecord?id=CVE-2024-24242" id="CVE-2024-24242" type="cve" title="CVE-2024-24242"/>
    </references>
    <pkglist>
      <collection short="azl3">
        <package name="tzdata" version="2024a" release="1.azl3" epoch="0" arch="noarch">
          <filename>tzdata-2024a-1.azl3.noarch.rpm</filename>
        </package>
      </collection>
    </pkglist>
  </update>
</updates>
`

// signedRepoVersions writes version 1 (the x86_64 test packages without
// tzdata-2024a) or version 2 (all of them, plus updateinfo.xml) of a
// repository into dir, its repomd.xml signed by a key of its own.
type signedRepo struct {
	t       *testing.T
	dir     string
	gnupg   string
	keyFile string
}

func newSignedRepo(t *testing.T) *signedRepo {
	t.Helper()
	gpg := testutil.RequireTool(t, "gpg", "gpg")
	tmp := t.TempDir()
	s := &signedRepo{t: t, dir: filepath.Join(tmp, "repo"), gnupg: filepath.Join(tmp, "gnupg"), keyFile: filepath.Join(tmp, "repo-key.asc")}
	os.MkdirAll(s.gnupg, 0o700)
	s.gpg(gpg, "--batch", "--passphrase", "", "--quick-gen-key", "slipway advisories e2e <e2e@example.com>", "rsa2048", "sign", "never")
	key := s.gpg(gpg, "--armor", "--export", "e2e@example.com")
	if err := os.WriteFile(s.keyFile, key, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := exec.Command("gpgconf", "--kill", "gpg-agent")
		c.Env = append(os.Environ(), "GNUPGHOME="+s.gnupg)
		c.Run()
	})
	return s
}

func (s *signedRepo) gpg(gpg string, args ...string) []byte {
	s.t.Helper()
	c := exec.Command(gpg, append([]string{"--homedir", s.gnupg, "--batch", "--yes"}, args...)...)
	out, err := c.Output()
	if err != nil {
		s.t.Fatalf("gpg %v: %v", args, err)
	}
	return out
}

func (s *signedRepo) write(repos *testrepo.Repos, version int) {
	t := s.t
	t.Helper()
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	modifyrepo := testutil.RequireTool(t, "modifyrepo_c", "createrepo-c")
	os.RemoveAll(s.dir)
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, rpm := range repos.RPMs["x86_64"] {
		if version == 1 && strings.HasPrefix(filepath.Base(rpm), "tzdata-2024a") {
			continue
		}
		if err := os.Symlink(rpm, filepath.Join(s.dir, filepath.Base(rpm))); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(createrepo, "--quiet", "--no-database", s.dir).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	if version == 2 {
		ui := filepath.Join(t.TempDir(), "updateinfo.xml")
		os.WriteFile(ui, []byte(advisoryXML), 0o644)
		if out, err := exec.Command(modifyrepo, "--mdtype=updateinfo", ui, filepath.Join(s.dir, "repodata")).CombinedOutput(); err != nil {
			t.Fatalf("modifyrepo_c: %v\n%s", err, out)
		}
	}
	md := filepath.Join(s.dir, "repodata", "repomd.xml")
	s.gpg(testutil.RequireTool(t, "gpg", "gpg"), "--local-user", "e2e@example.com", "--armor", "--detach-sign", "-o", md+".asc", md)
}

// TestUpdatesAndAdvisories: a lock made on version 1 is current there;
// on version 2 `lock --check --updates` exits 1 naming the package, both
// versions, the advisory, its severity and its CVE; `advisories` calls the
// advisory open for the image built on version 1 and fixed for the one
// rebuilt on version 2 (inspect --advisories agrees); `diff --advisories`
// between the two images shows it.
func TestUpdatesAndAdvisories(t *testing.T) {
	repos := testrepo.Get(t)
	sr := newSignedRepo(t)
	sr.write(repos, 1)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "image.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[image]
name = "test/advisories"
architectures = ["x86_64"]
releasever = "3.0"

[[repository]]
id = "azl"
baseurl = "file://%s"
gpgkey = [%q, %q]
gpgcheck = true
repo_gpgcheck = true

[packages]
install = ["appd", "tzdata"]
`, sr.dir, repos.KeyFile, sr.keyFile)), 0o644)
	cache := t.TempDir()
	run := func(args ...string) result {
		return slipway(t, nil, append([]string{"--cache-dir", cache}, args...)...)
	}
	layout, layout2 := filepath.Join(dir, "layout"), filepath.Join(dir, "layout2")

	mustSucceed(t, run("lock", cfg), "lock on version 1")
	r := run("lock", "--check", "--updates", cfg)
	mustSucceed(t, r, "lock --check --updates on version 1")
	if !strings.Contains(r.stdout, "image.lock is current") {
		t.Errorf("version 1: stdout %q", r.stdout)
	}
	mustSucceed(t, run("build", cfg, "--output", "oci:"+layout+":v1"), "build on version 1")

	sr.write(repos, 2)
	// Plain --check still says current: the locked packages are there.
	mustSucceed(t, run("lock", "--check", cfg), "lock --check on version 2")
	r = run("lock", "--check", "--json", cfg)
	mustSucceed(t, r, "lock --check --json on version 2")
	if !strings.Contains(r.stdout, `"current": true`) || strings.Contains(r.stdout, `"diff"`) {
		t.Errorf("lock --check --json on version 2:\n%s", r.stdout)
	}
	r = run("lock", "--check", "--updates", cfg)
	if r.code != 1 {
		t.Fatalf("lock --check --updates on version 2: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("lock --check --updates on version 2:\n%s", r.stdout)
	for _, want := range []string{
		"| tzdata | 2023c-1.azl3.noarch | 2024a-1.azl3.noarch |",
		"| x86_64 | tzdata | 2023c-1.azl3.noarch | 2024a-1.azl3.noarch | AZL-2024-0042 | security | Important | CVE-2024-24242 |",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("lock --check --updates lacks %q:\n%s", want, r.stdout)
		}
	}
	r = run("lock", "--check", "--updates", "--json", cfg)
	var got lockCheck
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 1 {
		t.Fatalf("--json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if got.Current || len(got.Advisories) != 1 || got.Advisories[0].ID != "AZL-2024-0042" || got.Advisories[0].From != "2023c-1.azl3.noarch" ||
		got.Advisories[0].To != "2024a-1.azl3.noarch" || got.Advisories[0].Severity != "Important" || strings.Join(got.Advisories[0].CVEs, ",") != "CVE-2024-24242" {
		t.Errorf("--json: %+v", got)
	}

	// The image of version 1 against the repository of version 2.
	r = run("advisories", "--config", cfg, "oci:"+layout+":v1")
	mustSucceed(t, r, "advisories v1")
	t.Logf("advisories v1:\n%s", r.stdout)
	if !regexpLine(r.stdout, `^open +AZL-2024-0042 +security +Important +CVE-2024-24242 +tzdata-2023c-1.azl3.noarch -> tzdata-2024a-1.azl3.noarch +tzdata security update$`) ||
		!strings.Contains(r.stdout, "# x86_64: 1 open, 0 fixed") {
		t.Errorf("advisories v1:\n%s", r.stdout)
	}
	r = run("inspect", "--advisories", cfg, "oci:"+layout+":v1")
	mustSucceed(t, r, "inspect --advisories v1")
	if !strings.Contains(r.stdout, "tzdata-2023c-1.azl3.noarch\n") || !regexpLine(r.stdout, `^open +AZL-2024-0042 +security +Important +CVE-2024-24242 `) {
		t.Errorf("inspect --advisories v1:\n%s", r.stdout)
	}
	r = run("advisories", "--config", cfg, "--fail-on", "important", "oci:"+layout+":v1")
	if r.code != 1 || !strings.Contains(r.stderr, "1 open advisories at or above important: AZL-2024-0042") {
		t.Errorf("--fail-on important on v1: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run("advisories", "--config", cfg, "--fail-on", "critical", "oci:"+layout+":v1")
	mustSucceed(t, r, "--fail-on critical on v1")

	// Rebuilt on version 2: fixed.
	mustSucceed(t, run("lock", cfg), "lock on version 2")
	mustSucceed(t, run("lock", "--check", "--updates", cfg), "lock --check --updates after relocking")
	r = run("build", "--json", cfg, "--output", "oci:"+layout2+":v2")
	mustSucceed(t, r, "build on version 2")
	// build --json lists the advisories the image's packages fix.
	var built struct {
		Arches []struct {
			Advisories []struct {
				ID, State, Type, Severity string
				CVEs                      []string `json:"cves"`
			} `json:"advisories"`
		} `json:"arches"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &built); err != nil {
		t.Fatalf("build --json: %v\n%s", err, r.stdout)
	}
	if len(built.Arches) != 1 || len(built.Arches[0].Advisories) != 1 {
		t.Fatalf("build --json on version 2: advisories %+v\n%s", built.Arches, r.stdout)
	}
	if a := built.Arches[0].Advisories[0]; a.ID != "AZL-2024-0042" || a.State != "fixed" || a.Type != "security" ||
		a.Severity != "Important" || strings.Join(a.CVEs, ",") != "CVE-2024-24242" {
		t.Errorf("build --json on version 2: advisory %+v", a)
	}
	vex := filepath.Join(dir, "vex.json")
	r = run("advisories", "--config", cfg, "--fail-on", "low", "--openvex", vex, "oci:"+layout2+":v2")
	mustSucceed(t, r, "advisories v2")
	if !regexpLine(r.stdout, `^fixed +AZL-2024-0042 +security +Important +CVE-2024-24242 +tzdata-2024a-1.azl3.noarch +tzdata security update$`) {
		t.Errorf("advisories v2:\n%s", r.stdout)
	}
	var doc struct {
		Context    string `json:"@context"`
		Timestamp  string `json:"timestamp"`
		Statements []struct {
			Vulnerability struct{ Name string } `json:"vulnerability"`
			Products      []struct {
				ID string `json:"@id"`
			} `json:"products"`
			Status string `json:"status"`
		} `json:"statements"`
	}
	b, err := os.ReadFile(vex)
	if err != nil || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("OpenVEX: %v\n%s", err, b)
	}
	if doc.Context != "https://openvex.dev/ns/v0.2.0" || doc.Timestamp != "2024-03-01T00:00:00Z" || len(doc.Statements) != 1 ||
		doc.Statements[0].Vulnerability.Name != "CVE-2024-24242" || doc.Statements[0].Status != "fixed" ||
		len(doc.Statements[0].Products) != 1 || doc.Statements[0].Products[0].ID != "pkg:rpm/tzdata@2024a-1.azl3?arch=noarch" {
		t.Errorf("OpenVEX:\n%s", b)
	}
	// diff between the two images, with the advisories of the upgrade.
	r = run("diff", "--advisories", cfg, "oci:"+layout+":v1", "oci:"+layout2+":v2")
	mustSucceed(t, r, "diff --advisories")
	for _, want := range []string{
		"| tzdata | 2023c-1.azl3.noarch | 2024a-1.azl3.noarch |",
		"| x86_64 | tzdata | 2023c-1.azl3.noarch | 2024a-1.azl3.noarch | AZL-2024-0042 | security | Important | CVE-2024-24242 |",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("diff --advisories lacks %q:\n%s", want, r.stdout)
		}
	}
	// The configuration itself (resolved) agrees.
	r = run("advisories", "--json", cfg)
	mustSucceed(t, r, "advisories CONFIG")
	if !strings.Contains(r.stdout, `"state": "fixed"`) || !strings.Contains(r.stdout, `"id": "AZL-2024-0042"`) {
		t.Errorf("advisories --json CONFIG:\n%s", r.stdout)
	}
}

type lockCheck struct {
	Current    bool `json:"current"`
	Advisories []struct {
		ID, From, To, Severity string
		CVEs                   []string `json:"cves"`
	} `json:"advisories"`
}

// regexpLine reports whether a line of text matches re.
func regexpLine(text, re string) bool {
	return regexp.MustCompile("(?m)" + re).MatchString(text)
}
