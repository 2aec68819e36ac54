package lock

import (
	"errors"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/rpmmeta"
)

func pkg(name string, epoch uint32, v, r, arch string) Package {
	return Package{
		NEVRA:    rpmmeta.NEVRA{Name: name, EVR: rpmmeta.EVR{Epoch: epoch, Version: v, Release: r}, Arch: arch},
		Repo:     "base",
		Location: "Packages/" + name + ".rpm",
		Checksum: Checksum{Type: "sha256", Value: strings.Repeat("ab", 32)},
		Size:     1234,
	}
}

func sample() *Lock {
	return &Lock{
		ConfigDigest: "sha256:" + strings.Repeat("0", 64),
		Arches: []Arch{
			{Name: "x86_64", Packages: []Package{pkg("zlib", 0, "1.3", "1.azl3", "x86_64"), pkg("bash", 0, "5.2", "1.azl3", "x86_64"), pkg("libfoo", 1, "1.5", "1.azl3", "x86_64")}},
			{Name: "aarch64", Packages: []Package{pkg("bash", 0, "5.2", "1.azl3", "aarch64")}},
		},
	}
}

func TestRoundTripIsCanonical(t *testing.T) {
	t.Parallel()
	l := sample()
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if l.Arches[0].Packages[0].Name != "zlib" {
		t.Fatal("Marshal reordered its input")
	}
	back, err := Parse(data, "x.lock")
	if err != nil {
		t.Fatalf("Parse(Marshal()): %v\n%s", err, data)
	}
	if back.Arches[0].Name != "aarch64" || back.Arches[1].Packages[0].Name != "bash" {
		t.Errorf("not sorted: %+v", back.Arches)
	}
	if got := back.Arch("x86_64").Packages[1]; got.Epoch != 1 || got.Name != "libfoo" {
		t.Errorf("epoch lost: %+v", got)
	}
	again, err := back.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("second Marshal differs:\n%s\n---\n%s", data, again)
	}
	if strings.Contains(string(data), "epoch = 0") {
		t.Errorf("zero epoch written:\n%s", data)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	good, _ := sample().Marshal()
	tests := []struct {
		name, edit, want string
	}{
		{"unknown key", strings.Replace(string(good), "size = 1234", "size = 1234\nsizes = 1", 1), "x.lock:"},
		{"bad version", strings.Replace(string(good), "version = 1\n", "version = 9\n", 1), "lockfile version 9"},
		{"bad checksum type", strings.Replace(string(good), "checksum = 'sha256:", "checksum = 'crc32:", 1), "checksum type"},
		{"short checksum", strings.Replace(string(good), strings.Repeat("ab", 32), "abab", 1), "hex digits"},
		{"escaping location", strings.Replace(string(good), "location = 'Packages/", "location = '../", 1), "inside the repository"},
		{"not toml", "this is not toml", "x.lock:1"},
		{"arch ../x", strings.Replace(string(good), "name = 'aarch64'", "name = '../x'", 1), `x.lock: arch #1: "../x" is not an architecture name (letters, digits and _)`},
		{"absolute arch", strings.Replace(string(good), "name = 'aarch64'", "name = '/tmp/x'", 1), `x.lock: arch #1: "/tmp/x" is not an architecture name (letters, digits and _)`},
		{"arch ..", strings.Replace(string(good), "name = 'aarch64'", "name = '..'", 1), `x.lock: arch #1: ".." is not an architecture name`},
		{"package arch with /", strings.Replace(string(good), "arch = 'aarch64'", "arch = 'a/b'", 1), `x.lock: arch aarch64, package #1 (bash): arch "a/b" is not an architecture name (letters, digits and _)`},
		{"repo ../x", strings.Replace(string(good), "repo = 'base'", "repo = '../x'", 1), `x.lock: arch aarch64, package #1 (bash): repo "../x" is not a repository id (letters, digits and _ . : -)`},
		{"repo ..", strings.Replace(string(good), "repo = 'base'", "repo = '..'", 1), `repo ".." is not a repository id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.edit == string(good) {
				t.Fatalf("edit did not change the file; fix the test:\n%s", good)
			}
			_, err := Parse([]byte(tt.edit), "x.lock")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	l := sample()
	all := func(string, Package) bool { return true }
	if err := Check(l, l.ConfigDigest, []string{"x86_64", "aarch64"}, all); err != nil {
		t.Fatalf("fresh lock reported stale: %v", err)
	}
	err := Check(l, "sha256:"+strings.Repeat("1", 64), []string{"x86_64"}, func(_ string, p Package) bool { return p.Name != "libfoo" })
	var stale *Stale
	if !errors.As(err, &stale) {
		t.Fatalf("Check = %v, want *Stale", err)
	}
	msg := err.Error()
	for _, want := range []string{"configuration changed", "aarch64 is locked but not configured", "libfoo-1:1.5-1.azl3.x86_64 (x86_64) is no longer in repository \"base\""} {
		if !strings.Contains(msg, want) {
			t.Errorf("stale message %q lacks %q", msg, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	good, _ := sample().Marshal()
	f.Add(good)
	f.Add([]byte("version = 1\nconfig_digest = 'sha256:'\n[[arch]]\nname='x'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data, "fuzz.lock")
		if err != nil {
			return
		}
		out, err := l.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed lock failed: %v", err)
		}
		if _, err := Parse(out, "again.lock"); err != nil {
			t.Fatalf("re-parse of canonical output failed: %v\n%s", err, out)
		}
	})
}
