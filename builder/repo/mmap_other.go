//go:build !linux

package repo

import "os"

// readFileShared returns the contents of a cache entry (mapped on Linux,
// see mmap_linux.go); the caller must not modify them. release does
// nothing here.
func readFileShared(path string) (b []byte, release func(), err error) {
	b, err = os.ReadFile(path)
	return b, func() {}, err
}
