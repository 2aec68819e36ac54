package rootfs_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// caCertificatesSpec is shaped like Azure Linux's ca-certificates: the
// sources in /usr/share/pki/ca-trust-source, the extracted bundles
// %ghost, the classic names links into them, %post running ca-legacy
// and update-ca-trust.
const caCertificatesSpec = `Name: sl-ca-certificates
Version: 1
Release: 1
Summary: CA certificates shaped like Azure Linux's
License: MIT
BuildArch: noarch
Source0: ca-bundle.trust.p11-kit
Source1: local.pem

%description
CA certificates for the test.

%install
for d in source/anchors source/blocklist extracted/pem/directory-hash extracted/openssl extracted/java extracted/edk2; do
  mkdir -p %{buildroot}/etc/pki/ca-trust/$d
done
mkdir -p %{buildroot}/usr/share/pki/ca-trust-source/anchors %{buildroot}/usr/share/pki/ca-trust-source/blocklist
mkdir -p %{buildroot}/etc/pki/tls/certs %{buildroot}/etc/pki/java %{buildroot}/etc/ssl
install -m 644 %{SOURCE0} %{buildroot}/usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit
install -m 644 %{SOURCE1} %{buildroot}/etc/pki/ca-trust/source/anchors/local.pem
for f in pem/tls-ca-bundle.pem pem/email-ca-bundle.pem pem/objsign-ca-bundle.pem openssl/ca-bundle.trust.crt java/cacerts edk2/cacerts.bin; do
  touch %{buildroot}/etc/pki/ca-trust/extracted/$f
  chmod 444 %{buildroot}/etc/pki/ca-trust/extracted/$f
done
ln -s ../pki/tls/certs %{buildroot}/etc/ssl/certs
ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem %{buildroot}/etc/pki/tls/cert.pem
ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem %{buildroot}/etc/pki/tls/certs/ca-bundle.crt
ln -s /etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt %{buildroot}/etc/pki/tls/certs/ca-bundle.trust.crt
ln -s /etc/pki/ca-trust/extracted/java/cacerts %{buildroot}/etc/pki/java/cacerts

%post
%{_bindir}/ca-legacy install
%{_bindir}/update-ca-trust

%files
/etc/pki/tls/cert.pem
/etc/pki/tls/certs/ca-bundle.crt
/etc/pki/tls/certs/ca-bundle.trust.crt
/etc/pki/java/cacerts
/etc/ssl/certs
/usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit
/etc/pki/ca-trust/source/anchors/local.pem
%dir /etc/pki/ca-trust/source/anchors
%dir /etc/pki/ca-trust/source/blocklist
%dir /usr/share/pki/ca-trust-source/anchors
%dir /usr/share/pki/ca-trust-source/blocklist
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

type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func newCert(t *testing.T, cn string, parent *issuer) *issuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), BasicConstraintsValid: true}
	signer, signerCert := key, tmpl
	if parent == nil {
		tmpl.IsCA, tmpl.KeyUsage = true, x509.KeyUsageCertSign
	} else {
		tmpl.DNSNames, tmpl.KeyUsage = []string{cn}, x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		signer, signerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &issuer{cert: c, key: key, der: der}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestCATrustImage builds an image with a ca-certificates package shaped
// like Azure Linux's and checks with openssl that the classic bundle
// name, through the package's links, and the hashed folder verify a leaf
// of a trusted CA and refuse one of a distrusted CA.
func TestCATrustImage(t *testing.T) {
	t.Parallel()
	rpmbuild := testutil.RequireTool(t, "rpmbuild", "rpm")
	openssl := testutil.RequireTool(t, "openssl", "openssl")
	trusted := newCert(t, "Slipway Test Root", nil)
	local := newCert(t, "Slipway Local Root", nil)
	bad := newCert(t, "Slipway Distrusted Root", nil)
	p11 := "[p11-kit-object-v1]\nlabel: \"Slipway Test Root\"\ntrusted: true\nnss-mozilla-ca-policy: true\nmodifiable: false\n" +
		string(pemCert(trusted.der)) + "\n[p11-kit-object-v1]\nlabel: \"Slipway Distrusted Root\"\nx-distrusted: true\n" + string(pemCert(bad.der))

	work := t.TempDir()
	src := filepath.Join(work, "top", "SOURCES")
	out := filepath.Join(work, "rpms")
	home := filepath.Join(work, "home")
	for _, d := range []string{src, out, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{
		filepath.Join(src, "ca-bundle.trust.p11-kit"):  []byte(p11),
		filepath.Join(src, "local.pem"):                pemCert(local.der),
		filepath.Join(work, "sl-ca-certificates.spec"): []byte(caCertificatesSpec),
		filepath.Join(home, ".rpmmacros"):              []byte("%_dbpath " + filepath.Join(work, "rpmdb") + "\n"),
	}
	for p, b := range files {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(rpmbuild, "-bb", "--quiet", "--define", "_topdir "+filepath.Join(work, "top"),
		"--define", "_rpmdir "+out, "--define", "_build_name_fmt %{NAME}.rpm", filepath.Join(work, "sl-ca-certificates.spec"))
	cmd.Env = append(os.Environ(), "HOME="+home, "SOURCE_DATE_EPOCH=1700000000")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, b)
	}
	rpmFile := filepath.Join(out, "sl-ca-certificates.rpm")
	data, rep := build(t, rootfs.Options{BuildTime: buildTime}, []string{rpmFile})
	for _, p := range rep.Packages {
		for _, s := range p.Scriptlets {
			if s.Kind == "%post" && (s.Verdict != rootfs.VerdictEmulated || strings.Join(s.How, ",") != "ca-trust") {
				t.Errorf("%%post: %s %v %s", s.Verdict, s.How, s.Why)
			}
		}
	}
	tree := readTree(t, data)
	// Follow the package's links inside the image.
	resolve := func(p string) string {
		for range 10 {
			f, ok := tree[p]
			if !ok || f.Type != "symlink" {
				return p
			}
			if strings.HasPrefix(f.Link, "/") {
				p = f.Link
			} else {
				p = path.Join(path.Dir(p), f.Link)
			}
		}
		return p
	}
	bundlePath := resolve("/etc/pki/tls/certs/ca-bundle.crt")
	if f := tree[bundlePath]; f.Type != "file" || f.Mode != 0o444 {
		t.Fatalf("/etc/pki/tls/certs/ca-bundle.crt leads to %s: %+v; warnings %q", bundlePath, f, rep.Warnings)
	}
	for _, p := range []string{"/etc/pki/tls/certs/ca-bundle.trust.crt", "/etc/pki/java/cacerts", "/etc/pki/tls/cert.pem",
		"/etc/pki/ca-trust/extracted/edk2/cacerts.bin", "/etc/pki/ca-trust/extracted/pem/email-ca-bundle.pem"} {
		if f := tree[resolve(p)]; f.Type != "file" || f.Size == 0 {
			t.Errorf("%s: %+v", p, f)
		}
	}
	bundle := readFiles(t, data, strings.TrimPrefix(bundlePath, "/"))[strings.TrimPrefix(bundlePath, "/")]
	bundleFile := filepath.Join(work, "ca-bundle.crt")
	os.WriteFile(bundleFile, bundle, 0o644)
	// The hashed folder, copied out with its links, for -CApath.
	hashDir := filepath.Join(work, "pem", "directory-hash")
	os.MkdirAll(hashDir, 0o755)
	os.WriteFile(filepath.Join(work, "pem", "tls-ca-bundle.pem"), bundle, 0o644)
	const hashPrefix = "/etc/pki/ca-trust/extracted/pem/directory-hash/"
	for p, f := range tree {
		name, ok := strings.CutPrefix(p, hashPrefix)
		if !ok {
			continue
		}
		if f.Type == "symlink" {
			os.Symlink(f.Link, filepath.Join(hashDir, name))
			continue
		}
		b := readFiles(t, data, strings.TrimPrefix(p, "/"))[strings.TrimPrefix(p, "/")]
		os.WriteFile(filepath.Join(hashDir, name), b, 0o644)
	}
	if f := tree[hashPrefix+"ca-bundle.crt"]; f.Link != "../tls-ca-bundle.pem" {
		t.Errorf("directory-hash/ca-bundle.crt: %+v", f)
	}
	verify := func(leaf *issuer, how ...string) (string, error) {
		lf := filepath.Join(work, "leaf.pem")
		os.WriteFile(lf, pemCert(leaf.der), 0o644)
		b, err := exec.Command(openssl, append(append([]string{"verify"}, how...), lf)...).CombinedOutput()
		return string(b), err
	}
	for _, how := range [][]string{{"-CAfile", bundleFile}, {"-CApath", hashDir}} {
		for _, ca := range []*issuer{trusted, local} {
			if msg, err := verify(newCert(t, "leaf.test", ca), how...); err != nil {
				t.Errorf("openssl verify %s of a leaf of %s: %v\n%s", how[0], ca.cert.Subject.CommonName, err, msg)
			}
		}
		if msg, err := verify(newCert(t, "leaf.test", bad), how...); err == nil {
			t.Errorf("openssl verify %s: a leaf of the distrusted CA verifies: %s", how[0], msg)
		}
	}
	// The same inputs give the same bytes.
	again, _ := build(t, rootfs.Options{BuildTime: buildTime}, []string{rpmFile})
	if string(again) != string(data) {
		t.Error("two builds differ")
	}
}

// TestCATrustOnLower: a base (the lower tree) has trust sources — a
// p11-kit bundle with a trusted and a distrusted root, a local anchor —
// and bundles extracted from them; a package added over it ships one
// more anchor and runs update-ca-trust. Every bundle in the new layer is
// byte for byte what p11-kit's `trust extract` makes of the base's
// sources plus the new anchor, and the hashed folder, seen through the
// layer (its whiteouts hide the base's stale entries), is p11-kit's.
func TestCATrustOnLower(t *testing.T) {
	t.Parallel()
	baseRoot := newCert(t, "Slipway Base Root", nil)
	distrusted := newCert(t, "Slipway Distrusted Root", nil)
	baseLocal := newCert(t, "Slipway Base Local", nil)
	added := newCert(t, "Slipway Added Root", nil)
	rpms := buildSpecs(t, map[string][]byte{"added.pem": pemCert(added.der)}, map[string]string{"sl-anchor": `Source0: added.pem
