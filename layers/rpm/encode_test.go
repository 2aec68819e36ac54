package rpm

import (
	"bytes"
	"slices"
	"testing"
)

// TestEncodeHeaderRoundTrip: what EncodeHeader writes, ParseHeader reads
// back, every type aligned as rpm requires.
func TestEncodeHeaderRoundTrip(t *testing.T) {
	t.Parallel()
	blob := EncodeHeader(TagHeaderImmutable, []HeaderEntry{
		{Tag: TagFileSizes, Type: TypeInt32, Value: []uint32{7, 1 << 30}},
		{Tag: TagName, Type: TypeString, Value: "encoded"},
		{Tag: TagFileModes, Type: TypeInt16, Value: []uint16{0o100644}},
		{Tag: TagBasenames, Type: TypeStringArray, Value: []string{"a", "b"}},
		{Tag: SigTagMD5, Type: TypeBin, Value: []byte{1, 2, 3}},
	})
	h, err := ParseHeader(blob[8:])
	if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	if got := h.String(TagName); got != "encoded" {
		t.Errorf("name %q", got)
	}
	if got, err := h.Strings(TagBasenames); err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("basenames %q, %v", got, err)
	}
	if got, err := h.Ints(TagFileSizes); err != nil || !slices.Equal(got, []uint64{7, 1 << 30}) {
		t.Errorf("file sizes %v, %v", got, err)
	}
	if got, err := h.Ints(TagFileModes); err != nil || !slices.Equal(got, []uint64{0o100644}) {
		t.Errorf("file modes %v, %v", got, err)
	}
	if got := h.Bytes(SigTagMD5); !slices.Equal(got, []byte{1, 2, 3}) {
		t.Errorf("bin %v", got)
	}
}

// TestHeaderAppend: Append keeps the header's index and data as they are,
// lays the new entries out after them as EncodeHeader would (sorted,
// aligned), leaves the header it was called on untouched, and Value gives
// back each entry in the form that encodes to the same bytes.
func TestHeaderAppend(t *testing.T) {
	t.Parallel()
	ents := []HeaderEntry{
		{Tag: TagName, Type: TypeString, Value: "appended"},
		{Tag: TagBasenames, Type: TypeStringArray, Value: []string{"a", "bc"}},
		{Tag: SigTagMD5, Type: TypeBin, Value: []byte{1, 2, 3}},
	}
	h, err := ParseHeader(EncodeHeader(TagHeaderImmutable, ents)[8:])
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(h.Raw())
	add := []HeaderEntry{
		{Tag: 5002, Type: TypeInt64, Value: []uint64{1 << 40}},
		{Tag: 5001, Type: TypeInt16, Value: []uint16{7, 8}},
		{Tag: 5000, Type: TypeChar, Value: []byte{9}},
		{Tag: 5003, Type: TypeI18NString, Value: []string{"x"}},
	}
	blob, err := h.Append(add)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Raw(), before) {
		t.Fatal("Append wrote into the header it was called on")
	}
	got, err := ParseHeader(blob)
	if err != nil {
		t.Fatalf("ParseHeader of the appended header: %v", err)
	}
	wantTags := []Tag{TagHeaderImmutable, TagName, SigTagMD5, TagBasenames, 5000, 5001, 5002, 5003}
	if !slices.Equal(got.Tags(), wantTags) {
		t.Errorf("tags %v, want %v", got.Tags(), wantTags)
	}
	if !bytes.HasPrefix(blob[8+16*8:], h.Raw()[8+16*4:]) {
		t.Error("the original data store is not kept at the start")
	}
	for _, e := range got.Entries() {
		if sz := e.Type.size(); sz > 1 && int(e.Offset)%sz != 0 {
			t.Errorf("tag %d misaligned at %d", e.Tag, e.Offset)
		}
	}
	// Value then EncodeHeader gives the bytes EncodeHeader gave.
	var again []HeaderEntry
	for _, tag := range got.Tags()[1:] {
		v, ok := got.Value(tag)
		if !ok {
			t.Fatalf("Value(%d) missing", tag)
		}
		again = append(again, v)
	}
	want := EncodeHeader(TagHeaderImmutable, append(slices.Clone(ents), add...))
	if re := EncodeHeader(TagHeaderImmutable, again); !slices.Equal(re, want) {
		t.Errorf("re-encoding the values differs:\n%x\n%x", re, want)
	}
}
