package repo

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unsafe"

	"github.com/slipway-build/slipway/rpmmeta"
)

// The cache keeps the parsed form of primary and filelists in
// <cache>/metadata/<checksum-type>-<hex>.<kind>.slpw, where the checksum is
// the verified checksum of the compressed metadata file as repomd.xml
// states it. Files are written to a temporary file in the same directory,
// synced and renamed into place, so readers (in other processes too) see
// either nothing or a whole entry. Each entry ends with the CRC-32C of what
// precedes it; an entry that does not match is removed and rebuilt.
//
// The CRC detects damage (a torn or truncated write, a flipped bit), not
// tampering: the cache directory is trusted the way the Go build cache is,
// and what went into it was verified against repomd.xml's checksums first.
// CRC-32C is hardware-accelerated (SSE4.2, ARMv8 CRC), so checking a 20 MB
// entry costs about 2 ms where SHA-256 cost 15-20 ms on every warm load.
//
// Layout (integers are unsigned varints unless noted):
//
//	magic "SLPWMETA" | format version byte | kind byte ('P' or 'F')
//	record count | records (strings inline as length + bytes, integers)
//	CRC-32C (Castagnoli) of all the above (4 bytes, big-endian)

const (
	cacheMagic   = "SLPWMETA"
	cacheVersion = 2 // 1 ended with a SHA-256
	crcSize      = 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errCacheCorrupt = errors.New("corrupt cache entry")

func (r *Repository) cachePath(rec Record, kind string) string {
	if r.o.cacheDir == "" {
		return ""
	}
	return filepath.Join(r.o.cacheDir, "metadata", rec.Checksum.Type+"-"+rec.Checksum.Value+"."+kind+".slpw")
}

func (r *Repository) loadPrimary(ctx context.Context, rec Record) ([]Package, bool, error) {
	return loadCached(ctx, r, rec, "primary", readPrimaryCache, parsePrimary, encodePrimary)
}

func (r *Repository) loadFilelists(ctx context.Context, rec Record) ([]fileList, bool, error) {
	return loadCached(ctx, r, rec, "filelists", readFilelistsCache, parseFilelists, encodeFilelists)
}

// loadCached returns the parsed form of a metadata file of the given kind:
// from its cache entry when that is there and sound (a damaged entry is
// dropped), otherwise fetched, verified, parsed and then cached. The bool
// says whether the cache answered.
func loadCached[T any](ctx context.Context, r *Repository, rec Record, kind string,
	read func(path string) (T, error), parse func(io.Reader) (T, error), encode func(T) []byte) (T, bool, error) {
	var zero T
	path := r.cachePath(rec, kind)
	if path != "" {
		removeStaleTemps(filepath.Dir(path), time.Now())
		v, err := read(path)
		if err == nil {
			return v, true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			r.o.log.Warn("dropping cache entry", "repo", r.Config.ID, "path", path, "err", err.Error())
			os.Remove(path)
		}
	}
	f, cleanup, err := r.fetchRecord(ctx, rec)
	if err != nil {
		return zero, false, err
	}
	defer cleanup()
	ra, err := openStream(f, rec, r.o.maxOpenSize)
	if err != nil {
		return zero, false, err
	}
	defer ra.Close()
	v, err := parse(ra)
	if err != nil {
		return zero, false, fmt.Errorf("parsing %s %s: %w", kind, rec.Location, err)
	}
	if err := ra.finish(); err != nil {
		return zero, false, err
	}
	if path != "" {
		if err := writeCache(path, encode(v)); err != nil {
			r.o.log.Warn("cannot write cache entry", "repo", r.Config.ID, "path", path, "err", err.Error())
		}
	}
	return v, false, nil
}

// staleTempAge is how old a temporary file in the cache must be before a
// load removes it as left behind by a process that died.
const staleTempAge = 24 * time.Hour

// removeStaleTemps deletes temporary files (".tmp-*", ".download-*") older
// than staleTempAge from dir; younger ones may belong to a running process.
func removeStaleTemps(dir string, now time.Time) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, ".tmp-") && !strings.HasPrefix(n, ".download-") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTempAge {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// writeCache writes data (with its trailing digest) to path atomically.
func writeCache(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	sum := binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, castagnoli))
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(sum); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// readCache reads an entry, checks its header and CRC, and hands the body
// after the header to decode. The decoder may alias strings into the body
// and must not modify it. An entry that fails a check or does not decode
// is released again (see readFileShared): nothing made from it is kept.
func readCache[T any](path string, kind byte, decode func([]byte) (T, error)) (T, error) {
	var zero T
	b, release, err := readFileShared(path)
	if err != nil {
		return zero, err
	}
	body, err := checkCache(b, kind)
	if err == nil {
		var v T
		if v, err = decode(body); err == nil {
			return v, nil
		}
	}
	release()
	return zero, err
}

