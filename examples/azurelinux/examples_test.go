// Package azurelinux holds no code: its test checks that the Azure Linux
// example configurations load, merge and validate, without network (the
// signing key is an https URL, which is not fetched at load time).
package azurelinux

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
)

const (
	baseURL = "https://packages.microsoft.com/azurelinux/$releasever/prod/base/$basearch"
	keyURL  = "https://raw.githubusercontent.com/microsoft/azurelinux/3.0/SPECS/azurelinux-repos/MICROSOFT-RPM-GPG-KEY"
)

var (
	minimalPkgs = []string{"filesystem", "azurelinux-release", "tzdata", "prebuilt-ca-certificates"}
	basePkgs    = append(slices.Clone(minimalPkgs), "glibc-iconv", "iana-etc", "libgcc", "openssl", "openssl-libs", "SymCrypt", "SymCrypt-OpenSSL")
	debugPkgs   = append(slices.Clone(basePkgs), "busybox")
	heldBack    = []string{"bash", "coreutils", "grep"}
	distroless  = []string{"/usr/share/doc/**", "/usr/share/man/**", "/var/cache/tdnf/**", "/var/lib/dnf/**", "/run/lock/**", "/var/log/**"}
)

func TestExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		name    string
		chain   int // files read
		rpmdb   config.RPMDB
		install []string
		held    []string
		user    string
		nonroot bool
		remove  []string // must all be present
	}{
		{"base-core.toml", "azurelinux/base/core", 2, config.RPMDBSqlite, []string{"core-packages-container"}, nil, "", false, []string{"/boot/**", "/usr/src/**", "/home/**", "/var/log/**"}},
		{"distroless-minimal.toml", "azurelinux/distroless/minimal", 2, config.RPMDBManifest, minimalPkgs, heldBack, "", false, distroless},
		{"distroless-base.toml", "azurelinux/distroless/base", 3, config.RPMDBManifest, basePkgs, heldBack, "", false, distroless},
		{"distroless-debug.toml", "azurelinux/distroless/debug", 4, config.RPMDBManifest, debugPkgs, heldBack, "", false, distroless},
		{"distroless-minimal-nonroot.toml", "azurelinux/distroless/minimal-nonroot", 3, config.RPMDBManifest, minimalPkgs, heldBack, "65532:65532", true, distroless},
		{"distroless-base-nonroot.toml", "azurelinux/distroless/base-nonroot", 4, config.RPMDBManifest, basePkgs, heldBack, "65532:65532", true, distroless},
	}
	digests := map[string]string{}
	for _, tc := range tests {
		c, err := config.Load(t.Context(), tc.file)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if d, ok := digests[c.Digest()]; ok {
			t.Errorf("%s and %s have the same digest", tc.file, d)
		}
		digests[c.Digest()] = tc.file
		if c.Image.Name != tc.name || len(c.Files) != tc.chain || c.Image.RPMDB != tc.rpmdb {
			t.Errorf("%s: name %q, %d files, rpmdb %q; want %q, %d, %q", tc.file, c.Image.Name, len(c.Files), c.Image.RPMDB, tc.name, tc.chain, tc.rpmdb)
		}
		if !slices.Equal(c.Image.Architectures, []string{"x86_64", "aarch64"}) || c.Image.Releasever != "3.0" || c.Image.OSVersion != "azurelinux-3.0" {
			t.Errorf("%s: image %+v", tc.file, c.Image)
		}
		if len(c.Repositories) != 1 {
			t.Fatalf("%s: %d repositories, want 1", tc.file, len(c.Repositories))
		}
		r := c.Repositories[0]
		if r.BaseURL != baseURL || !r.GPGCheck || !r.RepoGPGCheck || !slices.Equal(r.GPGKeys, []string{keyURL}) {
			t.Errorf("%s: repository %+v", tc.file, r)
		}
		if got := c.RepoURL(r, "aarch64"); got != "https://packages.microsoft.com/azurelinux/3.0/prod/base/aarch64" {
			t.Errorf("%s: aarch64 URL %s", tc.file, got)
		}
		if !slices.Equal(c.Packages.Install, tc.install) {
			t.Errorf("%s: install %q, want %q", tc.file, c.Packages.Install, tc.install)
		}
		if !slices.Equal(c.Packages.AllowUnsatisfied, tc.held) || (tc.held != nil && !slices.Equal(c.Packages.Exclude, tc.held)) {
			t.Errorf("%s: exclude %q, allow_unsatisfied %q, want both %q", tc.file, c.Packages.Exclude, c.Packages.AllowUnsatisfied, tc.held)
		}
		if c.Packages.Docs || c.Packages.WeakDeps {
			t.Errorf("%s: docs or weak deps on", tc.file)
		}
		for _, g := range tc.remove {
			if !slices.Contains(c.Paths.Remove, g) {
				t.Errorf("%s: paths.remove %q lacks %q", tc.file, c.Paths.Remove, g)
			}
		}
		if c.OCI.User != tc.user {
			t.Errorf("%s: user %q, want %q", tc.file, c.OCI.User, tc.user)
		}
		hasNonroot := slices.Contains(c.Accounts.Users, config.User{Name: "nonroot", UID: 65532, GID: 65532, Home: "/home/nonroot", Shell: "/sbin/nologin"}) &&
			slices.Contains(c.Accounts.Groups, config.Group{Name: "nonroot", GID: 65532})
		if hasNonroot != tc.nonroot {
			t.Errorf("%s: nonroot account %v, want %v (%+v)", tc.file, hasNonroot, tc.nonroot, c.Accounts)
		}
		if c.OCI.Env["PATH"] == "" || c.OCI.Labels["org.opencontainers.image.vendor"] != "Microsoft" {
			t.Errorf("%s: env/labels not inherited: %v %v", tc.file, c.OCI.Env, c.OCI.Labels)
		}
		// The busybox entry of debug comes from debug's own file.
		if p, ok := c.Origin("packages.install[busybox]"); ok && filepath.Base(p.File) != "distroless-debug.toml" {
			t.Errorf("%s: busybox set in %s", tc.file, p.File)
		}
		// The merged form stands alone and keeps the digest.
		b, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "merged.toml")
		writeFile(t, out, b)
		c2, err := config.Load(t.Context(), out)
		if err != nil {
			t.Fatalf("%s: merged form does not load: %v", tc.file, err)
		}
		if c2.Digest() != c.Digest() {
			t.Errorf("%s: merged form has another digest", tc.file)
		}
	}
	// The shared file is not an image on its own.
	if _, err := config.Load(t.Context(), "azurelinux-3.0.toml"); err == nil || !strings.Contains(err.Error(), "image.name") {
		t.Errorf("azurelinux-3.0.toml loaded alone: %v; want an error naming image.name", err)
	}
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
