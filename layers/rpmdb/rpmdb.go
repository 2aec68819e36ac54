// Package rpmdb writes the package database of an image rootfs without
// running rpm: rpm 4.18's sqlite database (/var/lib/rpm/rpmdb.sqlite) with
// each package's header as rpm stores it after an install and every index
// table rpm reads, or, for images without a database, Azure Linux's
// rpmmanifest files (/var/lib/rpmmanifest/container-manifest-1 and -2).
//
// Output depends only on the packages, their order and Options: the same
// input gives the same bytes.
package rpmdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/slipway-build/slipway/layers/rpm"

	_ "modernc.org/sqlite" // pure-Go driver "sqlite"
)

// Paths of the database and the manifests inside a rootfs.
const (
	SQLitePath    = "var/lib/rpm/rpmdb.sqlite"
	Manifest1Path = "var/lib/rpmmanifest/container-manifest-1"
	Manifest2Path = "var/lib/rpmmanifest/container-manifest-2"
)

// Installed is one package to record as installed.
type Installed struct {
	// Pkg is the package as read from its file; only its signature and main
	// headers are used.
	Pkg *rpm.Package
	// NotInstalled lists the indexes (in the header's file arrays) of files
	// that were left out of the image, such as %doc files of an image
	// without docs; rpm records them as not installed and rpm -V skips them.
	NotInstalled []int
	// Blob, when set, is the header as an rpm database already stores it
	// (a base image's package): it is stored again as it is, and Pkg (its
	// Header parsed from Blob) names it.
	Blob []byte
}

// Options control what is recorded.
type Options struct {
	// InstallTime is the install time and transaction id recorded for every
	// package (INSTALLTIME, INSTALLTID), in seconds since the epoch; derive
	// it from SOURCE_DATE_EPOCH.
	InstallTime int64
	// Arch is the image's architecture ("x86_64", "aarch64"...); it decides
	// the transaction color rpm records (INSTALLCOLOR).
	Arch string
	// Logger receives debug messages; nil discards them.
	Logger *slog.Logger
}

// TransactionColor is rpm's %_transaction_color for an architecture: 3 on
// 64-bit multilib platforms, 0 elsewhere (rpm's platform macros).
func TransactionColor(arch string) uint32 {
	switch arch {
	case "x86_64", "amd64", "aarch64", "ppc64", "ppc64le", "ppc64p7", "s390x",
		"sparc64", "sparc64v", "mips64", "mips64el", "mips64r6", "mips64r6el",
		"riscv64", "loongarch64", "ia64", "alpha":
		return 3
	}
	return 0
}

// Header returns the header blob rpm 4.18 stores in its Packages table for
// pkg installed with opts: the package's immutable header region unchanged,
// then the signature tags rpm merges into the header when it reads a package
// (SIGSIZE, SIGMD5, RSAHEADER, SHA1HEADER, SHA256HEADER, ARCHIVESIZE...)
// and the install-time tags (INSTALLTIME, FILESTATES, INSTPREFIXES,
// INSTALLCOLOR, INSTALLTID), sorted by tag.
func Header(pkg Installed, opts Options) ([]byte, error) {
	if pkg.Pkg == nil || pkg.Pkg.Header == nil {
		return nil, errors.New("package without a header")
	}
	if pkg.Blob != nil {
		return pkg.Blob, nil
	}
	b, err := installedHeaderStates(pkg.Pkg.Signature, pkg.Pkg.Header, opts.InstallTime, opts.InstallTime, TransactionColor(opts.Arch), pkg.NotInstalled)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", nevra(pkg.Pkg), err)
	}
	return b, nil
}

func nevra(p *rpm.Package) string {
	return p.NEVRA().String()
}

// The schema rpm 4.18's sqlite backend creates, statement for statement.
func schema() []string {
	s := []string{"CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)"}
	for _, ix := range indexes {
		kt := "TEXT"
		if ix.blobKey {
			kt = "BLOB"
		}
		s = append(s, fmt.Sprintf("CREATE TABLE IF NOT EXISTS '%s' (key '%s' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))", ix.name, kt))
		if ix.keyIdx {
			s = append(s, fmt.Sprintf("CREATE INDEX '%s_key_idx' ON '%s'(key ASC)", ix.name, ix.name))
		}
		if ix.hnumIdx {
			s = append(s, fmt.Sprintf("CREATE INDEX '%s_hnum_idx' ON '%s'(hnum ASC)", ix.name, ix.name))
		}
	}
	return s
}

