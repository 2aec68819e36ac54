//go:build !linux

package repo

import "os"

// readFileShared returns the contents of a cache entry (mapped on Linux,
// see mmap_linux.go); the caller must not modify them.
func readFileShared(path string) ([]byte, error) { return os.ReadFile(path) }
