// Package ldcache writes /etc/ld.so.cache in glibc's current format
// ("glibc-ld.so.cache1.1", the only format glibc >= 2.32 writes by
// default), the way ldconfig lays it out: entries sorted by
// _dl_cache_libcmp (descending), one string table with shared suffixes, and
// an extension section naming the generator.
package ldcache

import (
	"bytes"
	"cmp"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Flag bits of a cache entry (glibc's ldconfig.h / dl-cache.h).
const (
	FlagELFLibc6     = 0x0003
	FlagSparcLib64   = 0x0100
	FlagX8664Lib64   = 0x0300
	FlagS390Lib64    = 0x0400
	FlagPowerPCLib64 = 0x0500
	FlagARMLibHF     = 0x0900
	FlagAArch64Lib64 = 0x0a00
)

const (
	magic          = "glibc-ld.so.cache1.1"
	headerSize     = 48
	entrySize      = 24
	extMagic       = 0xeaa42174
	extTagGen      = 0
	endianLittle   = 2
	endianBig      = 3
	defaultGenName = "slipway"
)

// Lib is one cache entry: a library's soname, the path the loader opens,
// and its flags (class and ABI).
type Lib struct {
	Soname string
	Path   string
	Flags  int32
	HWCap  uint64
}

// Flags returns the cache flags of an ELF shared object, or an error for
// an ELF kind ldconfig does not record.
func Flags(f *elf.File) (int32, error) {
	switch {
	case f.Class == elf.ELFCLASS64 && f.Machine == elf.EM_X86_64:
		return FlagELFLibc6 | FlagX8664Lib64, nil
	case f.Class == elf.ELFCLASS64 && f.Machine == elf.EM_AARCH64:
		return FlagELFLibc6 | FlagAArch64Lib64, nil
	case f.Class == elf.ELFCLASS64 && (f.Machine == elf.EM_PPC64):
		return FlagELFLibc6 | FlagPowerPCLib64, nil
	case f.Class == elf.ELFCLASS64 && f.Machine == elf.EM_S390:
		return FlagELFLibc6 | FlagS390Lib64, nil
	case f.Class == elf.ELFCLASS32 && f.Machine == elf.EM_ARM:
		// debug/elf does not expose e_flags (EF_ARM_ABI_FLOAT_HARD):
		// 32-bit ARM is taken as hard-float, as current distributions ship.
		return FlagELFLibc6 | FlagARMLibHF, nil
	case f.Class == elf.ELFCLASS32:
		return FlagELFLibc6, nil
	}
	return 0, fmt.Errorf("ELF class %v machine %v is not supported", f.Class, f.Machine)
}

// Soname reads an ELF file's DT_SONAME ("" when it has none) and its cache
// flags. Files that are not ELF shared objects give an error.
func Soname(r io.ReaderAt) (string, int32, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		return "", 0, fmt.Errorf("ELF type %v is not a shared object", f.Type)
	}
	flags, err := Flags(f)
	if err != nil {
		return "", 0, err
	}
	names, err := f.DynString(elf.DT_SONAME)
	if err != nil && f.Section(".dynamic") != nil {
		return "", 0, fmt.Errorf("reading DT_SONAME: %w", err)
	}
	if len(names) > 0 {
		return names[0], flags, nil
	}
	return "", flags, nil
}

// LibCmp is glibc's _dl_cache_libcmp: byte order, except that runs of
// digits compare as numbers.
func LibCmp(a, b string) int {
	i, j := 0, 0
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	at := func(s string, k int) byte {
		if k < len(s) {
			return s[k]
		}
		return 0
	}
	for i < len(a) {
		c1, c2 := a[i], at(b, j)
		switch {
		case isDigit(c1):
			if !isDigit(c2) {
				return 1
			}
			v1, v2 := 0, 0
			for i < len(a) && isDigit(a[i]) {
				v1 = v1*10 + int(a[i]-'0')
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				v2 = v2*10 + int(b[j]-'0')
				j++
			}
			if v1 != v2 {
				return v1 - v2
			}
		case isDigit(c2):
			return -1
		case c1 != c2:
			return int(c1) - int(c2)
		default:
			i++
			j++
		}
	}
	return -int(at(b, j))
}

// Sort orders libs as ldconfig does: by soname descending (LibCmp), then
// by flags descending, then by hwcap descending; equal entries keep their
// order (ldconfig inserts after equals).
func Sort(libs []Lib) {
	slices.SortStableFunc(libs, func(x, y Lib) int {
		if c := LibCmp(y.Soname, x.Soname); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Flags, x.Flags); c != 0 {
			return c
		}
		return cmp.Compare(y.HWCap, x.HWCap)
	})
}

