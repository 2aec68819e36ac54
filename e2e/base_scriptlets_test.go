//go:build e2e

package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// scriptletSpecRepo builds noarch packages from spec bodies (Name, Version
// and Release come from the map key NAME-VERSION; tags before the first
// section join the preamble) into a repository made by createrepo_c.
func scriptletSpecRepo(t *testing.T, sources map[string][]byte, specs map[string]string) string {
	t.Helper()
	rpmbuild := testutil.RequireTool(t, "rpmbuild", "rpm")
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	work := t.TempDir()
	src := filepath.Join(work, "top", "SOURCES")
	out := filepath.Join(work, "repo")
	home := filepath.Join(work, "home")
	for _, d := range []string{src, out, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(home, ".rpmmacros"), []byte("%_dbpath "+filepath.Join(work, "rpmdb")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for n, b := range sources {
		if err := os.WriteFile(filepath.Join(src, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for nv, body := range specs {
		i := strings.LastIndex(nv, "-")
		name, version := nv[:i], nv[i+1:]
		preamble, sections := "", body
		if j := strings.Index(body, "%"); j > 0 {
			preamble, sections = body[:j], body[j:]
		}
		spec := filepath.Join(work, nv+".spec")
		text := fmt.Sprintf("Name: %s\nVersion: %s\nRelease: 1\nSummary: test\nLicense: MIT\nBuildArch: noarch\n%s%%description\ntest\n%s", name, version, preamble, sections)
		if err := os.WriteFile(spec, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(rpmbuild, "-bb", "--quiet", "--define", "_topdir "+filepath.Join(work, "top"),
			"--define", "_rpmdir "+out, "--define", "_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm", spec)
		cmd.Env = append(os.Environ(), "HOME="+home, "SOURCE_DATE_EPOCH=1700000000")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("rpmbuild %s: %v\n%s", nv, err, b)
		}
	}
	if b, err := exec.Command(createrepo, "-q", out).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, b)
	}
	return out
}

// edSpec ships /usr/bin/ed.SUFFIX, installed by its %post as the
// alternative editor with priority prio (a man page as slave); its
// %postun removes it whatever $1 is, as a package does whose path
// changes from one version to the next.
func edSpec(suffix string, prio int, preamble string) string {
	return preamble + fmt.Sprintf(`%%install
mkdir -p %%{buildroot}/usr/bin %%{buildroot}/etc/alternatives %%{buildroot}/var/lib/alternatives %%{buildroot}/usr/share/sl-ed
echo %[1]s > %%{buildroot}/usr/bin/ed.%[1]s
echo %[1]s > %%{buildroot}/usr/share/sl-ed/ed.%[1]s.txt
%%post
alternatives --install /usr/bin/ed editor /usr/bin/ed.%[1]s %[2]d --slave /usr/share/sl-ed/ed.txt editor.txt /usr/share/sl-ed/ed.%[1]s.txt
%%postun
alternatives --remove editor /usr/bin/ed.%[1]s
%%files
%%dir /etc/alternatives
%%dir /var/lib/alternatives
%%dir /usr/share/sl-ed
/usr/bin/ed.%[1]s
/usr/share/sl-ed/ed.%[1]s.txt
`, suffix, prio)
}

// e2eCA is a self-signed CA certificate, PEM.
func e2eCA(t *testing.T, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestBuildOnBaseAlternativesTrust: a base published to a registry has
// the alternative editor (ed.mid at 50, ed.tool1 at 95, selected) and a
// ca-certificates-like package (a p11-kit bundle with a trusted and a
// distrusted root, a local anchor, update-ca-trust in %post). A derived
// image adding ed.hi (90), an anchor whose package runs update-ca-trust,
// and, with upgrade_base, version 2 of the package of ed.tool1 (whose
// old %postun removes ed.tool1; the new one installs ed.tool2 at 40)
// ends, in the umoci-unpacked image, with the links on ed.hi and a state
// listing mid, hi and tool2, as chkconfig's alternatives leaves them
// after dnf's upgrade (chkconfig is not packaged for Debian: its
// alternatives.c is the reference); its extracted bundles are byte for
// byte what p11-kit's trust extract makes of the unpacked image's trust
// sources. Another derived image adding ed.lo (10) leaves the base's
// links and bundles, its state listing the base's and lo.
func TestBuildOnBaseAlternativesTrust(t *testing.T) {
	repos := testrepo.Get(t)
	reg := startRegistry(t, false)
	p11 := "[p11-kit-object-v1]\nlabel: \"E2E Base Root\"\ntrusted: true\nnss-mozilla-ca-policy: true\nmodifiable: false\n" +
		string(e2eCA(t, "E2E Base Root")) + "\n[p11-kit-object-v1]\nlabel: \"E2E Distrusted Root\"\nx-distrusted: true\n" + string(e2eCA(t, "E2E Distrusted Root"))
	local := scriptletSpecRepo(t, map[string][]byte{
		"ca-bundle.trust.p11-kit": []byte(p11),
		"base-local.pem":          e2eCA(t, "E2E Base Local"),
		"added.pem":               e2eCA(t, "E2E Added Root"),
	}, map[string]string{
		"sl-ed-mid-1":  edSpec("mid", 50, ""),
		"sl-ed-hi-1":   edSpec("hi", 90, ""),
		"sl-ed-lo-1":   edSpec("lo", 10, ""),
		"sl-tool-1":    edSpec("tool1", 95, ""),
		"sl-tool-2":    edSpec("tool2", 40, ""),
		"sl-anchor-1":  "Source0: added.pem\nRequires: sl-tool >= 2\n" + anchorSpec,
		"sl-catrust-1": "Source0: ca-bundle.trust.p11-kit\nSource1: base-local.pem\n" + caTrustSpec,
	})
	// repoText is a configuration over the test repository and local;
	// image and packages are more lines of those tables.
	repoText := func(image, packages string, install ...string) string {
		q := make([]string, len(install))
		for i, s := range install {
			q[i] = fmt.Sprintf("%q", s)
		}
		text := fmt.Sprintf(`[image]
name = "test/alt"
architectures = ["x86_64"]
releasever = "3.0"
%s

[[repository]]
id = "test"
baseurl = "file://%s"
gpgkey = [%q]
gpgcheck = true

[[repository]]
id = "local"
baseurl = "file://%s"
gpgcheck = false

[packages]
install = [%s]
%s
`, image, filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch"), repos.KeyFile, local, strings.Join(q, ", "), packages)
		p := filepath.Join(t.TempDir(), "image.toml")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	baseRef := reg.Host + "/platform/alt-base:1"
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "publish", repoText("", "", "filesystem", "setup", "sl-ed-mid", "sl-tool-1", "sl-catrust"),
		"--tag", baseRef), "publish the base")
	baseOut := filepath.Join(t.TempDir(), "base")
	mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", repoText("", "", "filesystem", "setup", "sl-ed-mid", "sl-tool-1", "sl-catrust"),
		"--output", "oci:"+baseOut+":base"), "build the base as a layout")
	baseRoot := unpack(t, baseOut, "base")
	if l, _ := os.Readlink(filepath.Join(baseRoot, "etc/alternatives/editor")); l != "/usr/bin/ed.tool1" {
		t.Fatalf("the base's /etc/alternatives/editor -> %q, want /usr/bin/ed.tool1", l)
	}

	const ex = "etc/pki/ca-trust/extracted"
	bundles := []string{"openssl/ca-bundle.trust.crt", "pem/tls-ca-bundle.pem", "pem/email-ca-bundle.pem", "pem/objsign-ca-bundle.pem", "java/cacerts", "edk2/cacerts.bin"}
	// stateSet is the state file's header and its alternatives as
	// "path priority" lines, sorted (their order follows the install
	// order, which dnf and slipway choose alike only up to ties).
	stateSet := func(root string) (string, []string) {
		b, err := os.ReadFile(filepath.Join(root, "var/lib/alternatives/editor"))
		if err != nil {
			t.Fatal(err)
		}
		head, body, _ := strings.Cut(string(b), "\n\n")
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		var alts []string
		for i := 0; i+2 < len(lines); i += 3 { // path, priority, the slave's path
			alts = append(alts, lines[i]+" "+lines[i+1]+" "+lines[i+2])
		}
		slices.Sort(alts)
		return head, alts
	}
	link := func(root, p string) string {
		l, err := os.Readlink(filepath.Join(root, p))
		if err != nil {
			return "error: " + err.Error()
		}
		return l
	}
	const altHead = "auto\n/usr/bin/ed\neditor.txt\n/usr/share/sl-ed/ed.txt"

	t.Run("higher priority, an anchor, an upgrade", func(t *testing.T) {
		cfg := repoText(fmt.Sprintf("base = %q", baseRef), "upgrade_base = true", "sl-ed-hi", "sl-anchor")
		out := filepath.Join(t.TempDir(), "oci")
		// The time p11-kit dates a Java keystore's entries with, as
		// rootfstest.TrustExtract runs it.
		mustSucceed(t, slipway(t, []string{"SOURCE_DATE_EPOCH=1718214849"}, "--cache-dir", t.TempDir(), "build", cfg, "--fail-on-scriptlets",
			"--output", "oci:"+out+":app"), "build on the base")
		root := unpack(t, out, "app")
		head, alts := stateSet(root)
		want := []string{"/usr/bin/ed.hi 90 /usr/share/sl-ed/ed.hi.txt", "/usr/bin/ed.mid 50 /usr/share/sl-ed/ed.mid.txt", "/usr/bin/ed.tool2 40 /usr/share/sl-ed/ed.tool2.txt"}
		if head != altHead || !slices.Equal(alts, want) {
			t.Errorf("state: %q %q, want %q %q", head, alts, altHead, want)
		}
		for p, want := range map[string]string{"usr/bin/ed": "/etc/alternatives/editor", "etc/alternatives/editor": "/usr/bin/ed.hi",
			"usr/share/sl-ed/ed.txt": "/etc/alternatives/editor.txt", "etc/alternatives/editor.txt": "/usr/share/sl-ed/ed.hi.txt"} {
			if got := link(root, p); got != want {
				t.Errorf("/%s -> %s, want %s", p, got, want)
			}
		}
		if _, err := os.Lstat(filepath.Join(root, "usr/bin/ed.tool1")); err == nil {
			t.Error("/usr/bin/ed.tool1 of the upgraded package is still there")
		}
		sources := map[string][]byte{}
		for _, d := range []string{"etc/pki/ca-trust/source", "usr/share/pki/ca-trust-source"} {
			filepath.WalkDir(filepath.Join(root, d), func(p string, e os.DirEntry, err error) error {
				if err == nil && e.Type().IsRegular() {
					rel, _ := filepath.Rel(root, p)
					b, _ := os.ReadFile(p)
					sources[rel] = b
				}
				return nil
			})
		}
		if _, ok := sources["etc/pki/ca-trust/source/anchors/added.pem"]; !ok {
			t.Fatalf("the image has no added anchor: %v", slices.Sorted(maps.Keys(sources)))
		}
		p11out := rootfstest.TrustExtract(t, sources)
		for _, f := range bundles {
			got, err := os.ReadFile(filepath.Join(root, ex, f))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(p11out, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from p11-kit's trust extract of the image's sources:\n%s\np11-kit:\n%s", f, got, want)
			}
		}
		// The hashed folder: names, link targets and contents.
		listDir := func(d string) []string {
			ents, err := os.ReadDir(d)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range ents {
				if l, err := os.Readlink(filepath.Join(d, e.Name())); err == nil {
					out = append(out, e.Name()+" -> "+l)
					continue
				}
				b, _ := os.ReadFile(filepath.Join(d, e.Name()))
				out = append(out, fmt.Sprintf("%s %x", e.Name(), sha256.Sum256(b)))
			}
			slices.Sort(out)
			return out
		}
		if got, want := listDir(filepath.Join(root, ex, "pem/directory-hash")), listDir(filepath.Join(p11out, "pem/directory-hash")); !slices.Equal(got, want) {
			t.Errorf("pem/directory-hash:\n%s\np11-kit:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		tls, _ := os.ReadFile(filepath.Join(root, ex, "pem/tls-ca-bundle.pem"))
		for _, cn := range []string{"E2E Base Root", "E2E Base Local", "E2E Added Root"} {
			if !strings.Contains(string(tls), "# "+cn+"\n") {
				t.Errorf("tls-ca-bundle.pem lacks %s", cn)
			}
		}
		if strings.Contains(string(tls), "Distrusted") {
			t.Error("tls-ca-bundle.pem has the distrusted root")
		}
	})

	t.Run("lower priority", func(t *testing.T) {
		cfg := repoText(fmt.Sprintf("base = %q", baseRef), "", "sl-ed-lo")
		out := filepath.Join(t.TempDir(), "oci")
		mustSucceed(t, slipway(t, nil, "--cache-dir", t.TempDir(), "build", cfg, "--fail-on-scriptlets",
			"--output", "oci:"+out+":app"), "build on the base")
		root := unpack(t, out, "app")
		head, alts := stateSet(root)
		want := []string{"/usr/bin/ed.lo 10 /usr/share/sl-ed/ed.lo.txt", "/usr/bin/ed.mid 50 /usr/share/sl-ed/ed.mid.txt", "/usr/bin/ed.tool1 95 /usr/share/sl-ed/ed.tool1.txt"}
		if head != altHead || !slices.Equal(alts, want) {
			t.Errorf("state: %q %q, want %q %q", head, alts, altHead, want)
		}
		if got := link(root, "etc/alternatives/editor"); got != "/usr/bin/ed.tool1" {
			t.Errorf("/etc/alternatives/editor -> %s, want the base's /usr/bin/ed.tool1", got)
		}
		for _, f := range bundles {
			got, _ := os.ReadFile(filepath.Join(root, ex, f))
			base, _ := os.ReadFile(filepath.Join(baseRoot, ex, f))
			if !bytes.Equal(got, base) || len(got) == 0 {
				t.Errorf("%s is not the base's (no update-ca-trust ran)", f)
			}
		}
	})
}

// anchorSpec ships an anchor and extracts the bundles again.
const anchorSpec = `%install
mkdir -p %{buildroot}/etc/pki/ca-trust/source/anchors
install -m 644 %{SOURCE0} %{buildroot}/etc/pki/ca-trust/source/anchors/added.pem
%post
/usr/bin/update-ca-trust
%files
/etc/pki/ca-trust/source/anchors/added.pem
`

// caTrustSpec is shaped like Azure Linux's ca-certificates: sources,
// %ghost bundles in their folders, update-ca-trust in %post.
const caTrustSpec = `%install
for d in source/anchors source/blocklist extracted/pem/directory-hash extracted/openssl extracted/java extracted/edk2; do
  mkdir -p %{buildroot}/etc/pki/ca-trust/$d
done
mkdir -p %{buildroot}/usr/share/pki/ca-trust-source/anchors
install -m 644 %{SOURCE0} %{buildroot}/usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit
install -m 644 %{SOURCE1} %{buildroot}/etc/pki/ca-trust/source/anchors/base-local.pem
for f in pem/tls-ca-bundle.pem pem/email-ca-bundle.pem pem/objsign-ca-bundle.pem openssl/ca-bundle.trust.crt java/cacerts edk2/cacerts.bin; do
  touch %{buildroot}/etc/pki/ca-trust/extracted/$f
  chmod 444 %{buildroot}/etc/pki/ca-trust/extracted/$f
done
%post
/usr/bin/update-ca-trust
%files
/usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit
/etc/pki/ca-trust/source/anchors/base-local.pem
%dir /etc/pki/ca-trust/source/anchors
%dir /etc/pki/ca-trust/source/blocklist
%dir /usr/share/pki/ca-trust-source/anchors
%dir /etc/pki/ca-trust/extracted/pem
%dir /etc/pki/ca-trust/extracted/pem/directory-hash
%dir /etc/pki/ca-trust/extracted/openssl
%dir /etc/pki/ca-trust/extracted/java
%dir /etc/pki/ca-trust/extracted/edk2
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/pem/email-ca-bundle.pem
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/pem/objsign-ca-bundle.pem
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/java/cacerts
%ghost %attr(0444,root,root) /etc/pki/ca-trust/extracted/edk2/cacerts.bin
`
