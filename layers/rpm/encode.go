package rpm

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// HeaderEntry is one tag of a header to encode. Value is a string, a
// []string, a []uint16, []uint32 or []uint64 (big-endian numbers), or a
// []byte; the entry's count is the number of values (bytes for []byte).
// Header.Value returns a header's entry in this form.
type HeaderEntry struct {
	Tag   Tag
	Type  Type
	Value any
}

// EncodeHeader encodes a header the way rpmbuild lays one out: magic,
// counts, the region tag's entry first, the entries sorted by tag, each
// value aligned to its type's size, and the region trailer at the end of
// the data. With Header.Append it is the one header encoder of the
// project: the hand-made RPMs of internal/hostile and of this package's
// tests are built with it, and layers/rpmdb's installed headers with
// Append.
func EncodeHeader(region Tag, entries []HeaderEntry) []byte {
	il := len(entries) + 1
	index, data := appendEntries(nil, nil, sortedEntries(entries))
	trailerOff := len(data)
	data = appendIndexEntry(data, region, TypeBin, uint32(int32(-16*il)), 16)
	out := make([]byte, 0, 16+16*il+len(data))
	out = append(out, headerMagic[:]...)
	out = binary.BigEndian.AppendUint32(out, uint32(il))
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	out = appendIndexEntry(out, region, TypeBin, uint32(trailerOff), 16)
	out = append(out, index...)
	return append(out, data...)
}

// Append returns h (as Raw returns it, without magic) with entries added
// after its index and data, the way rpm adds tags to a header it read
// (headerPut, then headerExport): h's index and data unchanged, the new
// entries sorted by tag, each value aligned to its type's size from the
// start of the data store. Tags h already has are the caller's to avoid.
func (h *Header) Append(entries []HeaderEntry) ([]byte, error) {
	il := len(h.order)
	index, data := appendEntries(h.raw[8:8+16*il], h.raw[8+16*il:], sortedEntries(entries))
	il += len(entries)
	if il > maxHeaderTags || len(data) > maxHeaderData {
		return nil, fmt.Errorf("header too large: %d entries, %d bytes", il, len(data))
	}
	out := make([]byte, 0, 8+len(index)+len(data))
	out = binary.BigEndian.AppendUint32(out, uint32(il))
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, index...)
	return append(out, data...), nil
}

// sortedEntries returns entries sorted by tag, leaving the caller's slice
// as it was.
func sortedEntries(entries []HeaderEntry) []HeaderEntry {
	entries = slices.Clone(entries)
	slices.SortStableFunc(entries, func(a, b HeaderEntry) int { return int(a.Tag) - int(b.Tag) })
	return entries
}

// appendEntries lays out entries after index and data, each value
// aligned to its type's size from the start of data, its index entry
// pointing at it. It never writes into the arrays behind index and data
// (they may be a parsed header's bytes): it appends to clipped slices,
// so the first append copies.
func appendEntries(index, data []byte, entries []HeaderEntry) ([]byte, []byte) {
	index = slices.Clip(index)
	data = slices.Clip(data)
	for _, e := range entries {
		if sz := e.Type.size(); sz > 1 {
			for len(data)%sz != 0 {
				data = append(data, 0)
			}
		}
		off, count := len(data), 1
		switch v := e.Value.(type) {
		case string:
			data = append(append(data, v...), 0)
		case []string:
			for _, s := range v {
				data = append(append(data, s...), 0)
			}
			count = len(v)
		case []uint16:
			for _, x := range v {
				data = binary.BigEndian.AppendUint16(data, x)
			}
			count = len(v)
		case []uint32:
			for _, x := range v {
				data = binary.BigEndian.AppendUint32(data, x)
			}
			count = len(v)
		case []uint64:
			for _, x := range v {
				data = binary.BigEndian.AppendUint64(data, x)
			}
			count = len(v)
		case []byte:
			data = append(data, v...)
			count = len(v)
		}
		index = appendIndexEntry(index, e.Tag, e.Type, uint32(off), count)
	}
	return index, data
}

func appendIndexEntry(b []byte, tag Tag, typ Type, off uint32, count int) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(tag))
	b = binary.BigEndian.AppendUint32(b, uint32(typ))
	b = binary.BigEndian.AppendUint32(b, off)
	return binary.BigEndian.AppendUint32(b, uint32(count))
}