// Encode writes a cache holding libs (which it sorts, in a copy). generator
// is recorded in the generator extension ("" means "slipway").
func Encode(libs []Lib, generator string) []byte {
	libs = slices.Clone(libs)
	Sort(libs)
	if generator == "" {
		generator = defaultGenName
	}
	var strs []string
	for _, l := range libs {
		strs = append(strs, l.Soname, l.Path)
	}
	table, off := stringTable(strs)
	base := uint32(headerSize + entrySize*len(libs))
	extOff := base + uint32(len(table))
	extOff = (extOff + 3) &^ 3

	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString(magic)
	b.Write(le.AppendUint32(nil, uint32(len(libs))))
	b.Write(le.AppendUint32(nil, uint32(len(table))))
	b.WriteByte(endianLittle)
	b.Write([]byte{0, 0, 0})
	b.Write(le.AppendUint32(nil, extOff))
	b.Write(make([]byte, 12))
	for _, l := range libs {
		b.Write(le.AppendUint32(nil, uint32(l.Flags)))
		b.Write(le.AppendUint32(nil, base+off[l.Soname]))
		b.Write(le.AppendUint32(nil, base+off[l.Path]))
		b.Write(le.AppendUint32(nil, 0))
		b.Write(le.AppendUint64(nil, l.HWCap))
	}
	b.Write(table)
	for uint32(b.Len()) < extOff {
		b.WriteByte(0)
	}
	b.Write(le.AppendUint32(nil, extMagic))
	b.Write(le.AppendUint32(nil, 1))
	b.Write(le.AppendUint32(nil, extTagGen))
	b.Write(le.AppendUint32(nil, 0))
	b.Write(le.AppendUint32(nil, extOff+8+16))
	b.Write(le.AppendUint32(nil, uint32(len(generator))))
	b.WriteString(generator)
	return b.Bytes()
}

// stringTable lays out strings as glibc's stringtable_finalize does:
// sorted by their reversed bytes (descending, longer first), each string
// stored once, a string that is a suffix of its predecessor stored inside
// it. It returns the table and each string's offset in it.
func stringTable(strs []string) ([]byte, map[string]uint32) {
	uniq := map[string]bool{}
	var list []string
	for _, s := range strs {
		if !uniq[s] {
			uniq[s] = true
			list = append(list, s)
		}
	}
	slices.SortFunc(list, func(l, r string) int {
		n := min(len(l), len(r))
		for i := 1; i <= n; i++ {
			lc, rc := l[len(l)-i], r[len(r)-i]
			if lc != rc {
				return int(rc) - int(lc)
			}
		}
		return len(r) - len(l)
	})
	off := map[string]uint32{}
	if len(list) == 0 {
		return nil, off
	}
	var cur uint32
	off[list[0]] = 0
	for j := 1; j < len(list); j++ {
		prev, s := list[j-1], list[j]
		if len(prev) >= len(s) && strings.HasSuffix(prev, s) {
			off[s] = off[prev] + uint32(len(prev)-len(s))
		} else {
			off[s] = off[prev] + uint32(len(prev)) + 1
		}
		cur = off[s] + uint32(len(s)) + 1
	}
	if len(list) == 1 {
		cur = uint32(len(list[0])) + 1
	}
	table := make([]byte, cur)
	for _, s := range list {
		copy(table[off[s]:], s)
	}
	return table, off
}

// ErrFormat is wrapped by Decode's errors.
var ErrFormat = errors.New("not a glibc-ld.so.cache1.1 file")

