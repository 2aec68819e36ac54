package scriptlet

import (
	"io/fs"
	"syscall"
)

func ownerOf(fi fs.FileInfo) (uint32, uint32) {
	st := fi.Sys().(*syscall.Stat_t)
	return st.Uid, st.Gid
}
