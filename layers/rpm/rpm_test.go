package rpm_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rpm"
)

// testRPM is a package the tests compare with rpm, with a stable name.
type testRPM struct{ label, path string }

// allRPMs lists every RPM the tests compare with rpm: our feature builds
// and every RPM of the test repositories (both arches, and the negative
// ones, whose headers are fine).
func allRPMs(t *testing.T) (files []testRPM, dbpath, dir string) {
	t.Helper()
	b := buildRPMs(t)
	for _, c := range []string{"gzip", "zstd", "xz", "bzip2", "lzma", "none"} {
		files = append(files, testRPM{"features-" + c, b.byComp[c]})
	}
	files = append(files, testRPM{"signed-rsa", b.rsa}, testRPM{"signed-eddsa", b.eddsa})
	r := testrepo.Get(t)
	for _, arch := range testrepo.Arches {
		for _, f := range r.RPMs[arch] {
			files = append(files, testRPM{arch + "/" + filepath.Base(f), f})
		}
	}
	for _, f := range []string{r.Tampered, r.UnknownSigned, r.Unsigned} {
		files = append(files, testRPM{"negative/" + filepath.Base(f), f})
	}
	return files, b.dbpath, b.dir
}

func rpmQuery(t *testing.T, dir, dbpath, file string, args ...string) string {
	t.Helper()
	return run(t, dir, "rpm", append([]string{"-qp", "--dbpath", dbpath, "--nosignature", "--nodigest"}, append(args, file)...)...)
}

func openFile(t testing.TB, name string) *rpm.Package {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	p, err := rpm.Open(bufio.NewReader(f))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// TestHeaderMatchesRPM compares everything the header gives with what
// rpm -qp --qf prints for the same tags.
func TestHeaderMatchesRPM(t *testing.T) {
	testutil.RequireTool(t, "rpm", "rpm")
	files, dbpath, dir := allRPMs(t)
	for _, tr := range files {
		name := tr.path
		t.Run(tr.label, func(t *testing.T) {
			t.Parallel()
			p := openFile(t, name)
			n := p.NEVRA()
			epoch := "(none)"
			if p.HasEpoch() {
				epoch = fmt.Sprint(n.Epoch)
			}
			comp := p.Header.String(rpm.TagPayloadCompressor)
			if comp == "" {
				comp = "(none)"
			}
			got := fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s\n", n.Name, epoch, n.Version, n.Release, n.Arch, comp, p.Header.String(rpm.TagSummary))
			want := rpmQuery(t, dir, dbpath, name, "--qf", "%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{PAYLOADCOMPRESSOR}|%{SUMMARY}\n")
			if got != want {
				t.Errorf("identity: got %q, rpm says %q", got, want)
			}
			for k := rpm.Requires; k <= rpm.Enhances; k++ {
				up := strings.ToUpper(strings.TrimSuffix(k.String(), "s"))
				deps, err := p.Deps(k)
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				for _, d := range deps {
					fmt.Fprintf(&b, "%s\t%d\t%s\n", d.Name, uint32(d.Flags), d.Version)
				}
				want := rpmQuery(t, dir, dbpath, name, "--qf", fmt.Sprintf("[%%{%sNAME}\t%%{%sFLAGS}\t%%{%sVERSION}\n]", up, up, up))
				if b.String() != want {
					t.Errorf("%s:\ngot:\n%s\nrpm:\n%s", k, b.String(), want)
				}
			}
			fl, err := p.Files()
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range fl {
				if !p.Header.Has(rpm.TagFileCaps) {
					f.Caps = "(none)"
				}
				fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%d\t%d\t%d\n",
					f.Path, f.Size, f.Mode, f.User, f.Group, f.MTime, f.Digest, f.LinkTo, uint32(f.Flags),
					f.Caps, f.Inode, f.Device, f.Lang, f.Rdev, f.VerifyFlags, f.Color)
			}
			want = rpmQuery(t, dir, dbpath, name, "--qf", "[%{FILENAMES}\t%{LONGFILESIZES}\t%{FILEMODES}\t%{FILEUSERNAME}\t%{FILEGROUPNAME}\t%{FILEMTIMES}\t%{FILEDIGESTS}\t%{FILELINKTOS}\t%{FILEFLAGS}\t%{FILECAPS}\t%{FILEINODES}\t%{FILEDEVICES}\t%{FILELANGS}\t%{FILERDEVS}\t%{FILEVERIFYFLAGS}\t%{FILECOLORS}\n]")
			if b.String() != want {
				t.Errorf("files:\ngot:\n%s\nrpm:\n%s", b.String(), want)
			}
			if got, want := p.FileDigestAlgo(), rpmQuery(t, dir, dbpath, name, "--qf", "%{FILEDIGESTALGO}"); want != "(none)" && fmt.Sprint(uint32(got)) != want {
				t.Errorf("file digest algo %d, rpm says %s", got, want)
			}
		})
	}
}

