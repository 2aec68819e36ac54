//go:build unix

package repo

import (
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestLocalFilesNotRegular: in a file:// repository (or a vendor folder),
// a package that is a named pipe or a link to /dev/zero is refused at
// once; a location that decodes to .. is refused; so is a key file that
// is not a regular file.
func TestLocalFilesNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.rpm"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.rpm"))
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.asc"))
	os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.rpm"), []byte("x"), 0o644)
	base := (&url.URL{Scheme: "file", Path: dir + "/"}).String()
	_, sum := blob(10)
	cases := []struct {
		name, location, want string
	}{
		{"named pipe", "fifo.rpm", "downloading p from " + base + "fifo.rpm: open " + dir + "/fifo.rpm: not a regular file (named pipe)"},
		{"link to /dev/zero", "zero.rpm", "downloading p from " + base + "zero.rpm: open " + dir + "/zero.rpm: not a regular file (character device)"},
		{"percent-encoded ..", "%2e%2e/outside.rpm", `p: location "%2e%2e/outside.rpm" is not a path inside the repository`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newTestDownloader(t, t.TempDir())
			done := make(chan error, 1)
			go func() {
				_, err := d.Fetch(t.Context(), []PackageFile{{Name: "p", BaseURL: base, Location: tc.location, Checksum: sum, Size: 10}}, FetchOptions{})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || err.Error() != tc.want {
					t.Errorf("error %v\nwant  %s", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Fetch hangs")
			}
		})
	}
	t.Run("gpgkey", func(t *testing.T) {
		t.Parallel()
		d := newTestDownloader(t, t.TempDir())
		for _, k := range []string{filepath.Join(dir, "zero.asc"), "file://" + filepath.Join(dir, "zero.asc")} {
			_, err := d.KeyRing(t.Context(), []string{k})
			want := "reading gpgkey " + filepath.Join(dir, "zero.asc") + ": not a regular file (character device)"
			if err == nil || err.Error() != want {
				t.Errorf("%s: error %v, want %q", k, err, want)
			}
		}
	})
	t.Run("cache entry is a named pipe", func(t *testing.T) {
		t.Parallel()
		data, sum := blob(100)
		repoDir := t.TempDir()
		os.WriteFile(filepath.Join(repoDir, "a.rpm"), data, 0o644)
		cache := t.TempDir()
		d := newTestDownloader(t, cache)
		dst, err := d.CachePath(sum)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := syscall.Mkfifo(dst, 0o644); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := d.Fetch(t.Context(), []PackageFile{{Name: "a", BaseURL: "file://" + repoDir + "/", Location: "a.rpm", Checksum: sum, Size: 100}}, FetchOptions{})
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("a damaged entry is fetched again: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Fetch hangs on a named pipe in the cache")
		}
		if fi, err := os.Lstat(dst); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("cache entry %v %v", fi, err)
		}
	})
}
