package rpm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// headerMagic starts every header in an RPM file.
var headerMagic = [8]byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0}

// Limits rpm itself applies to headers (header_internal.h hdrchkTags and
// hdrchkData); anything larger is refused before it is read.
const (
	maxHeaderTags = 0xffff
	maxHeaderData = 256 << 20
)

// entry is one index entry of a header.
type entry struct {
	tag    Tag
	typ    Type
	offset int32
	count  uint32
	data   []byte // the entry's bytes in the data store
}

// Header is a parsed RPM header (the signature header or the main header).
// Values are decoded on demand from the raw bytes it keeps.
type Header struct {
	raw     []byte // il, dl, index, data: the header without its magic
	entries map[Tag]*entry
	order   []Tag // tags in index order
	region  Tag   // TagHeaderImmutable / TagHeaderSignatures, or 0
	regionN int   // number of index entries inside the region
}

// Raw returns the header as rpm stores it in its database: without the
// 8-byte magic, starting with the entry count, data length, index and data
// (the immutable region first). The caller must not modify it.
func (h *Header) Raw() []byte { return h.raw }

// Region reports the region tag (63 for a main header, 62 for a signature
// header) and the number of index entries it covers; 0, 0 without region.
func (h *Header) Region() (Tag, int) { return h.region, h.regionN }

// Tags lists the tags present, in index order.
func (h *Header) Tags() []Tag { return append([]Tag(nil), h.order...) }

// Has reports whether tag is present.
func (h *Header) Has(tag Tag) bool { _, ok := h.entries[tag]; return ok }

// Type returns the type and element count of tag.
func (h *Header) Type(tag Tag) (Type, int, bool) {
	e, ok := h.entries[tag]
	if !ok {
		return 0, 0, false
	}
	return e.typ, int(e.count), true
}

// readHeader reads one header (magic, counts, index, data) from r. where
// names it in errors. It returns the header and its full bytes including
// the magic, which digests and signatures cover.
func readHeader(r io.Reader, where string) (*Header, []byte, error) {
	var pre [16]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, nil, readErr(where, "intro", err)
	}
	if !bytes.Equal(pre[:8], headerMagic[:]) {
		return nil, nil, formatErr(where, "bad magic %x", pre[:8])
	}
	il := binary.BigEndian.Uint32(pre[8:12])
	dl := binary.BigEndian.Uint32(pre[12:16])
	if il == 0 || il > maxHeaderTags {
		return nil, nil, formatErr(where, "entry count %d out of range", il)
	}
	if dl > maxHeaderData {
		return nil, nil, formatErr(where, "data length %d out of range", dl)
	}
	n := int64(il)*16 + int64(dl)
	// Grow with the data actually present, so a lying length cannot make
	// us allocate before the bytes arrive.
	var buf bytes.Buffer
	buf.Grow(int(min(n, 1<<20)) + 16)
	buf.Write(pre[:])
	got, err := io.Copy(&buf, io.LimitReader(r, n))
	if err != nil {
		return nil, nil, readErr(where, "index and data", err)
	}
	if got != n {
		return nil, nil, fmt.Errorf("%s: index and data: %d of %d bytes: %w", where, got, n, ErrTruncated)
	}
	full := buf.Bytes()
	h, err := parseHeader(full[8:], where)
	if err != nil {
		return nil, nil, err
	}
	return h, full, nil
}

func readErr(where, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %s: %w", where, what, ErrTruncated)
	}
	return fmt.Errorf("%s: reading %s: %w", where, what, err)
}

// ParseHeader parses a header blob as Raw returns it (no magic), for
// example one taken from an rpm database.
func ParseHeader(blob []byte) (*Header, error) {
	return parseHeader(blob, "header")
}

