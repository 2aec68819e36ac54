package solve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/rpmmeta"
)

const rpmQueryFormat = `@@PKG %{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n` +
	`[R\t%{REQUIRENAME}\t%{REQUIREFLAGS}\t%{REQUIREVERSION}\n]` +
	`[P\t%{PROVIDENAME}\t%{PROVIDEFLAGS}\t%{PROVIDEVERSION}\n]` +
	`[C\t%{CONFLICTNAME}\t%{CONFLICTFLAGS}\t%{CONFLICTVERSION}\n]` +
	`[O\t%{OBSOLETENAME}\t%{OBSOLETEFLAGS}\t%{OBSOLETEVERSION}\n]` +
	`[Rec\t%{RECOMMENDNAME}\t%{RECOMMENDFLAGS}\t%{RECOMMENDVERSION}\n]` +
	`[Sup\t%{SUPPLEMENTNAME}\t%{SUPPLEMENTFLAGS}\t%{SUPPLEMENTVERSION}\n]` +
	`[F\t%{FILENAMES}\n]`

// loadRPMs reads packages from RPM files with the real rpm, an oracle
// independent of our own metadata readers.
func loadRPMs(t testing.TB, files []string) []Candidate {
	t.Helper()
	rpmBin := testutil.RequireTool(t, "rpm", "rpm")
	db := t.TempDir()
	args := append([]string{"-qp", "--dbpath", db, "--nosignature", "--nodigest", "--qf", rpmQueryFormat}, files...)
	cmd := exec.Command(rpmBin, args...)
	cmd.Env = append(os.Environ(), "HOME="+db)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rpm -qp: %v", err)
	}
	var cs []Candidate
	var p *rpmmeta.Package
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if name, ok := strings.CutPrefix(f[0], "@@PKG "); ok {
			e, _ := strconv.ParseUint(f[1], 10, 32)
			p = &rpmmeta.Package{NEVRA: rpmmeta.NEVRA{Name: name, EVR: rpmmeta.EVR{Epoch: uint32(e), Version: f[2], Release: f[3]}, Arch: f[4]}}
			cs = append(cs, Candidate{Pkg: p, Repo: "local"})
			continue
		}
		if f[0] == "F" {
			p.Files = append(p.Files, f[1])
			continue
		}
		fl, _ := strconv.ParseUint(f[2], 10, 32)
		addDep(p, f[0], rpmmeta.Dep{Name: f[1], Flags: rpmmeta.Sense(fl), Version: f[3]})
	}
	return cs
}

// libsolvRepoCase solves with testsolv over the real repodata
// (repo2solv -F: with filelists, as dnf loads them), the way dnf's libsolv
// sees it.
func libsolvRepoCase(t testing.TB, solvFile, arch string, weak bool, jobs []string) (installed []string, problems string) {
	var b strings.Builder
	fmt.Fprintf(&b, "repo system 0 testtags <inline>\nrepo available 0 solv %s\nsystem %s rpm system\n", filepath.Base(solvFile), arch)
	if !weak {
		b.WriteString("solverflags ignorerecommended\n")
	}
	for _, j := range jobs {
		fmt.Fprintf(&b, "job install %s\n", j)
	}
	return runTestsolvIn(t, filepath.Dir(solvFile), b.String())
}

func repo2solv(t testing.TB, dir string) string {
	t.Helper()
	bin := testutil.RequireTool(t, "repo2solv", "libsolv-tools")
	out := filepath.Join(t.TempDir(), "repo.solv")
	if b, err := exec.Command(bin, "-F", "-o", out, dir).CombinedOutput(); err != nil {
		t.Fatalf("repo2solv %s: %v\n%s", dir, err, b)
	}
	return out
}

