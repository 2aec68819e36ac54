package scriptlet

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
	"github.com/slipway-build/slipway/layers/rpm"
)

var caBuildTime = time.Unix(1718214849, 0)

// testCA makes a certificate (self-signed unless parent is given).
type testCA struct {
	der  []byte
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func makeCert(t *testing.T, subject pkix.Name, isCA bool, eku []x509.ExtKeyUsage, parent *testCA) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true, IsCA: isCA, ExtKeyUsage: eku,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.DNSNames = []string{"leaf.test"}
	}
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{der: der, cert: c, key: key}
}

func pemOf(der ...[]byte) string {
	var b bytes.Buffer
	for _, d := range der {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: d})
	}
	return b.String()
}

func pctEscape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%%%02x", c)
	}
	return s.String()
}

// ekuExtension is an Extension element restricting to oids.
func ekuExtension(t *testing.T, oids ...asn1.ObjectIdentifier) []byte {
	t.Helper()
	v, err := asn1.Marshal(oids)
	if err != nil {
		t.Fatal(err)
	}
	e, err := asn1.Marshal(pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: v})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Extension values exactly as Azure Linux's certdata2pem.py writes them
// (printable bytes and spaces left unescaped).
const (
	azureReject             = "0.%06%0a%2b%06%01%04%01%99w%06%0a%01%04 0%1e%06%08%2b%06%01%05%05%07%03%04%06%08%2b%06%01%05%05%07%03%01%06%08%2b%06%01%05%05%07%03%03"
	azureEKUServerEmailCode = "0%2a%06%03U%1d%25%01%01%ff%04 0%1e%06%08%2b%06%01%05%05%07%03%04%06%08%2b%06%01%05%05%07%03%01%06%08%2b%06%01%05%05%07%03%03"
	azureEKUServer          = "0%16%06%03U%1d%25%01%01%ff%04%0c0%0a%06%08%2b%06%01%05%05%07%03%01"
)

// azureObject is a certificate as Azure Linux's ca-bundle.trust.*.p11-kit
// has it: its attached extensions (reject first, then extended key
// usage), then the certificate with its trust, NSS fields and the
// openssl -text comment.
func azureObject(c *testCA, label, trust string, exts ...string) string {
	var b strings.Builder
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: c.cert.RawSubjectPublicKeyInfo}))
	for _, e := range exts {
		oid := "2.5.29.37"
		if e == azureReject {
			oid = "1.3.6.1.4.1.3319.6.10.1"
		}
		fmt.Fprintf(&b, "[p11-kit-object-v1]\nlabel: \"%s\"\nclass: x-certificate-extension\nobject-id: %s\nvalue: \"%s\"\nmodifiable: false\n%s", label, oid, e, pub)
	}
	fmt.Fprintf(&b, "\n[p11-kit-object-v1]\nlabel: \"%s\"\n%s\nnss-mozilla-ca-policy: true\nmodifiable: false\nnss-server-distrust-after: \"%%00\"\n%s#Certificate:\n#    Data:\n#        Version: 3 (0x2)\n\n", label, trust, pemOf(c.der))
	return b.String()
}

// trustedPEM is OpenSSL's TRUSTED CERTIFICATE with a CertAux ("-" for
// none at all).
func trustedPEM(der []byte, trust, reject []string, alias string, keyid ...byte) string {
	data := append([]byte(nil), der...)
	if alias != "-" {
		var aux []byte
		if trust != nil {
			aux = append(aux, derOIDs(0x30, trust)...)
		}
		if reject != nil {
			aux = append(aux, derOIDs(0xa0, reject)...)
		}
		if alias != "" {
			aux = append(aux, derTLV(0x0c, []byte(alias))...)
		}
		if keyid != nil {
			aux = append(aux, derTLV(0x04, keyid)...)
		}
		data = append(data, derTLV(0x30, aux)...)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: data}))
}

// caSources is a set of trust sources in two tokens, file by file
// (paths relative to the image root).
type caSources struct {
	files  map[string][]byte
	leaf   *testCA
	rootA  *testCA
	labels map[string]string // fingerprint -> name in the test
}

func fp(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:8])
}