%install
mkdir -p %{buildroot}/etc/pki/ca-trust/source/anchors
install -m 644 %{SOURCE0} %{buildroot}/etc/pki/ca-trust/source/anchors/added.pem
%post
/usr/bin/update-ca-trust
%files
/etc/pki/ca-trust/source/anchors/added.pem
`})
	sources := map[string][]byte{
		"usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit": []byte("[p11-kit-object-v1]\nlabel: \"Slipway Base Root\"\ntrusted: true\nnss-mozilla-ca-policy: true\nmodifiable: false\n" +
			string(pemCert(baseRoot.der)) + "\n[p11-kit-object-v1]\nlabel: \"Slipway Distrusted Root\"\nx-distrusted: true\n" + string(pemCert(distrusted.der))),
		"etc/pki/ca-trust/source/anchors/base.pem": pemCert(baseLocal.der),
	}
	const ex = "/etc/pki/ca-trust/extracted"
	items := []string{"/etc/pki/ca-trust/source/blocklist/", "/usr/share/pki/ca-trust-source/anchors/",
		ex + "/openssl/ca-bundle.trust.crt=stale", ex + "/pem/tls-ca-bundle.pem=stale", ex + "/pem/email-ca-bundle.pem=stale",
		ex + "/pem/objsign-ca-bundle.pem=stale", ex + "/java/cacerts=stale", ex + "/edk2/cacerts.bin=stale",
		ex + "/pem/directory-hash/Stale_Root.pem=stale", ex + "/pem/directory-hash/0badc0de.0->Stale_Root.pem",
		ex + "/pem/directory-hash/ca-bundle.crt->../tls-ca-bundle.pem"}
	for p, b := range sources {
		items = append(items, "/"+p+"="+string(b))
	}
	lower, files := lowerOf(items...)
	const when = 1718214849 // p11-kit's dates in Java keystores: SOURCE_DATE_EPOCH
	data, rep := build(t, rootfs.Options{BuildTime: when, Lower: lower, LowerFiles: files}, []string{rpms["sl-anchor"]})
	combined := map[string][]byte{"etc/pki/ca-trust/source/anchors/added.pem": pemCert(added.der)}
	for p, b := range sources {
		combined[p] = b
	}
	out := rootfstest.TrustExtract(t, combined)
	tree := readTree(t, data)
	for _, f := range []string{"openssl/ca-bundle.trust.crt", "pem/tls-ca-bundle.pem", "pem/email-ca-bundle.pem",
		"pem/objsign-ca-bundle.pem", "java/cacerts", "edk2/cacerts.bin"} {
		want, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(ex, "/") + "/" + f
		got := readFiles(t, data, name)[name]
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from p11-kit's:\n%s\np11-kit:\n%s\nwarnings %q", f, got, want, rep.Warnings)
		}
		if e := tree["/"+name]; e.Mode != 0o444 {
			t.Errorf("%s: %v, want mode 0444", f, e)
		}
	}
	for _, cn := range []string{"Slipway Base Root", "Slipway Base Local", "Slipway Added Root"} {
		if b := readFiles(t, data, strings.TrimPrefix(ex, "/")+"/pem/tls-ca-bundle.pem"); !strings.Contains(string(b[strings.TrimPrefix(ex, "/")+"/pem/tls-ca-bundle.pem"]), "# "+cn+"\n") {
			t.Errorf("tls-ca-bundle.pem lacks %s", cn)
		}
	}
	// The hashed folder as the image shows it: the base's entries the
	// layer does not white out, then the layer's.
	const hd = ex + "/pem/directory-hash"
	view := map[string]string{}
	for p, l := range lower.Paths {
		if name, ok := strings.CutPrefix(p, hd+"/"); ok {
			view[name] = "base " + l.Link
		}
	}
	for p, f := range tree {
		name, ok := strings.CutPrefix(p, hd+"/")
		if !ok {
			continue
		}
		if gone, ok := strings.CutPrefix(name, ".wh."); ok {
			delete(view, gone)
			continue
		}
		if f.Type == "symlink" {
			view[name] = "-> " + f.Link
		} else {
			view[name] = f.SHA256
		}
	}
	ents, err := os.ReadDir(filepath.Join(out, "pem/directory-hash"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, e := range ents {
		p := filepath.Join(out, "pem/directory-hash", e.Name())
		if l, err := os.Readlink(p); err == nil {
			want[e.Name()] = "-> " + l
			continue
		}
		b, _ := os.ReadFile(p)
		sum := sha256.Sum256(b)
		want[e.Name()] = hex.EncodeToString(sum[:])
	}
	if !maps.Equal(view, want) {
		t.Errorf("pem/directory-hash through the layer:\n%v\np11-kit:\n%v", view, want)
	}
}
