//go:build unix

package manifests

import (
	"os"
	"syscall"
)

// lockLayout takes an exclusive advisory lock on f (an existing layout's
// oci-layout file), waiting for other writers; the returned function
// releases it.
func lockLayout(f *os.File) (func(), error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
	}
}