func makeCASources(t *testing.T) *caSources {
	t.Helper()
	s := &caSources{files: map[string][]byte{}, labels: map[string]string{}}
	name := func(c *testCA, n string) *testCA { s.labels[fp(c.der)] = n; return c }
	a := name(makeCert(t, pkix.Name{CommonName: "Root A", Organization: []string{"Slipway"}}, true, nil, nil), "A")
	b := name(makeCert(t, pkix.Name{Organization: []string{"Org  B"}, OrganizationalUnit: []string{"Unit B"}}, true, nil, nil), "B")
	c := name(makeCert(t, pkix.Name{CommonName: "Bad C"}, true, nil, nil), "C")
	d := name(makeCert(t, pkix.Name{CommonName: "Mail D"}, true, nil, nil), "D")
	e1 := name(makeCert(t, pkix.Name{CommonName: "Same E"}, true, nil, nil), "E1")
	e2 := name(makeCert(t, pkix.Name{CommonName: "Same E"}, true, nil, nil), "E2")
	f := name(makeCert(t, pkix.Name{CommonName: "Leaf F"}, false, nil, nil), "F")
	g := name(makeCert(t, pkix.Name{CommonName: "Plain G"}, true, nil, nil), "G")
	h := name(makeCert(t, pkix.Name{CommonName: "Distrusted H"}, true, nil, nil), "H")
	k := name(makeCert(t, pkix.Name{CommonName: "Code K"}, true, []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, nil), "K")
	j := name(makeCert(t, pkix.Name{CommonName: "Blocked J"}, true, nil, nil), "J")
	m := name(makeCert(t, pkix.Name{CommonName: "Server M"}, true, nil, nil), "M")
	n := name(makeCert(t, pkix.Name{CommonName: "Neutral N"}, true, nil, nil), "N")
	any := name(makeCert(t, pkix.Name{CommonName: "Any P"}, true, []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, nil), "P")
	q := name(makeCert(t, pkix.Name{CommonName: "Mixed Q"}, true, nil, nil), "Q")
	r := name(makeCert(t, pkix.Name{CommonName: "Trusted R"}, true, nil, nil), "R")
	rs := name(makeCert(t, pkix.Name{CommonName: "Rejected S"}, true, nil, nil), "S")
	tt := name(makeCert(t, pkix.Name{CommonName: "Bare T"}, true, nil, nil), "T")
	u := name(makeCert(t, pkix.Name{CommonName: "Two U"}, true, nil, nil), "U")
	u2 := name(makeCert(t, pkix.Name{CommonName: "Two U2"}, true, nil, nil), "U2")
	u3 := name(makeCert(t, pkix.Name{CommonName: "Three U3"}, true, nil, nil), "U3")
	v := name(makeCert(t, pkix.Name{CommonName: "Forced V"}, true, nil, nil), "V")
	x := name(makeCert(t, pkix.Name{CommonName: "Other X"}, true, nil, nil), "X")
	z1 := name(makeCert(t, pkix.Name{Country: []string{"US"}}, true, nil, nil), "Z1")
	z2 := name(makeCert(t, pkix.Name{CommonName: "Café Ω  Root"}, true, nil, nil), "Z2")
	y := name(makeCert(t, pkix.Name{CommonName: "Leaf Y"}, false, nil, nil), "Y")
	w := name(makeCert(t, pkix.Name{CommonName: "Blocked W"}, true, nil, nil), "W")
	ji, err := parseCertDER(j.der)
	if err != nil {
		t.Fatal(err)
	}
	s.rootA = a
	s.leaf = makeCert(t, pkix.Name{CommonName: "leaf.test"}, false, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, a)

	etc, usr := "etc/pki/ca-trust/source", "usr/share/pki/ca-trust-source"
	s.files[etc+"/anchors/a.pem"] = []byte(pemOf(a.der))
	s.files[etc+"/anchors/b.der"] = b.der
	s.files[etc+"/anchors/c.crt"] = []byte(pemOf(c.der))
	s.files[etc+"/anchors/e.pem"] = []byte("some text first\n" + pemOf(e1.der, e2.der))
	s.files[etc+"/anchors/f.pem"] = []byte(pemOf(f.der))
	s.files[etc+"/anchors/k.pem"] = []byte(pemOf(k.der))
	s.files[etc+"/anchors/p.pem"] = []byte(pemOf(any.der))
	// No CN, OU or O: no label; a label beyond ASCII.
	s.files[etc+"/anchors/z.pem"] = []byte(pemOf(z1.der, z2.der))
	// A bad block does not lose the good one after it.
	s.files[etc+"/anchors/mixed.pem"] = []byte("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n" + pemOf(q.der))
	// OpenSSL's TRUSTED CERTIFICATE: trusted for a purpose, rejected
	// for all, without CertAux, and two purposes in anchors/.
	s.files[etc+"/trusted.crt"] = []byte(trustedPEM(r.der, []string{oidServerAuth}, nil, "Alias R") +
		trustedPEM(rs.der, nil, []string{oidServerAuth}, "") + trustedPEM(tt.der, nil, nil, "-"))
	s.files[etc+"/anchors/two.pem"] = []byte(trustedPEM(u.der, []string{oidEmail, oidServerAuth}, []string{oidCodeSigning}, "Two U") +
		trustedPEM(u2.der, []string{oidServerAuth, oidEmail}, nil, "Two U2", 1, 2, 3, 4) +
		trustedPEM(u3.der, []string{oidCodeSigning, oidClientAuth, oidServerAuth, oidEmail}, nil, "Three U3"))
	// A .p11-kit file's certificate-category stands; an unknown field
	// makes p11-kit refuse the whole file.
	s.files[etc+"/cat.p11-kit"] = []byte("[p11-kit-object-v1]\nlabel: \"Other X\"\ntrusted: true\ncertificate-category: other-entry\n" + pemOf(x.der) +
		"[p11-kit-object-v1]\nlabel: \"Leaf Y\"\ntrusted: true\ncertificate-category: authority\n" + pemOf(y.der))
	s.files[usr+"/zz-unknown.p11-kit"] = []byte("[p11-kit-object-v1]\nlabel: \"Forced V\"\nfoo-bar: baz\ntrusted: true\n" + pemOf(v.der))
	// Folders override a .p11-kit file's trust.
	s.files[etc+"/anchors/v.p11-kit"] = []byte("[p11-kit-object-v1]\nlabel: \"Forced V\"\ntrusted: false\n" + pemOf(v.der))
	s.files[etc+"/blocklist/w.p11-kit"] = []byte("[p11-kit-object-v1]\nlabel: \"Blocked W\"\ntrusted: true\n" + pemOf(w.der))
	s.files[etc+"/anchors/w.pem"] = []byte(pemOf(w.der))
	s.files[etc+"/anchors/zz-broken.pem"] = []byte("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n")
	s.files[etc+"/blocklist/c.pem"] = []byte(pemOf(c.der))
	s.files[etc+"/README"] = []byte("This folder holds trust sources.\n")
	s.files[etc+"/g.pem"] = []byte(pemOf(g.der))
	// Azure's ca-bundle.trust.p11-kit shape: trusted certificates, an
	// attached extended key usage, a distrusted one.
	p11 := "# comment\n[p11-kit-object-v1]\nlabel: \"Mail D\"\ntrusted: true\nnss-mozilla-ca-policy: true\nmodifiable: false\n" + pemOf(d.der) +
		"\n[p11-kit-object-v1]\nlabel: \"Mail D\"\nclass: x-certificate-extension\nobject-id: 2.5.29.37\nvalue: \"" +
		pctEscape(ekuExtension(t, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4})) + "\"\nmodifiable: false\n" +
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: d.cert.RawSubjectPublicKeyInfo})) +
		azureObject(h, "Distrusted H", "x-distrusted: true", azureReject, azureEKUServerEmailCode) +
		azureObject(m, "Server M", "trusted: true", azureEKUServer) +
		azureObject(n, "Neutral N", "trusted: false") +
		"\n[p11-kit-object-v1]\nlabel: \"Root A again\"\ntrusted: true\n" + pemOf(a.der)
	s.files[usr+"/ca-bundle.trust.p11-kit"] = []byte(p11)
	s.files[usr+"/README"] = []byte("readme\n")
	// Fedora's blocklist shape: a certificate named by issuer and serial.
	s.files[etc+"/anchors/j.pem"] = []byte(pemOf(j.der))
	s.files[usr+"/distrust-j.p11-kit"] = []byte("[p11-kit-object-v1]\nclass: certificate\ncertificate-type: x-509\nx-distrusted: true\nissuer: \"" +
		pctEscape(ji.issuer) + "\"\nserial-number: \"" + pctEscape(ji.serial) + "\"\n")
	s.files[usr+"/zz-bad.p11-kit"] = []byte("[p11-kit-object-v1]\nlabel: not quoted\ntrusted: true\n" + pemOf(g.der))
	s.files[usr+"/anchors/h.pem"] = []byte(pemOf(h.der))
	return s
}

