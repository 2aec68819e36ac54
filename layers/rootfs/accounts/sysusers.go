package accounts

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// SysusersEntry is one line of a sysusers.d(5) file.
type SysusersEntry struct {
	Type  string // "u", "u!", "g", "m" or "r"
	Name  string
	ID    string // "" for "-"
	Gecos string
	Home  string
	Shell string
	File  string
	Line  int
}

// Default allocation range of system ids (login.defs' SYS_UID_MIN/MAX as
// systemd uses them).
const (
	sysIDMin = 1
	sysIDMax = 999
	defShell = "/usr/sbin/nologin"
	defHome  = "/"
)

// ParseSysusers parses a sysusers.d file. name is only used in errors.
func ParseSysusers(name string, data []byte) ([]SysusersEntry, error) {
	var out []SysusersEntry
	for n, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		f, err := fields(l)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, n+1, err)
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("%s line %d: want at least a type and a name", name, n+1)
		}
		if len(f) > 6 {
			return nil, fmt.Errorf("%s line %d: %d fields, at most 6 allowed", name, n+1, len(f))
		}
		for len(f) < 6 {
			f = append(f, "-")
		}
		for i := range f {
			if f[i] == "-" {
				f[i] = ""
			}
		}
		e := SysusersEntry{Type: f[0], Name: f[1], ID: f[2], Gecos: f[3], Home: f[4], Shell: f[5], File: name, Line: n + 1}
		switch e.Type {
		case "u", "u!":
			if e.Name == "" {
				return nil, fmt.Errorf("%s line %d: user without a name", name, n+1)
			}
		case "g":
			if e.Name == "" {
				return nil, fmt.Errorf("%s line %d: group without a name", name, n+1)
			}
			if e.Gecos != "" || e.Home != "" || e.Shell != "" {
				return nil, fmt.Errorf("%s line %d: g takes no GECOS, home or shell", name, n+1)
			}
		case "m":
			if e.Name == "" || e.ID == "" {
				return nil, fmt.Errorf("%s line %d: m needs a user and a group", name, n+1)
			}
		case "r":
			if e.ID == "" {
				return nil, fmt.Errorf("%s line %d: r needs a range", name, n+1)
			}
			if _, _, err := parseRange(e.ID); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, n+1, err)
			}
		default:
			return nil, fmt.Errorf("%s line %d: unknown type %q", name, n+1, e.Type)
		}
		fieldsOut := []string{e.Name, e.Gecos, e.Home, e.Shell}
		if e.Type == "m" {
			fieldsOut = append(fieldsOut, e.ID) // the group
		}
		for _, v := range fieldsOut {
			if !validField(v, ":") {
				return nil, fmt.Errorf("%s line %d: field %q holds ':' or a control character", name, n+1, v)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// fields splits a line the way systemd's extract_first_word does with
// quotes: whitespace separates, "..." and '...' group, backslash escapes.
func fields(l string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inField := false
	var quote byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && i+1 < len(l) {
				i++
				cur.WriteByte(l[i])
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote = c
			inField = true
		case c == '\\' && i+1 < len(l):
			i++
			cur.WriteByte(l[i])
			inField = true
		case c == ' ' || c == '\t':
			if inField {
				out = append(out, cur.String())
				cur.Reset()
				inField = false
			}
		default:
			cur.WriteByte(c)
			inField = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inField {
		out = append(out, cur.String())
	}
	return out, nil
}

func parseRange(s string) (lo, hi uint32, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	x, err1 := strconv.ParseUint(a, 10, 32)
	y, err2 := strconv.ParseUint(b, 10, 32)
	if err1 != nil || err2 != nil || x > y {
		return 0, 0, fmt.Errorf("bad id range %q", s)
	}
	return uint32(x), uint32(y), nil
}

// ApplySysusers creates the users and groups entries declare, as
// systemd-sysusers would on an empty system with db's accounts: existing
// names are left alone; groups (those declared and the implicit group of
// every user without a group) are created first, then users, then
// memberships. Ids "-" get the highest free id of the allowed ranges (the
// "r" lines, else 1-999), a user preferring the id of its own group.
// It returns a note for every entry it skipped.
func (db *DB) ApplySysusers(entries []SysusersEntry) ([]string, error) {
	var notes []string
	var ranges [][2]uint32
	for _, e := range entries {
		if e.Type == "r" {
			lo, hi, _ := parseRange(e.ID)
			ranges = append(ranges, [2]uint32{lo, hi})
		}
	}
	if len(ranges) == 0 {
		ranges = [][2]uint32{{sysIDMin, sysIDMax}}
	}
	sort.Slice(ranges, func(i, j int) bool { return ranges[i][1] > ranges[j][1] })
	usedUID := func(id uint32) bool { _, ok := db.UserByID(id); return ok }
	usedGID := func(id uint32) bool { _, ok := db.GroupByID(id); return ok }
	alloc := func(free func(uint32) bool) (uint32, bool) {
		for _, r := range ranges {
			for id := r[1]; ; id-- {
				if free(id) {
					return id, true
				}
				if id == r[0] {
					break
				}
			}
		}
		return 0, false
	}

	// Groups: declared ones in order, then the implicit ones of users.
	type gwant struct {
		name string
		id   string
		src  SysusersEntry
	}
	var groups []gwant
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Type == "g" && !seen[e.Name] {
			seen[e.Name] = true
			groups = append(groups, gwant{e.Name, e.ID, e})
		}
	}
	// Groups named by "m" lines come next (systemd's add_implicit), then
	// the groups of users.
	for _, e := range entries {
		if e.Type == "m" && !seen[e.ID] {
			seen[e.ID] = true
			groups = append(groups, gwant{e.ID, "", e})
		}
	}
	for _, e := range entries {
		if (e.Type == "u" || e.Type == "u!") && !seen[e.Name] {
			if strings.Contains(e.ID, ":") {
				continue // the user names its group
			}
			seen[e.Name] = true
			id := e.ID
			if strings.HasPrefix(id, "/") {
				id = ""
			}
			groups = append(groups, gwant{e.Name, id, e})
		}
	}
	for _, g := range groups {
		if _, ok := db.LookupGroup(g.name); ok {
			notes = append(notes, fmt.Sprintf("%s line %d: group %s exists", g.src.File, g.src.Line, g.name))
			continue
		}
		var gid uint32
		if g.id != "" && !strings.HasPrefix(g.id, "/") {
			v, err := parseID(g.id)
			if err != nil {
				return notes, fmt.Errorf("%s line %d: group %s: %w", g.src.File, g.src.Line, g.name, err)
			}
			if usedGID(v) {
				notes = append(notes, fmt.Sprintf("%s line %d: gid %d of %s is taken; allocating another", g.src.File, g.src.Line, v, g.name))
			} else {
				gid = v
			}
		}
		if gid == 0 {
			// Free as a gid, and not another user's uid, so uid and gid
			// of a user/group pair can match.
			v, ok := alloc(func(id uint32) bool { return !usedGID(id) && !usedUID(id) })
			if !ok {
				v, ok = alloc(func(id uint32) bool { return !usedGID(id) })
			}
			if !ok {
				return notes, fmt.Errorf("%s line %d: no free gid for group %s", g.src.File, g.src.Line, g.name)
			}
			gid = v
		}
		db.SetGroup(Group{Name: g.name, GID: gid})
	}

	// Users named by "m" lines only are created too, with defaults.
	declared := map[string]bool{}
	for _, e := range entries {
		if e.Type == "u" || e.Type == "u!" {
			declared[e.Name] = true
		}
	}
	var implicitUsers []SysusersEntry
	for _, e := range entries {
		if e.Type == "m" && !declared[e.Name] {
			declared[e.Name] = true
			implicitUsers = append(implicitUsers, SysusersEntry{Type: "u", Name: e.Name, File: e.File, Line: e.Line})
			if _, ok := db.LookupGroup(e.Name); !ok && !seen[e.Name] {
				seen[e.Name] = true
				if v, ok := alloc(func(id uint32) bool { return !usedGID(id) && !usedUID(id) }); ok {
					db.SetGroup(Group{Name: e.Name, GID: v})
				}
			}
		}
	}
	for _, e := range append(slices.Clone(entries), implicitUsers...) {
		if e.Type != "u" && e.Type != "u!" {
			continue
		}
		if _, ok := db.LookupUser(e.Name); ok {
			notes = append(notes, fmt.Sprintf("%s line %d: user %s exists", e.File, e.Line, e.Name))
			continue
		}
		uidText, gidText, hasG := strings.Cut(e.ID, ":")
		if uidText == "-" {
			uidText = ""
		}
		var gid uint32
		if hasG {
			if v, err := parseID(gidText); err == nil {
				gid = v
			} else if g, ok := db.LookupGroup(gidText); ok {
				gid = g.GID
			} else {
				return notes, fmt.Errorf("%s line %d: user %s: group %q does not exist", e.File, e.Line, e.Name, gidText)
			}
		} else {
			g, ok := db.LookupGroup(e.Name)
			if !ok {
				return notes, fmt.Errorf("%s line %d: user %s: its group was not created", e.File, e.Line, e.Name)
			}
			gid = g.GID
		}
		var uid uint32
		set := false
		if uidText != "" && !strings.HasPrefix(uidText, "/") {
			v, err := parseID(uidText)
			if err != nil {
				return notes, fmt.Errorf("%s line %d: user %s: %w", e.File, e.Line, e.Name, err)
			}
			if usedUID(v) {
				notes = append(notes, fmt.Sprintf("%s line %d: uid %d of %s is taken; allocating another", e.File, e.Line, v, e.Name))
			} else {
				uid, set = v, true
			}
		}
		if !set && !usedUID(gid) && gid != 0 {
			uid, set = gid, true
		}
		if !set {
			v, ok := alloc(func(id uint32) bool { return !usedUID(id) && !usedGID(id) })
			if !ok {
				v, ok = alloc(func(id uint32) bool { return !usedUID(id) })
			}
			if !ok {
				return notes, fmt.Errorf("%s line %d: no free uid for user %s", e.File, e.Line, e.Name)
			}
			uid = v
		}
		home, shell := e.Home, e.Shell
		if home == "" {
			home = defHome
		}
		if shell == "" {
			shell = defShell
		}
		db.SetUser(User{Name: e.Name, UID: uid, GID: gid, Gecos: e.Gecos, Home: home, Shell: shell})
	}

	for _, e := range entries {
		if e.Type != "m" {
			continue
		}
		if _, ok := db.LookupGroup(e.ID); !ok {
			v, ok := alloc(func(id uint32) bool { return !usedGID(id) && !usedUID(id) })
			if !ok {
				return notes, fmt.Errorf("%s line %d: no free gid for group %s", e.File, e.Line, e.ID)
			}
			db.SetGroup(Group{Name: e.ID, GID: v})
		}
		if err := db.AddMember(e.ID, e.Name); err != nil {
			return notes, fmt.Errorf("%s line %d: %w", e.File, e.Line, err)
		}
	}
	return notes, nil
}
