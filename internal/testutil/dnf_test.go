package testutil

import (
	"slices"
	"testing"
)

func TestParseDNFTransaction(t *testing.T) {
	t.Parallel()
	out := `Dependencies resolved.
================================================================================
 Package                 Architecture Version                 Repository   Size
================================================================================
Installing:
 bzip2                   x86_64       4.16.0-1.syn            synth       382 k
 python3-a-very-long-package-name-that-wraps
                         noarch       1:1.3.0-8.syn           synth       310 k
Installing dependencies:
 glibc                   x86_64       2.38-1.syn              synth       341 k
Installing weak dependencies:
 docs                    noarch       1-1                     synth        12
 dbus399                 i686         4.19.0-5.syn            synth       1.1 M
Skipping packages with broken dependencies:
 pixman208                x86_64       3.19.2-3.syn           synth       882 k

Transaction Summary
================================================================================
Install  4 Packages
`
	want := []string{"bzip2-4.16.0-1.syn.x86_64", "dbus399-4.19.0-5.syn.i686", "docs-1-1.noarch", "glibc-2.38-1.syn.x86_64", "python3-a-very-long-package-name-that-wraps-1:1.3.0-8.syn.noarch"}
	if got := ParseDNFTransaction(out, "synth"); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ParseDNFTransaction("Error: nothing provides foo\n", "synth"); got != nil {
		t.Errorf("error output: got %v, want nil", got)
	}
}
