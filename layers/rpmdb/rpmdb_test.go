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
func buildHeader(entries []rpm.HeaderEntry) []byte {
	return rpm.EncodeHeader(rpm.TagHeaderImmutable, entries)[8:]
}

func strEntry(tag rpm.Tag, s ...string) rpm.HeaderEntry {
	if len(s) == 1 && tag != rpm.TagBasenames && tag != rpm.TagDirnames {
		return rpm.HeaderEntry{Tag: tag, Type: rpm.TypeString, Value: s[0]}
	}
	return rpm.HeaderEntry{Tag: tag, Type: rpm.TypeStringArray, Value: s}
}

func int32Entry(tag rpm.Tag, v ...uint32) rpm.HeaderEntry {
	return rpm.HeaderEntry{Tag: tag, Type: rpm.TypeInt32, Value: v}
}

func minimalMain(extra ...rpm.HeaderEntry) []rpm.HeaderEntry {
	return append([]rpm.HeaderEntry{
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
		{"already installed", buildHeader(minimalMain(int32Entry(tagInstallTime, 5))), 1, "install-time tag 1008"},
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
		int32Entry(rpm.TagSize, 7),
	))
	sig := buildHeader([]rpm.HeaderEntry{
		int32Entry(rpm.SigTagSize, 1234),
		{Tag: rpm.SigTagMD5, Type: rpm.TypeBin, Value: make([]byte, 16)},
		{Tag: rpm.SigTagReservedSpace, Type: rpm.TypeBin, Value: make([]byte, 4)},
		int32Entry(rpm.SigTagPayloadSize, 0, 0), // count != 1: dropped
		{Tag: rpm.SigTagSHA256, Type: rpm.TypeString, Value: "abc"},
		{Tag: 300, Type: rpm.TypeI18NString, Value: []string{"x"}}, // I18N: dropped
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
