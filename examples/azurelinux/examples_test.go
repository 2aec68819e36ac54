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
	"github.com/slipway-build/slipway/rpmmeta"
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
	distroless  = []string{"/usr/share/doc/**", "/usr/share/man/**", "/var/cache/tdnf/**", "/var/lib/dnf/**", "/run/lock/**"}

	// Paths of the official images: what the emulated scriptlets and the
	// configuration leave (kept) and what the cleanup takes (gone).
	coreKept = []string{
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // ca-certificates-base %post update-ca-trust
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/root/.gnupg/pubring.kbx",  // azurelinux-repos-shared %posttrans gpg --import
		"/var/lib/tdnf/history.db",  // tdnf %post tdnf-history-util init
		"/var/lib/rpm/rpmdb.sqlite", // rpmdb = "sqlite"
		"/etc/shells",               // bash %post
		"/etc/machine-id",           // machine_id = "empty"
		"/usr/share/licenses/bash/COPYING",
	}
	coreGone       = []string{"/boot", "/boot/efi", "/usr/src", "/usr/src/kernels", "/home", "/home/nonroot", "/var/log", "/var/log/keysinuse", "/var/log/tdnf.log"}
	distrolessKept = []string{
		"/home/nonroot", // the nonroot account's home, made at build time
		"/var/log",
		"/var/log/keysinuse", // SymCrypt-OpenSSL's, mode 1733
		"/etc/machine-id",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // prebuilt-ca-certificates' payload
		"/var/lib/rpmmanifest/container-manifest-1",
		"/var/lib/rpmmanifest/container-manifest-2",
		"/usr/share/licenses/openssl/LICENSE.txt",
	}
	distrolessGone = []string{"/usr/share/doc/openssl/README", "/usr/share/man/man1/openssl.1.gz", "/usr/local/share/man/man1", "/var/cache/tdnf", "/var/lib/dnf/history.sqlite", "/run/lock/subsys"}
)

// removedBy says whether the globs remove p: a glob matching p or one of
// its parents removes it, as the rootfs writer does (a matched folder goes
// with everything below it).
func removedBy(globs []string, p string) bool {
	for q := p; q != "/"; q = filepath.Dir(q) {
		for _, g := range globs {
			if rpmmeta.MatchPath(g, q) {
				return true
			}
		}
	}
	return false
}

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
		kept    []string // paths no remove glob takes
		gone    []string // paths a remove glob takes
	}{
		{"base-core.toml", "azurelinux/base/core", 2, config.RPMDBSqlite, []string{"core-packages-container"}, nil, "", false, []string{"/boot/**", "/usr/src/**", "/home/**", "/var/log/**"}, coreKept, coreGone},
		{"distroless-minimal.toml", "azurelinux/distroless/minimal", 2, config.RPMDBManifest, minimalPkgs, heldBack, "", true, distroless, distrolessKept, distrolessGone},
		{"distroless-base.toml", "azurelinux/distroless/base", 3, config.RPMDBManifest, basePkgs, heldBack, "", true, distroless, distrolessKept, distrolessGone},
		{"distroless-debug.toml", "azurelinux/distroless/debug", 4, config.RPMDBManifest, debugPkgs, heldBack, "", true, distroless, distrolessKept, distrolessGone},
		{"distroless-minimal-nonroot.toml", "azurelinux/distroless/minimal-nonroot", 3, config.RPMDBManifest, minimalPkgs, heldBack, "65532:65532", true, distroless, distrolessKept, distrolessGone},
		{"distroless-base-nonroot.toml", "azurelinux/distroless/base-nonroot", 4, config.RPMDBManifest, basePkgs, heldBack, "65532:65532", true, distroless, distrolessKept, distrolessGone},
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
		for _, p := range tc.kept {
			if removedBy(c.Paths.Remove, p) {
				t.Errorf("%s: paths.remove %q takes %s, which the official image keeps", tc.file, c.Paths.Remove, p)
			}
		}
		for _, p := range tc.gone {
			if !removedBy(c.Paths.Remove, p) {
				t.Errorf("%s: paths.remove %q keeps %s, which the official image removes", tc.file, c.Paths.Remove, p)
			}
		}
		// TLS, the repository key, tdnf's history, /etc/shells and the
		// nonroot home come from the emulated scriptlets and the rootfs
		// stage: nothing to configure but the defaults.
		if c.Packages.Scriptlets != config.ScriptletsEmulate || !c.Packages.Licenses || c.Image.MachineID != config.MachineIDEmpty {
			t.Errorf("%s: scriptlets %q, licenses %v, machine_id %q; want emulate, true, empty", tc.file, c.Packages.Scriptlets, c.Packages.Licenses, c.Image.MachineID)
		}
		if c.OCI.User != tc.user {
			t.Errorf("%s: user %q, want %q", tc.file, c.OCI.User, tc.user)
		}
		// Every distroless variant has the nonroot account; only the
		// -nonroot ones run as it.
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
