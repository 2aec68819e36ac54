package rootfs_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
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

// TestWriteTars: the route sees WriteTar's entries (headers and owners,
// in order) before anything is written; a tar that gets every entry has
// WriteTar's bytes, with or without SingleWrite; a tar that gets some
// holds exactly those, in order, as WriteTar writes them (a file's body
// to two tars at once); a tar that gets none is an empty tar.
func TestWriteTars(t *testing.T) {
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
		var all, dirs, glibc, none bytes.Buffer
		var seen []rootfs.TarEntry
		pick := map[string]bool{} // the names routed to glibc
		got, err := w.WriteTars(t.Context(), func(es []rootfs.TarEntry) (rootfs.Route, error) {
			seen = es
			to := make([][]int, len(es))
			for i, e := range es {
				to[i] = []int{0}
				if e.Header.Typeflag == tar.TypeDir {
					to[i] = append(to[i], 1)
				}
				if strings.HasPrefix(e.Owner, "glibc-") {
					to[i] = append(to[i], 2)
					pick[e.Header.Name] = true
				}
			}
			return rootfs.Route{Outs: []io.Writer{&all, &dirs, &glibc, &none}, To: to}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(all.Bytes(), want) {
			t.Errorf("single %v: the tar of every entry: %d bytes, WriteTar %d", single, all.Len(), len(want))
		}
		if len(seen) != len(wantNames) || got.Entries != rep.Entries || got.Bytes != rep.Bytes {
			t.Errorf("single %v: the route saw %d entries, report %d/%d bytes; WriteTar: %d entries, %d bytes", single, len(seen), got.Entries, got.Bytes, len(wantNames), rep.Bytes)
		}
		for i, e := range seen {
			if i < len(wantNames) && (e.Header.Name != wantNames[i] || e.Owner != rep.Owners[strings.TrimSuffix(e.Header.Name, "/")]) {
				t.Errorf("single %v: entry %d is %s of %s, WriteTar's %s of %s", single, i, e.Header.Name, e.Owner, wantNames[i], rep.Owners[strings.TrimSuffix(wantNames[i], "/")])
				break
			}
		}
		for _, tc := range []struct {
			name string
			data []byte
			want func(h *tar.Header) bool
		}{
			{"folders", dirs.Bytes(), func(h *tar.Header) bool { return h.Typeflag == tar.TypeDir }},
			{"glibc", glibc.Bytes(), func(h *tar.Header) bool { return pick[h.Name] }},
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
				t.Errorf("single %v: no glibc file with content went to a second tar", single)
			}
		}
		if single {
			if _, err := w.WriteTars(t.Context(), func([]rootfs.TarEntry) (rootfs.Route, error) { return rootfs.Route{}, nil }); err == nil {
				t.Error("a second WriteTars with SingleWrite did not fail")
			}
		}
	}
}

// TestWriteTarsBadRoute: a route that fails, names a tar it does not
// have, or routes another number of entries stops the write with an
// error.
func TestWriteTarsBadRoute(t *testing.T) {
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
	boom := errors.New("boom")
	for _, tc := range []struct {
		name  string
		route func([]rootfs.TarEntry) (rootfs.Route, error)
		want  string
	}{
		{"route fails", func([]rootfs.TarEntry) (rootfs.Route, error) { return rootfs.Route{}, boom }, "boom"},
		{"short", func(es []rootfs.TarEntry) (rootfs.Route, error) {
			return rootfs.Route{Outs: []io.Writer{io.Discard}, To: make([][]int, len(es)-1)}, nil
		}, "a route of"},
		{"no such tar", func(es []rootfs.TarEntry) (rootfs.Route, error) {
			to := make([][]int, len(es))
			to[len(to)-1] = []int{1}
			return rootfs.Route{Outs: []io.Writer{io.Discard}, To: to}, nil
		}, "routed to tar 1 of 1"},
	} {
		_, err := w.WriteTars(t.Context(), tc.route)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
