package split

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// tent is one entry of a test tree.
type tent struct {
	name string // dirs end in "/"
	typ  byte
	mode int64
	data string // content, or link target
	uid  int
	mt   int64
}

func writeTestTar(t *testing.T, dir, name string, ents []tent) string {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Uid: e.uid, ModTime: time.Unix(e.mt+100, 0), Format: tar.FormatPAX}
		switch e.typ {
		case tar.TypeReg:
			h.Size = int64(len(e.data))
		case tar.TypeSymlink, tar.TypeLink:
			h.Linkname = e.data
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if e.typ == tar.TypeReg {
			tw.Write([]byte(e.data))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// applied is a tree after applying layers with OCI changeset semantics:
// whiteouts remove a lower path and everything below it; an entry
// replaces the lower one (a non-folder over a folder removes the folder);
// hard links resolve to their target's content at that point.
type applied map[string]string

func applyLayer(t *testing.T, tree applied, r io.Reader) {
	t.Helper()
	tr := tar.NewReader(r)
	inLayer := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := cleanName(h.Name)
		if base := path.Base(p); strings.HasPrefix(base, ".wh.") {
			victim := path.Join(path.Dir(p), strings.TrimPrefix(base, ".wh."))
			if inLayer[victim] {
				t.Errorf("whiteout %s comes after %s of the same layer", p, victim)
			}
			for k := range tree {
				if k == victim || strings.HasPrefix(k, victim+"/") {
					delete(tree, k)
				}
			}
			continue
		}
		inLayer[p] = true
		if h.Typeflag != tar.TypeDir {
			for k := range tree {
				if strings.HasPrefix(k, p+"/") {
					t.Errorf("%s replaces a folder that still holds %s (no whiteout)", p, k)
				}
			}
		}
		var desc string
		switch h.Typeflag {
		case tar.TypeReg:
			data, _ := io.ReadAll(tr)
			desc = "file " + string(data)
		case tar.TypeLink:
			target, ok := tree[cleanName(h.Linkname)]
			if !ok {
				t.Errorf("hard link %s to %s, which is missing", p, h.Linkname)
			}
			desc = target
		case tar.TypeDir:
			desc = "dir"
		case tar.TypeSymlink:
			desc = "symlink " + h.Linkname
		}
		tree[p] = desc + " " + h.FileInfo().Mode().String() + " " + h.ModTime.String() + " " + string(rune('0'+h.Uid))
	}
}

func TestUpperLayer(t *testing.T) {
	t.Parallel()
	reg, dir, sym, hard := byte(tar.TypeReg), byte(tar.TypeDir), byte(tar.TypeSymlink), byte(tar.TypeLink)
	base := []tent{
		{"etc/", dir, 0o755, "", 0, 0},
		{"etc/passwd", reg, 0o644, "root\n", 0, 0},
		{"etc/same", reg, 0o644, "same", 0, 0},
		{"gone/", dir, 0o755, "", 0, 0},
		{"gone/a", reg, 0o644, "a", 0, 0},
		{"gone/sub/", dir, 0o755, "", 0, 0},
		{"gone/sub/b", reg, 0o644, "b", 0, 0},
		{"turns/", dir, 0o755, "", 0, 0},
		{"turns/x", reg, 0o644, "x", 0, 0},
		{"usr/", dir, 0o755, "", 0, 0},
		{"usr/bin/", dir, 0o755, "", 0, 0},
		{"usr/bin/a", reg, 0o755, "busy", 0, 0},
		{"usr/bin/b", hard, 0o755, "usr/bin/a", 0, 0},
		{"usr/bin/c", reg, 0o755, "linkstay", 0, 0},
		{"usr/bin/d", hard, 0o755, "usr/bin/c", 0, 0},
		{"usr/bin/mode", reg, 0o755, "m", 0, 0},
		{"usr/bin/owner", reg, 0o755, "o", 0, 0},
		{"usr/bin/time", reg, 0o755, "t", 0, 0},
		{"usr/lib", sym, 0o777, "lib64", 0, 0},
		{"usr/rm", reg, 0o644, "rm", 0, 0},
		{"was-file", reg, 0o644, "f", 0, 0},
	}
	full := []tent{
		{"etc/", dir, 0o755, "", 0, 0},
		{"etc/new", reg, 0o644, "new", 0, 0},
		{"etc/passwd", reg, 0o644, "root\nnonroot\n", 0, 0},
		{"etc/same", reg, 0o644, "same", 0, 0},
		{"turns", reg, 0o644, "now a file", 0, 0},
		{"usr/", dir, 0o755, "", 0, 0},
		{"usr/bin/", dir, 0o755, "", 0, 0},
		{"usr/bin/a", reg, 0o755, "busybox", 0, 0},
		{"usr/bin/b", hard, 0o755, "usr/bin/a", 0, 0},
		{"usr/bin/c", reg, 0o755, "linkstay", 0, 0},
		{"usr/bin/d", hard, 0o755, "usr/bin/c", 0, 0},
		{"usr/bin/e", hard, 0o755, "usr/bin/c", 0, 0},
		{"usr/bin/mode", reg, 0o700, "m", 0, 0},
		{"usr/bin/owner", reg, 0o755, "o", 1, 0},
		{"usr/bin/time", reg, 0o755, "t", 0, 5},
		{"usr/lib", sym, 0o777, "lib", 0, 0},
		{"was-file/", dir, 0o755, "", 0, 0},
		{"was-file/in", reg, 0o644, "in", 0, 0},
	}
	tmp := t.TempDir()
	baseTar := writeTestTar(t, tmp, "base.tar", base)
	fullTar := writeTestTar(t, tmp, "full.tar", full)

	var upper bytes.Buffer
	copied, whiteouts, err := Upper(t.Context(), baseTar, fullTar, 1000, &upper)
	if err != nil {
		t.Fatal(err)
	}
	// The union of base and upper is the full tree.
	got, want := applied{}, applied{}
	for _, f := range []string{baseTar} {
		data, _ := os.ReadFile(f)
		applyLayer(t, got, bytes.NewReader(data))
	}
	applyLayer(t, got, bytes.NewReader(upper.Bytes()))
	data, _ := os.ReadFile(fullTar)
	applyLayer(t, want, bytes.NewReader(data))
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s: base+upper has %q, want %q", k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: base+upper has it (%q), the full tree does not", k, got[k])
		}
	}

	// Unchanged paths stay out of the upper layer.
	names := map[string]bool{}
	tr := tar.NewReader(bytes.NewReader(upper.Bytes()))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names[cleanName(h.Name)] = true
	}
	for _, p := range []string{"etc/same", "etc", "usr", "usr/bin"} {
		if names[p] {
			t.Errorf("unchanged %s is in the upper layer", p)
		}
	}
	// Changed ones and whole hard-link sets are in it.
	for _, p := range []string{"etc/passwd", "etc/new", "usr/bin/a", "usr/bin/b", "usr/bin/c", "usr/bin/d", "usr/bin/e",
		"usr/bin/mode", "usr/bin/owner", "usr/bin/time", "usr/lib", "gone/.wh.a", ".wh.gone", "usr/.wh.rm", ".wh.turns", "turns", ".wh.was-file"} {
		if !names[p] && p != "gone/.wh.a" {
			t.Errorf("%s is not in the upper layer", p)
		}
	}
	if names["gone/.wh.a"] || names["gone/sub/.wh.b"] {
		t.Error("paths below a removed folder got their own whiteouts")
	}
	if copied+whiteouts != len(names) {
		t.Errorf("counted %d copied + %d whiteouts, the layer has %d entries", copied, whiteouts, len(names))
	}

	// Same inputs, same bytes.
	var again bytes.Buffer
	if _, _, err := Upper(t.Context(), baseTar, fullTar, 1000, &again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), upper.Bytes()) {
		t.Error("two runs wrote different upper layers")
	}
}

func TestUpperLayerBadTar(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	good := writeTestTar(t, tmp, "good.tar", []tent{{"a", tar.TypeReg, 0o644, "a", 0, 0}})
	bad := filepath.Join(tmp, "bad.tar")
	os.WriteFile(bad, bytes.Repeat([]byte("x"), 1024), 0o644)
	for _, tc := range [][2]string{{bad, good}, {good, bad}, {filepath.Join(tmp, "missing"), good}} {
		if _, _, err := Upper(t.Context(), tc[0], tc[1], 0, io.Discard); err == nil {
			t.Errorf("Upper(%s, %s) did not fail", tc[0], tc[1])
		}
	}
}
