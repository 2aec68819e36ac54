package repo

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/builder/repo/synth"
)

// The benchmarks read a synthetic 20,000-package repository
// (builder/repo/synth, seed 1): primary.xml is 38 MB uncompressed.
//
//	go test -run '^$' -bench . -benchmem ./builder/repo/

var synthRepo struct {
	once sync.Once
	dir  string
	err  error
}

func synthDir(b *testing.B) string {
	b.Helper()
	synthRepo.once.Do(func() {
		dir, err := os.MkdirTemp("", "slipway-synth-")
		if err != nil {
			synthRepo.err = err
			return
		}
		synthRepo.dir = dir
		synthRepo.err = synth.Write(dir, synth.Options{N: 20000, Seed: 1})
	})
	if synthRepo.err != nil {
		b.Fatal(synthRepo.err)
	}
	return synthRepo.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if synthRepo.dir != "" {
		os.RemoveAll(synthRepo.dir)
	}
	os.Exit(code)
}

// BenchmarkOpenCold is a first load: read, verify, decompress and parse
// primary.xml.gz, and write the cache entry.
func BenchmarkOpenCold(b *testing.B) {
	dir := synthDir(b)
	cfg := Config{ID: "synth", BaseURL: "file://" + dir}
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		b.StopTimer()
		cache := b.TempDir()
		b.StartTimer()
		r, err := Open(b.Context(), cfg, WithCacheDir(cache))
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Packages) != 20000 {
			b.Fatalf("%d packages", len(r.Packages))
		}
	}
}

// BenchmarkOpenNoCache is a load without a cache directory.
func BenchmarkOpenNoCache(b *testing.B) {
	dir := synthDir(b)
	cfg := Config{ID: "synth", BaseURL: "file://" + dir}
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		if _, err := Open(b.Context(), cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenWarm is a repeat load: repomd.xml plus the cached parsed
// primary.
func BenchmarkOpenWarm(b *testing.B) {
	dir := synthDir(b)
	cfg := Config{ID: "synth", BaseURL: "file://" + dir}
	cache := b.TempDir()
	if _, err := Open(b.Context(), cfg, WithCacheDir(cache)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		r, err := Open(b.Context(), cfg, WithCacheDir(cache))
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Packages) != 20000 {
			b.Fatalf("%d packages", len(r.Packages))
		}
	}
}

// BenchmarkParsePrimary is the XML parser alone on the uncompressed
// primary.xml; SetBytes makes -bench report MB/s.
func BenchmarkParsePrimary(b *testing.B) {
	_, _, open := rawRecordB(b, synthDir(b), "primary")
	b.SetBytes(int64(len(open)))
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		pkgs, err := parsePrimary(bytes.NewReader(open))
		if err != nil || len(pkgs) != 20000 {
			b.Fatal(err, len(pkgs))
		}
	}
}

func BenchmarkParseFilelists(b *testing.B) {
	_, _, open := rawRecordB(b, synthDir(b), "filelists")
	b.SetBytes(int64(len(open)))
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		fl, err := parseFilelists(bytes.NewReader(open))
		if err != nil || len(fl) != 20000 {
			b.Fatal(err, len(fl))
		}
	}
}

// BenchmarkDecodeCache is decoding the cached parsed primary alone.
func BenchmarkDecodeCache(b *testing.B) {
	_, _, open := rawRecordB(b, synthDir(b), "primary")
	pkgs, err := parsePrimary(bytes.NewReader(open))
	if err != nil {
		b.Fatal(err)
	}
	enc := encodePrimary(pkgs)
	b.SetBytes(int64(len(enc)))
	b.ReportMetric(float64(len(enc)), "cache-bytes")
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		if _, err := decodePrimary(enc[len(cacheMagic)+2:]); err != nil {
			b.Fatal(err)
		}
	}
}

func rawRecordB(b *testing.B, dir, typ string) (string, []byte, []byte) {
	b.Helper()
	md, err := os.ReadFile(filepath.Join(dir, "repodata", "repomd.xml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := parseRepomd(md)
	if err != nil {
		b.Fatal(err)
	}
	for _, rec := range m.Records {
		if rec.Type != typ {
			continue
		}
		f, err := os.Open(filepath.Join(dir, rec.Location))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		ra, err := openStream(f, rec, 1<<30)
		if err != nil {
			b.Fatal(err)
		}
		defer ra.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(ra); err != nil {
			b.Fatal(err)
		}
		return rec.Location, nil, buf.Bytes()
	}
	b.Fatalf("no %s", typ)
	return "", nil, nil
}

func BenchmarkEncodeCache(b *testing.B) {
	_, _, open := rawRecordB(b, synthDir(b), "primary")
	pkgs, err := parsePrimary(bytes.NewReader(open))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		encodePrimary(pkgs)
	}
}

func BenchmarkWriteCache(b *testing.B) {
	_, _, open := rawRecordB(b, synthDir(b), "primary")
	pkgs, err := parsePrimary(bytes.NewReader(open))
	if err != nil {
		b.Fatal(err)
	}
	enc := encodePrimary(pkgs)
	dir := b.TempDir()
	b.ResetTimer()
	c0 := cpuTime()
	defer func() { reportCPU(b, c0) }()
	for b.Loop() {
		if err := writeCache(filepath.Join(dir, "x"), enc); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime returns the process's user+system CPU time. Benchmarks report it
// per operation ("cpu-ns/op") because wall time on a shared machine
// depends on its load.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
