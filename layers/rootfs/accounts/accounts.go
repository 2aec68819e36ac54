// Package accounts builds an image's /etc/passwd, /etc/group (and
// /etc/shadow, /etc/gshadow) without running useradd or groupadd: the files
// a package such as setup ships are merged with accounts the configuration
// declares and with the users and groups of systemd sysusers.d files.
package accounts

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// User is one /etc/passwd entry.
type User struct {
	Name  string
	UID   uint32
	GID   uint32
	Gecos string
	Home  string
	Shell string
	// Password is the passwd file's second field when it is not "x"
	// (useradd writes "!" when the image has no /etc/shadow).
	Password string
}

// Group is one /etc/group entry.
type Group struct {
	Name    string
	GID     uint32
	Members []string
	// Password is the group file's second field when it is not "x"
	// (groupadd writes "!" when the image has no /etc/gshadow).
	Password string
}

// Check reports a field that cannot go into /etc/passwd as it is: a ':'
// (the separator) or a control character (a newline starts a forged
// entry, a NUL cuts the C string that readers see).
func (u User) Check() error {
	for _, f := range []struct{ name, v string }{{"name", u.Name}, {"GECOS", u.Gecos}, {"home", u.Home}, {"shell", u.Shell}} {
		if !validField(f.v, ":") {
			return fmt.Errorf("user %q: %s %q holds ':' or a control character", u.Name, f.name, f.v)
		}
	}
	return nil
}

// Check reports a group whose name or members cannot go into /etc/group
// as they are (':', ',' in a member, or a control character).
func (g Group) Check() error {
	if !validField(g.Name, ":,") {
		return fmt.Errorf("group %q: name holds ':', ',' or a control character", g.Name)
	}
	for _, m := range g.Members {
		if !validField(m, ":,") {
			return fmt.Errorf("group %q: member %q holds ':', ',' or a control character", g.Name, m)
		}
	}
	return nil
}

// validField reports whether s holds none of seps and no control
// character.
func validField(s, seps string) bool {
	return !strings.ContainsAny(s, seps) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// DB is a set of users and groups in file order. Lines it could not parse
// are kept verbatim so that rewriting a file changes only what was added.
type DB struct {
	Users  []User
	Groups []Group

	passwdLines []line // original /etc/passwd lines, nil entries = parsed users
	groupLines  []line
}

type line struct {
	raw   string
	index int // index in Users/Groups, or -1 for a verbatim line
}

// ParsePasswd parses /etc/passwd content. Comments, blank and NIS ("+")
// lines are kept verbatim; a malformed line is an error naming its number.
func (db *DB) ParsePasswd(name string, data []byte) error {
	for n, l := range splitLines(data) {
		if keepVerbatim(l) {
			db.passwdLines = append(db.passwdLines, line{raw: l, index: -1})
			continue
		}
		f := strings.Split(l, ":")
		if len(f) != 7 {
			return fmt.Errorf("%s line %d: want 7 fields, got %d", name, n+1, len(f))
		}
		uid, err := parseID(f[2])
		if err != nil {
			return fmt.Errorf("%s line %d: uid: %w", name, n+1, err)
		}
		gid, err := parseID(f[3])
		if err != nil {
			return fmt.Errorf("%s line %d: gid: %w", name, n+1, err)
		}
		if db.userIndex(f[0]) >= 0 {
			continue // the first entry wins, as getpwnam sees it
		}
		db.passwdLines = append(db.passwdLines, line{raw: l, index: len(db.Users)})
		u := User{Name: f[0], UID: uid, GID: gid, Gecos: f[4], Home: f[5], Shell: f[6]}
		if f[1] != "x" {
			u.Password = f[1]
		}
		db.Users = append(db.Users, u)
	}
	return nil
}

// ParseGroup parses /etc/group content.
func (db *DB) ParseGroup(name string, data []byte) error {
	for n, l := range splitLines(data) {
		if keepVerbatim(l) {
			db.groupLines = append(db.groupLines, line{raw: l, index: -1})
			continue
		}
		f := strings.Split(l, ":")
		if len(f) != 4 {
			return fmt.Errorf("%s line %d: want 4 fields, got %d", name, n+1, len(f))
		}
		gid, err := parseID(f[2])
		if err != nil {
			return fmt.Errorf("%s line %d: gid: %w", name, n+1, err)
		}
		if db.groupIndex(f[0]) >= 0 {
			continue
		}
		var members []string
		if f[3] != "" {
			members = strings.Split(f[3], ",")
		}
		db.groupLines = append(db.groupLines, line{raw: l, index: len(db.Groups)})
		g := Group{Name: f[0], GID: gid, Members: members}
		if f[1] != "x" {
			g.Password = f[1]
		}
		db.Groups = append(db.Groups, g)
	}
	return nil
}

func splitLines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func keepVerbatim(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || t[0] == '#' || t[0] == '+' || t[0] == '-'
}

func parseID(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number: %w", s, err)
	}
	return uint32(v), nil
}

func (db *DB) userIndex(name string) int {
	return slices.IndexFunc(db.Users, func(u User) bool { return u.Name == name })
}

func (db *DB) groupIndex(name string) int {
	return slices.IndexFunc(db.Groups, func(g Group) bool { return g.Name == name })
}

