package rpm

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// hashReader passes reads through and feeds them to a hash, counting bytes.
type hashReader struct {
	r io.Reader
	w io.Writer // nil: count only
	n int64
}

func (h *hashReader) Read(b []byte) (int, error) {
	n, err := h.r.Read(b)
	if n > 0 {
		h.n += int64(n)
		if h.w != nil {
			h.w.Write(b[:n])
		}
	}
	return n, err
}

// Compressor names a payload compression, as PAYLOADCOMPRESSOR does.
func (p *Package) Compressor() string {
	c := p.Header.String(TagPayloadCompressor)
	if c == "" {
		return "gzip"
	}
	return c
}

// maxDict bounds the window a payload's compression may ask for (xz -9
// uses 64 MiB, zstd --long 128 MiB), so a hostile payload cannot make us
// allocate gigabytes before its first byte decodes.
const maxDict = 1 << 28

// maxAfterTrailer bounds the decompressed bytes read after the cpio
// archive's trailer.
const maxAfterTrailer = 64 << 10

// xzDictSize reads the LZMA2 dictionary size from the first block header
// of an xz stream, or returns 0 when head does not show one.
func xzDictSize(head []byte) int64 {
	if len(head) < 14 || head[12] == 0 {
		return 0
	}
	flags := head[13]
	p := 14
	varint := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 9 && p < len(head); i++ {
			b := head[p]
			p++
			v |= uint64(b&0x7f) << (7 * i)
			if b&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	for _, bit := range []byte{0x40, 0x80} {
		if flags&bit != 0 {
			if _, ok := varint(); !ok {
				return 0
			}
		}
	}
	for n := int(flags&3) + 1; n > 0; n-- {
		id, ok1 := varint()
		size, ok2 := varint()
		if !ok1 || !ok2 || uint64(p)+size > uint64(len(head)) {
			return 0
		}
		if id == 0x21 && size == 1 {
			b := head[p]
			if b > 40 {
				return 1 << 40
			}
			if b == 40 {
				return 1<<32 - 1
			}
			return int64(2|b&1) << (b/2 + 11)
		}
		p += int(size)
	}
	return 0
}

// detectCompression names the compression the payload's first bytes show.
func detectCompression(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(b, []byte("BZh")):
		return "bzip2"
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return "xz"
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	case bytes.HasPrefix(b, []byte("0707")):
		return "identity"
	case len(b) >= 13 && b[0] < 225 && (b[12] == 0 || b[12] == 0xff):
		// lzma-alone has no magic: properties byte, dictionary size, and a
		// 64-bit size whose high byte is 0 (or all ones for "unknown").
		return "lzma"
	}
	return ""
}

// Payload is a streaming reader of a package's files. Next returns each
// file in archive order with a reader of its contents; digests are checked
// as the data passes: a regular file's digest when its data has been read
// (or skipped by the next Next), the payload digests when the archive ends.
//
// Hard links: rpm stores a hard-link set's data once, with the last member
// in the archive; the other members come first with an empty reader. Group
// them by File.Device and File.Inode.
//
// Call Close when done with it (unless the payload is small, the package
// is read and hashed, and the payload decompressed, on goroutines of their
// own, which Close stops). File readers implement io.WriterTo: io.Copy
// writes the data from the decompressor's buffers without a copy.
type Payload struct {
	p      *Package
	raw    *readahead // reads the package file, feeding the payload digests
	dec    io.Reader
	closer func()
	plain  *hashReader // decompressed bytes
	ahead  *readahead  // runs the decompressor on its own goroutine
	decs   *Decoders
	closed bool
	cpio   *cpioReader
	files  []File
	byPath map[string]int
	seen   []bool
	links  map[[2]uint32]int // remaining members of each hard-link set

	// digests of the compressed payload: PAYLOADDIGEST, and MD5 over
	// header and payload (signature tag 1004).
	payloadHash hash.Hash
	payloadWant string
	plainHash   hash.Hash
	plainWant   string
	md5Hash     hash.Hash
	md5Want     []byte

	cur  *fileData
	err  error
	done bool
}