// Decode reads a cache in the new format (as Encode writes it, or ldconfig)
// and returns its entries in file order and the generator string.
func Decode(data []byte) ([]Lib, string, error) {
	if len(data) < headerSize || string(data[:len(magic)]) != magic {
		return nil, "", fmt.Errorf("ld.so.cache: %w", ErrFormat)
	}
	le := binary.LittleEndian
	n := le.Uint32(data[20:])
	if uint64(n)*entrySize > uint64(len(data)-headerSize) {
		return nil, "", fmt.Errorf("ld.so.cache: %d entries do not fit in %d bytes: %w", n, len(data), ErrFormat)
	}
	str := func(o uint32) (string, error) {
		if uint64(o) >= uint64(len(data)) {
			return "", fmt.Errorf("ld.so.cache: string offset %d out of range: %w", o, ErrFormat)
		}
		e := bytes.IndexByte(data[o:], 0)
		if e < 0 {
			return "", fmt.Errorf("ld.so.cache: unterminated string at %d: %w", o, ErrFormat)
		}
		return string(data[o : o+uint32(e)]), nil
	}
	libs := make([]Lib, 0, n)
	for i := range n {
		e := data[headerSize+i*entrySize:]
		k, err := str(le.Uint32(e[4:]))
		if err != nil {
			return nil, "", err
		}
		v, err := str(le.Uint32(e[8:]))
		if err != nil {
			return nil, "", err
		}
		libs = append(libs, Lib{Soname: k, Path: v, Flags: int32(le.Uint32(e[0:])), HWCap: le.Uint64(e[16:])})
	}
	var gen string
	if eo := le.Uint32(data[32:]); eo != 0 && uint64(eo)+8 <= uint64(len(data)) && le.Uint32(data[eo:]) == extMagic {
		cnt := le.Uint32(data[eo+4:])
		for i := range min(cnt, 64) {
			so := uint64(eo) + 8 + uint64(i)*16
			if so+16 > uint64(len(data)) {
				break
			}
			tag, o, sz := le.Uint32(data[so:]), le.Uint32(data[so+8:]), le.Uint32(data[so+12:])
			if tag == extTagGen && uint64(o)+uint64(sz) <= uint64(len(data)) {
				gen = string(data[o : o+sz])
			}
		}
	}
	return libs, gen, nil
}

// ConfLine is one directory or one include pattern of an ld.so.conf, in
// file order (ldconfig reads an included file where the include is).
type ConfLine struct {
	Dir     string
	Include string // a glob; relative patterns are made absolute with confDir
}

// ParseConf reads an ld.so.conf: directories and include patterns in
// order. hwcap lines are ignored.
func ParseConf(data []byte, confDir string) []ConfLine {
	var out []ConfLine
	for _, l := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(l, "include"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			for p := range strings.FieldsSeq(rest) {
				if !strings.HasPrefix(p, "/") {
					p = strings.TrimSuffix(confDir, "/") + "/" + p
				}
				out = append(out, ConfLine{Include: p})
			}
			continue
		}
		if strings.HasPrefix(l, "hwcap") && (len(l) == 5 || l[5] == ' ' || l[5] == '\t') {
			continue
		}
		// ldconfig accepts "dir=type" (old libc5 syntax) and
		// separators ':', ',', tab and space between directories.
		for d := range strings.FieldsFuncSeq(l, func(r rune) bool { return r == ':' || r == ',' || r == ' ' || r == '\t' }) {
			if i := strings.IndexByte(d, '='); i >= 0 {
				d = d[:i]
			}
			for len(d) > 1 && strings.HasSuffix(d, "/") {
				d = d[:len(d)-1]
			}
			out = append(out, ConfLine{Dir: d})
		}
	}
	return out
}

// IsCandidate reports whether ldconfig looks at a directory entry of this
// name: it starts with "lib" or "ld-" and contains ".so".
func IsCandidate(name string) bool {
	return (strings.HasPrefix(name, "lib") || strings.HasPrefix(name, "ld-")) && strings.Contains(name, ".so")
}