// checkCache checks an entry's header and CRC and returns its body.
func checkCache(b []byte, kind byte) ([]byte, error) {
	if len(b) < len(cacheMagic)+2+crcSize {
		return nil, fmt.Errorf("%w: too short", errCacheCorrupt)
	}
	if string(b[:len(cacheMagic)]) != cacheMagic || b[len(cacheMagic)] != cacheVersion || b[len(cacheMagic)+1] != kind {
		return nil, fmt.Errorf("%w: wrong header", errCacheCorrupt)
	}
	body, sum := b[:len(b)-crcSize], b[len(b)-crcSize:]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", errCacheCorrupt)
	}
	return body[len(cacheMagic)+2:], nil
}

// encoder writes the record stream with every string inline (length,
// then bytes). The decoder turns the whole body into one string once and
// slices it, so a warm load makes no per-string allocation; not sharing
// repeated strings makes encoding a stream of appends.
type encoder struct {
	rec []byte
}

func newEncoder(kind byte, count, sizeHint int) *encoder {
	rec := make([]byte, 0, sizeHint)
	rec = append(rec, cacheMagic...)
	rec = append(rec, cacheVersion, kind)
	rec = binary.AppendUvarint(rec, uint64(count))
	return &encoder{rec: rec}
}

func (e *encoder) str(s string) {
	e.rec = binary.AppendUvarint(e.rec, uint64(len(s)))
	e.rec = append(e.rec, s...)
}

func (e *encoder) uint(n uint64) { e.rec = binary.AppendUvarint(e.rec, n) }
func (e *encoder) int(n int64)   { e.rec = binary.AppendVarint(e.rec, n) }

func (e *encoder) deps(ds []rpmmeta.Dep) {
	e.uint(uint64(len(ds)))
	for _, d := range ds {
		e.str(d.Name)
		e.uint(uint64(d.Flags))
		e.str(d.Version)
	}
}

func (e *encoder) strList(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func encodePrimary(pkgs []Package) []byte {
	e := newEncoder('P', len(pkgs), 1024*len(pkgs))
	for i := range pkgs {
		p := &pkgs[i]
		e.str(p.Name)
		e.uint(uint64(p.Epoch))
		e.str(p.Version)
		e.str(p.Release)
		e.str(p.Arch)
		for _, ds := range [][]rpmmeta.Dep{p.Provides, p.Requires, p.Conflicts, p.Obsoletes, p.Recommends, p.Suggests, p.Supplements, p.Enhances} {
			e.deps(ds)
		}
		e.strList(p.Files)
		e.str(p.Location)
		e.str(p.LocationBase)
		e.str(p.Checksum.Type)
		e.str(p.Checksum.Value)
		e.uint(p.PackageSize)
		e.uint(p.InstalledSize)
		e.uint(p.ArchiveSize)
		e.int(p.BuildTime)
		e.int(p.FileTime)
		for _, s := range []string{p.SourceRPM, p.License, p.Vendor, p.Group, p.Packager, p.BuildHost, p.URL, p.Summary, p.Description} {
			e.str(s)
		}
		e.uint(p.HeaderStart)
		e.uint(p.HeaderEnd)
	}
	return e.rec
}

func encodeFilelists(fls []fileList) []byte {
	e := newEncoder('F', len(fls), 512*len(fls))
	for i := range fls {
		fl := &fls[i]
		e.str(fl.PkgID)
		e.str(fl.Name)
		e.str(fl.Arch)
		e.uint(uint64(fl.EVR.Epoch))
		e.str(fl.EVR.Version)
		e.str(fl.EVR.Release)
		e.strList(fl.Files)
	}
	return e.rec
}

// decoder reads what encoder wrote, checking every bound. blob is the
// body as one string; strings are slices of it. pos is the read position.
type decoder struct {
	b    []byte
	blob string
	pos  int
	err  error
}

// newDecoder aliases body as one string without copying it (a 20 MB
// memmove per warm load): body must never be modified afterwards, which
// holds for the entries readCache hands over. Callers that keep using their
// bytes pass a copy.
func newDecoder(body []byte) (*decoder, int, error) {
	var blob string
	if len(body) > 0 {
		blob = unsafe.String(&body[0], len(body))
	}
	d := &decoder{b: body, blob: blob}
	count := d.uint()
	if d.err != nil || count > uint64(d.left()) {
		return nil, 0, fmt.Errorf("%w: record count", errCacheCorrupt)
	}
	return d, int(count), nil
}

// left is the number of bytes not read yet.
func (d *decoder) left() int { return len(d.b) - d.pos }

// uint reads an unsigned varint. Nearly all are one byte (string lengths,
// counts, flags), so that case is inlined.
func (d *decoder) uint() uint64 {
	if p := d.pos; p < len(d.b) && d.b[p] < 0x80 {
		d.pos = p + 1
		return uint64(d.b[p])
	}
	return d.uintSlow()
}

func (d *decoder) uintSlow() uint64 {
	if d.err != nil || d.pos >= len(d.b) {
		d.err = errCacheCorrupt
		return 0
	}
	v, n := binary.Uvarint(d.b[d.pos:])
	if n <= 0 {
		d.err = errCacheCorrupt
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) int() int64 {
	if d.err != nil || d.pos >= len(d.b) {
		d.err = errCacheCorrupt
		return 0
	}
	v, n := binary.Varint(d.b[d.pos:])
	if n <= 0 {
		d.err = errCacheCorrupt
		return 0
	}
	d.pos += n
	return v
}

// str reads a string: its length, then its bytes, aliased. The common
// case (a length below 128, in bounds) is inlined.
func (d *decoder) str() string {
	if p := d.pos; p < len(d.b) && d.b[p] < 0x80 && int(d.b[p]) < len(d.b)-p {
		d.pos = p + 1 + int(d.b[p])
		return d.blob[p+1 : d.pos]
	}
	return d.strSlow()
}

func (d *decoder) strSlow() string {
	n := d.uint()
	if n > uint64(len(d.b)-d.pos) {
		d.err = errCacheCorrupt
		return ""
	}
	start := d.pos
	d.pos += int(n)
	return d.blob[start:d.pos]
}

func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)-d.pos) {
		d.err = errCacheCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) deps(a *depArena) []rpmmeta.Dep {
	n := d.count()
	if n == 0 {
		return nil
	}
	if n > cap(a.block)-len(a.block) {
		a.block = make([]rpmmeta.Dep, 0, max(n, 1<<15))
	}
	start := len(a.block)
	for range n {
		var dep rpmmeta.Dep
		dep.Name = d.str()
		f := d.uint()
		if f > math.MaxUint32 {
			d.err = errCacheCorrupt
		}
		dep.Flags = rpmmeta.Sense(f)
		dep.Version = d.str()
		a.block = append(a.block, dep)
	}
	return a.block[start : start+n : start+n]
}

