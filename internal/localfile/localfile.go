// Package localfile opens and reads the local files slipway is handed
// (configurations, lockfiles, keys, RPMs) so that a hostile or mistaken
// path cannot hang or exhaust the process: each file is opened once,
// without blocking (a named pipe would otherwise wait for a writer
// forever), checked to be a regular file on the opened descriptor (after
// symbolic links were followed, so a link to /dev/zero is refused), and
// read through a limit that fits its kind.
//
// Errors are *fs.PathError values whose Op says what was being read:
// "reading gpgkey /x: not a regular file (character device)".
package localfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Limits for the kinds of files slipway reads whole.
const (
	// ConfigLimit bounds a configuration, an extends base, a .repo file
	// and a lockfile.
	ConfigLimit = 4 << 20
	// KeyLimit bounds a key file (OpenPGP keyring, cosign or PEM key).
	KeyLimit = 1 << 20
)

// ErrNotRegular is matched (errors.Is) by the error for a path that is not
// a regular file: a directory, a device, a named pipe or a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is matched by the error for a file beyond its limit.
var ErrTooLarge = errors.New("file too large")

type notRegular struct{ kind string }

func (e *notRegular) Error() string        { return "not a regular file (" + e.kind + ")" }
func (e *notRegular) Is(target error) bool { return target == ErrNotRegular }

type tooLarge struct{ limit int64 }

func (e *tooLarge) Error() string        { return "larger than " + Size(e.limit) }
func (e *tooLarge) Is(target error) bool { return target == ErrTooLarge }

// Size renders a byte count the way limits are written: "1 MiB", "4 GiB",
// "512 KiB", or bytes when it is not a whole number of KiB.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// kind names a file type for a message.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "irregular file"
}

// Open opens name for reading and returns it with its FileInfo. name must
// be a regular file once symbolic links are followed. what says what the
// file is for messages ("gpgkey", "lockfile"); the error's Op is
// "reading " + what (or "open" when what is empty).
func Open(name, what string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openFlags, 0)
	return check(f, err, name, what)
}

// OpenIn is Open for a name inside root: the file, and every symbolic
// link on the way to it, must stay inside root.
func OpenIn(root *os.Root, name, what string) (*os.File, fs.FileInfo, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|openFlags, 0)
	return check(f, err, name, what)
}

func check(f *os.File, err error, name, what string) (*os.File, fs.FileInfo, error) {
	if err != nil {
		return nil, nil, wrap(err, name, what)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, wrap(err, name, what)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, pathError(name, what, &notRegular{kind: kind(fi.Mode())})
	}
	return f, fi, nil
}

// ReadFile reads the regular file name whole; more than limit bytes is an
// error. The limit is enforced while reading too, so a file that grows
// after the check cannot get past it.
func ReadFile(name, what string, limit int64) ([]byte, error) {
	f, fi, err := Open(name, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, fi, name, what, limit)
}

// ReadFileIn is ReadFile for a name inside root (see OpenIn).
func ReadFileIn(root *os.Root, name, what string, limit int64) ([]byte, error) {
	f, fi, err := OpenIn(root, name, what)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, fi, name, what, limit)
}

func readAll(f *os.File, fi fs.FileInfo, name, what string, limit int64) ([]byte, error) {
	if fi.Size() > limit {
		return nil, pathError(name, what, &tooLarge{limit: limit})
	}
	b := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return nil, pathError(name, what, &tooLarge{limit: limit})
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, wrap(err, name, what)
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// wrap renames the Op of an *fs.PathError from the open or read to what
// was being read; other errors are wrapped in a new one.
func wrap(err error, name, what string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return pathError(name, what, err)
}

func pathError(name, what string, err error) error {
	op := "open"
	if what != "" {
		op = "reading " + what
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// Cause strips the *fs.PathError layers an error is wrapped in (os.Root
// calls nest them: "mkdirat keys: statat keys: path escapes from parent"),
// for callers that name the file themselves.
func Cause(err error) error {
	for {
		var pe *fs.PathError
		if !errors.As(err, &pe) {
			return err
		}
		err = pe.Err
	}
}
