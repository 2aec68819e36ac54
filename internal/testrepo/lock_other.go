//go:build !unix

package testrepo

// lockFile does not lock where flock is missing: concurrent generators then
// each build into their own temporary folder and the last rename wins.
func lockFile(path string) (unlock func(), err error) {
	return func() {}, nil
}