// image makes a memImage with the sources and the extracted folders of
// ca-certificates.
func (s *caSources) image(withHashDir bool) memImage {
	dirs := []string{"/etc", "/etc/pki", "/etc/pki/ca-trust", "/etc/pki/ca-trust/source", "/etc/pki/ca-trust/source/anchors",
		"/etc/pki/ca-trust/source/blocklist", "/usr", "/usr/share", "/usr/share/pki", "/usr/share/pki/ca-trust-source",
		"/usr/share/pki/ca-trust-source/anchors", caExtracted, caExtracted + "/pem", caExtracted + "/openssl",
		caExtracted + "/java", caExtracted + "/edk2"}
	if withHashDir {
		dirs = append(dirs, caExtracted+"/pem/directory-hash")
	}
	m := memImage{}
	for _, d := range dirs {
		m[d] = &memFile{FileInfo: FileInfo{Type: 'd', Mode: 0o755}}
	}
	for p, data := range s.files {
		m["/"+p] = &memFile{FileInfo{Type: 'f', Mode: 0o644}, data}
	}
	return m
}

// bundleOrder names the certificates of a PEM (or TRUSTED) bundle.
func (s *caSources) bundleOrder(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		c, err := parseCertDER(b.Bytes[:certLen(b.Bytes)])
		if err != nil {
			t.Fatalf("bad certificate in bundle: %v", err)
		}
		out = append(out, s.labels[fp(c.der)])
	}
}

