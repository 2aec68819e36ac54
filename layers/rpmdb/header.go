package rpmdb

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/slipway-build/slipway/layers/rpm"
)

// Tags rpm adds to a header when it installs it (rpmtag.h).
const (
	tagSigSize         rpm.Tag = 257
	tagSigPGP          rpm.Tag = 259
	tagSigMD5          rpm.Tag = 261
	tagSigGPG          rpm.Tag = 262
	tagSigPGP5         rpm.Tag = 263
	tagSHA1Header      rpm.Tag = 269
	tagInstallTime     rpm.Tag = 1008
	tagInstPrefixes    rpm.Tag = 1099
	tagInstallColor    rpm.Tag = 1127
	tagInstallTID      rpm.Tag = 1128
	tagFileSignatures  rpm.Tag = 5090
	tagFileSigLength   rpm.Tag = 5091
	tagSourcePackage   rpm.Tag = 1106
	tagTriggerName     rpm.Tag = 1066
	tagFileTrigName    rpm.Tag = 5069
	tagFileTrigIndex   rpm.Tag = 5070
	tagTransFTrigName  rpm.Tag = 5079
	tagTransFTrigIndex rpm.Tag = 5080

	sigTagFileSigLength rpm.Tag = 275

	headerSigBase = 256  // HEADER_SIGBASE
	headerTagBase = 1000 // HEADER_TAGBASE
)

// entry is one header index entry with its data, as stored (big-endian).
type entry struct {
	tag   rpm.Tag
	typ   rpm.Type
	count uint32
	data  []byte
}

// rawEntry is an index entry of a header blob.
type rawEntry struct {
	tag    rpm.Tag
	typ    rpm.Type
	offset int32
	count  uint32
}

// rawHeader is a header blob split into its index and data store.
type rawHeader struct {
	blob  []byte
	index []rawEntry
	data  []byte
}

// maxEntries bounds the index of a header, as rpm's hdrchkTags does.
const maxEntries = 0xffff

// maxData bounds the data store of a header, as rpm's hdrchkData does.
const maxData = 256 << 20