// TestRawHeader checks Raw is the header as stored in the file without its
// magic, starts with the immutable region, and parses back the same.
func TestRawHeader(t *testing.T) {
	b := buildRPMs(t)
	for c, name := range b.byComp {
		t.Run(c, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			p := openFile(t, name)
			raw := p.Header.Raw()
			i := bytes.Index(data[96:], raw)
			if i < 0 || !bytes.Equal(data[96+i-8:96+i], []byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0}) {
				t.Fatalf("Raw is not the file's header bytes after a magic")
			}
			tag, n := p.Header.Region()
			if tag != rpm.TagHeaderImmutable || n != len(p.Header.Tags()) {
				t.Errorf("region %d covering %d of %d entries, want 63 covering all", tag, n, len(p.Header.Tags()))
			}
			if st, _ := p.Signature.Region(); st != rpm.TagHeaderSignatures {
				t.Errorf("signature region tag %d, want 62", st)
			}
			h2, err := rpm.ParseHeader(bytes.Clone(raw))
			if err != nil {
				t.Fatal(err)
			}
			for _, tg := range p.Header.Tags() {
				if !bytes.Equal(h2.Bytes(tg), p.Header.Bytes(tg)) {
					t.Errorf("tag %d differs after reparse", tg)
				}
			}
			sum := sha256.Sum256(p.HeaderBytes())
			if hex.EncodeToString(sum[:]) != p.Signature.String(rpm.SigTagSHA256) {
				t.Errorf("HeaderBytes do not match SHA256HEADER")
			}
		})
	}
}

// TestPayloadMatchesRpm2cpio streams every payload and compares each
// file's contents with what rpm2cpio | cpio extracts.
func TestPayloadMatchesRpm2cpio(t *testing.T) {
	testutil.RequireTool(t, "rpm2cpio", "rpm")
	testutil.RequireTool(t, "cpio", "cpio")
	files, _, _ := allRPMs(t)
	r := testrepo.Get(t)
	for _, tr := range files {
		name := tr.path
		if name == r.Tampered {
			continue
		}
		t.Run(tr.label, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			cmd := exec.Command("sh", "-c", "rpm2cpio \"$1\" | cpio -idm --quiet --no-absolute-filenames", "sh", name)
			cmd.Dir = out
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("rpm2cpio | cpio: %v\n%s", err, msg)
			}
			p := openFile(t, name)
			pl, err := p.Payload()
			if err != nil {
				t.Fatal(err)
			}
			defer pl.Close()
			seen := 0
			for {
				f, rd, err := pl.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				seen++
				data, err := io.ReadAll(rd)
				if err != nil {
					t.Fatalf("%s: %v", f.Path, err)
				}
				disk := filepath.Join(out, f.Path)
				fi, err := os.Lstat(disk)
				if err != nil {
					t.Fatalf("rpm2cpio did not extract %s: %v", f.Path, err)
				}
				switch {
				case f.IsSymlink():
					target, _ := os.Readlink(disk)
					if string(data) != target {
						t.Errorf("%s: symlink %q, cpio has %q", f.Path, data, target)
					}
				case f.IsRegular():
					want, _ := os.ReadFile(disk)
					if int64(len(data)) == f.Size && !bytes.Equal(data, want) {
						t.Errorf("%s: contents differ from rpm2cpio's", f.Path)
					}
					if len(data) != 0 && int64(len(data)) != f.Size {
						t.Errorf("%s: %d bytes, header says %d", f.Path, len(data), f.Size)
					}
					if uint32(fi.Mode().Perm()) != f.Mode&0o777 {
						t.Errorf("%s: mode %o, cpio gives %o", f.Path, f.Mode&0o777, fi.Mode().Perm())
					}
				case f.IsDir():
					if !fi.IsDir() {
						t.Errorf("%s: directory, cpio made %v", f.Path, fi.Mode())
					}
				}
			}
			all, _ := p.Files()
			want := 0
			for _, f := range all {
				if !f.IsGhost() {
					want++
				}
			}
			if seen != want {
				t.Errorf("payload gave %d files, header lists %d outside %%ghost", seen, want)
			}
		})
	}
}

