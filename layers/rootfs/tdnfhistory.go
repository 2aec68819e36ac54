package rootfs

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	_ "modernc.org/sqlite" // pure-Go driver "sqlite"
)

// tdnfHistoryDB is where tdnf keeps its history (HISTORY_DB_DIR).
const tdnfHistoryDB = "/var/lib/tdnf/history.db"

// rpmdbPath is the rpm database tdnf-history-util reads.
const rpmdbPath = "/var/lib/rpm/rpmdb.sqlite"

// rpmdbCookie is rpm's rpmdbCookie for a database holding pkgs numbered
// 1..n in order: SHA-256, as hex, over every name of the Name index in
// key order, each followed by the numbers of its packages (native
// 32-bit words: little-endian on x86_64 and aarch64).
func rpmdbCookie(pkgs []*pkgState) string {
	byName := map[string][]uint32{}
	for i, p := range pkgs {
		byName[p.name] = append(byName[p.name], uint32(i+1))
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		for _, hnum := range byName[n] {
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], hnum)
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tdnfHistory makes the database `tdnf-history-util init` writes: the
// tables rpms, transactions and trans_items, one baseline transaction
// ("(set)", type 0) at the build time with the rpm database's cookie,
// and every installed package (NEVRA as rpm formats it, in rpm database
// order) as an item of it (type 0).
func (w *Writer) tdnfHistory(pkgs []*pkgState) ([]byte, error) {
	dir, err := os.MkdirTemp(w.spool, "tdnf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "history.db")
	if err := writeTdnfHistory(file, pkgs, w.opts.BuildTime); err != nil {
		return nil, fmt.Errorf("writing the tdnf history: %w", err)
	}
	return os.ReadFile(file)
}

func writeTdnfHistory(file string, pkgs []*pkgState, buildTime int64) (err error) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(DELETE)")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS rpms(Id INTEGER PRIMARY KEY AUTOINCREMENT, nevra TEXT);"); err != nil {
		return err
	}
	ids := map[string]int64{}
	var installed []int64
	for _, p := range pkgs {
		if id, ok := ids[p.rpmNEVRA]; ok {
			installed = append(installed, id)
			continue
		}
		res, err := db.ExecContext(ctx, "INSERT INTO rpms(nevra) VALUES (?);", p.rpmNEVRA)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		ids[p.rpmNEVRA] = id
		installed = append(installed, id)
	}
	slices.Sort(installed)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS transactions(Id INTEGER PRIMARY KEY AUTOINCREMENT,cookie TEXT, cmdline TEXT,timestamp INTEGER, type INTEGER);"); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO transactions(cmdline, cookie, timestamp, type) VALUES (?, ?, ?, ?);",
		"(set)", rpmdbCookie(pkgs), buildTime, 0)
	if err != nil {
		return err
	}
	trans, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS trans_items(Id INTEGER PRIMARY KEY AUTOINCREMENT,trans_id INTEGER,type INTEGER,rpm_id INTEGER);"); err != nil {
		return err
	}
	for _, id := range installed {
		if _, err := tx.ExecContext(ctx, "INSERT INTO trans_items(trans_id, type, rpm_id) VALUES (?, ?, ?);", trans, 0, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// rpmTagNEVRA formats a package as rpm's NEVRA tag does: the epoch shown
// whenever the header has one, even 0.
func rpmTagNEVRA(name string, epoch *uint32, version, release, arch string) string {
	e := ""
	if epoch != nil {
		e = fmt.Sprintf("%d:", *epoch)
	}
	return name + "-" + e + version + "-" + release + "." + arch
}
