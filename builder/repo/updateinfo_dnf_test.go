package repo

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

// dnfAdvisory is what `dnf updateinfo list/info --all` shows of one
// advisory.
type dnfAdvisory struct {
	typ, severity, updated string
	cves, bugs             []string
	installed              bool
	nevras                 []string // from list
	listKind               string   // "Important/Sec.", "bugfix", ...
}

// TestUpdateinfoMatchesDnf builds a repository with modifyrepo_c, installs
// an old tzdata with dnf, and compares every field dnf shows of the
// advisories with what LoadUpdateinfo and Match make of the same files.
func TestUpdateinfoMatchesDnf(t *testing.T) {
	dnf := testutil.RequireTool(t, "dnf", "dnf")
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	modifyrepo := testutil.RequireTool(t, "modifyrepo_c", "createrepo-c")
	testutil.RequireTool(t, "rpm", "rpm")
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("dnf --installroot needs root")
		}
		t.Skip("dnf --installroot needs root (run as root)")
	}
	tr := testrepo.Get(t)
	tmp := t.TempDir()
	old, cur := filepath.Join(tmp, "old"), filepath.Join(tmp, "cur")
	for _, d := range []string{old, cur} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, rpm := range tr.RPMs["x86_64"] {
			if d == old && strings.HasPrefix(filepath.Base(rpm), "tzdata-2024a") {
				continue
			}
			b, err := os.ReadFile(rpm)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, filepath.Base(rpm)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run(t, createrepo, "--quiet", d)
	}
	ui := filepath.Join(tmp, "updateinfo.xml")
	if err := os.WriteFile(ui, []byte(seedUpdateinfo), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, modifyrepo, "--mdtype=updateinfo", ui, filepath.Join(cur, "repodata"))

	home := filepath.Join(tmp, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644)
	root := filepath.Join(tmp, "root")
	dnfRun := func(repoDir string, args ...string) string {
		base := []string{"-y", "-q", "--releasever=3", "--setopt=reposdir=/dev/null", "--setopt=cachedir=" + filepath.Join(tmp, "cache-"+filepath.Base(repoDir)),
			"--nogpgcheck", "--installroot=" + root, "--forcearch=x86_64", "--repofrompath=local,file://" + repoDir, "--repo=local", "--setopt=tsflags=noscripts"}
		cmd := exec.CommandContext(t.Context(), dnf, append(base, args...)...)
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "TZ=UTC", "LC_ALL=C.UTF-8", "COLUMNS=200"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dnf %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	dnfRun(old, "install", "tzdata", "glibc", "filesystem")
	list := dnfRun(cur, "updateinfo", "list", "--all")
	info := dnfRun(cur, "updateinfo", "info", "--all")
	want := parseDnfUpdateinfo(t, list, info)
	if len(want) == 0 {
		t.Fatalf("dnf shows no advisory; the test is not testing:\n%s\n%s", list, info)
	}

	// slipway: the same repository, the packages dnf installed.
	r, err := Open(t.Context(), Config{ID: "cur", BaseURL: "file://" + cur})
	if err != nil {
		t.Fatal(err)
	}
	advs, err := r.LoadUpdateinfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa", "--qf", "%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n").Output()
	if err != nil {
		t.Fatalf("rpm -qa: %v", err)
	}
	var installed []rpmmeta.NEVRA
	for _, l := range strings.Fields(string(out)) {
		if !strings.HasPrefix(l, "gpg-pubkey") {
			installed = append(installed, nevra(l))
		}
	}
	var available []rpmmeta.NEVRA
	for _, p := range r.Packages {
		available = append(available, p.NEVRA)
	}
	matches := NewAdvisoryIndex(advs).Match(installed, available)
	if len(matches) != len(want) {
		t.Errorf("slipway matches %d advisories, dnf shows %d (%v)", len(matches), len(want), want)
	}
	for _, m := range matches {
		a := m.Advisory
		w, ok := want[a.ID]
		if !ok {
			t.Errorf("%s: dnf does not show it", a.ID)
			continue
		}
		upd := a.Updated
		if upd.IsZero() {
			upd = a.Issued
		}
		var bugs []string
		for _, ref := range a.References {
			if ref.Type == "bugzilla" {
				bugs = append(bugs, ref.ID+" - "+ref.Title)
			}
		}
		var pk []string
		for _, p := range a.Packages {
			pk = append(pk, p.String())
		}
		kind := string(a.Type)
		if a.Type == AdvisorySecurity {
			kind = a.Severity + "/Sec."
		}
		for _, c := range []struct{ field, got, want string }{
			{"type", string(a.Type), w.typ},
			{"severity", a.Severity, w.severity},
			{"updated", upd.Format("2006-01-02 15:04:05"), w.updated},
			{"CVEs", strings.Join(a.CVEs(), ","), strings.Join(w.cves, ",")},
			{"bugs", strings.Join(bugs, ","), strings.Join(w.bugs, ",")},
			{"installed", boolStr(m.State == AdvisoryFixed), boolStr(w.installed)},
			{"packages", strings.Join(pk, ","), strings.Join(w.nevras, ",")},
			{"list kind", kind, w.listKind},
		} {
			if c.got != c.want {
				t.Errorf("%s %s: slipway %q, dnf %q", a.ID, c.field, c.got, c.want)
			}
		}
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.CommandContext(t.Context(), name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// parseDnfUpdateinfo reads dnf's `updateinfo list --all` lines
// ("i ID KIND NEVRA") and `updateinfo info --all` blocks ("  Key: value").
func parseDnfUpdateinfo(t *testing.T, list, info string) map[string]*dnfAdvisory {
	t.Helper()
	out := map[string]*dnfAdvisory{}
	get := func(id string) *dnfAdvisory {
		if out[id] == nil {
			out[id] = &dnfAdvisory{}
		}
		return out[id]
	}
	for _, l := range strings.Split(list, "\n") {
		f := strings.Fields(l)
		if len(f) == 4 && f[0] == "i" {
			f = f[1:]
		}
		if len(f) != 3 {
			continue
		}
		a := get(f[0])
		a.listKind = f[1]
		a.nevras = append(a.nevras, f[2])
		slices.Sort(a.nevras)
	}
	var cur *dnfAdvisory
	var last string
	for _, l := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(l, ": ")
		k = strings.TrimSpace(k)
		if !ok {
			continue
		}
		if k == "" {
			k = last // a continuation line of CVEs or Bugs
		}
		last = k
		switch k {
		case "Update ID":
			cur = get(v)
		case "Type":
			cur.typ = v
		case "Updated":
			cur.updated = v
		case "Severity":
			cur.severity = v
		case "CVEs":
			cur.cves = append(cur.cves, v)
		case "Bugs":
			cur.bugs = append(cur.bugs, v)
		case "Installed":
			cur.installed = v == "true"
		}
	}
	return out
}
