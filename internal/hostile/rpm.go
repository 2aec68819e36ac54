// Package hostile makes hostile inputs for slipway's hardening tests: RPMs
// built by hand (cpio names with "..", device nodes, wrong digests, payload
// bombs, unknown compressors), mutations of real RPMs (truncations, absurd
// tag counts and offsets, a signature header moved onto another package),
// and repository metadata that lies (sizes, checksums, entities, nesting).
//
// Everything here is a pure function of its arguments and returns bytes or
// writes into a folder the caller names; nothing reads the environment.
// Generators that cannot fail on valid arguments return an error anyway
// rather than panic.
package hostile

import (
	"bytes"
	"cmp"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"path"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/slipway-build/slipway/layers/rpm"
)

// File is one file of a hand-made RPM.
type File struct {
	Path string // as the header lists it
	Mode uint16 // st_mode, type bits included
	Data string // regular file contents
	Link string // symlink target
	Rdev uint16 // device number of a device node

	// CpioName, when set, is the archive's name for the file instead of
	// "." + Path.
	CpioName string
	// Digest, when set, replaces the header's digest of Data.
	Digest string
	// CpioSize replaces the archive's size field when HasCpioSize is
	// set (the data written stays Data).
	CpioSize    int64
	HasCpioSize bool
	// CpioMode, when set, is the archive's mode instead of Mode.
	CpioMode uint32
}

// Spec describes a hand-made RPM.
type Spec struct {
	Name  string // default "hostile"
	Files []File
	// Compressor is "identity" (default), "gzip" or "zstd": how the cpio
	// archive is compressed and what PAYLOADCOMPRESSOR says.
	Compressor string
	// CompressorTag, when set, is written as PAYLOADCOMPRESSOR instead.
	CompressorTag string
	// TrailerZeros zero bytes follow the cpio archive's TRAILER!!! entry,
	// before compression (a decompression bomb is a long run of zeros).
	TrailerZeros int64
	// RawPayload, when set, is the payload as stored (already compressed).
	RawPayload []byte
	// BadPayloadDigest writes a PAYLOADDIGEST that does not match.
	BadPayloadDigest bool
	// NoDigests leaves out every digest rpm checks: the signature
	// header's SHA256 and MD5 and the header's PAYLOADDIGEST (the file
	// digests stay).
	NoDigests bool
	// Post and PostProg, when set, are the %post scriptlet and its
	// interpreter ("<lua>", "/bin/sh").
	Post, PostProg string
	// Source is the SOURCERPM (default NAME-1.0-1.src.rpm).
	Source string
}

type hent = rpm.HeaderEntry

var headerMagic = []byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0}

func cpioEntry(name string, mode uint32, size int64, ino, rdev int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		ino, mode, 0, 0, 1, 0, uint32(size), 0, 0, rdev>>8, rdev&0xff, len(name)+1, 0)
	b.WriteString(name)
	b.WriteByte(0)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// RPM builds a complete, unsigned package from s. The header's SHA256 and
// the payload digest are right unless s asks otherwise, so the reader gets
// past them to the damage the spec describes.
func RPM(s Spec) ([]byte, error) {
	name := s.Name
	if name == "" {
		name = "hostile"
	}
	var cp bytes.Buffer
	pad := func() {
		for cp.Len()%4 != 0 {
			cp.WriteByte(0)
		}
	}
	var base, digests, links, dirs []string
	var dirIdx, sizes, flags, inodes, devs []uint32
	var modes, rdevs []uint16
	for i, f := range s.Files {
		d, b := path.Split(f.Path)
		j := -1
		for k, x := range dirs {
			if x == d {
				j = k
			}
		}
		if j < 0 {
			dirs = append(dirs, d)
			j = len(dirs) - 1
		}
		base = append(base, b)
		dirIdx = append(dirIdx, uint32(j))
		content := f.Data
		if f.Mode&0o170000 == 0o120000 {
			content = f.Link
		}
		sizes = append(sizes, uint32(len(content)))
		modes = append(modes, f.Mode)
		rdevs = append(rdevs, f.Rdev)
		dg := ""
		if f.Mode&0o170000 == 0o100000 {
			sum := sha256.Sum256([]byte(f.Data))
			dg = hex.EncodeToString(sum[:])
		}
		if f.Digest != "" {
			dg = f.Digest
		}
		digests = append(digests, dg)
		links = append(links, f.Link)
		flags = append(flags, 0)
		inodes = append(inodes, uint32(i+1))
		devs = append(devs, 1)
		cname := "." + f.Path
		if f.CpioName != "" {
			cname = f.CpioName
		}
		size := int64(len(content))
		if f.HasCpioSize {
			size = f.CpioSize
		}
		mode := uint32(f.Mode)
		if f.CpioMode != 0 {
			mode = f.CpioMode
		}
		cp.Write(cpioEntry(cname, mode, size, i+1, int(f.Rdev)))
		cp.WriteString(content)
		pad()
	}
	cp.Write(cpioEntry("TRAILER!!!", 0, 0, 0, 0))
	comp := s.Compressor
	if comp == "" {
		comp = "identity"
	}
	payload := cp.Bytes()
	if s.RawPayload != nil {
		payload = s.RawPayload
	} else {
		var err error
		payload, err = compress(comp, payload, s.TrailerZeros)
		if err != nil {
			return nil, err
		}
	}
	psum := sha256.Sum256(payload)
	pd := hex.EncodeToString(psum[:])
	if s.BadPayloadDigest {
		pd = hex.EncodeToString(make([]byte, 32))
	}
	compTag := comp
	if s.CompressorTag != "" {
		compTag = s.CompressorTag
	}
	ents := []hent{
		{Tag: rpm.TagName, Type: rpm.TypeString, Value: name}, {Tag: rpm.TagVersion, Type: rpm.TypeString, Value: "1.0"}, {Tag: rpm.TagRelease, Type: rpm.TypeString, Value: "1"},
		{Tag: rpm.TagArch, Type: rpm.TypeString, Value: "x86_64"}, {Tag: rpm.TagSourceRPM, Type: rpm.TypeString, Value: cmp.Or(s.Source, name+"-1.0-1.src.rpm")},
		{Tag: rpm.TagSummary, Type: rpm.TypeI18NString, Value: "hostile test package"},
		{Tag: rpm.TagPayloadFormat, Type: rpm.TypeString, Value: "cpio"}, {Tag: rpm.TagPayloadCompressor, Type: rpm.TypeString, Value: compTag},
		{Tag: rpm.TagFileDigestAlgo, Type: rpm.TypeInt32, Value: []uint32{8}},
		{Tag: rpm.TagProvideName, Type: rpm.TypeStringArray, Value: []string{name}},
		{Tag: rpm.TagProvideFlags, Type: rpm.TypeInt32, Value: []uint32{8}},
		{Tag: rpm.TagProvideVersion, Type: rpm.TypeStringArray, Value: []string{"1.0-1"}},
	}
	if !s.NoDigests {
		ents = append(ents, hent{Tag: rpm.TagPayloadDigest, Type: rpm.TypeStringArray, Value: []string{pd}}, hent{Tag: rpm.TagPayloadDigestAlgo, Type: rpm.TypeInt32, Value: []uint32{8}})
	}
	if s.Post != "" {
		ents = append(ents, hent{Tag: rpm.TagPostIn, Type: rpm.TypeString, Value: s.Post})
	}
	if s.PostProg != "" {
		ents = append(ents, hent{Tag: rpm.TagPostInProg, Type: rpm.TypeString, Value: s.PostProg})
	}
	if len(s.Files) > 0 {
		ents = append(ents,
			hent{Tag: rpm.TagBasenames, Type: rpm.TypeStringArray, Value: base}, hent{Tag: rpm.TagDirnames, Type: rpm.TypeStringArray, Value: dirs},
			hent{Tag: rpm.TagDirIndexes, Type: rpm.TypeInt32, Value: dirIdx}, hent{Tag: rpm.TagFileModes, Type: rpm.TypeInt16, Value: modes},
			hent{Tag: rpm.TagFileRdevs, Type: rpm.TypeInt16, Value: rdevs},
			hent{Tag: rpm.TagFileDigests, Type: rpm.TypeStringArray, Value: digests}, hent{Tag: rpm.TagFileLinkTos, Type: rpm.TypeStringArray, Value: links},
			hent{Tag: rpm.TagFileFlags, Type: rpm.TypeInt32, Value: flags}, hent{Tag: rpm.TagFileInodes, Type: rpm.TypeInt32, Value: inodes},
			hent{Tag: rpm.TagFileDevices, Type: rpm.TypeInt32, Value: devs}, hent{Tag: rpm.TagFileSizes, Type: rpm.TypeInt32, Value: sizes},
		)
	}
	hdr := rpm.EncodeHeader(rpm.TagHeaderImmutable, ents)
	hsum := sha256.Sum256(hdr)
	m := md5.New()
	m.Write(hdr)
	m.Write(payload)
	sigEnts := []hent{{Tag: rpm.SigTagSize, Type: rpm.TypeInt32, Value: []uint32{uint32(len(hdr) + len(payload))}}}
	if !s.NoDigests {
		sigEnts = append(sigEnts,
			hent{Tag: rpm.SigTagSHA256, Type: rpm.TypeString, Value: hex.EncodeToString(hsum[:])},
			hent{Tag: rpm.SigTagMD5, Type: rpm.TypeBin, Value: m.Sum(nil)})
	}
	sig := rpm.EncodeHeader(rpm.TagHeaderSignatures, sigEnts)
	var out bytes.Buffer
	lead := make([]byte, LeadSize)
	copy(lead, []byte{0xed, 0xab, 0xee, 0xdb})
	lead[4] = 3
	copy(lead[10:65], name+"-1.0-1")
	binary.BigEndian.PutUint16(lead[78:], 5)
	out.Write(lead)
	out.Write(sig)
	for out.Len()%8 != 0 {
		out.WriteByte(0)
	}
	out.Write(hdr)
	out.Write(payload)
	return out.Bytes(), nil
}

