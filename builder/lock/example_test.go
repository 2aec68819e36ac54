package lock_test

import (
	"fmt"
	"strings"

	"github.com/slipway-build/slipway/builder/lock"
	"github.com/slipway-build/slipway/rpmmeta"
)

func ExampleLock_Marshal() {
	l := &lock.Lock{
		ConfigDigest: "sha256:" + strings.Repeat("0", 64),
		Arches: []lock.Arch{{Name: "x86_64", Packages: []lock.Package{{
			NEVRA:    rpmmeta.NEVRA{Name: "libfoo", EVR: rpmmeta.EVR{Epoch: 1, Version: "1.5", Release: "1.azl3"}, Arch: "x86_64"},
			Repo:     "base",
			Location: "Packages/l/libfoo-1.5-1.azl3.x86_64.rpm",
			Checksum: lock.Checksum{Type: "sha256", Value: strings.Repeat("ab", 32)},
			Size:     4242,
		}}}},
	}
	out, _ := l.Marshal()
	fmt.Print(string(out))
	// Output:
	// # slipway lockfile: written by `slipway lock`, checked by `slipway lock --check`.
	// # Do not edit by hand.
	//
	// version = 1
	// config_digest = 'sha256:0000000000000000000000000000000000000000000000000000000000000000'
	//
	// [[arch]]
	// name = 'x86_64'
	//
	// [[arch.package]]
	// name = 'libfoo'
	// epoch = 1
	// version = '1.5'
	// release = '1.azl3'
	// arch = 'x86_64'
	// repo = 'base'
	// location = 'Packages/l/libfoo-1.5-1.azl3.x86_64.rpm'
	// checksum = 'sha256:abababababababababababababababababababababababababababababababab'
	// size = 4242
}
