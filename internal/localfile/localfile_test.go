//go:build unix

package localfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Repeat("k", n)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small", 100)
	exact := write("exact", 1<<20)
	big := write("big", 1<<20+1)
	empty := write("empty", 0)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	linkZero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", linkZero); err != nil {
		t.Fatal(err)
	}
	linkFifo := filepath.Join(dir, "fifo-link")
	if err := os.Symlink(fifo, linkFifo); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		want       int
		err        string
		is         error
	}{
		{"small", small, 100, "", nil},
		{"exactly the limit", exact, 1 << 20, "", nil},
		{"empty", empty, 0, "", nil},
		{"one byte over", big, 0, "reading key " + big + ": larger than 1 MiB", ErrTooLarge},
		{"/dev/zero", "/dev/zero", 0, "reading key /dev/zero: not a regular file (character device)", ErrNotRegular},
		{"symlink to /dev/zero", linkZero, 0, "reading key " + linkZero + ": not a regular file (character device)", ErrNotRegular},
		{"named pipe", fifo, 0, "reading key " + fifo + ": not a regular file (named pipe)", ErrNotRegular},
		{"symlink to a named pipe", linkFifo, 0, "reading key " + linkFifo + ": not a regular file (named pipe)", ErrNotRegular},
		{"directory", dir, 0, "reading key " + dir + ": not a regular file (directory)", ErrNotRegular},
		{"missing", filepath.Join(dir, "nope"), 0, "reading key " + filepath.Join(dir, "nope") + ": no such file or directory", fs.ErrNotExist},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan struct{})
			var b []byte
			var err error
			go func() {
				defer close(done)
				b, err = ReadFile(tc.path, "key", KeyLimit)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ReadFile hangs")
			}
			if tc.err == "" {
				if err != nil || len(b) != tc.want {
					t.Fatalf("got %d bytes, %v; want %d", len(b), err, tc.want)
				}
				return
			}
			if err == nil || err.Error() != tc.err {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
		})
	}
}

func TestOpenIn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("s"), 0o644)
	os.WriteFile(filepath.Join(dir, "in"), []byte("i"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "abs"))
	os.Symlink("../"+filepath.Base(filepath.Dir(outside))+"/secret", filepath.Join(dir, "rel"))
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if b, err := ReadFileIn(root, "in", "x", 10); err != nil || string(b) != "i" {
		t.Errorf("in: %q %v", b, err)
	}
	for _, name := range []string{"abs", "rel", "../x", outside} {
		if _, err := ReadFileIn(root, name, "x", 10); err == nil {
			t.Errorf("%s: read outside the root", name)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1 << 20: "1 MiB", 4 << 20: "4 MiB", 1 << 30: "1 GiB", 512 << 10: "512 KiB", 1000: "1000 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
