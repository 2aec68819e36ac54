package rootfs_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-build/slipway/layers/rootfs"
)

// tarEntries reads a tar into name -> header and body, and the names in
// order.
func tarEntries(t *testing.T, data []byte) ([]string, map[string]*tar.Header, map[string][]byte) {
	t.Helper()
	var names []string
	hs, bodies := map[string]*tar.Header{}, map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, hs, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		hs[h.Name], bodies[h.Name] = h, b
	}
}

// TestLayout: the Layout's entries (headers and owners) and report are
// WriteTar's, before anything is written; WriteEntries of every entry
// writes WriteTar's bytes, with or without SingleWrite; of some, exactly
// those, in order, as WriteTar writes them; of none, an empty tar; calls
// run at once.
func TestLayout(t *testing.T) {
	t.Parallel()
	rpms := fullSet(t)
	opts := rootfs.Options{BuildTime: buildTime, LDCache: true, Arch: "x86_64"}
	want, rep := build(t, opts, rpms)
	wantNames, wantHeaders, wantBodies := tarEntries(t, want)
	for _, single := range []bool{false, true} {
		opts := opts
		opts.SingleWrite = single
		opts.SpoolDir = t.TempDir()
		w, err := rootfs.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := w.AddRPMFiles(t.Context(), rpms); err != nil {
			t.Fatal(err)
		}
		l, err := w.Layout(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Entries) != len(wantNames) || l.Report.Entries != rep.Entries || l.Report.Bytes != rep.Bytes || len(l.Report.Owners) != len(rep.Owners) {
			t.Errorf("single %v: the layout has %d entries, report %d/%d bytes; WriteTar: %d entries, %d bytes", single, len(l.Entries), l.Report.Entries, l.Report.Bytes, len(wantNames), rep.Bytes)
		}
		for i, e := range l.Entries {
			if i < len(wantNames) && (e.Header.Name != wantNames[i] || e.Owner != rep.Owners[strings.TrimSuffix(e.Header.Name, "/")]) {
				t.Errorf("single %v: entry %d is %s of %s, WriteTar's %s of %s", single, i, e.Header.Name, e.Owner, wantNames[i], rep.Owners[strings.TrimSuffix(wantNames[i], "/")])
				break
			}
		}
		var every, dirs, glibc []int
		pick := map[string]bool{} // the names written with glibc's
		for i, e := range l.Entries {
			every = append(every, i)
			if e.Header.Typeflag == tar.TypeDir {
				dirs = append(dirs, i)
			}
			if strings.HasPrefix(e.Owner, "glibc-") {
				glibc = append(glibc, i)
				pick[e.Header.Name] = true
			}
		}
		var all, dirTar, glibcTar, none bytes.Buffer
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i, job := range []struct {
			out *bytes.Buffer
			idx []int
		}{{&all, every}, {&dirTar, dirs}, {&glibcTar, glibc}, {&none, nil}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = l.WriteEntries(t.Context(), job.out, job.idx)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(all.Bytes(), want) {
			t.Errorf("single %v: the tar of every entry: %d bytes, WriteTar %d", single, all.Len(), len(want))
		}
		for _, tc := range []struct {
			name string
			data []byte
			want func(h *tar.Header) bool
		}{
			{"folders", dirTar.Bytes(), func(h *tar.Header) bool { return h.Typeflag == tar.TypeDir }},
			{"glibc", glibcTar.Bytes(), func(h *tar.Header) bool { return pick[h.Name] }},
			{"nothing", none.Bytes(), func(*tar.Header) bool { return false }},
		} {
			names, hs, bodies := tarEntries(t, tc.data)
			var wantSome []string
			for _, n := range wantNames {
				if tc.want(wantHeaders[n]) {
					wantSome = append(wantSome, n)
				}
			}
			if strings.Join(names, "\n") != strings.Join(wantSome, "\n") {
				t.Errorf("single %v: %s: %d entries, want %d", single, tc.name, len(names), len(wantSome))
				continue
			}
			regular := 0
			for _, n := range names {
				h, wh := hs[n], wantHeaders[n]
				if h.Typeflag != wh.Typeflag || h.Mode != wh.Mode || h.Uid != wh.Uid || !h.ModTime.Equal(wh.ModTime) || h.Linkname != wh.Linkname || !bytes.Equal(bodies[n], wantBodies[n]) {
					t.Errorf("single %v: %s: %s differs from WriteTar's", single, tc.name, n)
				}
				if h.Typeflag == tar.TypeReg && h.Size > 0 {
					regular++
				}
			}
			if tc.name == "glibc" && regular == 0 {
				t.Errorf("single %v: no glibc file with content written", single)
			}
		}
		if single {
			if _, err := w.Layout(t.Context()); err == nil {
				t.Error("a second Layout with SingleWrite did not fail")
			}
		}
	}
}

// TestWriteEntriesBadIndexes: indexes out of range or out of order are
// refused.
func TestWriteEntriesBadIndexes(t *testing.T) {
	t.Parallel()
	rpms := fullSet(t)[:1]
	w, err := rootfs.New(rootfs.Options{BuildTime: buildTime, SpoolDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(context.Background(), rpms); err != nil {
		t.Fatal(err)
	}
	l, err := w.Layout(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := len(l.Entries)
	for _, idx := range [][]int{{-1}, {n}, {1, 0}, {0, 0}} {
		err := l.WriteEntries(t.Context(), io.Discard, idx)
		if err == nil || !strings.Contains(err.Error(), "out of order or range") {
			t.Errorf("%v: %v", idx, err)
		}
	}
}