// LookupUser returns the user named name.
func (db *DB) LookupUser(name string) (User, bool) {
	if i := db.userIndex(name); i >= 0 {
		return db.Users[i], true
	}
	return User{}, false
}

// LookupGroup returns the group named name.
func (db *DB) LookupGroup(name string) (Group, bool) {
	if i := db.groupIndex(name); i >= 0 {
		return db.Groups[i], true
	}
	return Group{}, false
}

// UserByID returns the first user with uid.
func (db *DB) UserByID(uid uint32) (User, bool) {
	for _, u := range db.Users {
		if u.UID == uid {
			return u, true
		}
	}
	return User{}, false
}

// GroupByID returns the first group with gid.
func (db *DB) GroupByID(gid uint32) (Group, bool) {
	for _, g := range db.Groups {
		if g.GID == gid {
			return g, true
		}
	}
	return Group{}, false
}

// SetUser adds u, or replaces the user of the same name (keeping its place).
// It reports whether an existing, different entry was replaced.
func (db *DB) SetUser(u User) (replaced bool) {
	if i := db.userIndex(u.Name); i >= 0 {
		old := db.Users[i]
		db.Users[i] = u
		for k := range db.passwdLines {
			if db.passwdLines[k].index == i {
				db.passwdLines[k].raw = ""
			}
		}
		return old != u
	}
	db.passwdLines = append(db.passwdLines, line{index: len(db.Users)})
	db.Users = append(db.Users, u)
	return false
}

// SetGroup adds g, or replaces the group of the same name (keeping its place
// and, when g has none, its members).
func (db *DB) SetGroup(g Group) (replaced bool) {
	if i := db.groupIndex(g.Name); i >= 0 {
		old := db.Groups[i]
		if g.Members == nil {
			g.Members = old.Members
		}
		db.Groups[i] = g
		for k := range db.groupLines {
			if db.groupLines[k].index == i {
				db.groupLines[k].raw = ""
			}
		}
		return old.GID != g.GID
	}
	db.groupLines = append(db.groupLines, line{index: len(db.Groups)})
	db.Groups = append(db.Groups, g)
	return false
}

// AddMember adds user to group's member list (once).
func (db *DB) AddMember(group, user string) error {
	i := db.groupIndex(group)
	if i < 0 {
		return fmt.Errorf("group %q does not exist", group)
	}
	if slices.Contains(db.Groups[i].Members, user) {
		return nil
	}
	db.Groups[i].Members = append(db.Groups[i].Members, user)
	for k := range db.groupLines {
		if db.groupLines[k].index == i {
			db.groupLines[k].raw = ""
		}
	}
	return nil
}

func (u User) line() string {
	pw := u.Password
	if pw == "" {
		pw = "x"
	}
	return fmt.Sprintf("%s:%s:%d:%d:%s:%s:%s", u.Name, pw, u.UID, u.GID, u.Gecos, u.Home, u.Shell)
}

func (g Group) line() string {
	pw := g.Password
	if pw == "" {
		pw = "x"
	}
	return fmt.Sprintf("%s:%s:%d:%s", g.Name, pw, g.GID, strings.Join(g.Members, ","))
}

// Passwd renders /etc/passwd: parsed lines unchanged where possible, new
// users appended in the order they were added.
func (db *DB) Passwd() []byte {
	var b bytes.Buffer
	for _, l := range db.passwdLines {
		if l.index < 0 || l.raw != "" {
			b.WriteString(l.raw)
		} else {
			b.WriteString(db.Users[l.index].line())
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Group renders /etc/group.
func (db *DB) Group() []byte {
	var b bytes.Buffer
	for _, l := range db.groupLines {
		if l.index < 0 || l.raw != "" {
			b.WriteString(l.raw)
		} else {
			b.WriteString(db.Groups[l.index].line())
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Shadow merges existing /etc/shadow content with a locked entry ("!*")
// for every user it lacks. Fields other than the password are left empty,
// so the output does not depend on the build date.
func (db *DB) Shadow(existing []byte) []byte {
	return mergeShadow(existing, db.userNames(), func(n string) string { return n + ":!*:::::::" })
}

// GShadow merges existing /etc/gshadow content with an entry for every
// group it lacks.
func (db *DB) GShadow(existing []byte) []byte {
	return mergeShadow(existing, db.groupNames(), func(n string) string {
		g, _ := db.LookupGroup(n)
		return n + ":!*::" + strings.Join(g.Members, ",")
	})
}

func (db *DB) userNames() []string {
	var n []string
	for _, u := range db.Users {
		n = append(n, u.Name)
	}
	return n
}

func (db *DB) groupNames() []string {
	var n []string
	for _, g := range db.Groups {
		n = append(n, g.Name)
	}
	return n
}

func mergeShadow(existing []byte, names []string, mk func(string) string) []byte {
	var b bytes.Buffer
	have := map[string]bool{}
	for _, l := range splitLines(existing) {
		b.WriteString(l)
		b.WriteByte('\n')
		if name, _, ok := strings.Cut(l, ":"); ok {
			have[name] = true
		}
	}
	for _, n := range names {
		if !have[n] {
			b.WriteString(mk(n))
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