func certLen(b []byte) int {
	_, full, _, _, err := derNext(b)
	if err != nil {
		return len(b)
	}
	return len(full)
}

func TestCATrustExtract(t *testing.T) {
	t.Parallel()
	s := makeCASources(t)
	img := s.image(true)
	var warns []string
	st := updateCATrust(img, caBuildTime, caSourcePaths, func(m string) { warns = append(warns, m) })
	if st != 0 {
		t.Errorf("status %d, warnings %q", st, warns)
	}
	wantWarns := []string{"/etc/pki/ca-trust/source/anchors/mixed.pem: skipping PEM block 1",
		"/etc/pki/ca-trust/source/anchors/zz-broken.pem: skipping PEM block 1", "/usr/share/pki/ca-trust-source/zz-bad.p11-kit",
		"/usr/share/pki/ca-trust-source/zz-unknown.p11-kit: line 3: foo-bar: invalid or unsupported attribute"}
	if len(warns) != len(wantWarns) {
		t.Errorf("warnings %q, want %d", warns, len(wantWarns))
	} else {
		for i, w := range wantWarns {
			if !strings.Contains(warns[i], w) {
				t.Errorf("warning %q, want one naming %s", warns[i], w)
			}
		}
	}
	want := map[string][]string{
		"openssl/ca-bundle.trust.crt": {"X", "Y", "G", "R", "S", "T", "A", "B", "C", "E1", "E2", "F", "J", "K", "Q", "P", "U", "U2", "U3", "V", "W", "Z1", "Z2", "D", "H", "M", "N"},
		"pem/tls-ca-bundle.pem":       {"Y", "R", "A", "B", "E1", "E2", "Q", "P", "U", "U2", "U3", "V", "Z1", "Z2", "M"},
		"pem/email-ca-bundle.pem":     {"Y", "A", "B", "E1", "E2", "Q", "P", "U", "U2", "U3", "V", "Z1", "Z2", "D"},
		"pem/objsign-ca-bundle.pem":   {"Y", "A", "B", "E1", "E2", "K", "Q", "P", "U3", "V", "Z1", "Z2"},
	}
	for f, order := range want {
		data, ok := img.ReadFile(caExtracted + "/" + f)
		if !ok {
			t.Errorf("%s missing", f)
			continue
		}
		if got := s.bundleOrder(t, data); !slices.Equal(got, order) {
			t.Errorf("%s: %v, want %v", f, got, order)
		}
		if m := img[caExtracted+"/"+f].Mode; m != 0o444 {
			t.Errorf("%s: mode %o", f, m)
		}
	}
	ks, _ := img.ReadFile(caExtracted + "/java/cacerts")
	if !bytes.Contains(ks, []byte("\x00\x05roota\x00\x00\x01\x90\x0d\x95\xf1\xe8")) || !bytes.Contains(ks, []byte("\x00\x07samee-1")) {
		t.Errorf("java keystore lacks the aliases and the build time: %q", ks[:64])
	}
	if edk2, _ := img.ReadFile(caExtracted + "/edk2/cacerts.bin"); len(edk2) == 0 {
		t.Error("no edk2 bundle")
	}
	if fi, ok := img.Lstat(caExtracted + "/pem/directory-hash/Same_E.1.pem"); !ok || fi.Type != 'f' {
		t.Errorf("directory-hash lacks Same_E.1.pem:\n%s", img)
	}
}