// Decoders keeps decompressors for reuse across packages: a zstd decoder
// allocates a window-sized history (8 MiB and more) that dominates the
// cost of reading small packages. The zero value is ready to use. A
// Decoders serves one Payload at a time; Close releases it.
type Decoders struct {
	zstd      *zstd.Decoder
	gzip      *gzip.Reader
	bzip2     *bzip2.Reader
	aheadBufs [][]byte // buffers of the decompression and reading goroutines
	fetchBufs [][]byte
}

// Close releases the decoders' resources.
func (d *Decoders) Close() {
	if d.zstd != nil {
		d.zstd.Close()
		d.zstd = nil
	}
}

func takeBufs(p *[][]byte) [][]byte {
	b := *p
	*p = nil
	return b
}

// PayloadOption configures Payload and Verify.
type PayloadOption func(*payloadOptions) error

type payloadOptions struct {
	dec *Decoders
	// goroutines: 0 picks by payload size, 1 always, -1 never (tests).
	goroutines int
}

// withGoroutines makes the payload reader use goroutines always (on) or
// never, whatever the payload's size; for tests of both paths.
func withGoroutines(on bool) PayloadOption {
	return func(o *payloadOptions) error {
		o.goroutines = -1
		if on {
			o.goroutines = 1
		}
		return nil
	}
}

// WithDecoders makes the payload reader use (and keep) d's decompressors.
func WithDecoders(d *Decoders) PayloadOption {
	return func(o *payloadOptions) error {
		if d == nil {
			return errors.New("WithDecoders: nil Decoders")
		}
		o.dec = d
		return nil
	}
}