func (d *decoder) strList(a *strArena) []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	if n > cap(a.block)-len(a.block) {
		a.block = make([]string, 0, max(n, 1<<15))
	}
	start := len(a.block)
	for range n {
		a.block = append(a.block, d.str())
	}
	return a.block[start : start+n : start+n]
}

func readPrimaryCache(path string) ([]Package, error) {
	return readCache(path, 'P', decodePrimary)
}

func decodePrimary(body []byte) ([]Package, error) {
	d, n, err := newDecoder(body)
	if err != nil {
		return nil, err
	}
	if n > d.left()/8 {
		return nil, fmt.Errorf("%w: package count %d", errCacheCorrupt, n)
	}
	var deps depArena
	var strs strArena
	pkgs := make([]Package, n)
	for i := range pkgs {
		p := &pkgs[i]
		p.Name = d.str()
		ep := d.uint()
		if ep > math.MaxUint32 {
			d.err = errCacheCorrupt
		}
		p.Epoch = uint32(ep)
		p.Version = d.str()
		p.Release = d.str()
		p.Arch = d.str()
		for _, dst := range []*[]rpmmeta.Dep{&p.Provides, &p.Requires, &p.Conflicts, &p.Obsoletes, &p.Recommends, &p.Suggests, &p.Supplements, &p.Enhances} {
			*dst = d.deps(&deps)
		}
		p.Files = d.strList(&strs)
		p.Location = d.str()
		p.LocationBase = d.str()
		p.Checksum.Type = d.str()
		p.Checksum.Value = d.str()
		p.PackageSize = d.uint()
		p.InstalledSize = d.uint()
		p.ArchiveSize = d.uint()
		p.BuildTime = d.int()
		p.FileTime = d.int()
		for _, dst := range []*string{&p.SourceRPM, &p.License, &p.Vendor, &p.Group, &p.Packager, &p.BuildHost, &p.URL, &p.Summary, &p.Description} {
			*dst = d.str()
		}
		p.HeaderStart = d.uint()
		p.HeaderEnd = d.uint()
		if d.err != nil {
			return nil, fmt.Errorf("%w: package %d", errCacheCorrupt, i+1)
		}
	}
	if d.left() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCacheCorrupt, d.left())
	}
	return pkgs, nil
}

func readFilelistsCache(path string) ([]fileList, error) {
	return readCache(path, 'F', decodeFilelists)
}

func decodeFilelists(body []byte) ([]fileList, error) {
	d, n, err := newDecoder(body)
	if err != nil {
		return nil, err
	}
	if n > d.left()/4 {
		return nil, fmt.Errorf("%w: filelist count %d", errCacheCorrupt, n)
	}
	var strs strArena
	out := make([]fileList, n)
	for i := range out {
		fl := &out[i]
		fl.PkgID = d.str()
		fl.Name = d.str()
		fl.Arch = d.str()
		ep := d.uint()
		if ep > math.MaxUint32 {
			d.err = errCacheCorrupt
		}
		fl.EVR.Epoch = uint32(ep)
		fl.EVR.Version = d.str()
		fl.EVR.Release = d.str()
		fl.Files = d.strList(&strs)
		if d.err != nil {
			return nil, fmt.Errorf("%w: filelist %d", errCacheCorrupt, i+1)
		}
	}
	if d.left() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCacheCorrupt, d.left())
	}
	return out, nil
}