// Tables returns every row WriteSQLite stores, by table name, for pkgs
// numbered 1, 2... in order: "Packages" rows have the header blob as Key and
// Idx 0.
func Tables(pkgs []Installed, opts Options) (map[string][]Row, error) {
	t := map[string][]Row{}
	for i, p := range pkgs {
		hnum := int64(i + 1)
		blob, err := Header(p, opts)
		if err != nil {
			return nil, err
		}
		t["Packages"] = append(t["Packages"], Row{Key: string(blob), Hnum: hnum})
		h, err := rpm.ParseHeader(blob)
		if err != nil {
			return nil, fmt.Errorf("package %s: installed header: %w", nevra(p.Pkg), err)
		}
		for _, ix := range indexes {
			rows, err := indexRows(ix, h, hnum)
			if err != nil {
				return nil, fmt.Errorf("package %s: %w", nevra(p.Pkg), err)
			}
			t[ix.name] = append(t[ix.name], rows...)
		}
	}
	return t, nil
}

// WriteSQLite writes an rpm 4.18 sqlite database holding pkgs, numbered in
// the order given, to path (usually ROOT/var/lib/rpm/rpmdb.sqlite). It writes
// a temporary file beside path and renames it into place; the parent folder
// must exist. The journal mode is DELETE: no -wal or -shm files are left.
func WriteSQLite(ctx context.Context, path string, pkgs []Installed, opts Options) (err error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tables, err := Tables(pkgs, opts)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".rpmdb-*.sqlite")
	if err != nil {
		return fmt.Errorf("writing rpmdb %s: %w", path, err)
	}
	tmp := f.Name()
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing rpmdb %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp)
			os.Remove(tmp + "-journal")
		}
	}()
	if err := writeDB(ctx, tmp, tables); err != nil {
		return fmt.Errorf("writing rpmdb %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("writing rpmdb %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing rpmdb %s: %w", path, err)
	}
	log.DebugContext(ctx, "wrote rpmdb", "path", path, "packages", len(pkgs))
	return nil
}

func writeDB(ctx context.Context, file string, tables map[string][]Row) (err error) {
	// Cancellation is checked between packages; statements run without a
	// cancellable context, which spares the driver a goroutine per statement.
	cctx := ctx
	ctx = context.WithoutCancel(ctx)
	// The driver takes pragmas in the DSN so that every connection gets them.
	dsn := "file:" + file + "?_pragma=journal_mode(DELETE)&_pragma=page_size(4096)&_pragma=synchronous(OFF)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, s := range schema() {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating schema (%s): %w", s, err)
		}
	}
	pkgStmt, err := tx.PrepareContext(ctx, "INSERT INTO 'Packages' VALUES(?, ?)")
	if err != nil {
		return err
	}
	defer pkgStmt.Close()
	stmts := make([]*sql.Stmt, len(indexes))
	for i, ix := range indexes {
		if stmts[i], err = tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO '%s' VALUES(?, ?, ?)", ix.name)); err != nil {
			return err
		}
		defer stmts[i].Close()
	}
	// rpm adds a package and then its index entries, table by table.
	next := make([]int, len(indexes))
	for _, p := range tables["Packages"] {
		if err := cctx.Err(); err != nil {
			return err
		}
		if _, err := pkgStmt.ExecContext(ctx, p.Hnum, []byte(p.Key)); err != nil {
			return fmt.Errorf("inserting package %d: %w", p.Hnum, err)
		}
		for i, ix := range indexes {
			rows := tables[ix.name]
			for ; next[i] < len(rows) && rows[next[i]].Hnum == p.Hnum; next[i]++ {
				r := rows[next[i]]
				var key any = r.Key
				if ix.blobKey {
					key = []byte(r.Key)
				}
				if _, err := stmts[i].ExecContext(ctx, key, r.Hnum, r.Idx); err != nil {
					return fmt.Errorf("inserting into %s: %w", ix.name, err)
				}
			}
		}
	}
	return tx.Commit()
}
