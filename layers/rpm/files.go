package rpm

import (
	"crypto"
	"fmt"
	"io/fs"
	"path"
)

// FileFlags is rpm's RPMFILE_* attribute word.
type FileFlags uint32

// The RPMFILE_* bits (rpmfiles.h).
const (
	FileConfig    FileFlags = 1 << 0
	FileDoc       FileFlags = 1 << 1
	FileIcon      FileFlags = 1 << 2
	FileMissingOK FileFlags = 1 << 3
	FileNoReplace FileFlags = 1 << 4
	FileSpecfile  FileFlags = 1 << 5
	FileGhost     FileFlags = 1 << 6
	FileLicense   FileFlags = 1 << 7
	FileReadme    FileFlags = 1 << 8
	FilePubkey    FileFlags = 1 << 11
	FileArtifact  FileFlags = 1 << 12
)

// Unix file type bits of File.Mode.
const (
	modeType    = 0o170000
	modeDir     = 0o040000
	modeReg     = 0o100000
	modeSymlink = 0o120000
	modeChar    = 0o020000
	modeBlock   = 0o060000
	modeFifo    = 0o010000
	modeSocket  = 0o140000
)

// File is one file of a package, as the header describes it.
type File struct {
	Index       int    // position in the header's file arrays
	Path        string // absolute path, e.g. /usr/bin/sh
	Mode        uint32 // st_mode: type and permission bits
	Size        int64
	User, Group string
	MTime       int64  // seconds since the epoch
	Digest      string // hex, in the package's DigestAlgo; "" for non-regular files
	LinkTo      string // symlink target
	Flags       FileFlags
	VerifyFlags uint32
	Caps        string // file capabilities in cap_from_text form, or ""
	Rdev        uint32
	Device      uint32 // with Inode, identifies hard-link sets
	Inode       uint32
	Lang        string
	Color       uint32
}

// IsRegular, IsDir and IsSymlink report the file's type.
func (f *File) IsRegular() bool { return f.Mode&modeType == modeReg }
func (f *File) IsDir() bool     { return f.Mode&modeType == modeDir }
func (f *File) IsSymlink() bool { return f.Mode&modeType == modeSymlink }

// IsGhost reports a %ghost file: owned, but not in the payload.
func (f *File) IsGhost() bool { return f.Flags&FileGhost != 0 }

// FileMode converts Mode to an fs.FileMode.
func (f *File) FileMode() fs.FileMode {
	m := fs.FileMode(f.Mode & 0o777)
	if f.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if f.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if f.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	switch f.Mode & modeType {
	case modeDir:
		m |= fs.ModeDir
	case modeSymlink:
		m |= fs.ModeSymlink
	case modeChar:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case modeBlock:
		m |= fs.ModeDevice
	case modeFifo:
		m |= fs.ModeNamedPipe
	case modeSocket:
		m |= fs.ModeSocket
	}
	return m
}

// DigestAlgo is the PGPHASHALGO_* number of file and payload digests.
type DigestAlgo uint32

// The digest algorithms RPM uses (OpenPGP hash algorithm numbers).
const (
	DigestMD5    DigestAlgo = 1
	DigestSHA1   DigestAlgo = 2
	DigestSHA256 DigestAlgo = 8
	DigestSHA384 DigestAlgo = 9
	DigestSHA512 DigestAlgo = 10
	DigestSHA224 DigestAlgo = 11
)

// Hash returns the Go hash for the algorithm, or 0 when unknown.
func (a DigestAlgo) Hash() crypto.Hash {
	switch a {
	case DigestMD5:
		return crypto.MD5
	case DigestSHA1:
		return crypto.SHA1
	case DigestSHA256:
		return crypto.SHA256
	case DigestSHA384:
		return crypto.SHA384
	case DigestSHA512:
		return crypto.SHA512
	case DigestSHA224:
		return crypto.SHA224
	}
	return 0
}

func (a DigestAlgo) String() string {
	names := map[DigestAlgo]string{1: "MD5", 2: "SHA1", 8: "SHA256", 9: "SHA384", 10: "SHA512", 11: "SHA224"}
	if n, ok := names[a]; ok {
		return n
	}
	return fmt.Sprintf("algo %d", uint32(a))
}

