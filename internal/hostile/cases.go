package hostile

import (
	"bytes"
	"strings"
)

// RPMCase is one hostile RPM and the error reading it must give.
type RPMCase struct {
	Name string
	// Want is a substring of the error `slipway rpminfo --verify` (and
	// rpm.Open + Package.Verify) must report.
	Want string
	// Make builds the file from real, signed RPMs (real[0] and real[1]
	// are two different packages).
	Make func(real [2][]byte) ([]byte, error)
	// RPMRejects says `rpm -K` refuses the file too.
	RPMRejects bool
}

func plain(files ...File) func([2][]byte) ([]byte, error) {
	return func([2][]byte) ([]byte, error) { return RPM(Spec{Files: files}) }
}

func mutate(f func(b []byte, l Layout) []byte) func([2][]byte) ([]byte, error) {
	return func(r [2][]byte) ([]byte, error) {
		l, err := Parse(r[0])
		if err != nil {
			return nil, err
		}
		return f(r[0], l), nil
	}
}

const reg = 0o100644

// RPMCases are the hostile RPMs of the corpus.
var RPMCases = []RPMCase{
	{Name: "empty file", Want: "truncated", Make: func([2][]byte) ([]byte, error) { return nil, nil }, RPMRejects: true},
	{Name: "truncated lead", Want: "truncated", Make: mutate(func(b []byte, l Layout) []byte { return b[:50] }), RPMRejects: true},
	{Name: "bad lead magic", Want: "lead: bad magic 58abeedb: not an RPM package", Make: mutate(func(b []byte, l Layout) []byte { c := bytes.Clone(b); c[0] = 'X'; return c }), RPMRejects: true},
	{Name: "truncated signature header", Want: "signature header: index and data: 24 of 4388 bytes: truncated", Make: mutate(func(b []byte, l Layout) []byte { return b[:l.Sig+40] }), RPMRejects: true},
	{Name: "truncated header", Want: "header: index and data: 184 of 2765 bytes: truncated", Make: mutate(func(b []byte, l Layout) []byte { return b[:l.Header+200] }), RPMRejects: true},
	{Name: "truncated payload", Want: "truncated", Make: mutate(func(b []byte, l Layout) []byte { return b[:l.Payload+(len(b)-l.Payload)/2] }), RPMRejects: true},
	{Name: "signature header with 2^32-1 tags", Want: "signature header: entry count 4294967295 out of range", Make: mutate(func(b []byte, l Layout) []byte { return SetCounts(b, l.Sig, 0xffffffff, 16) }), RPMRejects: true},
	{Name: "header with 65536 tags", Want: "header: entry count 65536 out of range", Make: mutate(func(b []byte, l Layout) []byte { return SetCounts(b, l.Header, 0x10000, 16) }), RPMRejects: true},
	{Name: "header data of 2 GiB", Want: "header: data length 2147483648 out of range", Make: mutate(func(b []byte, l Layout) []byte { return SetCounts(b, l.Header, 8, 1<<31) }), RPMRejects: true},
	{Name: "header tag offset past the data", Want: "header: tag 1001: offset 2147483632 outside data of 1933 bytes", Make: mutate(func(b []byte, l Layout) []byte { return SetEntry(b, l.Header, 3, 0x7ffffff0, 1) }), RPMRejects: true},
	{Name: "header tag with 2^31 strings", Want: "header: tag 1001: count 2147483647 out of range", Make: mutate(func(b []byte, l Layout) []byte { return SetEntry(b, l.Header, 3, 0, 0x7fffffff) }), RPMRejects: true},
	{Name: "region trailer outside the header", Want: "header: tag 63: offset 2147418112 outside data of 1933 bytes", Make: mutate(func(b []byte, l Layout) []byte { return SetEntry(b, l.Header, 0, 0x7fff0000, 16) }), RPMRejects: true},
	{Name: "signature of another package's header", Want: "header SHA256 digest mismatch", Make: func(r [2][]byte) ([]byte, error) { return SwapSignature(r[0], r[1]) }, RPMRejects: true},
	{Name: "flipped payload byte", Want: "payload digest mismatch", Make: mutate(func(b []byte, l Layout) []byte {
		c := bytes.Clone(b)
		c[l.Payload+(len(c)-l.Payload)/2] ^= 0x55
		return c
	}), RPMRejects: true},
	{Name: "unknown compressor", Want: "unknown compression", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}}, CompressorTag: "lz4", RawPayload: []byte("\x04\x22\x4d\x18not really lz4 data at all")})
	}},
	{Name: "compressor tag lies", Want: "header says xz compression but the data is gzip", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}}, Compressor: "gzip", CompressorTag: "xz"})
	}},
	{Name: "cpio name with ..", Want: "archive has /../../etc/motd, which the header does not list", Make: plain(File{Path: "/etc/motd", Mode: reg, Data: "hi", CpioName: "./../../etc/motd"})},
	{Name: "absolute cpio name outside the header", Want: "archive has /etc/shadow, which the header does not list", Make: plain(File{Path: "/etc/motd", Mode: reg, Data: "hi", CpioName: "/etc/shadow"})},
	{Name: "cpio name with NUL", Want: "is not NUL-terminated", Make: plain(File{Path: "/etc/motd", Mode: reg, Data: "hi", CpioName: "./etc/motd\x00/../../x"})},
	{Name: "file digest mismatch", Want: "file /usr/bin/x digest mismatch", Make: plain(File{Path: "/usr/bin/x", Mode: 0o100755, Data: "#!/bin/sh\n", Digest: strings.Repeat("ab", 32)})},
	{Name: "cpio size differs from header", Want: "/a: archive has 1000000 bytes, header says 2", Make: plain(File{Path: "/a", Mode: reg, Data: "hi", CpioSize: 1000000, HasCpioSize: true})},
	{Name: "file twice in the archive", Want: "cpio: /a appears twice in the archive", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}, {Path: "/b", Mode: reg, Data: "a", CpioName: "./a"}}})
	}},
	{Name: "archive type differs from header", Want: "/dev/x: archive mode 100600, header mode 20600", Make: plain(File{Path: "/dev/x", Mode: 0o20600, Rdev: 0x0103, CpioMode: 0o100600})},
	{Name: "payload digest wrong", Want: "payload digest mismatch", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}}, BadPayloadDigest: true})
	}},
	{Name: "zstd bomb after the cpio trailer", Want: "payload: more than 65536 bytes of data after the cpio trailer", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}}, Compressor: "zstd", TrailerZeros: 256 << 20})
	}},
	{Name: "gzip bomb after the cpio trailer", Want: "payload: more than 65536 bytes of data after the cpio trailer", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}}, Compressor: "gzip", TrailerZeros: 64 << 20})
	}},
	{Name: "no digest at all", Want: "package hostile-1.0-1.x86_64: no digest: it carries no header SHA256 or SHA1 digest, no payload digest and no MD5 (rpm refuses it too)", Make: func([2][]byte) ([]byte, error) {
		return RPM(Spec{Files: []File{{Path: "/a", Mode: reg, Data: "a"}}, NoDigests: true})
	}, RPMRejects: true},
}