func TestCATrustFormats(t *testing.T) {
	t.Parallel()
	s := makeCASources(t)
	img := s.image(false)
	st := loadCAStore(img, caSourcePaths, func(string) {})
	all := st.extract(caFilter{})
	byName := map[string]*caObject{}
	for _, o := range all {
		byName[s.labels[fp(o.cert.der)]] = o
	}
	// openssl-bundle: the CertAux after the certificate.
	aux := func(n string) string {
		d := st.trustedCert(byName[n])
		return hex.EncodeToString(d[len(byName[n].cert.der):])
	}
	eight := "06082b06010505070301" + "06082b06010505070302" + "06082b06010505070303" + "06082b06010505070304" +
		"06082b06010505070305" + "06082b06010505070306" + "06082b06010505070307" + "06082b06010505070308"
	attachedRejects := "06082b06010505070304" + "06082b06010505070301" + "06082b06010505070303"
	for _, tc := range []struct{ name, want string }{
		// an anchor: no trust list (any purpose)
		{"A", "30080c06" + hex.EncodeToString([]byte("Root A"))},
		// neither anchor nor distrusted: an empty trust list
		{"G", "300b3000" + "0c07" + hex.EncodeToString([]byte("Plain G"))},
		// an anchor with an attached extended key usage: trusted for it
		{"D", "3014300a06082b06010505070304" + "0c06" + hex.EncodeToString([]byte("Mail D"))},
		// distrusted: its attached rejects, then every known purpose
		{"H", "307e" + "a06e" + attachedRejects + eight + "0c0c" + hex.EncodeToString([]byte("Distrusted H"))},
	} {
		if got := aux(tc.name); got != tc.want {
			t.Errorf("%s aux %s, want %s", tc.name, got, tc.want)
		}
	}
	// pem-bundle with comments.
	pb := string(pemBundle([]*caObject{byName["A"], byName["B"]}, true))
	if !strings.HasPrefix(pb, "# Root A\n-----BEGIN CERTIFICATE-----\n") || !strings.Contains(pb, "-----END CERTIFICATE-----\n\n# Unit B\n-----BEGIN") {
		t.Errorf("pem bundle:\n%s", pb)
	}
	// java-cacerts: header, count, keyed SHA-1 at the end.
	ks := javaCacerts([]*caObject{byName["A"]}, caBuildTime)
	if !bytes.HasPrefix(ks, []byte{0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5, 'r', 'o', 'o', 't', 'a'}) {
		t.Errorf("keystore header % x", ks[:24])
	}
	// edk2: list size, header size, signature size, then the owner.
	e := edk2Cacerts(all[:1])
	n := len(all[0].cert.der)
	if len(e) != 44+n || e[16] != byte(44+n) || e[24] != byte(16+n) {
		t.Errorf("edk2 list % x", e[:44])
	}
	// openssl-directory: OpenSSL's subject hash of the canonical name
	// ("Org  B" counts as "org b").
	if h, _ := subjectHash(byName["B"].cert.subject); h != opensslHash(t, byName["B"].cert.der) {
		t.Errorf("subject hash %s, openssl says %s", h, opensslHash(t, byName["B"].cert.der))
	}
}

