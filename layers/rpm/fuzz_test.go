package rpm

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite the fuzz seed corpora under testdata/fuzz")

// seedPackages are the packages the fuzz corpora start from.
func seedPackages() map[string][]byte {
	return map[string][]byte{
		"newc":          synthRPM(synthFiles, synthOpts{}),
		"newc-gzip":     synthRPM(synthFiles, synthOpts{gzip: true}),
		"stripped":      synthRPM(synthFiles, synthOpts{stripped: true}),
		"no-files":      synthRPM(nil, synthOpts{}),
		"bad-digest":    synthRPM(synthFiles, synthOpts{badPayload: true}),
		"stripped-gzip": synthRPM(synthFiles, synthOpts{stripped: true, gzip: true}),
		"crc":           synthRPM(synthFiles, synthOpts{crc: true}),
		"newc-bzip2":    synthRPM(synthFiles, synthOpts{bzip2: true}),
	}
}

// headerOf returns the main header blob (no magic) and the payload of a package.
func headerOf(t testing.TB, pkg []byte) (raw, payload []byte) {
	p, err := Open(bytes.NewReader(pkg))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(pkg, p.HeaderBytes())
	return p.Header.Raw(), pkg[i+len(p.HeaderBytes()):]
}

// TestWriteFuzzSeeds writes the seed corpora with -write-seeds, and
// otherwise checks the committed ones are there.
func TestWriteFuzzSeeds(t *testing.T) {
	dirs := map[string]map[string][]byte{"FuzzOpen": {}, "FuzzHeader": {}, "FuzzCpio": {}}
	for name, pkg := range seedPackages() {
		dirs["FuzzOpen"][name] = pkg
		raw, payload := headerOf(t, pkg)
		dirs["FuzzHeader"][name] = raw
		if !bytes.HasPrefix(payload, []byte{0x1f, 0x8b}) {
			dirs["FuzzCpio"][name] = payload
		}
	}
	for fz, seeds := range dirs {
		dir := filepath.Join("testdata", "fuzz", fz)
		for name, data := range seeds {
			file := filepath.Join(dir, name)
			if *writeSeeds {
				os.MkdirAll(dir, 0o755)
				content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
				if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if _, err := os.Stat(file); err != nil {
				t.Errorf("seed %s missing: run go test -run TestWriteFuzzSeeds -write-seeds", file)
			}
		}
	}
}

// FuzzOpen reads a whole package: headers, file list, dependencies, payload.
func FuzzOpen(f *testing.F) {
	for _, pkg := range seedPackages() {
		f.Add(pkg)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Open(bytes.NewReader(data))
		if err != nil {
			return
		}
		p.NEVRA()
		for k := Requires; k <= Enhances; k++ {
			p.Deps(k)
		}
		if _, err := p.Files(); err != nil {
			return
		}
		// With and without goroutines, the same verdict.
		_, err = p.Verify(withGoroutines(false))
		p2, _ := Open(bytes.NewReader(data))
		_, err2 := p2.Verify(withGoroutines(true))
		if fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Errorf("without goroutines: %v; with: %v", err, err2)
		}
	})
}

// FuzzHeader parses a header blob and reads every entry with every getter.
func FuzzHeader(f *testing.F) {
	for _, pkg := range seedPackages() {
		raw, _ := headerOf(f, pkg)
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(data)
		if err != nil {
			return
		}
		if !bytes.Equal(h.Raw(), data) {
			t.Fatal("Raw differs from the parsed blob")
		}
		for _, tag := range h.Tags() {
			h.Strings(tag)
			h.Ints(tag)
			h.Bytes(tag)
			h.String(tag)
			h.Int(tag)
		}
		p := &Package{Header: h, Signature: h}
		p.Files()
		for k := Requires; k <= Enhances; k++ {
			p.Deps(k)
		}
	})
}

// FuzzCpio reads an uncompressed archive entry by entry.
func FuzzCpio(f *testing.F) {
	for _, pkg := range seedPackages() {
		if _, payload := headerOf(f, pkg); !bytes.HasPrefix(payload, []byte{0x1f, 0x8b}) {
			f.Add(payload)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Through a bufio.Reader with Read, and through a readahead
		// without copies (data), the same entries and the same error.
		viaRead := cpioTranscript(newCpioReader(bytes.NewReader(data)), false)
		viaData := cpioTranscript(newCpioReader(newReadahead(bytes.NewReader(data), nil, nil, 32<<10, true)), true)
		if viaRead != viaData {
			t.Errorf("Read gives\n%s\ndata gives\n%s", viaRead, viaData)
		}
	})
}

// cpioTranscript reads an archive and describes what it read: each
// entry's name, size and data digest, and the error that ended it.
func cpioTranscript(c *cpioReader, useData bool) string {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		h, err := c.next()
		if err != nil {
			fmt.Fprintf(&b, "end: %v\n", err)
			break
		}
		if h.stripped {
			c.setData(int64(h.index % 64))
		}
		d := sha256.New()
		var n int64
		if useData {
			for {
				chunk, derr := c.data()
				d.Write(chunk)
				n += int64(len(chunk))
				if derr != nil {
					if derr != io.EOF {
						err = derr
					}
					break
				}
			}
		} else {
			n, err = io.Copy(d, c)
		}
		fmt.Fprintf(&b, "%q %d %x %v\n", h.name, n, d.Sum(nil), err)
		if err != nil {
			break
		}
	}
	return b.String()
}