// TestSignaturesAgreeWithRPM checks VerifySignature's verdicts against
// rpm -K with the same keys imported into a private rpmdb.
func TestSignaturesAgreeWithRPM(t *testing.T) {
	testutil.RequireTool(t, "rpm", "rpm")
	b := buildRPMs(t)
	r := testrepo.Get(t)
	dir := t.TempDir()
	for _, d := range []string{"home", "db"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	db := filepath.Join(dir, "db")
	var keyring bytes.Buffer
	for i, k := range []string{b.rsaKey, b.eddsaKey, r.Key} {
		kf := filepath.Join(dir, fmt.Sprintf("key%d.asc", i))
		os.WriteFile(kf, []byte(k), 0o644)
		run(t, dir, "rpm", "--dbpath", db, "--import", kf)
		keyring.WriteString(k)
		keyring.WriteByte('\n')
	}
	kr, err := rpm.ReadKeyRing(&keyring)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file    string
		wantErr error // nil, rpm.ErrUnsigned, *UnknownKeyError, *DigestError
		algo    string
	}{
		{b.rsa, nil, "RSA/SHA512"},
		{b.eddsa, nil, "EdDSA/"},
		{r.RPMs["x86_64"][0], nil, "RSA/"},
		{r.RPMs["aarch64"][0], nil, "RSA/"},
		{r.Unsigned, rpm.ErrUnsigned, ""},
		{b.byComp["gzip"], rpm.ErrUnsigned, ""},
		{r.UnknownSigned, &rpm.UnknownKeyError{}, ""},
		{r.Tampered, &rpm.DigestError{}, "RSA/"},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			cmd := exec.Command("rpm", "--dbpath", db, "-Kv", c.file)
			cmd.Env = rpmEnv(dir)
			out, rerr := cmd.CombinedOutput()
			rpmOut := string(out)
			p := openFile(t, c.file)
			s, err := p.VerifySignature(kr)
			if err == nil {
				_, err = p.Verify()
			}
			switch c.wantErr.(type) {
			case nil:
				if err != nil || s == nil {
					t.Fatalf("VerifySignature: %v", err)
				}
				if !strings.HasPrefix(s.Algorithm, c.algo) {
					t.Errorf("algorithm %s, want %s", s.Algorithm, c.algo)
				}
				kid := fmt.Sprintf("key ID %08x: OK", uint32(s.KeyID))
				if rerr != nil || !strings.Contains(rpmOut, kid) {
					t.Errorf("we say signed by %016x, rpm -K says (%v):\n%s", s.KeyID, rerr, rpmOut)
				}
			case *rpm.UnknownKeyError:
				var uk *rpm.UnknownKeyError
				if !errors.As(err, &uk) {
					t.Fatalf("got %v, want an unknown key", err)
				}
				if !strings.Contains(rpmOut, fmt.Sprintf("key ID %08x: NOKEY", uint32(uk.KeyID))) {
					t.Errorf("rpm -K does not agree the key %016x is unknown:\n%s", uk.KeyID, rpmOut)
				}
			case *rpm.DigestError:
				var de *rpm.DigestError
				if !errors.As(err, &de) || de.What != "payload" {
					t.Fatalf("got %v, want a payload digest mismatch", err)
				}
				if rerr == nil || !strings.Contains(rpmOut, "Payload SHA256 digest: BAD (Expected "+de.Want+" != "+de.Got+")") {
					t.Errorf("rpm -K disagrees with %v:\n%s", err, rpmOut)
				}
			default:
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("got %v, want %v", err, c.wantErr)
				}
				if strings.Contains(rpmOut, "Signature") {
					t.Errorf("rpm -K sees a signature:\n%s", rpmOut)
				}
			}
		})
	}
}

// BenchmarkPayload streams and verifies every payload of the test
// repositories and of the feature builds, from memory.
func BenchmarkPayload(b *testing.B) {
	r := testrepo.Get(b)
	var pkgs [][]byte
	var total int64
	for _, arch := range testrepo.Arches {
		for _, f := range r.RPMs[arch] {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			pkgs = append(pkgs, data)
			total += int64(len(data))
		}
	}
	b.SetBytes(total)
	var dec rpm.Decoders
	defer dec.Close()
	b.ResetTimer()
	for b.Loop() {
		for _, data := range pkgs {
			p, err := rpm.Open(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Verify(rpm.WithDecoders(&dec)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

var large = flag.Bool("large", false, "also build and read a package with a file over 4 GiB (rpm's stripped cpio format; about a minute)")

// TestLargeFile reads a real package whose payload uses rpm's stripped
// cpio format, because one file is over 4 GiB (sparse on disk).
func TestLargeFile(t *testing.T) {
	if !*large {
		t.Skip("run with -large")
	}
	testutil.RequireTool(t, "rpmbuild", "rpm")
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "home"), 0o755)
	os.WriteFile(filepath.Join(dir, "home", ".rpmmacros"), []byte("%_dbpath "+dir+"/db\n"), 0o644)
	spec, _ := filepath.Abs("testdata/large.spec")
	run(t, dir, "rpmbuild", "-bb", "--quiet", "--define", "_topdir "+dir+"/top", "--define", "_binary_payload w1.zstdio", spec)
	m, _ := filepath.Glob(filepath.Join(dir, "top", "RPMS", "*", "*.rpm"))
	if len(m) != 1 {
		t.Fatalf("%d RPMs built", len(m))
	}
	p := openFile(t, m[0])
	pl, err := p.Payload()
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	sizes := map[string]int64{}
	for {
		f, r, err := pl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		sizes[f.Path] += n
	}
	if got := sizes["/usr/share/large/huge"]; got != 4294967396 {
		t.Errorf("huge: read %d bytes, want 4294967396", got)
	}
	if got := sizes["/usr/share/large/small"] + sizes["/usr/share/large/small-link"]; got != 6 {
		t.Errorf("hard-linked pair: read %d bytes, want the 6 once", got)
	}
}