// dnfInstall asks dnf to install args into an empty root (rpmdb only)
// and returns the installed NEVRAs, or dnf's error output.
func dnfInstall(t testing.TB, repoDir, arch string, weak bool, exclude []string, args ...string) ([]string, string) {
	t.Helper()
	dnf := testutil.RequireTool(t, "dnf", "dnf")
	rpmBin := testutil.RequireTool(t, "rpm", "rpm")
	tmp := t.TempDir()
	home, root, cache := filepath.Join(tmp, "home"), filepath.Join(tmp, "root"), filepath.Join(tmp, "cache")
	for _, d := range []string{home, root, cache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath /var/lib/rpm\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmdArgs := []string{"-y", "--refresh", "--releasever=3", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir=" + cache, fmt.Sprintf("--setopt=install_weak_deps=%v", weak),
		"--setopt=gpgcheck=0", "--setopt=tsflags=justdb,noscripts", "--installroot=" + root,
		"--forcearch=" + arch, "--repofrompath=local,file://" + repoDir, "--repo=local"}
	for _, e := range exclude {
		cmdArgs = append(cmdArgs, "--exclude="+e)
	}
	cmdArgs = append(cmdArgs, "install")
	cmdArgs = append(cmdArgs, args...)
	cmd := exec.Command(dnf, cmdArgs...)
	cmd.Env = append(os.Environ(), "HOME="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, string(out)
	}
	q := exec.Command(rpmBin, "--root", root, "--dbpath", "/var/lib/rpm", "-qa", "--qf", "%{NAME}-%{EPOCH}:%{VERSION}-%{RELEASE}.%{ARCH}\n")
	q.Env = append(os.Environ(), "HOME="+home)
	list, err := q.Output()
	if err != nil {
		t.Fatalf("rpm -qa in dnf's root: %v", err)
	}
	var got []string
	for _, l := range strings.Fields(string(list)) {
		if strings.HasPrefix(l, "gpg-pubkey-") {
			continue
		}
		got = append(got, strings.Replace(strings.Replace(l, "-(none):", "-", 1), "-0:", "-", 1))
	}
	sort.Strings(got)
	return got, ""
}

// TestRealReposAgainstLibsolvAndDNF solves every package name of the
// generated repositories, per arch, with and without weak deps, and
// compares the installed set with testsolv (all cases) and dnf (all cases
// unless -short).
func TestRealReposAgainstLibsolvAndDNF(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	sem := make(chan struct{}, 2)
	for _, arch := range testrepo.Arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			cs := loadRPMs(t, repos.RPMs[arch])
			pool := NewPool(cs)
			solv := repo2solv(t, repos.Dir[arch])
			var pkgNames []string
			for _, c := range cs {
				if !slices.Contains(pkgNames, c.Pkg.Name) && (c.Pkg.Arch == arch || c.Pkg.Arch == "noarch") {
					pkgNames = append(pkgNames, c.Pkg.Name)
				}
			}
			sort.Strings(pkgNames)
			if len(pkgNames) < 10 {
				t.Fatalf("only %d package names in the %s repo", len(pkgNames), arch)
			}
			for _, weak := range []bool{false, true} {
				for _, name := range pkgNames {
					t.Run(fmt.Sprintf("%s/weak=%v", name, weak), func(t *testing.T) {
						t.Parallel()
						// libsolv installs exactly the name asked for; dnf goes
						// to an obsoleting package instead (obsoletes=True).
						req := Request{Arch: arch, Install: []string{name}, WeakDeps: weak, KeepObsoleted: true}
						res, err := pool.Solve(t.Context(), nil, req)
						var got []string
						if err == nil {
							got = sortedNEVRAs(res)
						}
						lib, problems := libsolvRepoCase(t, solv, arch, weak, []string{"name " + name})
						if (err != nil) != (problems != "") {
							t.Fatalf("slipway: %v %v\nlibsolv: %v %s", got, err, lib, problems)
						}
						if err == nil && !slices.Equal(got, lib) {
							t.Errorf("slipway %v\nlibsolv %v", got, lib)
						}
						if testing.Short() {
							return
						}
						req.KeepObsoleted = false
						res, err = pool.Solve(t.Context(), nil, req)
						got = nil
						if err == nil {
							got = sortedNEVRAs(res)
						}
						sem <- struct{}{}
						dnfGot, dnfErr := dnfInstall(t, repos.Dir[arch], arch, weak, nil, name)
						<-sem
						if (err != nil) != (dnfErr != "") {
							t.Fatalf("slipway: %v %v\ndnf: %v %s", got, err, dnfGot, dnfErr)
						}
						if err == nil && !slices.Equal(got, dnfGot) {
							t.Errorf("slipway %v\ndnf     %v", got, dnfGot)
						}
					})
				}
			}
		})
	}
}

// TestRealReposUnsolvable checks failures and their explanations, with
// dnf agreeing that each request fails.
func TestRealReposUnsolvable(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	const arch = "x86_64"
	cs := loadRPMs(t, repos.RPMs[arch])
	pool := NewPool(cs)
	tests := []struct {
		name    string
		install []string
		exclude []string
		want    string
		kind    ProblemKind
	}{
		{"missing library provider", []string{"appd"}, []string{"libfoo"}, "nothing provides libfoo.so.1()(64bit) needed by appd-2.1-1.azl3.x86_64 (required by the request for appd)", NothingProvides},
		{"conflict", []string{"webd", "tinyhttpd"}, nil, "conflicts with", Conflict},
		{"excluded request", []string{"busybox"}, []string{"busy*"}, "package busybox is excluded", Excluded},
		{"no match", []string{"no-such-package"}, nil, "no package matches no-such-package", NoMatch},
		{"file dependency without provider", []string{"webd"}, []string{"tzdata"}, "nothing provides /usr/share/zoneinfo/UTC needed by webd-2.4-1.azl3.noarch (required by the request for webd)", NothingProvides},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := pool.Solve(t.Context(), nil, Request{Arch: arch, Install: tc.install, Exclude: tc.exclude})
			var ue *UnsolvableError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want an UnsolvableError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || ue.Problems[0].Kind != tc.kind {
				t.Errorf("err = %q (kind %d), want %q (kind %d)", err, ue.Problems[0].Kind, tc.want, tc.kind)
			}
			if testing.Short() {
				return
			}
			if got, dnfErr := dnfInstall(t, repos.Dir[arch], arch, false, tc.exclude, tc.install...); dnfErr == "" {
				t.Errorf("dnf installed %v where we fail with %v", got, err)
			}
		})
	}
}