// parseRaw splits a header blob (without magic) into index and data,
// checking every size against the blob.
func parseRaw(blob []byte) (*rawHeader, error) {
	if len(blob) < 8 {
		return nil, fmt.Errorf("header blob of %d bytes: %w", len(blob), rpm.ErrTruncated)
	}
	il := binary.BigEndian.Uint32(blob[0:])
	dl := binary.BigEndian.Uint32(blob[4:])
	if il == 0 || il > maxEntries {
		return nil, fmt.Errorf("header index count %d out of range", il)
	}
	if dl > maxData {
		return nil, fmt.Errorf("header data length %d out of range", dl)
	}
	need := 8 + 16*uint64(il) + uint64(dl)
	if uint64(len(blob)) < need {
		return nil, fmt.Errorf("header blob of %d bytes, index and data need %d: %w", len(blob), need, rpm.ErrTruncated)
	}
	h := &rawHeader{blob: blob[:need], data: blob[8+16*il : need]}
	h.index = make([]rawEntry, il)
	for i := range h.index {
		e := blob[8+16*i:]
		h.index[i] = rawEntry{
			tag:    rpm.Tag(binary.BigEndian.Uint32(e[0:])),
			typ:    rpm.Type(binary.BigEndian.Uint32(e[4:])),
			offset: int32(binary.BigEndian.Uint32(e[8:])),
			count:  binary.BigEndian.Uint32(e[12:]),
		}
	}
	for _, e := range h.index {
		if _, err := h.value(e); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// typeSize is the size of one element of a fixed-size type, 0 otherwise.
func typeSize(t rpm.Type) int {
	switch t {
	case rpm.TypeChar, rpm.TypeInt8, rpm.TypeBin:
		return 1
	case rpm.TypeInt16:
		return 2
	case rpm.TypeInt32:
		return 4
	case rpm.TypeInt64:
		return 8
	}
	return 0
}

// typeAlign is the alignment of a type in the data store (rpm's typeAlign).
func typeAlign(t rpm.Type) int {
	switch t {
	case rpm.TypeInt16:
		return 2
	case rpm.TypeInt32:
		return 4
	case rpm.TypeInt64:
		return 8
	}
	return 1
}

// value returns the bytes of entry e in the data store.
func (h *rawHeader) value(e rawEntry) ([]byte, error) {
	if e.offset < 0 || int(e.offset) > len(h.data) {
		return nil, fmt.Errorf("tag %d: offset %d outside the data store (%d bytes)", e.tag, e.offset, len(h.data))
	}
	d := h.data[e.offset:]
	switch e.typ {
	case rpm.TypeNull:
		return nil, nil
	case rpm.TypeString, rpm.TypeStringArray, rpm.TypeI18NString:
		n := e.count
		if e.typ == rpm.TypeString {
			n = 1
		}
		if n > uint32(len(d)) {
			return nil, fmt.Errorf("tag %d: %d strings in %d bytes: %w", e.tag, n, len(d), rpm.ErrTruncated)
		}
		end := 0
		for range n {
			i := slices.Index(d[end:], 0)
			if i < 0 {
				return nil, fmt.Errorf("tag %d: unterminated string: %w", e.tag, rpm.ErrTruncated)
			}
			end += i + 1
		}
		return d[:end], nil
	}
	sz := typeSize(e.typ)
	if sz == 0 {
		return nil, fmt.Errorf("tag %d: unknown type %d", e.tag, e.typ)
	}
	if uint64(e.count)*uint64(sz) > uint64(len(d)) {
		return nil, fmt.Errorf("tag %d: %d values of %d bytes: %w", e.tag, e.count, sz, rpm.ErrTruncated)
	}
	return d[:int(e.count)*sz], nil
}

// region checks that the header starts with an immutable region covering
// every entry and returns the region's data length.
func (h *rawHeader) region() (int, error) {
	r := h.index[0]
	if r.tag != rpm.TagHeaderImmutable || r.typ != rpm.TypeBin || r.count != 16 {
		return 0, fmt.Errorf("no immutable region (first tag %d): legacy (v3) headers are not supported", r.tag)
	}
	if r.offset < 0 || int(r.offset)+16 != len(h.data) {
		return 0, fmt.Errorf("immutable region trailer at %d does not end the data store (%d bytes): the header carries entries outside its region", r.offset, len(h.data))
	}
	trailer := h.data[r.offset:]
	ril := -int32(binary.BigEndian.Uint32(trailer[8:])) / 16
	if int(ril) != len(h.index) {
		return 0, fmt.Errorf("immutable region covers %d of %d entries", ril, len(h.index))
	}
	return len(h.data), nil
}

func (h *rawHeader) has(tag rpm.Tag) bool {
	for _, e := range h.index {
		if e.tag == tag {
			return true
		}
	}
	return false
}

func (h *rawHeader) find(tag rpm.Tag) (rawEntry, bool) {
	for _, e := range h.index {
		if e.tag == tag {
			return e, true
		}
	}
	return rawEntry{}, false
}

// legacySigTags is rpm 4.18's headerMergeLegacySigs: the signature tags it
// renames when it copies them into the main header. Every other signature
// tag in [HEADER_SIGBASE, HEADER_TAGBASE) is copied as it is; the rest
// (RESERVEDSPACE, LEMD5...) is dropped.
var legacySigTags = map[rpm.Tag]rpm.Tag{
	rpm.SigTagSize:           tagSigSize,
	rpm.SigTagPGP:            tagSigPGP,
	rpm.SigTagMD5:            tagSigMD5,
	rpm.SigTagGPG:            tagSigGPG,
	rpm.SigTagPGP5:           tagSigPGP5,
	rpm.SigTagPayloadSize:    rpm.TagArchiveSize,
	rpm.SigTagFileSignatures: tagFileSignatures,
	sigTagFileSigLength:      tagFileSigLength,
}

// sigEntries returns the signature header entries rpm merges into the main
// header when it reads a package, renamed to their main header tags.
func sigEntries(sig, main *rawHeader) ([]entry, error) {
	var out []entry
	for _, e := range sig.index {
		tag := e.tag
		if to, ok := legacySigTags[tag]; ok {
			tag = to
		} else if tag < headerSigBase || tag >= headerTagBase {
			continue
		}
		if main.has(tag) || slices.ContainsFunc(out, func(o entry) bool { return o.tag == tag }) {
			continue
		}
		switch e.typ {
		case rpm.TypeNull, rpm.TypeI18NString:
			continue
		case rpm.TypeChar, rpm.TypeInt8, rpm.TypeInt16, rpm.TypeInt32, rpm.TypeInt64:
			if e.count != 1 {
				continue
			}
		case rpm.TypeString, rpm.TypeStringArray, rpm.TypeBin:
			if e.count >= 16*1024 {
				continue
			}
		default:
			continue
		}
		v, err := sig.value(e)
		if err != nil {
			return nil, fmt.Errorf("signature header: %w", err)
		}
		out = append(out, entry{tag: tag, typ: e.typ, count: e.count, data: v})
	}
	return out, nil
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// fileStateNotInstalled is rpm's RPMFILE_STATE_NOTINSTALLED: a file the
// transaction skipped (--excludedocs, --nodocs), which rpm -V passes over.
const fileStateNotInstalled = 2

// installedHeaderStates returns the header blob rpm 4.18 stores in its
// database for a package installed from a file with the given signature and
// main header blobs (both without magic): the immutable region unchanged,
// followed by the signature tags rpm merges in and the install-time tags.
// tid is the transaction id, which may differ from the install time (rpm
// takes the id when the transaction starts and the time when it installs
// each package); notInstalled holds the indexes of files that were not
// installed.
func installedHeaderStates(sigBlob, mainBlob []byte, installTime, tid int64, color uint32, notInstalled []int) ([]byte, error) {
	main, err := parseRaw(mainBlob)
	if err != nil {
		return nil, fmt.Errorf("main header: %w", err)
	}
	rdl, err := main.region()
	if err != nil {
		return nil, fmt.Errorf("main header: %w", err)
	}
	if !main.has(rpm.TagSourceRPM) || main.has(tagSourcePackage) {
		return nil, fmt.Errorf("main header: a source package cannot be installed")
	}
	if main.has(rpm.TagOldFilenames) {
		return nil, fmt.Errorf("main header: uncompressed file list (OLDFILENAMES) is not supported")
	}
	for _, t := range []rpm.Tag{tagInstallTime, tagInstallTID, tagInstallColor, rpm.TagFileStates, tagInstPrefixes} {
		if main.has(t) {
			return nil, fmt.Errorf("main header: already carries install-time tag %d", t)
		}
	}
	var add []entry
	if sigBlob != nil {
		sig, err := parseRaw(sigBlob)
		if err != nil {
			return nil, fmt.Errorf("signature header: %w", err)
		}
		if add, err = sigEntries(sig, main); err != nil {
			return nil, err
		}
	}
	for _, v := range []int64{installTime, tid} {
		if v < 0 || v > 0xffffffff {
			return nil, fmt.Errorf("install time %d does not fit rpm's 32-bit time", v)
		}
	}
	add = append(add,
		entry{tag: tagInstallTime, typ: rpm.TypeInt32, count: 1, data: be32(uint32(installTime))},
		entry{tag: tagInstallColor, typ: rpm.TypeInt32, count: 1, data: be32(color)},
		entry{tag: tagInstallTID, typ: rpm.TypeInt32, count: 1, data: be32(uint32(tid))},
	)
	// rpmfsNew: one state a file, all RPMFILE_STATE_NORMAL (0).
	if e, ok := main.find(rpm.TagBasenames); ok && e.count > 0 {
		states := make([]byte, e.count)
		for _, i := range notInstalled {
			if i < 0 || i >= len(states) {
				return nil, fmt.Errorf("file index %d out of range (%d files)", i, len(states))
			}
			states[i] = fileStateNotInstalled
		}
		add = append(add, entry{tag: rpm.TagFileStates, typ: rpm.TypeChar, count: e.count, data: states})
	}
	// addPrefixes: a relocatable package installed without relocations
	// records its prefixes as INSTPREFIXES.
	if e, ok := main.find(rpm.TagPrefixes); ok && e.count > 0 {
		v, err := main.value(e)
		if err != nil {
			return nil, fmt.Errorf("main header: %w", err)
		}
		add = append(add, entry{tag: tagInstPrefixes, typ: e.typ, count: e.count, data: v})
	}
	slices.SortStableFunc(add, func(a, b entry) int { return int(a.tag) - int(b.tag) })

	il := len(main.index) + len(add)
	dl := rdl
	for _, e := range add {
		dl = alignUp(dl, typeAlign(e.typ)) + len(e.data)
	}
	if il > maxEntries || dl > maxData {
		return nil, fmt.Errorf("installed header too large: %d entries, %d bytes", il, dl)
	}
	out := make([]byte, 0, 8+16*il+dl)
	out = binary.BigEndian.AppendUint32(out, uint32(il))
	out = binary.BigEndian.AppendUint32(out, uint32(dl))
	out = append(out, main.blob[8:8+16*len(main.index)]...)
	off := rdl
	for _, e := range add {
		off = alignUp(off, typeAlign(e.typ))
		out = binary.BigEndian.AppendUint32(out, uint32(e.tag))
		out = binary.BigEndian.AppendUint32(out, uint32(e.typ))
		out = binary.BigEndian.AppendUint32(out, uint32(off))
		out = binary.BigEndian.AppendUint32(out, e.count)
		off += len(e.data)
	}
	out = append(out, main.data[:rdl]...)
	for _, e := range add {
		for len(out)-8-16*il < alignUp(len(out)-8-16*il, typeAlign(e.typ)) {
			out = append(out, 0)
		}
		out = append(out, e.data...)
	}
	// What we store must read back as rpm reads it: a main header that
	// parses here but not as a whole (found by FuzzInstalledHeader) is
	// refused rather than written into the database.
	if _, err := rpm.ParseHeader(out); err != nil {
		return nil, fmt.Errorf("main header: the installed header would not parse: %w", err)
	}
	return out, nil
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }
