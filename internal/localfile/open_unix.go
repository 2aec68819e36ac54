//go:build unix

package localfile

import "syscall"

// openFlags makes opening a named pipe return at once instead of waiting
// for a writer; it does not change reads of a regular file.
const openFlags = syscall.O_NONBLOCK
