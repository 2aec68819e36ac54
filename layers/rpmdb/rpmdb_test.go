package rpmdb

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/layers/rpm"
)

// buildHeader makes a header blob (no magic) whose immutable region covers
// the given entries, laid out the way rpmbuild lays them out.
func buildHeader(entries []entry) []byte {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b entry) int { return int(a.tag) - int(b.tag) })
	var data []byte
	type idx struct {
		e   entry
		off int
	}
	var ix []idx
	for _, e := range entries {
		for len(data)%typeAlign(e.typ) != 0 {
			data = append(data, 0)
		}
		ix = append(ix, idx{e, len(data)})
		data = append(data, e.data...)
	}
	il := len(entries) + 1
	trailer := make([]byte, 16)
	binary.BigEndian.PutUint32(trailer[0:], uint32(rpm.TagHeaderImmutable))
	binary.BigEndian.PutUint32(trailer[4:], uint32(rpm.TypeBin))
	binary.BigEndian.PutUint32(trailer[8:], uint32(-int32(il*16)))
	binary.BigEndian.PutUint32(trailer[12:], 16)
	regionOff := len(data)
	data = append(data, trailer...)
	out := binary.BigEndian.AppendUint32(nil, uint32(il))
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	for _, v := range []uint32{uint32(rpm.TagHeaderImmutable), uint32(rpm.TypeBin), uint32(regionOff), 16} {
		out = binary.BigEndian.AppendUint32(out, v)
	}
	for _, x := range ix {
		for _, v := range []uint32{uint32(x.e.tag), uint32(x.e.typ), uint32(x.off), x.e.count} {
			out = binary.BigEndian.AppendUint32(out, v)
		}
	}
	return append(out, data...)
}

func strEntry(tag rpm.Tag, s ...string) entry {
	var d []byte
	for _, v := range s {
		d = append(append(d, v...), 0)
	}
	typ := rpm.TypeStringArray
	if len(s) == 1 && tag != rpm.TagBasenames && tag != rpm.TagDirnames {
		typ = rpm.TypeString
	}
	return entry{tag: tag, typ: typ, count: uint32(len(s)), data: d}
}

func minimalMain(extra ...entry) []entry {
	return append([]entry{
		strEntry(rpm.TagName, "tiny"),
		strEntry(rpm.TagVersion, "1"),
		strEntry(rpm.TagRelease, "1"),
		strEntry(rpm.TagArch, "noarch"),
		strEntry(rpm.TagSourceRPM, "tiny-1-1.src.rpm"),
	}, extra...)
}

