package rpm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

var synthFiles = []synthFile{
	{path: "/etc/synth.conf", mode: 0o100644, data: "key=value\n"},
	{path: "/usr", mode: 0o40755},
	{path: "/usr/bin/synth", mode: 0o100755, data: strings.Repeat("x", 1000)},
	{path: "/usr/bin/synth-link", mode: 0o120777, link: "synth"},
	{path: "/usr/share/empty", mode: 0o100644, data: ""},
}

// readAll opens b and streams its payload, returning path -> contents.
func readAll(b []byte, opts ...PayloadOption) (map[string]string, error) {
	p, err := Open(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	pl, err := p.Payload(opts...)
	if err != nil {
		return nil, err
	}
	defer pl.Close()
	got := map[string]string{}
	for {
		f, r, err := pl.Next()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return got, err
		}
		got[f.Path] = string(data)
	}
}

func TestSynthPayloads(t *testing.T) {
	t.Parallel()
	bad := append([]synthFile(nil), synthFiles...)
	bad[2].digest = strings.Repeat("0", 64)
	missing := append([]synthFile(nil), synthFiles...)
	missing[0].missing = true
	cases := []struct {
		name    string
		files   []synthFile
		o       synthOpts
		wantErr string // substring; "" for success
	}{
		{"newc", synthFiles, synthOpts{}, ""},
		{"newc gzip", synthFiles, synthOpts{gzip: true}, ""},
		{"newc bzip2", synthFiles, synthOpts{bzip2: true}, ""},
		{"stripped", synthFiles, synthOpts{stripped: true}, ""},
		{"stripped gzip", synthFiles, synthOpts{stripped: true, gzip: true}, ""},
		{"no files", nil, synthOpts{gzip: true}, ""},
		{"crc", synthFiles, synthOpts{crc: true}, ""},
		{"crc bad sum", synthFiles, synthOpts{crc: true, badCRC: true}, "crc header says"},
		{"file digest", bad, synthOpts{}, "file /usr/bin/synth digest mismatch"},
		{"file digest stripped", bad, synthOpts{stripped: true}, "file /usr/bin/synth digest mismatch"},
		{"missing file", missing, synthOpts{}, "/etc/synth.conf is missing from the archive"},
		{"payload digest", synthFiles, synthOpts{badPayload: true, gzip: true}, "payload digest mismatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(synthRPM(c.files, c.o))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range c.files {
				want := f.data
				if f.link != "" {
					want = f.link
				}
				if got[f.path] != want {
					t.Errorf("%s: got %q, want %q", f.path, got[f.path], want)
				}
			}
			if len(got) != len(c.files) {
				t.Errorf("%d files read, want %d", len(got), len(c.files))
			}
		})
	}
}

// TestDamage checks that every truncation and many single-byte changes of
// a package give an error (and never a panic), and that the errors say
// what is wrong.
func TestDamage(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{false, true} {
		t.Run(fmt.Sprintf("goroutines=%v", on), func(t *testing.T) {
			t.Parallel()
			testDamage(t, withGoroutines(on))
		})
	}
}