func parseHeader(blob []byte, where string) (*Header, error) {
	if len(blob) < 8 {
		return nil, fmt.Errorf("%s: %w", where, ErrTruncated)
	}
	il := binary.BigEndian.Uint32(blob[0:4])
	dl := binary.BigEndian.Uint32(blob[4:8])
	if il == 0 || il > maxHeaderTags || dl > maxHeaderData {
		return nil, formatErr(where, "entry count %d or data length %d out of range", il, dl)
	}
	if int64(len(blob)) != 8+int64(il)*16+int64(dl) {
		if int64(len(blob)) < 8+int64(il)*16+int64(dl) {
			return nil, fmt.Errorf("%s: %w", where, ErrTruncated)
		}
		return nil, formatErr(where, "%d trailing bytes", int64(len(blob))-(8+int64(il)*16+int64(dl)))
	}
	index := blob[8 : 8+16*int(il)]
	data := blob[8+16*int(il):]
	h := &Header{raw: blob, entries: make(map[Tag]*entry, il), order: make([]Tag, 0, il)}
	for i := 0; i < int(il); i++ {
		b := index[16*i : 16*i+16]
		e := &entry{
			tag:    Tag(binary.BigEndian.Uint32(b[0:4])),
			typ:    Type(binary.BigEndian.Uint32(b[4:8])),
			offset: int32(binary.BigEndian.Uint32(b[8:12])),
			count:  binary.BigEndian.Uint32(b[12:16]),
		}
		if e.typ > TypeI18NString {
			return nil, formatErr(where, "tag %d: unknown type %d", e.tag, e.typ)
		}
		if e.offset < 0 || int64(e.offset) > int64(dl) {
			return nil, formatErr(where, "tag %d: offset %d outside data of %d bytes", e.tag, e.offset, dl)
		}
		if e.count == 0 || e.count > uint32(dl)+1 && e.typ != TypeNull {
			return nil, formatErr(where, "tag %d: count %d out of range", e.tag, e.count)
		}
		if sz := e.typ.size(); sz > 1 && int(e.offset)%sz != 0 {
			return nil, formatErr(where, "tag %d: %s data misaligned at offset %d", e.tag, e.typ, e.offset)
		}
		end, err := entryEnd(data, e)
		if err != nil {
			return nil, formatErr(where, "tag %d: %v", e.tag, err)
		}
		e.data = data[e.offset:end]
		if _, dup := h.entries[e.tag]; dup {
			return nil, formatErr(where, "tag %d appears twice", e.tag)
		}
		h.entries[e.tag] = e
		h.order = append(h.order, e.tag)
	}
	if err := h.checkRegion(data, where); err != nil {
		return nil, err
	}
	return h, nil
}

// entryEnd returns where the entry's data ends, checking it fits.
func entryEnd(data []byte, e *entry) (int, error) {
	off := int(e.offset)
	switch e.typ {
	case TypeNull:
		return off, nil
	case TypeString:
		if e.count != 1 {
			return 0, fmt.Errorf("STRING with count %d", e.count)
		}
		fallthrough
	case TypeStringArray, TypeI18NString:
		p := off
		for i := uint32(0); i < e.count; i++ {
			j := bytes.IndexByte(data[p:], 0)
			if j < 0 {
				return 0, fmt.Errorf("string %d of %d not terminated within data", i+1, e.count)
			}
			p += j + 1
		}
		return p, nil
	}
	n := int64(e.count) * int64(e.typ.size())
	if int64(off)+n > int64(len(data)) {
		return 0, fmt.Errorf("%d %s values at offset %d overrun data of %d bytes", e.count, e.typ, off, len(data))
	}
	return off + int(n), nil
}

// checkRegion validates the immutable region, the way rpm's headerVerifyRegion does.
func (h *Header) checkRegion(data []byte, where string) error {
	if len(h.order) == 0 {
		return nil
	}
	first := h.entries[h.order[0]]
	if first.tag != TagHeaderImmutable && first.tag != TagHeaderSignatures && first.tag != TagHeaderImage {
		return nil // a legacy header without region
	}
	if first.typ != TypeBin || first.count != 16 {
		return formatErr(where, "region tag %d: type %s count %d, want BIN 16", first.tag, first.typ, first.count)
	}
	t := first.data
	tag := Tag(binary.BigEndian.Uint32(t[0:4]))
	typ := Type(binary.BigEndian.Uint32(t[4:8]))
	off := int32(binary.BigEndian.Uint32(t[8:12]))
	count := binary.BigEndian.Uint32(t[12:16])
	if typ != TypeBin || count != 16 || off > 0 || off%16 != 0 {
		return formatErr(where, "region trailer: BAD, tag %d type %d offset %d count %d", tag, typ, off, count)
	}
	ril := int(-off / 16)
	if ril < 1 || ril > len(h.order) {
		return formatErr(where, "region trailer: covers %d entries of %d", ril, len(h.order))
	}
	if tag != first.tag && !(first.tag == TagHeaderImmutable && tag == TagHeaderImage) {
		return formatErr(where, "region trailer: tag %d, want %d", tag, first.tag)
	}
	rdl := int(first.offset) + 16
	for _, tg := range h.order[1:ril] {
		e := h.entries[tg]
		if int(e.offset)+len(e.data) > rdl {
			return formatErr(where, "tag %d: data outside its region", e.tag)
		}
	}
	h.region, h.regionN = first.tag, ril
	return nil
}

