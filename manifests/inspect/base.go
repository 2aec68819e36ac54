package inspect

import (
	"archive/tar"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Paths of the account files a derived image merges.
const (
	PasswdPath = "etc/passwd"
	GroupPath  = "etc/group"
)

// maxAccountFile bounds /etc/passwd and /etc/group read from a base.
const maxAccountFile = 4 << 20

// BaseFiles is what a build on a base needs of the base's tree, read from
// its layers with whiteouts applied: the package database, the accounts,
// and the paths of the tree.
type BaseFiles struct {
	// DB is DBSqlite, DBManifest or DBNone; DBLayer is the digest of the
	// layer that holds it.
	DB      string
	DBLayer v1.Hash
	// Sqlite is the extracted rpmdb.sqlite (under the caller's folder);
	// Manifest the container-manifest-2 file.
	Sqlite   string
	Manifest []byte
	// Passwd and Group are /etc/passwd and /etc/group (nil when absent).
	Passwd, Group []byte
	// Paths are the tree's paths (without a leading /), each with its tar
	// type flag; Links the symlinks' targets.
	Paths map[string]byte
	Links map[string]string
	// Attrs are the paths' permission bits and owners.
	Attrs map[string]Attr
	// Kept maps the regular files the caller asked for to their extracted
	// copies (under the caller's folder).
	Kept map[string]string
}

// Attr is a path's permission bits (with setuid, setgid and sticky)
// and numeric owner, as its tar header says.
type Attr struct {
	Mode     int64
	UID, GID int
}

// SortedPaths lists Paths sorted.
func (b *BaseFiles) SortedPaths() []string {
	out := make([]string, 0, len(b.Paths))
	for p := range b.Paths {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// ReadBase reads an image's layers, from the top down, for the files a
// build on it needs; rpmdb.sqlite is extracted into dir. Whiteouts and
// opaque folders of a layer hide what the layers below have. The bounds
// of opts (MaxDBSize, MaxScan) apply as for Inspect; MaxDBSize bounds each
// kept file too. keep, when set, names more regular files to extract.
func ReadBase(ctx context.Context, img v1.Image, dir string, opts Options, keep func(name string) bool) (*BaseFiles, error) {
	if opts.MaxDBSize <= 0 {
		opts.MaxDBSize = DefaultMaxDBSize
	}
	if opts.MaxScan <= 0 {
		opts.MaxScan = DefaultMaxScan
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	b := &BaseFiles{DB: DBNone, Paths: map[string]byte{}, Links: map[string]string{}, Attrs: map[string]Attr{}, Kept: map[string]string{}}
	// hidden: paths a higher layer has, or whited out; opaque: folders a
	// higher layer made opaque.
	hidden := map[string]bool{}
	opaqueDirs := map[string]bool{}
	covered := func(p string) bool {
		if hidden[p] {
			return true
		}
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			if opaqueDirs[d] || (hidden[d] && b.Paths[d] != tar.TypeDir) {
				return true
			}
		}
		return false
	}
	scan := &scanBudget{left: opts.MaxScan, max: opts.MaxScan}
	for i := len(layers) - 1; i >= 0; i-- {
		d, _ := layers[i].Digest()
		wh, opq, err := b.readLayer(ctx, layers[i], d, dir, covered, scan, opts.MaxDBSize, keep)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", d, err)
		}
		for _, p := range wh {
			hidden[p] = true
		}
		for _, p := range opq {
			opaqueDirs[p] = true
		}
		for p := range b.Paths {
			hidden[p] = true
		}
	}
	return b, nil
}

// readLayer adds one layer's visible entries to b and returns its
// whiteouts and opaque folders (which apply to the layers below).
func (b *BaseFiles) readLayer(ctx context.Context, l v1.Layer, digest v1.Hash, dir string, covered func(string) bool, scan *scanBudget, maxDB int64, keep func(string) bool) (wh, opq []string, err error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	tr := tar.NewReader(&budgetReader{stopped: ctx.Err, r: rc, b: scan})
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return wh, opq, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading tar: %w", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if name == "" {
			continue
		}
		base := path.Base(name)
		if base == ".wh..wh..opq" {
			opq = append(opq, path.Dir(name))
			continue
		}
		if strings.HasPrefix(base, ".wh.") {
			wh = append(wh, path.Join(path.Dir(name), strings.TrimPrefix(base, ".wh.")))
			continue
		}
		if covered(name) {
			continue
		}
		if _, ok := b.Paths[name]; ok { // twice in one layer: the first counts here
			continue
		}
		b.Paths[name] = h.Typeflag
		b.Attrs[name] = Attr{Mode: h.Mode & 0o7777, UID: h.Uid, GID: h.Gid}
		if h.Typeflag == tar.TypeSymlink {
			b.Links[name] = h.Linkname
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if keep != nil && keep(name) {
			if h.Size > maxDB {
				return nil, nil, fmt.Errorf("/%s is %d bytes, more than the %d slipway reads", name, h.Size, maxDB)
			}
			p := filepath.Join(dir, fmt.Sprintf("kept-%d", len(b.Kept)))
			if err := extract(tr, p, maxDB); err != nil {
				return nil, nil, fmt.Errorf("extracting /%s: %w", name, err)
			}
			b.Kept[name] = p
			continue
		}
		switch name {
		case SqlitePath:
			if h.Size > maxDB {
				return nil, nil, fmt.Errorf("%s is %d bytes, more than the %d slipway reads", SqlitePath, h.Size, maxDB)
			}
			p := filepath.Join(dir, "rpmdb.sqlite")
			if err := extract(tr, p, maxDB); err != nil {
				return nil, nil, fmt.Errorf("extracting %s: %w", SqlitePath, err)
			}
			b.Sqlite, b.DB, b.DBLayer = p, DBSqlite, digest
		case ManifestPath:
			if h.Size > maxManifest {
				return nil, nil, fmt.Errorf("%s is %d bytes, more than the %d slipway reads", ManifestPath, h.Size, maxManifest)
			}
			data, err := readBounded(tr, maxManifest)
			if err != nil {
				return nil, nil, fmt.Errorf("reading %s: %w", ManifestPath, err)
			}
			b.Manifest = data
			if b.DB == DBNone {
				b.DB, b.DBLayer = DBManifest, digest
			}
		case PasswdPath, GroupPath:
			if h.Size > maxAccountFile {
				return nil, nil, fmt.Errorf("/%s is %d bytes, more than the %d slipway reads", name, h.Size, maxAccountFile)
			}
			data, err := readBounded(tr, maxAccountFile)
			if err != nil {
				return nil, nil, fmt.Errorf("reading /%s: %w", name, err)
			}
			if name == PasswdPath {
				b.Passwd = data
			} else {
				b.Group = data
			}
		}
	}
}

func readBounded(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}

// ReadSqliteHeaders returns the header blobs of an rpm sqlite database's
// Packages table, in the order of their package numbers.
func ReadSqliteHeaders(ctx context.Context, file string) ([][]byte, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro&immutable=1")
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", SqlitePath, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT blob FROM Packages ORDER BY hnum")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", SqlitePath, err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			return nil, fmt.Errorf("reading %s: %w", SqlitePath, err)
		}
		out = append(out, blob)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", SqlitePath, err)
	}
	return out, nil
}
