package repo

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const maxRepomdSize = 16 << 20

// Record is one <data> entry of repomd.xml.
type Record struct {
	Type         string
	Location     string // href, relative to LocationBase or the base URL
	LocationBase string // xml:base, if any
	Checksum     Checksum
	OpenChecksum Checksum // of the decompressed file; may be empty
	Size         int64    // -1 when not stated
	OpenSize     int64    // -1 when not stated
	Timestamp    int64
}

type repomd struct {
	Revision string
	Records  []Record
}

// The wire form of repomd.xml.
type xmlRepomd struct {
	Revision string    `xml:"revision"`
	Data     []xmlData `xml:"data"`
}

type xmlData struct {
	Type         string      `xml:"type,attr"`
	Checksum     xmlChecksum `xml:"checksum"`
	OpenChecksum xmlChecksum `xml:"open-checksum"`
	Location     struct {
		Href string `xml:"href,attr"`
		Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	} `xml:"location"`
	Timestamp string `xml:"timestamp"`
	Size      string `xml:"size"`
	OpenSize  string `xml:"open-size"`
}

type xmlChecksum struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// parseRepomd decodes repomd.xml into records, checking that every record
// has a type, a location and a well-formed checksum.
func parseRepomd(b []byte) (*repomd, error) {
	var x xmlRepomd
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("parsing repomd.xml: %w", err)
	}
	md := &repomd{Revision: strings.TrimSpace(x.Revision)}
	seen := map[string]bool{}
	for i, dt := range x.Data {
		rec := Record{Type: dt.Type, Location: dt.Location.Href, LocationBase: dt.Location.Base, Size: -1, OpenSize: -1}
		if rec.Type == "" {
			return nil, fmt.Errorf("repomd.xml: data entry %d has no type", i+1)
		}
		if seen[rec.Type] {
			return nil, fmt.Errorf("repomd.xml: two %q entries", rec.Type)
		}
		seen[rec.Type] = true
		if err := checkHref(rec.Location); err != nil {
			return nil, fmt.Errorf("repomd.xml: %s location: %w", rec.Type, err)
		}
		var err error
		if rec.Checksum, err = parseChecksum(dt.Checksum); err != nil {
			return nil, fmt.Errorf("repomd.xml: %s checksum: %w", rec.Type, err)
		}
		if dt.OpenChecksum.Type != "" || strings.TrimSpace(dt.OpenChecksum.Value) != "" {
			if rec.OpenChecksum, err = parseChecksum(dt.OpenChecksum); err != nil {
				return nil, fmt.Errorf("repomd.xml: %s open-checksum: %w", rec.Type, err)
			}
		}
		for _, f := range []struct {
			name string
			s    string
			dst  *int64
		}{{"size", dt.Size, &rec.Size}, {"open-size", dt.OpenSize, &rec.OpenSize}, {"timestamp", dt.Timestamp, &rec.Timestamp}} {
			s := strings.TrimSpace(f.s)
			if s == "" {
				continue
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("repomd.xml: %s %s %q is not a non-negative integer", rec.Type, f.name, s)
			}
			*f.dst = n
		}
		md.Records = append(md.Records, rec)
	}
	return md, nil
}

// checkHref refuses metadata locations that leave the repository: absolute
// URLs, absolute paths and "..".
func checkHref(h string) error {
	if h == "" {
		return errors.New("empty href")
	}
	if strings.Contains(h, "://") || strings.HasPrefix(h, "/") || strings.ContainsAny(h, "?#\\") {
		return fmt.Errorf("href %q must be a relative path", h)
	}
	for _, part := range strings.Split(h, "/") {
		if part == ".." {
			return fmt.Errorf("href %q leaves the repository", h)
		}
	}
	return nil
}

// hashSizes maps repository checksum type names to digest lengths.
var hashSizes = map[string]int{
	"md5": 16, "sha": 20, "sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64,
}

func parseChecksum(c xmlChecksum) (Checksum, error) {
	t := strings.ToLower(strings.TrimSpace(c.Type))
	v := strings.ToLower(strings.TrimSpace(c.Value))
	n, ok := hashSizes[t]
	if !ok {
		return Checksum{}, fmt.Errorf("unknown checksum type %q", c.Type)
	}
	if t == "sha" {
		t = "sha1"
	}
	if len(v) != 2*n {
		return Checksum{}, fmt.Errorf("%s value %q has %d hex digits, want %d", t, v, len(v), 2*n)
	}
	if _, err := hex.DecodeString(v); err != nil {
		return Checksum{}, fmt.Errorf("%s value %q is not hex", t, v)
	}
	return Checksum{Type: t, Value: v}, nil
}
