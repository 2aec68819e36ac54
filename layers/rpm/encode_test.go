package rpm

import (
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
