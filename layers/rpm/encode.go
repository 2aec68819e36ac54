package rpm

import (
	"bytes"
	"encoding/binary"
	"sort"
)

// HeaderEntry is one tag of a header to encode. Value is a string, a
// []string, a []uint16, []uint32 or []uint64 (big-endian numbers), or a
// []byte; the entry's count is the number of values (bytes for []byte).
type HeaderEntry struct {
	Tag   Tag
	Type  Type
	Value any
}

// EncodeHeader encodes a header the way rpmbuild lays one out: magic,
// counts, the region tag's entry first, the entries sorted by tag, each
// value aligned to its type's size, and the region trailer at the end of
// the data. It is the one header encoder of the project: the hand-made
// RPMs of internal/hostile and of this package's tests are built with it.
func EncodeHeader(region Tag, entries []HeaderEntry) []byte {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Tag < entries[j].Tag })
	var data, index bytes.Buffer
	put := func(w *bytes.Buffer, tag Tag, typ Type, off uint32, count int) {
		var b [16]byte
		binary.BigEndian.PutUint32(b[0:], uint32(tag))
		binary.BigEndian.PutUint32(b[4:], uint32(typ))
		binary.BigEndian.PutUint32(b[8:], off)
		binary.BigEndian.PutUint32(b[12:], uint32(count))
		w.Write(b[:])
	}
	for _, e := range entries {
		if sz := e.Type.size(); sz > 1 {
			for data.Len()%sz != 0 {
				data.WriteByte(0)
			}
		}
		off, count := data.Len(), 1
		switch v := e.Value.(type) {
		case string:
			data.WriteString(v)
			data.WriteByte(0)
		case []string:
			for _, s := range v {
				data.WriteString(s)
				data.WriteByte(0)
			}
			count = len(v)
		case []uint16:
			for _, x := range v {
				data.Write(binary.BigEndian.AppendUint16(nil, x))
			}
			count = len(v)
		case []uint32:
			for _, x := range v {
				data.Write(binary.BigEndian.AppendUint32(nil, x))
			}
			count = len(v)
		case []uint64:
			for _, x := range v {
				data.Write(binary.BigEndian.AppendUint64(nil, x))
			}
			count = len(v)
		case []byte:
			data.Write(v)
			count = len(v)
		}
		put(&index, e.Tag, e.Type, uint32(off), count)
	}
	il := len(entries) + 1
	trailerOff := data.Len()
	put(&data, region, TypeBin, uint32(int32(-16*il)), 16)
	var out bytes.Buffer
	out.Write(headerMagic[:])
	out.Write(binary.BigEndian.AppendUint32(nil, uint32(il)))
	out.Write(binary.BigEndian.AppendUint32(nil, uint32(data.Len())))
	put(&out, region, TypeBin, uint32(trailerOff), 16)
	out.Write(index.Bytes())
	out.Write(data.Bytes())
	return out.Bytes()
}
