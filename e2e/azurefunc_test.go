//go:build e2e

package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// azureFuncMu serializes the making of the functional repository between
// the tests of this file.
var azureFuncMu sync.Mutex

// azureFuncRepo returns the folder of scripts/azure-func/mkrepo.sh's output
// (repo/, ca.pem, ca.key): Azure Linux-shaped packages over Debian's real
// binaries. It is made once (about 2 minutes) and cached under the user's
// cache folder, keyed by the content of the scripts that make it.
func azureFuncRepo(t testing.TB) string {
	t.Helper()
	for _, tool := range [][2]string{{"apt-get", "apt"}, {"dpkg-deb", "dpkg"}, {"rpmbuild", "rpm"}, {"createrepo_c", "createrepo-c"}, {"openssl", "openssl"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing", tool[0])
			}
			t.Skipf("%s is missing: apt-get install %s", tool[0], tool[1])
		}
	}
	azureFuncMu.Lock()
	defer azureFuncMu.Unlock()
	h := sha256.New()
	for _, f := range []string{"../scripts/azure-func/mkrepo.sh", "../scripts/bench-build/mkrepo.sh", "../scripts/bench-build/packages.txt"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "slipway-azure-func", hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "repo", "repodata", "repomd.xml")); err == nil {
		return dir
	}
	tmp := dir + fmt.Sprintf(".tmp-%d", os.Getpid())
	os.RemoveAll(tmp)
	script, _ := filepath.Abs("../scripts/azure-func/mkrepo.sh")
	if out, err := exec.Command(script, tmp).CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		msg := fmt.Sprintf("making the functional repository (needs Debian's archive through apt): %v\n%s", err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// azureFuncConfig is an image of the functional repository: bash, curl,
// openssl, ca-certificates, a service account, and the nonroot account of
// the Azure Linux examples.
func azureFuncConfig(t *testing.T, data string, nonroot bool) string {
	t.Helper()
	accounts := `
[[accounts.group]]
name = "nonroot"
gid = 65532

[[accounts.user]]
name = "nonroot"
uid = 65532
gid = 65532
home = "/home/nonroot"
`
	if !nonroot {
		accounts = ""
	}
	text := fmt.Sprintf(`[image]
name = "test/azure-func"
architectures = ["x86_64"]

[[repository]]
id = "azure-func"
baseurl = "file://%s/repo"
gpgcheck = false
repo_gpgcheck = false

[packages]
install = [%s]
%s`, data, azureFuncInstall, accounts)
	path := filepath.Join(t.TempDir(), "image.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// azureFuncInstall is what the images of the functional repository install.
const azureFuncInstall = `"setup", "bash", "ca-certificates", "curl", "openssl", "svcd", "libc-bin", "coreutils", "grep"`

// azureFuncImage builds the image with every scriptlet emulated
// (--fail-on-scriptlets) and unpacks it.
func azureFuncImage(t *testing.T, data string, nonroot bool) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "oci")
	buildJSON(t, nil, "--cache-dir", t.TempDir(), "--fail-on-scriptlets", azureFuncConfig(t, data, nonroot), "--output", "oci:"+out+":func")
	return unpack(t, out, "func")
}

// leafServer serves HTTPS on 127.0.0.1 with a certificate the test CA
// signs; it returns the port and the leaf's PEM.
func leafServer(t *testing.T, data string) (int, []byte) {
	t.Helper()
	caPEM, err := os.ReadFile(filepath.Join(data, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(data, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := pem.Decode(caPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		t.Fatal("ca.pem or ca.key holds no PEM block")
	}
	ca, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:   http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello from the test CA\n") }),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		// The refused handshakes of the negative check are expected.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestAzureFunctional: an image of Azure Linux-shaped packages over real
// binaries (Debian's bash, curl, openssl, p11-kit, shadow, glibc
// repackaged) works in a chroot with no scriptlet run: ca-certificates'
// update-ca-trust (emulated) made a bundle with which curl reaches a TLS
// server whose certificate the test CA signs and openssl verifies the
// leaf; getent finds the account svcd's %pre made; bash's %post put its
// shells in /etc/shells; the nonroot home is owned by 65532.
func TestAzureFunctional(t *testing.T) {
	requireRoot(t, "chroot into the unpacked image")
	data := azureFuncRepo(t)
	root := azureFuncImage(t, data, true)
	port, leaf := leafServer(t, data)
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "tmp", "leaf.pem"), leaf, 0o644); err != nil {
		t.Fatal(err)
	}
	chroot := func(args ...string) (string, error) {
		cmd := exec.Command("chroot", append([]string{root}, args...)...)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LC_ALL=C"}
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/", port)
	for _, tc := range []struct {
		args []string
		want string
	}{
		// The classic name, through the package's link into the %ghost
		// bundle that update-ca-trust fills.
		{[]string{"curl", "--fail", "-sS", "--cacert", "/etc/pki/tls/certs/ca-bundle.crt", url}, "hello from the test CA"},
		{[]string{"curl", "--fail", "-sS", "--cacert", "/etc/pki/tls/cert.pem", url}, "hello from the test CA"},
		{[]string{"openssl", "verify", "-CAfile", "/etc/pki/tls/certs/ca-bundle.crt", "/tmp/leaf.pem"}, "/tmp/leaf.pem: OK"},
		// The hashed folder (Debian's openssl owns /etc/ssl/certs here, so
		// the package has no link there as Azure's has).
		{[]string{"openssl", "verify", "-CApath", "/etc/pki/ca-trust/extracted/pem/directory-hash", "/tmp/leaf.pem"}, "/tmp/leaf.pem: OK"},
		{[]string{"getent", "passwd", "svcd"}, ":999:999:service daemon:/var/lib/svcd:/sbin/nologin"},
		{[]string{"getent", "group", "svcd"}, "svcd:x:999:"},
		{[]string{"getent", "passwd", "nonroot"}, "nonroot:x:65532:65532::/home/nonroot:/sbin/nologin"},
		{[]string{"grep", "-x", "/bin/bash", "/etc/shells"}, "/bin/bash"},
		{[]string{"bash", "-c", "echo $BASH_VERSION"}, "5."},
	} {
		out, err := chroot(tc.args...)
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("chroot %s: %v\n%s\nwant %q", strings.Join(tc.args, " "), err, out, tc.want)
		}
	}
	// With a bundle of another CA, the same request fails: the test
	// proves the bundle, not a fallback of curl's.
	others, _ := filepath.Glob(filepath.Join(root, "usr/share/pki/ca-trust-source/anchors/*.crt"))
	if len(others) == 0 {
		t.Fatal("no other CA in /usr/share/pki/ca-trust-source/anchors")
	}
	other := "/" + strings.TrimPrefix(others[0], root+"/")
	if out, err := chroot("curl", "--fail", "-sS", "--cacert", other, "--capath", "/nonexistent", url); err == nil {
		t.Errorf("curl trusted the server with only %s: %s", other, out)
	}
	fi, err := os.Lstat(filepath.Join(root, "home", "nonroot"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); !fi.IsDir() || st.Uid != 65532 || st.Gid != 65532 {
		t.Errorf("/home/nonroot: %v owned by %d:%d, want a folder of 65532:65532", fi.Mode(), st.Uid, st.Gid)
	}
}

// TestAzureScriptletsMatchDNF: dnf --installroot with the scriptlets run
// (Debian's bash as /bin/sh, shadow's groupadd/useradd, p11-kit's trust
// behind the package's update-ca-trust) and slipway's emulation leave the
// same effects: /etc/shells, the account files (byte for byte), root's
// .bash_logout, and each bundle's certificates by fingerprint (the order
// of the trust tokens kept; within a folder p11-kit's readdir order
// differs from slipway's name order, a documented difference), and the
// hashed folder's names and targets.
func TestAzureScriptletsMatchDNF(t *testing.T) {
	requireRoot(t, "dnf --installroot with scriptlets")
	data := azureFuncRepo(t)
	ours := azureFuncImage(t, data, false)
	pkgs := strings.Split(strings.NewReplacer(`"`, "", " ", "").Replace(azureFuncInstall), ",")
	theirs := rootfstest.DNFInstallWith(t, filepath.Join(data, "repo"), "/dev/null", "x86_64",
		[]string{"--setopt=tsflags=", "--nogpgcheck"}, pkgs...)

	read := func(root, p string) string {
		b, err := os.ReadFile(filepath.Join(root, p))
		if os.IsNotExist(err) {
			return "(missing)"
		} else if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		return string(b)
	}
	// Effects the test is about must be there in dnf's tree (the
	// comparison would pass on two trees that both lack them).
	if !strings.Contains(read(theirs, "etc/passwd"), "\nsvcd:") || !strings.Contains(read(theirs, "etc/shells"), "/bin/bash\n") {
		t.Fatalf("dnf's scriptlets did not run: passwd %q, shells %q", read(theirs, "etc/passwd"), read(theirs, "etc/shells"))
	}
	// No package ships /etc/shadow here: useradd then keeps the password
	// field in /etc/passwd, and both trees lack shadow and gshadow.
	for _, p := range []string{"etc/shells", "etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "root/.bash_logout"} {
		if a, b := read(ours, p), read(theirs, p); a != b {
			t.Errorf("/%s:\nslipway:\n%s\ndnf:\n%s", p, a, b)
		}
	}
	for _, p := range []string{"pem/tls-ca-bundle.pem", "pem/email-ca-bundle.pem", "pem/objsign-ca-bundle.pem", "openssl/ca-bundle.trust.crt"} {
		p = "etc/pki/ca-trust/extracted/" + p
		a, b := fingerprints(t, read(ours, p)), fingerprints(t, read(theirs, p))
		// The /etc token comes first (the test CA alone in it); within
		// a folder p11-kit follows readdir's order, which on this file
		// system is not the name order slipway uses (docs/scriptlets.md):
		// the rest is compared as a set.
		if len(b) != 4 || len(a) != 4 || a[0] != b[0] || !sameSet(a[1:], b[1:]) {
			t.Errorf("/%s fingerprints:\nslipway: %q\ndnf:     %q", p, a, b)
		}
		if ca := fingerprints(t, read(data, "ca.pem")); len(a) > 0 && len(ca) == 1 && !strings.HasSuffix(a[0], strings.TrimPrefix(ca[0], "CERTIFICATE")) {
			t.Errorf("/%s: the test CA is not first: %q", p, a)
		}
	}
	if a, b := dirLinks(t, ours), dirLinks(t, theirs); len(b) < 4 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("directory-hash:\nslipway: %q\ndnf:     %q", a, b)
	}
}

// sameSet says whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// fingerprints lists the SHA-256 of each certificate of a PEM bundle, in
// order; a TRUSTED CERTIFICATE block's trailing trust data is left out.
func fingerprints(t *testing.T, bundle string) []string {
	t.Helper()
	var out []string
	rest := []byte(bundle)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return out
		}
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(b.Bytes, &raw); err != nil {
			t.Fatalf("a %s block: %v", b.Type, err)
		}
		sum := sha256.Sum256(raw.FullBytes)
		out = append(out, b.Type+" "+hex.EncodeToString(sum[:]))
	}
}

// dirLinks lists the hashed folder's entries with their link targets.
func dirLinks(t *testing.T, root string) []string {
	t.Helper()
	dir := filepath.Join(root, "etc/pki/ca-trust/extracted/pem/directory-hash")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		target, _ := os.Readlink(filepath.Join(dir, e.Name()))
		out = append(out, e.Name()+" -> "+target)
	}
	return out
}
