package scriptlet

import (
	"time"

	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rpm"
)

// gnupg runs gpg with the given environment (HOME=...) and arguments.
func gnupg(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("gpg", args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// genKeys makes keys with the real gpg in a fresh home and returns it.
func genKeys(t *testing.T, epoch int64, specs ...[]string) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "gen")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run() })
	base := []string{"--homedir", home, "--batch", "--passphrase", "", "--faked-system-time", strconv.FormatInt(epoch, 10) + "!"}
	for _, s := range specs {
		gnupg(t, nil, append(slices.Clone(base), s...)...)
	}
	return home
}

// keyboxTimes masks the header blob's times, which gpg takes from the
// clock even with --faked-system-time.
func keyboxTimes(b []byte) []byte {
	b = slices.Clone(b)
	if len(b) >= 24 {
		clear(b[16:24])
	}
	return b
}

// importWithEmulation runs `gpg --import KEY` as a %posttrans on an
// image holding /root and the key, and returns the image.
func importWithEmulation(t *testing.T, key []byte, epoch int64, body string) (memImage, []string) {
	t.Helper()
	img := newImage("/root/", "/etc/", "/etc/pki/", "/etc/pki/rpm-gpg/")
	img["/etc/pki/rpm-gpg/KEY"] = &memFile{FileInfo{Type: 'f', Mode: 0o644}, key}
	a, err := Analyze(rpm.Script{Kind: "%posttrans", Prog: []string{"/bin/sh"}, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if a.Verdict != Emulated || !slices.Contains(a.How, emGpg) {
		t.Fatalf("verdict %s %v %s", a.Verdict, a.How, a.Why)
	}
	var warns []string
	env := &Env{Image: img, BuildTime: time.Unix(epoch, 0), Warn: func(s string) { warns = append(warns, s) }}
	if err := a.Run(env, "azurelinux-repos-shared-3.0-4.azl3.noarch"); err != nil {
		t.Fatal(err)
	}
	return img, warns
}

// TestKeyboxMatchesGnuPG imports keys made by the real gpg both with the
// real `gpg --import` into a fresh HOME and with the emulation, and
// compares the files byte for byte (the header's clock times aside),
// their modes, `gpg --list-keys --with-colons` of both homes, and a
// `gpg --verify` of a detached repomd.xml signature with ours.
func TestKeyboxMatchesGnuPG(t *testing.T) {
	testutil.RequireTool(t, "gpg", "gpg")
	testutil.RequireTool(t, "gpgconf", "gpgconf")
	const made, imported = 1700000000, 1700000600
	for _, c := range []struct {
		name  string
		specs [][]string
		uid   string // key to sign with
	}{
		{"rsa sign-only", [][]string{{"--quick-gen-key", "Repo Key <repo@example.com>", "rsa2048", "sign", "never"}}, "repo@example.com"},
		{"ed25519 with subkey and two user IDs", [][]string{
			{"--quick-gen-key", "Second <second@example.com>", "default", "default", "never"},
			{"--quick-add-uid", "second@example.com", "Second Alias <alias@example.com>"},
		}, "second@example.com"},
		{"two keys in one file", [][]string{
			{"--quick-gen-key", "First <first@example.com>", "rsa2048", "sign", "never"},
			{"--quick-gen-key", "Other <other@example.com>", "ed25519", "sign", "never"},
		}, "other@example.com"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			gen := genKeys(t, made, c.specs...)
			key := []byte(gnupg(t, nil, "--homedir", gen, "--armor", "--export"))

			// The real import, into a HOME without .gnupg (as root's in a new image).
			home := t.TempDir()
			realDir := filepath.Join(home, ".gnupg")
			t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", realDir, "--kill", "all").Run() })
			keyFile := filepath.Join(t.TempDir(), "KEY")
			if err := os.WriteFile(keyFile, key, 0o644); err != nil {
				t.Fatal(err)
			}
			gnupg(t, []string{"HOME=" + home}, "--batch", "--faked-system-time", strconv.FormatInt(imported, 10)+"!", "--import", keyFile)

			img, warns := importWithEmulation(t, key, imported, "gpg --import /etc/pki/rpm-gpg/KEY\n")
			if len(warns) > 0 {
				t.Fatalf("warnings: %q", warns)
			}
			if d := img[rootGnupg]; d == nil || d.Type != 'd' || d.Mode != 0o700 {
				t.Fatalf("%s: %+v, want a folder 0700", rootGnupg, d)
			}
			ours := t.TempDir()
			for _, name := range []string{"pubring.kbx", "pubring.kbx~", "trustdb.gpg"} {
				want, err := os.ReadFile(filepath.Join(realDir, name))
				if err != nil {
					t.Fatal(err)
				}
				fi, _ := os.Stat(filepath.Join(realDir, name))
				got := img[rootGnupg+"/"+name]
				if got == nil {
					t.Fatalf("%s not written", name)
				}
				if got.Mode != uint32(fi.Mode().Perm()) {
					t.Errorf("%s: mode %04o, gpg leaves %04o", name, got.Mode, fi.Mode().Perm())
				}
				if !bytes.Equal(keyboxTimes(got.data), keyboxTimes(want)) {
					t.Errorf("%s differs from gpg's:\nours %x\ngpg  %x", name, got.data, want)
				}
				if err := os.WriteFile(filepath.Join(ours, name), got.data, os.FileMode(got.Mode)); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(ours, 0o700); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", ours, "--kill", "all").Run() })

			list := func(dir string) []string {
				var keep []string
				for l := range strings.SplitSeq(gnupg(t, nil, "--homedir", dir, "--list-keys", "--with-colons"), "\n") {
					if kind, _, _ := strings.Cut(l, ":"); slices.Contains([]string{"pub", "sub", "fpr", "uid"}, kind) {
						keep = append(keep, l)
					}
				}
				return keep
			}
			gotList, wantList := list(ours), list(realDir)
			if len(wantList) == 0 || !slices.Equal(gotList, wantList) {
				t.Errorf("gpg --list-keys:\nours %q\ngpg  %q", gotList, wantList)
			}

			// tdnf's repo_gpgcheck: a detached signature of repomd.xml.
			dir := t.TempDir()
			repomd, sig := filepath.Join(dir, "repomd.xml"), filepath.Join(dir, "repomd.xml.asc")
			if err := os.WriteFile(repomd, []byte("<repomd/>\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			gnupg(t, nil, "--homedir", gen, "--batch", "--local-user", c.uid, "--armor", "--detach-sign", "-o", sig, repomd)
			gnupg(t, nil, "--homedir", ours, "--batch", "--verify", sig, repomd)
			empty := filepath.Join(t.TempDir(), "empty")
			if err := os.Mkdir(empty, 0o700); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", empty, "--kill", "all").Run() })
			if err := exec.Command("gpg", "--homedir", empty, "--batch", "--verify", sig, repomd).Run(); err == nil {
				t.Fatal("gpg --verify passes without the key: the check proves nothing")
			}
		})
	}
}

// testKey makes one key with the real gpg and returns it armored.
func testKey(t *testing.T, uid string) []byte {
	t.Helper()
	testutil.RequireTool(t, "gpg", "gpg")
	gen := genKeys(t, 1700000000, []string{"--quick-gen-key", uid, "ed25519", "sign", "never"})
	return []byte(gnupg(t, nil, "--homedir", gen, "--armor", "--export"))
}

func TestKeyboxBlob(t *testing.T) {
	t.Parallel()
	key := testKey(t, "Blob <blob@example.com>")
	keys, err := parseKeys(key)
	if err != nil || len(keys) != 1 {
		t.Fatalf("%d keys, %v", len(keys), err)
	}
	k := keys[0]
	b := keyboxBlob(k, 1700000600)
	u32 := func(off int) int { return int(binary.BigEndian.Uint32(b[off:])) }
	if u32(0) != len(b) || b[4] != 2 || b[5] != 1 {
		t.Fatalf("length %d of %d, type %d version %d", u32(0), len(b), b[4], b[5])
	}
	if sum := sha1.Sum(b[:len(b)-20]); !bytes.Equal(sum[:], b[len(b)-20:]) {
		t.Error("checksum is not the SHA-1 of the blob")
	}
	kOff, kLen := u32(8), u32(12)
	if !bytes.Equal(b[kOff:kOff+kLen], k.image) {
		t.Error("keyblock offset/length do not point at the keyblock")
	}
	if !bytes.Equal(b[20:40], k.fprs[0]) || u32(40) != 32 || !bytes.Equal(b[32:40], k.fprs[0][12:]) {
		t.Error("fingerprint or key ID offset wrong")
	}
	uidTable := 20 + 28*len(k.fprs) + 2 + 4
	if off, n := u32(uidTable), u32(uidTable+4); string(b[off:off+n]) != "Blob <blob@example.com>" {
		t.Errorf("user ID entry points at %q", b[off:off+n])
	}
	if got := u32(kOff - 8); got != 1700000600 {
		t.Errorf("created at %d", got)
	}
	box := append(keyboxHeader(1700000600), b...)
	have, err := readKeybox(box)
	if err != nil || len(have) != 1 || !bytes.Equal(have[0].fpr, k.fprs[0]) {
		t.Fatalf("readKeybox: %v %d", err, len(have))
	}
	if !bytes.Equal(keyboxBlob(k, 1700000600), b) {
		t.Error("two blobs of the same key at the same time differ")
	}
}

// TestParseKeysRefuses feeds bad key files: each is refused with a
// clear reason, never half-read.
func TestParseKeysRefuses(t *testing.T) {
	t.Parallel()
	key := testKey(t, "Bad <bad@example.com>")
	bin, err := dearmor(key)
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := readPackets(bin)
	if err != nil {
		t.Fatal(err)
	}
	// The self-signature's last byte flipped.
	badSig := slices.Clone(bin)
	badSig[len(badSig)-1] ^= 0xff
	// The key without its user ID and signature.
	noUID := append(oldHeader(pkts[0].tag, len(pkts[0].body)), pkts[0].body...)
	secret := []byte{0x94, 0x01, 0x04}
	// A DSA key of 4096 bits: checking its signatures would cost much.
	mpi := func(bits int) []byte {
		b := []byte{byte(bits >> 8), byte(bits)}
		v := make([]byte, (bits+7)/8)
		for i := range v {
			v[i] = 0xff
		}
		return append(b, v...)
	}
	dsa := []byte{4, 0x65, 0x53, 0xf1, 0, 17}
	for _, bits := range []int{4096, 256, 2048, 2048} {
		dsa = append(dsa, mpi(bits)...)
	}
	bigDSA := append(oldHeader(tagPublicKey, len(dsa)), dsa...)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "no valid OpenPGP data found"},
		{"text", []byte("not a key\n"), "invalid packet header"},
		{"truncated", bin[:len(bin)/2], "past the end of the data"},
		{"bad self-signature", badSig, "does not verify"},
		{"no user ID", noUID, "has no user ID"},
		{"secret key", secret, "secret keys are not imported"},
		{"4096-bit DSA", bigDSA, "4096-bit algorithm 17 key larger than 3072 bits"},
		{"too large", make([]byte, maxKeyFile+1), "more than 1048576 bytes"},
		{"armored message", []byte("-----BEGIN PGP MESSAGE-----\n\nowE=\n=AAAA\n-----END PGP MESSAGE-----\n"), "armor"},
		{"signature first", append(slices.Clone(bin[len(noUID)+2+len(pkts[1].body):]), bin...), "before any public key"},
	} {
		_, err := parseKeys(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestGpgVerdicts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body, verdict, why string
	}{
		{"gpg --import /etc/pki/rpm-gpg/MICROSOFT-RPM-GPG-KEY", Emulated, ""},
		{"/usr/bin/gpg --batch --quiet --import /etc/pki/rpm-gpg/KEY >/dev/null 2>&1", Emulated, ""},
		{"gpg2 --homedir /root/.gnupg --import /etc/k", Emulated, ""},
		{"gpg --homedir=/var/lib/keys --batch --yes --import /etc/k", Emulated, ""},
		{"gpg --no-default-keyring --keyring /etc/pki/repo.kbx --import /etc/k", Emulated, ""},
		{"gpg --no-default-keyring --keyring=repo.kbx --import /etc/k /etc/k2", Emulated, ""},
		{"gpg --import", Unhandled, "gpg --import from stdin"},
		{"gpg --import < /etc/k", Unhandled, "gpg --import from stdin"},
		{"gpg --batch --yes --delete-keys 2BC94FFF7015A5F28F1537AD0CD9FED33135CE90", Unhandled, "gpg --delete-keys"},
		{"gpg --keyring /etc/x.kbx --import /etc/k", Unhandled, "without --no-default-keyring"},
		{"gpg --no-default-keyring --keyring /etc/x.gpg --import /etc/k", Emulated, ""},
		{"gpg --no-default-keyring --keyring keys/x.kbx --import /etc/k", Unhandled, "gpg --keyring keys/x.kbx"},
		{"gpg --import-options import-minimal --import /etc/k", Unhandled, "gpg --import-options"},
		{"gpg --recv-keys ABCDEF", Unhandled, "gpg --recv-keys"},
		{"gpg --import etc/k", Unhandled, "relative path"},
		{"gpg --import /etc/k > /root/out", Unhandled, "writing to /root/out"},
	} {
		a, err := Analyze(rpm.Script{Kind: "%posttrans", Prog: []string{"/bin/sh"}, Body: c.body})
		if err != nil {
			t.Fatalf("%s: %v", c.body, err)
		}
		if a.Verdict != c.verdict || !strings.Contains(a.Why, c.why) {
			t.Errorf("%s: %s %v %q, want %s %q", c.body, a.Verdict, a.How, a.Why, c.verdict, c.why)
		}
		if a.Verdict == Emulated && !slices.Equal(a.How, []string{emGpg}) {
			t.Errorf("%s: how %v", c.body, a.How)
		}
	}
	for _, body := range []string{"gpg --import /../../etc/k", "gpg --homedir /../x --import /etc/k", "gpg --no-default-keyring --keyring /a/../../x.kbx --import /etc/k"} {
		if _, err := Analyze(rpm.Script{Kind: "%posttrans", Prog: []string{"/bin/sh"}, Body: body}); !errors.Is(err, ErrOutside) {
			t.Errorf("%s: %v, want a refusal", body, err)
		}
	}
}

// TestGpgImportRuns covers what the command leaves besides the match
// with gpg: a second import changes nothing, a bad key file is a
// warning naming the package and scriptlet (status 2, as gpg), other
// homes and keyboxes.
func TestGpgImportRuns(t *testing.T) {
	t.Parallel()
	key := testKey(t, "Run <run@example.com>")
	const now = 1700000600

	img, warns := importWithEmulation(t, key, now, "gpg --import /etc/pki/rpm-gpg/KEY\ngpg --batch --import /etc/pki/rpm-gpg/KEY\n")
	if len(warns) != 0 {
		t.Fatalf("second import: %q", warns)
	}
	if have, _ := readKeybox(img[rootGnupg+"/pubring.kbx"].data); len(have) != 1 {
		t.Errorf("%d keys after importing the same key twice", len(have))
	}

	img, warns = importWithEmulation(t, []byte("garbage\n"), now, "gpg --import /etc/pki/rpm-gpg/KEY || exit 3\n")
	want := "azurelinux-repos-shared-3.0-4.azl3.noarch %posttrans: gpg --import /etc/pki/rpm-gpg/KEY: invalid packet header 0x67"
	if len(warns) != 2 || warns[0] != want || !strings.Contains(warns[1], "status 3") {
		t.Errorf("warnings %q, want %q and the status", warns, want)
	}
	if f := img[rootGnupg+"/pubring.kbx"]; f == nil || len(f.data) != 32 || f.Mode != 0o600 {
		t.Errorf("keybox after a failed import: %+v (gpg leaves an empty keybox, 0600)", f)
	}
	if img[rootGnupg+"/trustdb.gpg"] != nil {
		t.Error("trustdb written although nothing was imported")
	}

	img, warns = importWithEmulation(t, key, now, "gpg --homedir /var/lib/missing --import /etc/pki/rpm-gpg/KEY\n")
	if len(warns) != 2 || !strings.Contains(warns[0], "No such file or directory") || img["/var/lib/missing"] != nil {
		t.Errorf("missing --homedir: %q", warns)
	}

	img, warns = importWithEmulation(t, key, now, "gpg --no-default-keyring --keyring /etc/pki/repo.gpg --import /etc/pki/rpm-gpg/KEY\n")
	if len(warns) != 0 || img["/etc/pki/repo.gpg"] == nil || img[rootGnupg+"/trustdb.gpg"] == nil || img[rootGnupg+"/pubring.kbx"] != nil {
		t.Errorf("--keyring: %q %v", warns, img)
	}
	if have, err := readKeybox(img["/etc/pki/repo.gpg"].data); err != nil || len(have) != 1 {
		t.Errorf("--keyring FILE.gpg, new: not a keybox with the key (%v), as gpg makes it", err)
	}

	// An existing old-style keyring (bare OpenPGP packets).
	img = newImage("/root/", "/etc/", "/etc/pki/", "/etc/pki/rpm-gpg/")
	img["/etc/pki/rpm-gpg/KEY"] = &memFile{FileInfo{Type: 'f', Mode: 0o644}, key}
	bin, _ := dearmor(key)
	img["/etc/pki/old.gpg"] = &memFile{FileInfo{Type: 'f', Mode: 0o644}, bin}
	a, err := Analyze(rpm.Script{Kind: "%post", Prog: []string{"/bin/sh"}, Body: "gpg --no-default-keyring --keyring /etc/pki/old.gpg --import /etc/pki/rpm-gpg/KEY"})
	if err != nil {
		t.Fatal(err)
	}
	warns = nil
	if err := a.Run(&Env{Image: img, BuildTime: time.Unix(now, 0), Warn: func(s string) { warns = append(warns, s) }}, "pkg"); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 2 || !strings.Contains(warns[0], "'/etc/pki/old.gpg' is not a keybox") || !bytes.Equal(img["/etc/pki/old.gpg"].data, bin) {
		t.Errorf("old-style keyring: %q", warns)
	}
}
