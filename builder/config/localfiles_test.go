//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileLocalFiles: files the configuration names that are not
// regular files (a named pipe, /dev/zero behind a symlink) are refused at
// once, naming the file; oversized ones are refused by their limit.
func TestHostileLocalFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) // makes dir/c.toml and what it names
		want  string                         // %s is dir
	}{
		{"extends a named pipe", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "base.toml"))
			write(t, filepath.Join(dir, "c.toml"), "extends = \"base.toml\"\n")
		}, "%s/c.toml:1: extends: reading %s/base.toml: not a regular file (named pipe)"},
		{"extends a symlink to /dev/zero", func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "base.toml"))
			write(t, filepath.Join(dir, "c.toml"), "extends = \"base.toml\"\n")
		}, "%s/c.toml:1: extends: reading %s/base.toml: not a regular file (character device)"},
		{"config is a named pipe", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "c.toml"))
		}, "reading config %s/c.toml: not a regular file (named pipe)"},
		{"config is a directory", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "c.toml"), 0o755)
		}, "reading config %s/c.toml: not a regular file (directory)"},
		{"gpgkey is a symlink to /dev/zero", func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "key.asc"))
			write(t, filepath.Join(dir, "c.toml"), strings.Replace(minimal, "gpgcheck = false", "gpgcheck = true\ngpgkey = [\"key.asc\"]", 1))
		}, "%s/c.toml:10: repository[local].gpgkey: reading key %s/key.asc: not a regular file (character device)"},
		{"gpgkey is a named pipe", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "key.asc"))
			write(t, filepath.Join(dir, "c.toml"), strings.Replace(minimal, "gpgcheck = false", "gpgcheck = true\ngpgkey = [\"key.asc\"]", 1))
		}, "%s/c.toml:10: repository[local].gpgkey: reading key %s/key.asc: not a regular file (named pipe)"},
		{"gpgkey of 1 MiB and a byte", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "key.asc"), strings.Repeat("k", 1<<20+1))
			write(t, filepath.Join(dir, "c.toml"), strings.Replace(minimal, "gpgcheck = false", "gpgcheck = true\ngpgkey = [\"key.asc\"]", 1))
		}, "%s/c.toml:10: repository[local].gpgkey: reading key %s/key.asc: larger than 1 MiB"},
		{"repofile is a named pipe", func(t *testing.T, dir string) {
			mkfifo(t, filepath.Join(dir, "x.repo"))
			write(t, filepath.Join(dir, "c.toml"), strings.Replace(minimal, "[[repository]]", "[[repository]]\nrepofile = \"x.repo\"\n[[repository]]", 1))
		}, "%s/c.toml:7: repository[0].repofile: reading x.repo: not a regular file (named pipe)"},
		{"extends a 5 MiB file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "base.toml"), "# "+strings.Repeat("x", 5<<20)+"\n")
			write(t, filepath.Join(dir, "c.toml"), "extends = \"base.toml\"\n")
		}, "%s/base.toml: larger than 4 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tc.setup(t, dir)
			done := make(chan error, 1)
			go func() {
				_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Load hangs")
			}
			want := strings.ReplaceAll(tc.want, "%s", dir)
			if err == nil || err.Error() != want {
				t.Errorf("error %v\nwant  %s", err, want)
			}
		})
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}