// Payload starts reading the payload. It can be called once.
func (p *Package) Payload(opts ...PayloadOption) (*Payload, error) {
	var o payloadOptions
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	shared := o.dec != nil
	if !shared {
		o.dec = &Decoders{}
	}
	if p.payloadOn {
		return nil, errors.New("payload already read")
	}
	p.payloadOn = true
	if f := p.Header.String(TagPayloadFormat); f != "" && f != "cpio" {
		return nil, formatErr("payload", "format %q is not supported", f)
	}
	files, err := p.Files()
	if err != nil {
		return nil, err
	}
	pl := &Payload{p: p, decs: o.dec, files: files, byPath: make(map[string]int, len(files)), seen: make([]bool, len(files)), links: map[[2]uint32]int{}}
	for i, f := range files {
		pl.byPath[f.Path] = i
		if f.IsRegular() && !f.IsGhost() {
			pl.links[linkKey(&files[i])]++
		}
	}
	ok := false
	defer func() {
		if !ok {
			pl.Close() // stops the reading goroutine
		}
	}()
	var ws []io.Writer
	if want, err := p.Header.Strings(TagPayloadDigest); err == nil && len(want) > 0 {
		algo := DigestSHA256
		if a, ok := p.Header.Int(TagPayloadDigestAlgo); ok {
			algo = DigestAlgo(a)
		}
		if !algo.Hash().Available() {
			return nil, formatErr("payload", "unsupported payload digest algorithm %s", algo)
		}
		pl.payloadHash, pl.payloadWant = algo.Hash().New(), strings.ToLower(want[0])
		ws = append(ws, pl.payloadHash)
	}
	// The MD5 over header and payload only matters when the header has no
	// payload digest (rpm < 4.14 packages): the header SHA256 and the
	// payload digest already cover the same bytes, and better.
	if md := p.Signature.Bytes(SigTagMD5); len(md) == 16 && pl.payloadHash == nil {
		pl.md5Hash, pl.md5Want = md5.New(), md
		pl.md5Hash.Write(p.hdrBytes)
		ws = append(ws, pl.md5Hash)
	}
	var w io.Writer
	switch len(ws) {
	case 0:
	case 1:
		w = ws[0]
	default:
		w = io.MultiWriter(ws...)
	}
	// A small payload is read on the caller's goroutine alone.
	packed, plain := p.payloadSizes()
	sync := packed > 0 && packed < syncBelow
	if o.goroutines != 0 {
		sync = o.goroutines < 0
	}
	pl.raw = newReadahead(p.r, w, takeBufs(&o.dec.fetchBufs), chunkSize(packed), sync)
	// The first chunk holds the magic (unless the payload is shorter).
	head := pl.raw.head()
	magic := head[:min(len(head), 13)]
	comp := p.Compressor()
	got := detectCompression(magic)
	if got == "" {
		if len(magic) < 13 {
			return nil, fmt.Errorf("payload: %w", ErrTruncated)
		}
		return nil, formatErr("payload", "unknown compression (starts with %x), header says %s", magic, comp)
	}
	// rpm opens a payload without PAYLOADCOMPRESSOR with gzdio, which
	// passes uncompressed data through (rpmbuild's w0.ufdio makes those).
	identityOK := comp == "none" || comp == "identity" || !p.Header.Has(TagPayloadCompressor)
	if got != comp && !(got == "identity" && identityOK) {
		return nil, formatErr("payload", "header says %s compression but the data is %s", comp, got)
	}
	// zstd reads whole blocks, and identity is read in large buffers:
	// they read pl.raw's chunks directly. The others read a few bytes at
	// a time (flate has a fast path for a *bufio.Reader).
	var br *bufio.Reader
	switch got {
	case "gzip", "bzip2", "xz", "lzma":
		br = bufio.NewReaderSize(pl.raw, 64<<10)
	}
	switch got {
	case "gzip":
		if o.dec.gzip == nil {
			o.dec.gzip = new(gzip.Reader)
		}
		zr := o.dec.gzip
		if err := zr.Reset(br); err != nil {
			return nil, fmt.Errorf("payload: gzip: %w", err)
		}
		pl.dec = zr
	case "bzip2":
		// dsnet/compress's decoder: 1.8x the speed of compress/bzip2 on
		// a 24 MiB payload; it checks the block and stream CRCs and turns
		// its internal panics into errors.
		if o.dec.bzip2 == nil {
			o.dec.bzip2 = new(bzip2.Reader)
		}
		zr := o.dec.bzip2
		if err := zr.Reset(br); err != nil {
			return nil, fmt.Errorf("payload: bzip2: %w", err)
		}
		pl.dec = zr
	case "xz":
		if head := head[:min(len(head), 64)]; xzDictSize(head) > maxDict {
			return nil, formatErr("payload", "xz dictionary of %d bytes exceeds %d", xzDictSize(head), maxDict)
		}
		zr, err := xz.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("payload: xz: %w", err)
		}
		pl.dec = zr
	case "lzma":
		zr, err := lzma.ReaderConfig{DictCap: maxDict}.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("payload: lzma: %w", err)
		}
		pl.dec = zr
	case "zstd":
		if o.dec.zstd == nil {
			zr, err := zstd.NewReader(nil, zstd.WithDecoderMaxWindow(maxDict), zstd.WithDecoderConcurrency(1))
			if err != nil {
				return nil, fmt.Errorf("payload: zstd: %w", err)
			}
			o.dec.zstd = zr
		}
		zr := o.dec.zstd
		if err := zr.Reset(pl.raw); err != nil {
			return nil, fmt.Errorf("payload: zstd: %w", err)
		}
		pl.dec = zr
		if shared {
			pl.closer = func() { zr.Reset(nil) }
		} else {
			pl.closer = zr.Close
		}
	case "identity":
		pl.dec = pl.raw
	}
	pl.plain = &hashReader{r: pl.dec}
	if pl.payloadHash == nil {
		if want, err := p.Header.Strings(TagPayloadDigestAlt); err == nil && len(want) > 0 {
			algo := DigestSHA256
			if a, ok := p.Header.Int(TagPayloadDigestAlgo); ok {
				algo = DigestAlgo(a)
			}
			if algo.Hash().Available() {
				pl.plainHash, pl.plainWant = algo.Hash().New(), strings.ToLower(want[0])
				pl.plain.w = pl.plainHash
			}
		}
	}
	pl.ahead = newReadahead(pl.plain, nil, takeBufs(&o.dec.aheadBufs), chunkSize(plain), sync)
	pl.cpio = newCpioReader(pl.ahead)
	ok = true
	return pl, nil
}