func TestInstalledHeaderErrors(t *testing.T) {
	t.Parallel()
	good := buildHeader(minimalMain())
	noRegion := slices.Clone(good)
	binary.BigEndian.PutUint32(noRegion[8:], uint32(rpm.TagName)+5000)
	cases := []struct {
		name string
		main []byte
		time int64
		want string
	}{
		{"empty", nil, 1, "truncated"},
		{"truncated", good[:len(good)-3], 1, "truncated"},
		{"no region", noRegion, 1, "no immutable region"},
		{"source package", buildHeader(minimalMain()[:4]), 1, "source package"},
		{"old file names", buildHeader(minimalMain(strEntry(rpm.TagOldFilenames, "/a", "/b"))), 1, "OLDFILENAMES"},
		{"already installed", buildHeader(minimalMain(entry{tag: tagInstallTime, typ: rpm.TypeInt32, count: 1, data: be32(5)})), 1, "install-time tag 1008"},
		{"time too large", good, 1 << 33, "32-bit"},
		{"negative time", good, -1, "32-bit"},
		{"huge count", func() []byte { b := slices.Clone(good); binary.BigEndian.PutUint32(b, 1<<30); return b }(), 1, "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := installedHeader(nil, c.main, c.time, 3)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	if _, err := installedHeader(nil, good, 1, 3); err != nil {
		t.Fatalf("minimal header: %v", err)
	}
}

// TestInstalledHeaderAdds checks the tags added to a synthetic header: file
// states for every file, INSTPREFIXES from PREFIXES, signature tags renamed,
// skipped or kept as rpm's headerMergeLegacySigs does.
func TestInstalledHeaderAdds(t *testing.T) {
	t.Parallel()
	main := buildHeader(minimalMain(
		strEntry(rpm.TagBasenames, "a", "b", "c"),
		strEntry(rpm.TagPrefixes, "/opt"),
		entry{tag: rpm.TagSize, typ: rpm.TypeInt32, count: 1, data: be32(7)},
	))
	sig := buildHeader([]entry{
		{tag: rpm.SigTagSize, typ: rpm.TypeInt32, count: 1, data: be32(1234)},
		{tag: rpm.SigTagMD5, typ: rpm.TypeBin, count: 16, data: make([]byte, 16)},
		{tag: rpm.SigTagReservedSpace, typ: rpm.TypeBin, count: 4, data: make([]byte, 4)},
		{tag: rpm.SigTagPayloadSize, typ: rpm.TypeInt32, count: 2, data: make([]byte, 8)}, // count != 1: dropped
		{tag: rpm.SigTagSHA256, typ: rpm.TypeString, count: 1, data: []byte("abc\x00")},
		{tag: 300, typ: rpm.TypeI18NString, count: 1, data: []byte("x\x00")}, // I18N: dropped
	})
	blob, err := installedHeader(sig, main, 1700000000, 3)
	if err != nil {
		t.Fatal(err)
	}
	h, err := rpm.ParseHeader(blob)
	if err != nil {
		t.Fatalf("rpm.ParseHeader of our blob: %v", err)
	}
	want := []rpm.Tag{tagSigSize, tagSigMD5, rpm.SigTagSHA256, tagInstallTime, rpm.TagFileStates, tagInstPrefixes, tagInstallColor, tagInstallTID}
	var got []rpm.Tag
	for _, tag := range h.Tags() {
		if tag < 1000 && tag != rpm.TagHeaderImmutable || tag == tagInstallTime || tag == rpm.TagFileStates || tag > 1098 && tag < 1130 && tag != rpm.TagDirIndexes && tag != rpm.TagBasenames && tag != rpm.TagDirnames {
			got = append(got, tag)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("added tags %v, want %v", got, want)
	}
	if v, _ := h.Int(tagSigSize); v != 1234 {
		t.Errorf("SIGSIZE %d", v)
	}
	if typ, n, _ := h.Type(rpm.TagFileStates); typ != rpm.TypeChar || n != 3 {
		t.Errorf("FILESTATES %v x%d, want CHAR x3", typ, n)
	}
	if p, _ := h.Strings(tagInstPrefixes); !slices.Equal(p, []string{"/opt"}) {
		t.Errorf("INSTPREFIXES %v", p)
	}
	if v, _ := h.Int(tagInstallColor); v != 3 {
		t.Errorf("INSTALLCOLOR %d", v)
	}
	// RESERVEDSPACE (1008) is INSTALLTIME's number: only the latter may be there.
	if typ, _, _ := h.Type(tagInstallTime); typ != rpm.TypeInt32 || h.Has(rpm.TagArchiveSize) || h.Has(300) {
		t.Error("a signature tag rpm drops was copied")
	}
}

func TestRichIndexNames(t *testing.T) {
	t.Parallel()
	// Expected values follow rpm 4.18's updateRichDep; the same strings in
	// testdata/extras.spec are checked against the real rpm by
	// TestTablesMatchRPM.
	cases := []struct {
		in   string
		want []string
	}{
		{"(a or b)", []string{"a", "b"}},
		{"(a >= 1.0 and rpmlib(Foo) <= 2)", []string{"a"}},
		{"(a if b)", []string{"a", "!b"}},
		{"(a if b else c)", []string{"a", "b", "c", "!b"}},
		{"(a unless b)", []string{"a", "!b"}},
		{"((a if b) and c)", []string{"a", "c", "!b"}},
		{"(a or a)", []string{"a"}},
		{"(foo(x) with bar)", []string{"bar", "foo(x)"}},
		{"(a", nil},
		{"(a bogus b)", nil},
		{"()", nil},
		{"(a and b or c)", nil},
		{"(a = )", nil},
		{"((a and b) with c)", nil},
	}
	for _, c := range cases {
		if got := richIndexNames(c.in); !slices.Equal(got, c.want) {
			t.Errorf("richIndexNames(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriteSQLiteErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := WriteSQLite(t.Context(), filepath.Join(dir, "missing", "rpmdb.sqlite"), nil, Options{}); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
	if err := WriteSQLite(t.Context(), filepath.Join(dir, "x.sqlite"), []Installed{{}}, Options{}); err == nil {
		t.Error("a package without a header was accepted")
	}
	ctx, cancel := contextWithCancel(t)
	cancel()
	pkgs := installedList(t, repoRPMs(t, "x86_64")[:1])
	if err := WriteSQLite(ctx, filepath.Join(dir, "y.sqlite"), pkgs, Options{InstallTime: 1}); err == nil {
		t.Error("a cancelled context did not stop the write")
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Errorf("failed writes left files: %v", left)
	}
	// An empty database is valid: rpm -qa lists nothing.
	root := writeRoot(t, nil, Options{InstallTime: 1})
	if out := newRPM(t, root).mustRun(t, "-qa"); out != "" {
		t.Errorf("rpm -qa on an empty database: %q", out)
	}
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}