func opensslHash(t *testing.T, der []byte) string {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is missing: apt-get install openssl")
	}
	cmd := exec.Command("openssl", "x509", "-inform", "DER", "-noout", "-subject_hash")
	cmd.Stdin = bytes.NewReader(der)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestP11DictOrder checks the order of purposes p11-kit gives a TRUSTED
// CERTIFICATE's trust list, as Debian's p11-kit printed them for
// certificates made with openssl x509 -addtrust.
func TestP11DictOrder(t *testing.T) {
	t.Parallel()
	const server, client, code, email, ts = oidServerAuth, oidClientAuth, oidCodeSigning, oidEmail, "1.3.6.1.5.5.7.3.8"
	for _, tc := range []struct{ in, want []string }{
		{[]string{server, email}, []string{server, email}},
		{[]string{email, server}, []string{email, server}},
		{[]string{ts, code}, []string{ts, code}},
		{[]string{code, ts, server}, []string{ts, server, code}},
		{[]string{code, client, server, email}, []string{client, server, email, code}},
	} {
		if got := p11DictOrder(tc.in, nil); !slices.Equal(got, tc.want) {
			t.Errorf("%v: %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCATrustVerdicts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ body, verdict string }{
		{"/usr/bin/ca-legacy install\n/usr/bin/update-ca-trust\n", Emulated},
		{"update-ca-trust extract\n", Emulated},
		{"/usr/bin/trust extract-compat\n", Emulated},
		{"update-ca-trust extract -o /tmp\n", Unhandled},
		{"update-ca-trust > /etc/x\n", Unhandled},
		{"ca-legacy disable\n", Unhandled},
		{"trust anchor /x.pem\n", Unhandled},
	} {
		a, err := Analyze(rpm.Script{Kind: "%post", Body: tc.body})
		if err != nil {
			t.Fatal(err)
		}
		if a.Verdict != tc.verdict {
			t.Errorf("%q: %s (%s), want %s", tc.body, a.Verdict, a.Why, tc.verdict)
		}
	}
}

func TestCALegacyInstall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ conf, want string }{
		{"legacy=default\n", caLegacyDefault},
		{"# x\nLegacy = disable \n", caLegacyDisable},
		{"", caLegacyDefault},
	} {
		img := newImage("/etc/", "/etc/pki/", "/etc/pki/ca-trust/", "/etc/pki/ca-trust/source/", caLegacyConf+"="+tc.conf,
			caLegacyLink+"=old")
		run(t, img, nil, rpm.Script{Kind: "%post", Body: "/usr/bin/ca-legacy install\n"})
		if got := img[caLegacyLink]; got == nil || got.Link != tc.want {
			t.Errorf("%q: link %v, want %s", tc.conf, got, tc.want)
		}
	}
}