var errClosed = errors.New("payload: reader closed")

// syncBelow is the compressed payload size (as the headers claim it) under
// which the payload is read without goroutines.
const syncBelow = 64 << 10

// payloadSizes returns the sizes of the compressed and of the uncompressed
// payload the headers claim, or 0. They only size buffers: nothing
// trusts them.
func (p *Package) payloadSizes() (packed, plain int64) {
	sz, ok := p.Signature.Int(SigTagLongSize)
	if !ok {
		sz, ok = p.Signature.Int(SigTagSize)
	}
	if ok && sz > uint64(len(p.hdrBytes)) && sz < 1<<62 {
		packed = int64(sz) - int64(len(p.hdrBytes))
	}
	as, ok := p.Signature.Int(SigTagLongArchiveSize)
	if !ok {
		as, ok = p.Signature.Int(SigTagPayloadSize)
	}
	if !ok {
		as, ok = p.Header.Int(TagArchiveSize)
	}
	if ok && as < 1<<62 {
		plain = int64(as)
	} else {
		plain = packed
	}
	return packed, plain
}

// linkKey identifies the hard-link set of a file. Without FILEINODES
// (packages older than rpm 4.6) every file stands alone.
func linkKey(f *File) [2]uint32 {
	if f.Inode == 0 {
		return [2]uint32{^uint32(0), uint32(f.Index)}
	}
	return [2]uint32{f.Device, f.Inode}
}

// Close releases the decompressor and stops the payload hashing; call it
// when done, also after an error. It does not close the package's reader.
func (pl *Payload) Close() error {
	if pl.err == nil {
		pl.err = errClosed
	}
	if pl.closed {
		return nil
	}
	pl.closed = true
	// Once the goroutines have stopped, their buffers go back for reuse.
	// The decompressor reads from pl.raw: stop it first.
	if pl.ahead != nil {
		pl.ahead.close()
		pl.decs.aheadBufs = pl.ahead.all
	}
	if pl.raw != nil {
		pl.raw.close()
		pl.decs.fetchBufs = pl.raw.all
	}
	if pl.closer != nil {
		pl.closer()
		pl.closer = nil
	}
	return nil
}

// fileData reads one file's data and checks its digest at the end.
type fileData struct {
	pl   *Payload
	f    *File
	h    hash.Hash // nil: no check
	want string
	err  error
	// crc format: the sum of the data bytes must equal the header's check.
	crc      bool
	sum      uint32
	crcCheck uint32
}

func (d *fileData) Read(b []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.pl.cpio.Read(b)
	return n, d.check(b[:n], err)
}