// Strings returns a STRING, STRING_ARRAY or I18NSTRING value (for
// I18NSTRING, every translation, the first being the default).
func (h *Header) Strings(tag Tag) ([]string, error) {
	e, ok := h.entries[tag]
	if !ok {
		return nil, nil
	}
	switch e.typ {
	case TypeString, TypeStringArray, TypeI18NString:
	default:
		return nil, fmt.Errorf("tag %d: %s, not a string", tag, e.typ)
	}
	out := make([]string, 0, e.count)
	d := e.data
	for i := uint32(0); i < e.count; i++ {
		j := bytes.IndexByte(d, 0)
		out = append(out, string(d[:j]))
		d = d[j+1:]
	}
	return out, nil
}

// String returns the first string of a string-typed tag, or "".
func (h *Header) String(tag Tag) string {
	s, err := h.Strings(tag)
	if err != nil || len(s) == 0 {
		return ""
	}
	return s[0]
}

// Ints returns an integer tag (CHAR, INT8, INT16, INT32 or INT64) as
// unsigned 64-bit values, the way rpm reads them.
func (h *Header) Ints(tag Tag) ([]uint64, error) {
	e, ok := h.entries[tag]
	if !ok {
		return nil, nil
	}
	out := make([]uint64, e.count)
	d := e.data
	switch e.typ {
	case TypeChar, TypeInt8:
		for i := range out {
			out[i] = uint64(d[i])
		}
	case TypeInt16:
		for i := range out {
			out[i] = uint64(binary.BigEndian.Uint16(d[2*i:]))
		}
	case TypeInt32:
		for i := range out {
			out[i] = uint64(binary.BigEndian.Uint32(d[4*i:]))
		}
	case TypeInt64:
		for i := range out {
			out[i] = binary.BigEndian.Uint64(d[8*i:])
		}
	default:
		return nil, fmt.Errorf("tag %d: %s, not an integer", tag, e.typ)
	}
	return out, nil
}

// Int returns the first value of an integer tag and whether it was present.
func (h *Header) Int(tag Tag) (uint64, bool) {
	v, err := h.Ints(tag)
	if err != nil || len(v) == 0 {
		return 0, false
	}
	return v[0], true
}

// Bytes returns a BIN value (or the raw bytes of any other entry).
func (h *Header) Bytes(tag Tag) []byte {
	e, ok := h.entries[tag]
	if !ok {
		return nil
	}
	return e.data
}

// Entry is one index entry of a header as it is stored: its tag, type and
// count, the offset of its value in the data store and the value's bytes
// (big-endian, as stored; the caller must not modify them).
type Entry struct {
	Tag    Tag
	Type   Type
	Offset int32
	Count  uint32
	Data   []byte
}

// Entry returns tag's index entry.
func (h *Header) Entry(tag Tag) (Entry, bool) {
	e, ok := h.entries[tag]
	if !ok {
		return Entry{}, false
	}
	return Entry{Tag: e.tag, Type: e.typ, Offset: e.offset, Count: e.count, Data: e.data}, true
}

// Entries returns the index entries in index order.
func (h *Header) Entries() []Entry {
	out := make([]Entry, len(h.order))
	for i, tag := range h.order {
		out[i], _ = h.Entry(tag)
	}
	return out
}

// DataLen is the length of the header's data store.
func (h *Header) DataLen() int { return len(h.raw) - 8 - 16*len(h.order) }

// Value returns tag's value in the form EncodeHeader and Append take, so
// an entry can be copied into another header unchanged: a string for
// STRING, a []string for STRING_ARRAY and I18NSTRING, []uint16, []uint32
// or []uint64 for INT16, INT32 and INT64, the bytes for CHAR, INT8 and
// BIN, nil for NULL.
func (h *Header) Value(tag Tag) (HeaderEntry, bool) {
	e, ok := h.entries[tag]
	if !ok {
		return HeaderEntry{}, false
	}
	out := HeaderEntry{Tag: tag, Type: e.typ}
	switch e.typ {
	case TypeString:
		out.Value = h.String(tag)
	case TypeStringArray, TypeI18NString:
		out.Value, _ = h.Strings(tag)
	case TypeChar, TypeInt8, TypeBin:
		out.Value = e.data
	case TypeInt16:
		out.Value = narrow[uint16](h.Ints(tag))
	case TypeInt32:
		out.Value = narrow[uint32](h.Ints(tag))
	case TypeInt64:
		out.Value, _ = h.Ints(tag)
	}
	return out, true
}

// narrow converts what Ints read back to the width of its type.
func narrow[T uint16 | uint32](v []uint64, _ error) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