// TestCATrustMatchesP11Kit runs Debian's `trust extract` on the same
// sources (rootfstest.TrustExtract) and compares every output byte for
// byte.
func TestCATrustMatchesP11Kit(t *testing.T) {
	t.Parallel()
	s := makeCASources(t)
	img := s.image(true)
	updateCATrust(img, caBuildTime, caSourcePaths, func(string) {})

	out := rootfstest.TrustExtract(t, s.files)
	for _, f := range []string{"openssl/ca-bundle.trust.crt", "pem/tls-ca-bundle.pem", "pem/email-ca-bundle.pem",
		"pem/objsign-ca-bundle.pem", "java/cacerts", "edk2/cacerts.bin"} {
		want, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := img.ReadFile(caExtracted + "/" + f)
		if strings.HasSuffix(f, ".pem") || strings.HasSuffix(f, ".crt") {
			if g, w := s.bundleOrder(t, got), s.bundleOrder(t, want); !slices.Equal(g, w) {
				t.Errorf("%s: certificates %v, p11-kit %v", f, g, w)
			}
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from p11-kit's:\n%s\np11-kit:\n%s", f, got, want)
		}
	}
	// The hashed folder: same names, links and contents; and
	// openssl-directory, which no script uses, for the format.
	var ours []dirFile
	names, _ := img.ReadDir(caExtracted + "/pem/directory-hash")
	for _, n := range names {
		f := img[caExtracted+"/pem/directory-hash/"+n]
		ours = append(ours, dirFile{name: n, data: f.data, link: f.Link})
	}
	compareDir(t, filepath.Join(out, "pem/directory-hash"), ours)
	st := loadCAStore(s.image(false), caSourcePaths, func(string) {})
	compareDir(t, filepath.Join(out, "openssl-directory"), st.hashDirectory(st.extract(caFilter{anchorsOnly: true, purpose: oidServerAuth}), true))
}

// compareDir compares a folder p11-kit wrote with ours.
func compareDir(t *testing.T, dir string, ours []dirFile) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if l, err := os.Readlink(p); err == nil {
			want = append(want, e.Name()+" -> "+l)
		} else {
			data, _ := os.ReadFile(p)
			want = append(want, e.Name()+" "+fp(data))
		}
	}
	var got []string
	for _, f := range ours {
		if f.link != "" {
			got = append(got, f.name+" -> "+f.link)
		} else {
			got = append(got, f.name+" "+fp(f.data))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n%s\np11-kit:\n%s", filepath.Base(dir), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzTrustSource feeds trust source files to the reader and every
// format: no input may panic, and what is read must be extractable.
func FuzzTrustSource(f *testing.F) {
	f.Add([]byte("[p11-kit-object-v1]\nlabel: \"x\"\nclass: x-certificate-extension\nobject-id: 2.5.29.37\nvalue: \""+azureEKUServer+"\"\n-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"), false)
	f.Add([]byte("[p11-kit-object-v1]\nclass: certificate\nx-distrusted: true\nissuer: \"%30%00\"\nserial-number: \"%02%01%01\"\n"), true)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n"), false)
	f.Add([]byte{0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x00}, true)
	f.Add([]byte("-----BEGIN TRUSTED CERTIFICATE-----\nMAMCAQAwDDAAoAAMAXgEAaGh\n-----END TRUSTED CERTIFICATE-----\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, anchor bool) {
		flag := flagNone
		if anchor {
			flag = flagAnchor
		}
		objs, _, _, err := parseTrustSource(data, 0, flag)
		if err != nil {
			return
		}
		st := &caStore{objs: objs}
		for _, f := range []caFilter{{}, {anchorsOnly: true, purpose: oidServerAuth}} {
			certs := st.extract(f)
			pemBundle(certs, true)
			st.opensslBundle(certs, true)
			javaCacerts(certs, caBuildTime)
			edk2Cacerts(certs)
			st.hashDirectory(certs, false)
			st.hashDirectory(certs, true)
		}
	})
}

// BenchmarkUpdateCATrust extracts every output from a bundle the size of
// Azure Linux's (150 authorities in certdata2pem.py's shape).
func BenchmarkUpdateCATrust(b *testing.B) {
	t := &testing.T{}
	var bundle strings.Builder
	for i := range 150 {
		c := makeCert(t, pkix.Name{CommonName: fmt.Sprintf("Root %d", i)}, true, nil, nil)
		bundle.WriteString(azureObject(c, fmt.Sprintf("Root %d", i), "trusted: true", azureEKUServerEmailCode))
	}
	s := &caSources{files: map[string][]byte{"usr/share/pki/ca-trust-source/ca-bundle.trust.p11-kit": []byte(bundle.String())}}
	b.ResetTimer()
	for b.Loop() {
		img := s.image(true)
		if st := updateCATrust(img, caBuildTime, caSourcePaths, func(string) {}); st != 0 {
			b.Fatal(st)
		}
	}
}