// compress compresses b (followed by zeros bytes of 0) as comp.
func compress(comp string, b []byte, zeros int64) ([]byte, error) {
	var z bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch comp {
	case "identity":
		z.Write(b)
		z.Write(make([]byte, zeros))
		return z.Bytes(), nil
	case "gzip":
		gw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		w = gw
	case "zstd":
		zw, err := zstd.NewWriter(&z, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		w = zw
	default:
		return nil, fmt.Errorf("compressor %q is not one hostile.RPM makes", comp)
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	chunk := make([]byte, 1<<20)
	for zeros > 0 {
		n := min(zeros, int64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return nil, err
		}
		zeros -= n
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return z.Bytes(), nil
}

// LeadSize is the size of an RPM's lead.
const LeadSize = 96

// Layout gives the offsets of an RPM's parts.
type Layout struct {
	Sig, Header, Payload int // offsets of the signature header, the header, the payload
}

// Parse finds the parts of an RPM without interpreting them.
func Parse(b []byte) (Layout, error) {
	hdrLen := func(off int) (int, error) {
		if off+16 > len(b) || !bytes.Equal(b[off:off+8], headerMagic) {
			return 0, fmt.Errorf("no header magic at %d", off)
		}
		il := int(binary.BigEndian.Uint32(b[off+8:]))
		dl := int(binary.BigEndian.Uint32(b[off+12:]))
		return 16 + 16*il + dl, nil
	}
	if len(b) < LeadSize {
		return Layout{}, errors.New("shorter than a lead")
	}
	l := Layout{Sig: LeadSize}
	n, err := hdrLen(l.Sig)
	if err != nil {
		return Layout{}, fmt.Errorf("signature header: %w", err)
	}
	l.Header = (l.Sig + n + 7) &^ 7
	n, err = hdrLen(l.Header)
	if err != nil {
		return Layout{}, fmt.Errorf("header: %w", err)
	}
	l.Payload = l.Header + n
	return l, nil
}

// SetCounts returns a copy of b whose header at off (Layout.Sig or
// Layout.Header) claims il index entries and dl data bytes.
func SetCounts(b []byte, off int, il, dl uint32) []byte {
	c := bytes.Clone(b)
	binary.BigEndian.PutUint32(c[off+8:], il)
	binary.BigEndian.PutUint32(c[off+12:], dl)
	return c
}

// SetEntry returns a copy of b whose header at off has index entry i's
// offset and count replaced.
func SetEntry(b []byte, off, i int, offset, count uint32) []byte {
	c := bytes.Clone(b)
	e := off + 16 + 16*i
	binary.BigEndian.PutUint32(c[e+8:], offset)
	binary.BigEndian.PutUint32(c[e+12:], count)
	return c
}

// SwapSignature returns the lead and signature header of a followed by the
// header and payload of other: a signature that verifies a different
// header.
func SwapSignature(a, other []byte) ([]byte, error) {
	la, err := Parse(a)
	if err != nil {
		return nil, err
	}
	lb, err := Parse(other)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(a[:la.Header])
	return append(out, other[lb.Header:]...), nil
}
