package rootfstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TrustExtract runs Debian's p11-kit `trust extract` the way Azure
// Linux's update-ca-trust does, on the trust sources files (paths
// relative to the image root, under etc/pki/ca-trust/source and
// usr/share/pki/ca-trust-source), and returns the folder of its outputs:
// openssl/ca-bundle.trust.crt, pem/{tls,email,objsign}-ca-bundle.pem,
// java/cacerts, edk2/cacerts.bin, pem/directory-hash/ (with Fedora's two
// links) and openssl-directory/. p11-kit reads a folder in the file
// system's order: the sources go on a tmpfs in a private mount
// namespace, created so that this order is the name order slipway uses.
// It needs root (unshare -m) and p11-kit; without them the test is
// skipped, or fails when CI is set.
func TrustExtract(t testing.TB, files map[string][]byte) string {
	t.Helper()
	if _, err := exec.LookPath("trust"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("trust (p11-kit) is missing")
		}
		t.Skip("trust is missing: apt-get install p11-kit")
	}
	if err := exec.Command("unshare", "-m", "true").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("unshare -m: %v (the test needs root for a private mount namespace)", err)
		}
		t.Skipf("unshare -m fails (%v): the test needs root for a private mount namespace", err)
	}
	work := t.TempDir()
	stage := filepath.Join(work, "stage")
	for p, data := range files {
		q := filepath.Join(stage, p)
		if err := os.MkdirAll(filepath.Dir(q), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(q, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := filepath.Join(work, "root")
	out := filepath.Join(work, "out")
	mods := filepath.Join(work, "modules")
	for _, d := range []string{root, stage, mods, out + "/pem", out + "/openssl", out + "/java", out + "/edk2"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	etc, usr := root+"/etc/pki/ca-trust/source", root+"/usr/share/pki/ca-trust-source"
	mod := "module: p11-kit-trust.so\ntrust-policy: yes\nx-init-reserved: paths=" + etc + ":" + usr + "\n"
	if err := os.WriteFile(filepath.Join(mods, "p11-kit-trust.module"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `set -e
mount -t tmpfs tmpfs "$ROOT"
# copy a tree file by file in name order; check the order readdir gives
copy() { # src dst reverse
	mkdir -p "$2"
	for f in $(ls $3 "$1"); do
		if [ -d "$1/$f" ]; then copy "$1/$f" "$2/$f" "$3"; else cp "$1/$f" "$2/$f"; fi
	done
}
copy "$STAGE" "$ROOT" ""
ordered() { for d in $(find "$ROOT" -type d); do [ "$(ls -U "$d" | tr '\n' ' ')" = "$(ls "$d" | tr '\n' ' ')" ] || return 1; done; }
if ! ordered; then
	rm -rf "$ROOT"/*
	copy "$STAGE" "$ROOT" -r
	ordered || { echo "readdir order is not creation order" >&2; exit 3; }
fi
mkdir -p "$ROOT/etc/pki/ca-trust/source" "$ROOT/usr/share/pki/ca-trust-source"
mount --bind "$MODS" /usr/share/p11-kit/modules
export SOURCE_DATE_EPOCH=1718214849 P11_KIT_NO_USER_CONFIG=1
D="$OUT"
trust extract --format=openssl-bundle --filter=certificates --overwrite --comment $D/openssl/ca-bundle.trust.crt
trust extract --format=pem-bundle --filter=ca-anchors --overwrite --comment --purpose server-auth $D/pem/tls-ca-bundle.pem
trust extract --format=pem-bundle --filter=ca-anchors --overwrite --comment --purpose email $D/pem/email-ca-bundle.pem
trust extract --format=pem-bundle --filter=ca-anchors --overwrite --comment --purpose code-signing $D/pem/objsign-ca-bundle.pem
trust extract --format=java-cacerts --filter=ca-anchors --overwrite --purpose server-auth $D/java/cacerts
trust extract --format=edk2-cacerts --filter=ca-anchors --overwrite --purpose=server-auth $D/edk2/cacerts.bin
trust extract --format=pem-directory-hash --filter=ca-anchors --overwrite --purpose server-auth $D/pem/directory-hash
ln -s ../tls-ca-bundle.pem $D/pem/directory-hash/ca-certificates.crt
ln -s ../tls-ca-bundle.pem $D/pem/directory-hash/ca-bundle.crt
trust extract --format=openssl-directory --filter=ca-anchors --overwrite --comment --purpose server-auth $D/openssl-directory
`
	cmd := exec.Command("unshare", "-m", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "ROOT="+root, "STAGE="+stage, "MODS="+mods, "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(b), "readdir order") {
			t.Skipf("tmpfs does not list files in creation order here: %s", b)
		}
		t.Fatalf("trust extract: %v\n%s", err, b)
	} else if len(b) > 0 {
		t.Logf("trust extract said:\n%s", b)
	}
	return out
}
