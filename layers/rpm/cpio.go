package rpm

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// The cpio formats in RPM payloads: SVR4 "newc", its "crc" variant, and
// rpm's stripped format (rpm 4.12+, for packages with files over 4 GiB),
// whose entries carry only the index of the file in the header.
const (
	cpioNewcMagic     = "070701"
	cpioCRCMagic      = "070702"
	cpioStrippedMagic = "07070X"
	cpioTrailer       = "TRAILER!!!"
	cpioNewcSize      = 110
	maxCpioName       = 64 << 10
)

// cpioHeader is one archive entry's header.
type cpioHeader struct {
	stripped bool
	index    int // stripped: the file index in the header
	name     string
	mode     uint32
	nlink    uint32
	size     int64 // newc: from the entry; stripped: filled by the caller
	check    uint32
	crc      bool
	ino      uint32
}

// cpioReader reads the entries of a cpio stream. It tracks its position to
// honour the 4-byte alignment of headers and data.
type cpioReader struct {
	r      cpioSource
	ra     *readahead // r, when it is one: data is then read without a copy
	pos    int64
	remain int64 // data bytes of the current entry not yet read
	pad    int   // padding after the current entry's data
	buf    []byte
}

// cpioSource is what the cpio reader reads from: a *bufio.Reader, or the
// decompressor's readahead, which needs no buffer of its own.
type cpioSource interface {
	io.Reader
	Discard(n int) (int, error)
}

func newCpioReader(r io.Reader) *cpioReader {
	switch r := r.(type) {
	case *readahead:
		return &cpioReader{r: r, ra: r}
	case *bufio.Reader:
		return &cpioReader{r: r}
	}
	return &cpioReader{r: bufio.NewReaderSize(r, 64<<10)}
}

func (c *cpioReader) readFull(b []byte, what string) error {
	n, err := io.ReadFull(c.r, b)
	c.pos += int64(n)
	if err != nil {
		return readErr("cpio", what, err)
	}
	return nil
}

func (c *cpioReader) skip(n int64, what string) error {
	got, err := c.r.Discard(int(n))
	c.pos += int64(got)
	if err != nil {
		return readErr("cpio", what, err)
	}
	return nil
}

func (c *cpioReader) alignPad() int { return int((4 - c.pos%4) % 4) }

// next skips what is left of the current entry and reads the next header.
// At the trailer it returns io.EOF.
func (c *cpioReader) next() (*cpioHeader, error) {
	if c.remain > 0 {
		if err := c.skip(c.remain, "entry data"); err != nil {
			return nil, err
		}
		c.remain = 0
	}
	if c.pad > 0 {
		if err := c.skip(int64(c.pad), "padding"); err != nil {
			return nil, err
		}
		c.pad = 0
	}
	var magic [6]byte
	if err := c.readFull(magic[:], "entry header"); err != nil {
		return nil, err
	}
	switch string(magic[:]) {
	case cpioStrippedMagic:
		var fx [8]byte
		if err := c.readFull(fx[:], "stripped entry header"); err != nil {
			return nil, err
		}
		v, err := parseHex(fx[:])
		if err != nil {
			return nil, formatErr("cpio", "stripped entry at offset %d: file index: %v", c.pos-8, err)
		}
		if err := c.skip(int64(c.alignPad()), "header padding"); err != nil {
			return nil, err
		}
		return &cpioHeader{stripped: true, index: int(v)}, nil
	case cpioNewcMagic, cpioCRCMagic:
	default:
		return nil, formatErr("cpio", "bad entry magic %q at offset %d", magic[:], c.pos-6)
	}
	var raw [cpioNewcSize - 6]byte
	if err := c.readFull(raw[:], "entry header"); err != nil {
		return nil, err
	}
	var f [13]uint32
	for i := range f {
		v, err := parseHex(raw[8*i : 8*i+8])
		if err != nil {
			return nil, formatErr("cpio", "entry header at offset %d: field %d: %v", c.pos-cpioNewcSize, i, err)
		}
		f[i] = v
	}
	h := &cpioHeader{ino: f[0], mode: f[1], nlink: f[4], size: int64(f[6]), check: f[12], crc: string(magic[:]) == cpioCRCMagic}
	namesize := f[11]
	if namesize == 0 || namesize > maxCpioName {
		return nil, formatErr("cpio", "entry at offset %d: name size %d out of range", c.pos-cpioNewcSize, namesize)
	}
	name := make([]byte, namesize)
	if err := c.readFull(name, "entry name"); err != nil {
		return nil, err
	}
	if name[namesize-1] != 0 || bytes.IndexByte(name[:namesize-1], 0) >= 0 {
		return nil, formatErr("cpio", "entry name %q is not NUL-terminated", name)
	}
	h.name = string(name[:namesize-1])
	if err := c.skip(int64(c.alignPad()), "name padding"); err != nil {
		return nil, err
	}
	if h.name == cpioTrailer {
		return h, io.EOF
	}
	c.setData(h.size)
	return h, nil
}

// setData declares the size of the current entry's data.
func (c *cpioReader) setData(n int64) {
	c.remain = n
	c.pad = int((4 - (c.pos+n)%4) % 4)
}

// Read reads the current entry's data.
func (c *cpioReader) Read(b []byte) (int, error) {
	if c.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > c.remain {
		b = b[:c.remain]
	}
	n, err := c.r.Read(b)
	c.pos += int64(n)
	c.remain -= int64(n)
	if err == io.EOF {
		if c.remain > 0 {
			return n, fmt.Errorf("cpio: entry data: %w", ErrTruncated)
		}
		err = nil
	}
	return n, err
}

// data returns the next bytes of the current entry's data, as Read would
// (io.EOF at its end), without copying them when it can: they stay valid
// until the next call of any method.
func (c *cpioReader) data() ([]byte, error) {
	if c.remain <= 0 {
		return nil, io.EOF
	}
	var b []byte
	var err error
	if c.ra != nil {
		b, err = c.ra.next(int(min(c.remain, 1<<30)))
	} else {
		if c.buf == nil {
			c.buf = make([]byte, 32<<10)
		}
		b = c.buf[:min(int64(len(c.buf)), c.remain)]
		var n int
		n, err = c.r.Read(b)
		b = b[:n]
	}
	n := len(b)
	c.pos += int64(n)
	c.remain -= int64(n)
	if err == io.EOF {
		if c.remain > 0 {
			return b, fmt.Errorf("cpio: entry data: %w", ErrTruncated)
		}
		err = nil
	}
	return b, err
}

func parseHex(b []byte) (uint32, error) {
	v, err := strconv.ParseUint(string(b), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bad hex %q", b)
	}
	return uint32(v), nil
}
