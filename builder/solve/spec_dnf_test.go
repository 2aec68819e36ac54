package solve

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// specCases are `dnf install` arguments in every form dnf accepts, run
// against the test repositories; "%a" is the target arch. Each must
// install what dnf installs, or fail where dnf fails.
var specCases = []string{
	// name, name.arch
	"timekeeper", "timekeeper.noarch", "timekeeper.%a", "glibc.%a", "glibc.noarch", "webd.noarch",
	// name-version, name-version-release, with and without epoch and arch
	"timekeeper-1.0", "timekeeper-2.0", "timekeeper-1:1.0", "timekeeper-0:1.0", "timekeeper-1:1.0-5.azl3",
	"timekeeper-1:1.0-5.azl3.noarch", "timekeeper-1.0-5.azl3.noarch", "timekeeper-0:2.0-1.azl3.noarch",
	"timekeeper-2.0-1.azl3", "tzdata-2023c", "tzdata-2023c-1.azl3.noarch", "glibc-2.36-9.azl3.%a",
	"glibc-2.36.%a", "glibc-0:2.36-9.azl3.%a",
	// globs in each part
	"tz*", "*-lite", "[nv]*-lite", "webd*", "tzdata-2023*", "tzdata-*-1.azl3", "timekeeper-?.0-*.noarch",
	"glibc-2.36-9*", "webd.*", "busybox.*", "glib?.%a", "*.noarch",
	// obsoletes: a bare name offers the obsoleting package, other forms do not
	"oldwebd", "oldwebd.noarch", "oldwebd-1.0",
	// provides
	"tzdata(iana) = 2023c", "tzdata(iana) < 2024", "tzdata(iana)", "libfoo.so.1()(64bit)", "libfoo.so.*",
	"httpd-server", "editor", "rtld(GNU_HASH)", "config(webd)", "timekeeper >= 1:0", "timekeeper < 1:0",
	// files
	"/bin/sh", "/usr/bin/sh", "/usr/bin/busybox", "*/webctl", "/usr/share/doc/tzdata-2023c", "/usr/share/doc/tzdata-*",
	// nothing
	"no-such-package", "timekeeper-9.9", "/no/such/file",
}

// TestSpecsAgainstDNF runs every spec form through `dnf install` on the
// test repositories, for both arches, and compares the installed set.
func TestSpecsAgainstDNF(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs dnf once per spec and arch")
	}
	repos := testrepo.Get(t)
	sem := make(chan struct{}, 2)
	for _, arch := range testrepo.Arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			pool := NewPool(loadRPMs(t, repos.RPMs[arch]))
			for _, c := range specCases {
				spec := strings.ReplaceAll(c, "%a", arch)
				t.Run(spec, func(t *testing.T) {
					t.Parallel()
					res, err := pool.Solve(t.Context(), nil, Request{Arch: arch, Install: []string{spec}})
					var got []string
					if err == nil {
						got = sortedNEVRAs(res)
					} else if ue := (*UnsolvableError)(nil); !errors.As(err, &ue) {
						t.Fatal(err)
					}
					sem <- struct{}{}
					want, dnfErr := dnfInstall(t, repos.Dir[arch], arch, false, nil, spec)
					<-sem
					if (err != nil) != (dnfErr != "") {
						t.Fatalf("slipway: %v %v\ndnf: %v %s", got, err, want, dnfErr)
					}
					if err == nil && !slices.Equal(got, want) {
						t.Errorf("slipway %v\ndnf     %v", got, want)
					}
					if err != nil && strings.Contains(dnfErr, "No match for argument") {
						if !strings.Contains(err.Error(), "no package matches "+spec) {
							t.Errorf("dnf finds no match, we say %v", err)
						}
					}
				})
			}
		})
	}
}
