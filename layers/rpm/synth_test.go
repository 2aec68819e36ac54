package rpm

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
)

// This file builds small RPMs by hand, for what rpmbuild cannot easily
// make: the stripped cpio format (files over 4 GiB), wrong file digests
// under a right payload digest, and hostile headers for the fuzzers.

type hent = HeaderEntry

type synthFile struct {
	path    string
	mode    uint16
	data    string
	link    string
	digest  string // override the header digest
	missing bool   // leave out of the archive
}

type synthOpts struct {
	stripped   bool
	crc        bool // the cpio "crc" format (070702)
	badCRC     bool // with a wrong checksum
	gzip       bool
	bzip2      bool
	badPayload bool // wrong PAYLOADDIGEST
	signer     *openpgp.Entity
	legacy     bool // sign header+payload (tag PGP) instead of the header
	// Digests to leave out.
	noSHA256, noMD5, noPayloadDigest bool
}

func cpioNewc(name string, mode uint32, size int, ino int) []byte {
	return cpioEntry("070701", name, mode, size, ino, 0)
}

func cpioEntry(magic, name string, mode uint32, size int, ino int, check uint32) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, magic+"%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, len(name)+1, check)
	b.WriteString(name)
	b.WriteByte(0)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
	return b.Bytes()
}

// synthRPM builds a complete package.
func synthRPM(files []synthFile, o synthOpts) []byte {
	var cp bytes.Buffer
	pad := func() {
		for cp.Len()%4 != 0 {
			cp.WriteByte(0)
		}
	}
	var base, digests, links []string
	var dirs []string
	var dirIdx, sizes32, flags, inodes, devs []uint32
	var sizes64 []uint64
	var modes []uint16
	for i, f := range files {
		d, b := path.Split(f.path)
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
		content := f.data
		if f.mode&0o170000 == 0o120000 {
			content = f.link
		}
		sizes32 = append(sizes32, uint32(len(content)))
		sizes64 = append(sizes64, uint64(len(content)))
		modes = append(modes, f.mode)
		dg := ""
		if f.mode&0o170000 == 0o100000 {
			s := sha256.Sum256([]byte(f.data))
			dg = hex.EncodeToString(s[:])
		}
		if f.digest != "" {
			dg = f.digest
		}
		digests = append(digests, dg)
		links = append(links, f.link)
		flags = append(flags, 0)
		inodes = append(inodes, uint32(i+1))
		devs = append(devs, 1)
		if f.missing {
			continue
		}
		if o.stripped {
			fmt.Fprintf(&cp, "07070X%08x", i)
		} else if o.crc {
			var sum uint32
			for _, c := range []byte(content) {
				sum += uint32(c)
			}
			if o.badCRC {
				sum++
			}
			cp.Write(cpioEntry("070702", "."+f.path, uint32(f.mode), len(content), i+1, sum))
		} else {
			cp.Write(cpioNewc("."+f.path, uint32(f.mode), len(content), i+1))
		}
		pad()
		cp.WriteString(content)
		pad()
	}
	cp.Write(cpioNewc("TRAILER!!!", 0, 0, 0))
	payload := cp.Bytes()
	comp := "identity"
	if o.gzip {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(payload)
		w.Close()
		payload, comp = z.Bytes(), "gzip"
	}
	if o.bzip2 {
		var z bytes.Buffer
		w, err := bzip2.NewWriter(&z, nil)
		if err != nil {
			panic(err)
		}
		w.Write(payload)
		w.Close()
		payload, comp = z.Bytes(), "bzip2"
	}
	psum := sha256.Sum256(payload)
	pd := hex.EncodeToString(psum[:])
	if o.badPayload {
		pd = strings.Repeat("ab", 32)
	}
	ents := []hent{
		{TagName, TypeString, "synth"}, {TagVersion, TypeString, "1.0"}, {TagRelease, TypeString, "1"},
		{TagArch, TypeString, "x86_64"}, {TagSourceRPM, TypeString, "synth-1.0-1.src.rpm"},
		{TagSummary, TypeI18NString, "synthetic"},
		{TagPayloadFormat, TypeString, "cpio"}, {TagPayloadCompressor, TypeString, comp},
		{TagFileDigestAlgo, TypeInt32, []uint32{8}},
		{TagProvideName, TypeStringArray, []string{"synth", "(a or b)"}},
		{TagProvideFlags, TypeInt32, []uint32{8, 0}},
		{TagProvideVersion, TypeStringArray, []string{"1.0-1", ""}},
	}
	if !o.noPayloadDigest {
		ents = append(ents, hent{TagPayloadDigest, TypeStringArray, []string{pd}}, hent{TagPayloadDigestAlgo, TypeInt32, []uint32{8}})
	}
	if len(files) > 0 {
		ents = append(ents,
			hent{TagBasenames, TypeStringArray, base}, hent{TagDirnames, TypeStringArray, dirs},
			hent{TagDirIndexes, TypeInt32, dirIdx}, hent{TagFileModes, TypeInt16, modes},
			hent{TagFileDigests, TypeStringArray, digests}, hent{TagFileLinkTos, TypeStringArray, links},
			hent{TagFileFlags, TypeInt32, flags}, hent{TagFileInodes, TypeInt32, inodes},
			hent{TagFileDevices, TypeInt32, devs},
		)
		if o.stripped {
			ents = append(ents, hent{TagLongFileSizes, TypeInt64, sizes64})
		} else {
			ents = append(ents, hent{TagFileSizes, TypeInt32, sizes32})
		}
	}
	hdr := EncodeHeader(TagHeaderImmutable, ents)
	hsum := sha256.Sum256(hdr)
	m := md5.New()
	m.Write(hdr)
	m.Write(payload)
	sents := []hent{{SigTagSize, TypeInt32, []uint32{uint32(len(hdr) + len(payload))}}}
	if !o.noSHA256 {
		sents = append(sents, hent{SigTagSHA256, TypeString, hex.EncodeToString(hsum[:])})
	}
	if !o.noMD5 {
		sents = append(sents, hent{SigTagMD5, TypeBin, m.Sum(nil)})
	}
	if o.signer != nil {
		var sb bytes.Buffer
		signed := io.Reader(bytes.NewReader(hdr))
		tag := SigTagRSA
		if o.legacy {
			signed, tag = io.MultiReader(bytes.NewReader(hdr), bytes.NewReader(payload)), SigTagPGP
		}
		if err := openpgp.DetachSign(&sb, o.signer, signed, nil); err != nil {
			panic(err)
		}
		sents = append(sents, hent{tag, TypeBin, sb.Bytes()})
	}
	sig := EncodeHeader(TagHeaderSignatures, sents)
	var out bytes.Buffer
	lead := make([]byte, leadSize)
	copy(lead, leadMagic)
	lead[4] = 3
	copy(lead[10:], "synth-1.0-1")
	binary.BigEndian.PutUint16(lead[78:], 5)
	out.Write(lead)
	out.Write(sig)
	for out.Len()%8 != 0 {
		out.WriteByte(0)
	}
	out.Write(hdr)
	out.Write(payload)
	return out.Bytes()
}