// FileDigestAlgo returns the algorithm of the file digests: MD5 when the
// header does not say (rpm's default).
func (p *Package) FileDigestAlgo() DigestAlgo {
	if a, ok := p.Header.Int(TagFileDigestAlgo); ok {
		return DigestAlgo(a)
	}
	return DigestMD5
}

// Files returns the package's files in header order (rpm keeps them sorted
// by path).
func (p *Package) Files() ([]File, error) {
	h := p.Header
	var paths []string
	if h.Has(TagBasenames) {
		base, err := h.Strings(TagBasenames)
		if err != nil {
			return nil, err
		}
		dirs, err := h.Strings(TagDirnames)
		if err != nil {
			return nil, err
		}
		idx, err := h.Ints(TagDirIndexes)
		if err != nil {
			return nil, err
		}
		if len(idx) != len(base) {
			return nil, formatErr("header", "%d basenames but %d dirindexes", len(base), len(idx))
		}
		paths = make([]string, len(base))
		for i, b := range base {
			if idx[i] >= uint64(len(dirs)) {
				return nil, formatErr("header", "file %d (%s): dirindex %d out of %d dirnames", i, b, idx[i], len(dirs))
			}
			paths[i] = dirs[idx[i]] + b
		}
	} else if h.Has(TagOldFilenames) {
		var err error
		if paths, err = h.Strings(TagOldFilenames); err != nil {
			return nil, err
		}
	}
	n := len(paths)
	if n == 0 {
		return nil, nil
	}
	var ferr error
	ints := func(tag Tag) []uint64 {
		v, err := h.Ints(tag)
		if err == nil && v != nil && len(v) != n {
			err = formatErr("header", "tag %d: %d values for %d files", tag, len(v), n)
		}
		if err != nil && ferr == nil {
			ferr = err
		}
		return v
	}
	strs := func(tag Tag) []string {
		v, err := h.Strings(tag)
		if err == nil && v != nil && len(v) != n {
			err = formatErr("header", "tag %d: %d values for %d files", tag, len(v), n)
		}
		if err != nil && ferr == nil {
			ferr = err
		}
		return v
	}
	sizes := ints(TagLongFileSizes)
	if sizes == nil {
		sizes = ints(TagFileSizes)
	}
	modes, rdevs, mtimes := ints(TagFileModes), ints(TagFileRdevs), ints(TagFileMtimes)
	flags, vflags := ints(TagFileFlags), ints(TagFileVerifyFlags)
	devs, inodes, colors := ints(TagFileDevices), ints(TagFileInodes), ints(TagFileColors)
	digests, links := strs(TagFileDigests), strs(TagFileLinkTos)
	users, groups := strs(TagFileUsername), strs(TagFileGroupname)
	langs, caps := strs(TagFileLangs), strs(TagFileCaps)
	if ferr != nil {
		return nil, ferr
	}
	at := func(v []uint64, i int) uint64 {
		if v == nil {
			return 0
		}
		return v[i]
	}
	st := func(v []string, i int) string {
		if v == nil {
			return ""
		}
		return v[i]
	}
	files := make([]File, n)
	for i := range files {
		files[i] = File{
			Index:       i,
			Path:        paths[i],
			Mode:        uint32(at(modes, i)),
			Size:        int64(at(sizes, i)),
			User:        st(users, i),
			Group:       st(groups, i),
			MTime:       int64(at(mtimes, i)),
			Digest:      st(digests, i),
			LinkTo:      st(links, i),
			Flags:       FileFlags(at(flags, i)),
			VerifyFlags: uint32(at(vflags, i)),
			Caps:        st(caps, i),
			Rdev:        uint32(at(rdevs, i)),
			Device:      uint32(at(devs, i)),
			Inode:       uint32(at(inodes, i)),
			Lang:        st(langs, i),
			Color:       uint32(at(colors, i)),
		}
		if files[i].Size < 0 {
			return nil, formatErr("header", "file %s: size %d out of range", paths[i], files[i].Size)
		}
		if !path.IsAbs(paths[i]) {
			return nil, formatErr("header", "file %d: path %q is not absolute", i, paths[i])
		}
	}
	return files, nil
}