// WriteTo writes the data to w straight from the decompressor's buffers
// (io.Copy uses it), checking the digest as Read does.
func (d *fileData) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for d.err == nil {
		b, err := d.pl.cpio.data()
		err = d.check(b, err)
		if len(b) > 0 {
			n, werr := w.Write(b)
			total += int64(n)
			if werr == nil && n < len(b) {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	if d.err == io.EOF {
		return total, nil
	}
	return total, d.err
}

// check feeds the digests with b, the next data, and checks them when err
// is io.EOF; it returns err, or the mismatch, and keeps it for later reads.
func (d *fileData) check(b []byte, err error) error {
	if d.h != nil && len(b) > 0 {
		d.h.Write(b)
	}
	if d.crc {
		for _, c := range b {
			d.sum += uint32(c)
		}
	}
	if err == io.EOF {
		if d.crc && d.sum != d.crcCheck {
			err = formatErr("cpio", "%s: data sum %08x, crc header says %08x", d.f.Path, d.sum, d.crcCheck)
			d.h = nil
		}
		if d.h != nil {
			if got := hex.EncodeToString(d.h.Sum(nil)); got != d.want {
				err = &DigestError{What: "file " + d.f.Path, Want: d.want, Got: got}
			}
			d.h = nil
		}
	} else if err != nil {
		err = fmt.Errorf("reading %s: %w", d.f.Path, err)
	}
	if err != nil {
		d.err = err
	}
	return err
}

// drain reads the rest of the data so its digest is checked.
func (d *fileData) drain() error {
	_, err := io.Copy(io.Discard, d)
	if err == nil && d.err != nil && d.err != io.EOF {
		err = d.err
	}
	return err
}

// Next returns the next file and a reader of its contents (empty for
// anything but regular files and symlinks, whose target it holds). At the
// end of the archive it checks that every file the header lists was
// present and the payload digests match, then returns io.EOF.
func (pl *Payload) Next() (*File, io.Reader, error) {
	if pl.err != nil {
		return nil, nil, pl.err
	}
	f, r, err := pl.next()
	if err != nil && err != io.EOF {
		err = pl.explain(err)
	}
	if err != nil {
		pl.Close()
		pl.err = err
	}
	return f, r, err
}

func (pl *Payload) next() (*File, io.Reader, error) {
	if pl.cur != nil {
		if err := pl.cur.drain(); err != nil {
			return nil, nil, err
		}
		pl.cur = nil
	}
	h, err := pl.cpio.next()
	if err == io.EOF {
		return nil, nil, pl.finish()
	}
	if err != nil {
		return nil, nil, err
	}
	var idx int
	if h.stripped {
		if h.index < 0 || h.index >= len(pl.files) {
			return nil, nil, formatErr("cpio", "stripped entry for file index %d of %d", h.index, len(pl.files))
		}
		idx = h.index
		f := &pl.files[idx]
		if f.IsRegular() {
			h.size = f.Size
			if pl.links[linkKey(f)] > 1 {
				h.size = 0
			}
		} else if f.IsSymlink() {
			h.size = int64(len(f.LinkTo))
		}
		pl.cpio.setData(h.size)
	} else {
		name := strings.TrimPrefix(h.name, ".")
		if !strings.HasPrefix(name, "/") {
			name = "/" + name
		}
		i, ok := pl.byPath[name]
		if !ok {
			return nil, nil, formatErr("cpio", "archive has %s, which the header does not list", name)
		}
		idx = i
	}
	f := &pl.files[idx]
	if pl.seen[idx] {
		return nil, nil, formatErr("cpio", "%s appears twice in the archive", f.Path)
	}
	if f.IsGhost() {
		return nil, nil, formatErr("cpio", "%s is %%ghost but in the archive", f.Path)
	}
	pl.seen[idx] = true
	if !h.stripped && h.mode&modeType != f.Mode&modeType {
		return nil, nil, formatErr("cpio", "%s: archive mode %o, header mode %o", f.Path, h.mode, f.Mode)
	}
	d := &fileData{pl: pl, f: f, crc: h.crc && h.size > 0, crcCheck: h.check}
	switch {
	case f.IsRegular():
		key := linkKey(f)
		pl.links[key]--
		last := pl.links[key] == 0
		switch {
		case h.size == f.Size:
			if f.Digest != "" {
				algo := pl.p.FileDigestAlgo()
				if !algo.Hash().Available() {
					return nil, nil, formatErr("header", "unsupported file digest algorithm %s", algo)
				}
				d.h, d.want = algo.Hash().New(), strings.ToLower(f.Digest)
			}
		case h.size == 0 && !last:
			// an earlier member of a hard-link set: data comes later
		default:
			return nil, nil, formatErr("cpio", "%s: archive has %d bytes, header says %d", f.Path, h.size, f.Size)
		}
	case f.IsSymlink():
		if h.size != int64(len(f.LinkTo)) {
			return nil, nil, formatErr("cpio", "%s: symlink target of %d bytes, header says %q", f.Path, h.size, f.LinkTo)
		}
		var buf [4096]byte
		if h.size > int64(len(buf)) {
			return nil, nil, formatErr("cpio", "%s: symlink target of %d bytes", f.Path, h.size)
		}
		if _, err := io.ReadFull(pl.cpio, buf[:h.size]); err != nil {
			return nil, nil, fmt.Errorf("reading symlink %s: %w", f.Path, err)
		}
		if string(buf[:h.size]) != f.LinkTo {
			return nil, nil, formatErr("cpio", "%s: archive symlink target %q, header says %q", f.Path, buf[:h.size], f.LinkTo)
		}
		pl.cur = nil
		return f, strings.NewReader(f.LinkTo), nil
	default:
		if h.size != 0 {
			return nil, nil, formatErr("cpio", "%s: %d bytes of data for a non-regular file", f.Path, h.size)
		}
	}
	pl.cur = d
	return f, d, nil
}

// explain turns damage found inside the payload into the payload digest
// mismatch that causes it, when there is one: a flipped byte in a
// compressed payload shows first as a decompression or cpio error.
func (pl *Payload) explain(err error) error {
	var de *DigestError
	if pl.payloadHash == nil || errors.As(err, &de) || errors.Is(err, ErrTruncated) {
		return err
	}
	pl.ahead.close() // the decompressor reads raw: stop it first
	if pl.raw.drain() != nil {
		return err
	}
	pl.raw.close()
	if got := hex.EncodeToString(pl.payloadHash.Sum(nil)); got != pl.payloadWant {
		return &DigestError{What: "payload", Want: pl.payloadWant, Got: got, Cause: err}
	}
	return err
}

func (pl *Payload) finish() error {
	if pl.done {
		return io.EOF
	}
	pl.done = true
	for i, ok := range pl.seen {
		if !ok && !pl.files[i].IsGhost() {
			return formatErr("cpio", "%s is missing from the archive", pl.files[i].Path)
		}
	}
	// Read to the end of both streams: decompressors check their own
	// trailers, and the digests cover every byte. After the cpio trailer
	// only padding may follow (rpm writes a few bytes, cpio pads to 512):
	// a payload that decompresses on and on after it is a bomb.
	n, err := io.Copy(io.Discard, io.LimitReader(pl.ahead, maxAfterTrailer+1))
	if err != nil {
		return fmt.Errorf("payload: decompressing: %w", err)
	}
	if n > maxAfterTrailer {
		return formatErr("payload", "more than %d bytes of data after the cpio trailer", maxAfterTrailer)
	}
	if err := pl.raw.drain(); err != nil {
		return fmt.Errorf("payload: reading: %w", err)
	}
	pl.Close()
	if pl.payloadHash != nil {
		if got := hex.EncodeToString(pl.payloadHash.Sum(nil)); got != pl.payloadWant {
			return &DigestError{What: "payload", Want: pl.payloadWant, Got: got}
		}
	}
	if pl.plainHash != nil {
		if got := hex.EncodeToString(pl.plainHash.Sum(nil)); got != pl.plainWant {
			return &DigestError{What: "uncompressed payload", Want: pl.plainWant, Got: got}
		}
	}
	if pl.md5Hash != nil {
		if got := pl.md5Hash.Sum(nil); !bytes.Equal(got, pl.md5Want) {
			return &DigestError{What: "header+payload MD5", Want: hex.EncodeToString(pl.md5Want), Got: hex.EncodeToString(got)}
		}
	}
	if sz, ok := pl.p.Signature.Int(SigTagLongSize); ok || pl.p.Signature.Has(SigTagSize) {
		if !ok {
			sz, _ = pl.p.Signature.Int(SigTagSize)
		}
		if got := uint64(len(pl.p.hdrBytes)) + uint64(pl.raw.n); got != sz {
			return formatErr("payload", "header and payload are %d bytes, signature header says %d", got, sz)
		}
	}
	return io.EOF
}

// Verify reads the whole payload, checking every digest, and discards it.
// It returns the number of files read.
func (p *Package) Verify(opts ...PayloadOption) (int, error) {
	pl, err := p.Payload(opts...)
	if err != nil {
		return 0, err
	}
	defer pl.Close()
	n := 0
	for {
		_, r, err := pl.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return n, err
		}
		n++
	}
}
