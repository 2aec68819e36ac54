//go:build unix

package testrepo

import (
	"path/filepath"
	"testing"
	"time"
)

// TestLockFileExcludes checks that a second holder waits for the first:
// flock locks belong to open file descriptions, so two opens in one process
// exclude each other just as two test binaries do.
func TestLockFileExcludes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := lockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	acquired := make(chan func())
	go func() {
		u, err := lockFile(path)
		if err != nil {
			t.Error(err)
			close(acquired)
			return
		}
		acquired <- u
	}()
	select {
	case <-acquired:
		t.Fatal("second lockFile returned while the first holds the lock")
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case u := <-acquired:
		if u != nil {
			u()
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second lockFile did not return after unlock")
	}
}