func testDamage(t *testing.T, opt PayloadOption) {
	good := synthRPM(synthFiles, synthOpts{gzip: true})
	if _, err := readAll(good, opt); err != nil {
		t.Fatalf("undamaged package: %v", err)
	}
	for n := 0; n < len(good); n++ {
		_, err := readAll(good[:n], opt)
		if err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
		var de *DigestError
		if !errors.Is(err, ErrTruncated) && !errors.As(err, &de) && !strings.Contains(err.Error(), "EOF") {
			t.Errorf("truncated to %d: %v does not say truncated", n, err)
		}
	}
	// The signature header is not itself protected (rpm neither); the
	// main header and the payload are, to the last byte.
	p, err := Open(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	hdrStart := bytes.Index(good, p.HeaderBytes())
	for i := 0; i < len(good); i++ {
		b := bytes.Clone(good)
		b[i] ^= 0x55
		_, err := readAll(b, opt)
		if err == nil && i >= hdrStart {
			t.Errorf("byte %d changed: no error", i)
		}
	}
	b := bytes.Clone(good)
	b[0] = 'x'
	var fe *FormatError
	if _, err := readAll(b, opt); !errors.As(err, &fe) || fe.Where != "lead" {
		t.Errorf("bad lead magic: got %v", err)
	}
}

func TestXZDictSize(t *testing.T) {
	t.Parallel()
	// xz -6 writes block headers "02 00 21 01 16 00 00 00": one LZMA2
	// filter with dictionary byte 0x16 (8 MiB).
	head := append(make([]byte, 12), 0x02, 0x00, 0x21, 0x01, 0x16, 0, 0, 0)
	if got := xzDictSize(head); got != 8<<20 {
		t.Errorf("dict %d, want 8 MiB", got)
	}
	head[16] = 40
	if got := xzDictSize(head); got <= maxDict {
		t.Errorf("dict %d for byte 40 should exceed the limit", got)
	}
}

// verifyAll reads b as Verify does: io.Copy, which takes the file
// readers' WriteTo, where readAll takes their Read.
func verifyAll(b []byte, opts ...PayloadOption) error {
	p, err := Open(bytes.NewReader(b))
	if err != nil {
		return err
	}
	_, err = p.Verify(opts...)
	return err
}

// TestReadAndWriteToAgree checks that reading file data with Read and
// with WriteTo (io.Copy's path), with and without goroutines, checks the
// same digests and fails the same way, for intact packages and for many
// truncations and single-byte changes.
func TestReadAndWriteToAgree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts synthOpts
	}{
		{"newc", synthOpts{}},
		{"gzip", synthOpts{gzip: true}},
		{"crc", synthOpts{crc: true}},
		{"bad crc", synthOpts{crc: true, badCRC: true}},
		{"stripped", synthOpts{stripped: true}},
		{"bad payload digest", synthOpts{gzip: true, badPayload: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			good := synthRPM(synthFiles, tc.opts)
			errString := func(err error) string {
				if err == nil {
					return "<nil>"
				}
				return err.Error()
			}
			check := func(what string, b []byte) {
				_, rerr := readAll(b, withGoroutines(false))
				for _, on := range []bool{false, true} {
					_, r2 := readAll(b, withGoroutines(on))
					werr := verifyAll(b, withGoroutines(on))
					if errString(rerr) != errString(werr) || errString(rerr) != errString(r2) {
						t.Errorf("%s: Read gives %v; goroutines %v: Read gives %v, WriteTo gives %v", what, rerr, on, r2, werr)
					}
				}
			}
			check("intact", good)
			for n := 0; n < len(good); n += 7 {
				check(fmt.Sprintf("truncated to %d", n), good[:n])
			}
			for i := 0; i < len(good); i += 3 {
				b := bytes.Clone(good)
				b[i] ^= 0x55
				check(fmt.Sprintf("byte %d changed", i), b)
			}
		})
	}
}

// TestNoDigest: like rpm 4.18, a package must carry at least one of the
// header SHA256 (or SHA1), the payload digest and the MD5; one is enough.
func TestNoDigest(t *testing.T) {
	t.Parallel()
	files := []synthFile{{path: "/etc/motd", mode: 0o100644, data: "hi\n"}}
	for _, tc := range []struct {
		name string
		o    synthOpts
		want string // "" reads and verifies
	}{
		{"none", synthOpts{noSHA256: true, noMD5: true, noPayloadDigest: true},
			"package synth-1.0-1.x86_64: no digest: it carries no header SHA256 or SHA1 digest, no payload digest and no MD5 (rpm refuses it too)"},
		{"header SHA256 only", synthOpts{noMD5: true, noPayloadDigest: true}, ""},
		{"MD5 only", synthOpts{noSHA256: true, noPayloadDigest: true}, ""},
		{"payload digest only", synthOpts{noSHA256: true, noMD5: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := verifyAll(synthRPM(files, tc.o))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, ErrNoDigest)):
				t.Fatalf("error %v, want %q wrapping ErrNoDigest", err, tc.want)
			}
		})
	}
}
