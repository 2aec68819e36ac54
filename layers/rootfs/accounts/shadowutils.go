package accounts

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Settings are KEY VALUE lines of /etc/login.defs (or KEY=VALUE lines of
// /etc/default/useradd): the last setting of a key wins.
type Settings map[string]string

// ParseLoginDefs reads /etc/login.defs: "KEY VALUE" lines, "#" comments.
func ParseLoginDefs(data []byte) Settings {
	s := Settings{}
	for _, l := range splitLines(data) {
		f := strings.Fields(l)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		v := f[1]
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		s[f[0]] = v
	}
	return s
}

// ParseUseraddDefaults reads /etc/default/useradd: "KEY=VALUE" lines.
func ParseUseraddDefaults(data []byte) Settings {
	s := Settings{}
	for _, l := range splitLines(data) {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(l, "="); ok {
			s[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return s
}

// num returns a numeric setting (decimal, 0x hex or 0 octal as
// shadow-utils' getdef_num reads them), or def.
func (s Settings) num(key string, def int64) int64 {
	v, ok := s[key]
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return def
	}
	return n
}

func (s Settings) yes(key string) bool { return strings.EqualFold(s[key], "yes") }

// ShadowUtils does what shadow-utils' useradd, groupadd, pwconv and
// grpconv do to an image's account files, without running them. It
// changes DB and the texts of /etc/shadow and /etc/gshadow it holds.
type ShadowUtils struct {
	DB *DB
	// LoginDefs and UseraddDefaults are the image's /etc/login.defs and
	// /etc/default/useradd (nil when the image has none: the tools'
	// built-in defaults apply).
	LoginDefs       Settings
	UseraddDefaults Settings
	// Shadow and GShadow are the files' contents; HasShadow and
	// HasGShadow say whether they exist (useradd and groupadd write
	// them only then; pwconv and grpconv create them).
	Shadow, GShadow       []byte
	HasShadow, HasGShadow bool
	// Day is the build time in days since the epoch: the "last change"
	// field the tools write (they honour SOURCE_DATE_EPOCH).
	Day int64
	// Homes are the home folders useradd would have created, in order.
	Homes []Home
}

// Home is a home folder to create, owned by its user.
type Home struct {
	Path     string
	UID, GID uint32
	Mode     uint32
	Skel     string // folder whose content is copied in ("" = none)
}

// Exit statuses of useradd and groupadd (shadow-utils).
const (
	ExitOK       = 0
	ExitBadArg   = 3
	ExitIDInUse  = 4
	ExitNoGroup  = 6
	ExitNameUsed = 9
	ExitNoID     = 4 // no free id: useradd E_UID_IN_USE, groupadd E_GID_IN_USE
)

// GroupAdd is a groupadd command line.
type GroupAdd struct {
	Name      string
	System    bool // -r
	GID       *uint32
	Force     bool // -f
	NonUnique bool // -o
}

// UserAdd is a useradd command line.
type UserAdd struct {
	Name       string
	System     bool    // -r
	UID        *uint32 // -u
	NonUnique  bool    // -o
	Group      string  // -g (name or number)
	Groups     []string
	Home       string // -d
	Shell      string // -s
	Comment    string // -c
	CreateHome *bool  // -m (true) / -M (false)
	UserGroup  *bool  // -U (true) / -N (false)
}

// ErrIDs is returned when no id is free in the range.
var ErrIDs = errors.New("no free id")

func (su *ShadowUtils) idRange(user, system bool) (lo, hi int64) {
	minKey, maxKey, sysMin, sysMax := "UID_MIN", "UID_MAX", "SYS_UID_MIN", "SYS_UID_MAX"
	if !user {
		minKey, maxKey, sysMin, sysMax = "GID_MIN", "GID_MAX", "SYS_GID_MIN", "SYS_GID_MAX"
	}
	min := su.LoginDefs.num(minKey, 1000)
	if system {
		return su.LoginDefs.num(sysMin, 101), su.LoginDefs.num(sysMax, min-1)
	}
	return min, su.LoginDefs.num(maxKey, 60000)
}

// findID allocates an id as shadow-utils' find_new_uid/find_new_gid do:
// a system id one below the lowest in use in the range (or the top of
// the range), else the highest free one; a normal id one above the
// highest in use (or the bottom), else the lowest free one.
func findID(lo, hi int64, used func(uint32) bool, all []uint32, system bool, preferred *uint32) (uint32, error) {
	if lo < 0 || hi < lo || hi > 1<<32-2 {
		return 0, fmt.Errorf("%w: bad range %d-%d", ErrIDs, lo, hi)
	}
	if preferred != nil && int64(*preferred) >= lo && int64(*preferred) <= hi && !used(*preferred) {
		return *preferred, nil
	}
	if system {
		cand := hi
		for _, id := range all {
			if int64(id) >= lo && int64(id) <= cand {
				cand = int64(id) - 1
			}
		}
		if cand >= lo && !used(uint32(cand)) {
			return uint32(cand), nil
		}
		for id := hi; id >= lo; id-- {
			if !used(uint32(id)) {
				return uint32(id), nil
			}
		}
		return 0, fmt.Errorf("%w in %d-%d", ErrIDs, lo, hi)
	}
	cand := lo
	for _, id := range all {
		if int64(id) >= cand && int64(id) <= hi {
			cand = int64(id) + 1
		}
	}
	if cand <= hi && !used(uint32(cand)) {
		return uint32(cand), nil
	}
	for id := lo; id <= hi; id++ {
		if !used(uint32(id)) {
			return uint32(id), nil
		}
	}
	return 0, fmt.Errorf("%w in %d-%d", ErrIDs, lo, hi)
}

func (su *ShadowUtils) newGID(system bool, preferred *uint32) (uint32, error) {
	lo, hi := su.idRange(false, system)
	var all []uint32
	for _, g := range su.DB.Groups {
		all = append(all, g.GID)
	}
	return findID(lo, hi, func(id uint32) bool { _, ok := su.DB.GroupByID(id); return ok }, all, system, preferred)
}

func (su *ShadowUtils) newUID(system bool) (uint32, error) {
	lo, hi := su.idRange(true, system)
	var all []uint32
	for _, u := range su.DB.Users {
		all = append(all, u.UID)
	}
	return findID(lo, hi, func(id uint32) bool { _, ok := su.DB.UserByID(id); return ok }, all, system, nil)
}

// GroupAdd runs groupadd; it returns groupadd's exit status and a
// message for a failure.
func (su *ShadowUtils) GroupAdd(g GroupAdd) (int, string) {
	if _, ok := su.DB.LookupGroup(g.Name); ok {
		if g.Force {
			return ExitOK, ""
		}
		return ExitNameUsed, fmt.Sprintf("groupadd: group '%s' already exists", g.Name)
	}
	var gid uint32
	switch {
	case g.GID != nil:
		if _, taken := su.DB.GroupByID(*g.GID); taken && !g.NonUnique {
			if !g.Force {
				return ExitIDInUse, fmt.Sprintf("groupadd: GID '%d' already exists", *g.GID)
			}
			v, err := su.newGID(g.System, nil)
			if err != nil {
				return ExitNoID, "groupadd: " + err.Error()
			}
			gid = v
		} else {
			gid = *g.GID
		}
	default:
		v, err := su.newGID(g.System, nil)
		if err != nil {
			return ExitNoID, "groupadd: " + err.Error()
		}
		gid = v
	}
	su.addGroup(g.Name, gid, false)
	return ExitOK, ""
}

// addGroup adds a group (and its gshadow entry when the image has the
// file). Without /etc/gshadow, useradd leaves a locked password ("!") in
// the group entry it makes; groupadd leaves "x" (as shadow-utils do).
func (su *ShadowUtils) addGroup(name string, gid uint32, byUseradd bool) {
	g := Group{Name: name, GID: gid}
	if !su.HasGShadow && byUseradd {
		g.Password = "!"
	}
	su.DB.SetGroup(g)
	if su.HasGShadow {
		su.GShadow = appendLine(su.GShadow, name+":!::")
	}
}

// UserAdd runs useradd.
func (su *ShadowUtils) UserAdd(u UserAdd) (int, string) {
	if _, ok := su.DB.LookupUser(u.Name); ok {
		return ExitNameUsed, fmt.Sprintf("useradd: user '%s' already exists", u.Name)
	}
	var gid uint32
	makeGroup := false
	if u.Group != "" {
		g, ok := su.DB.LookupGroup(u.Group)
		if !ok {
			if n, err := strconv.ParseUint(u.Group, 10, 32); err == nil {
				g, ok = su.DB.GroupByID(uint32(n))
			}
		}
		if !ok {
			return ExitNoGroup, fmt.Sprintf("useradd: group '%s' does not exist", u.Group)
		}
		gid = g.GID
	} else {
		makeGroup = su.LoginDefs.yes("USERGROUPS_ENAB")
		if u.UserGroup != nil {
			makeGroup = *u.UserGroup
		}
		if makeGroup {
			if _, ok := su.DB.LookupGroup(u.Name); ok {
				return ExitNameUsed, fmt.Sprintf("useradd: group %s exists - if you want to add this user to that group, use -g.", u.Name)
			}
		} else {
			gid = uint32(su.UseraddDefaults.num("GROUP", 100))
		}
	}
	for _, name := range u.Groups {
		if _, ok := su.DB.LookupGroup(name); !ok {
			return ExitNoGroup, fmt.Sprintf("useradd: group '%s' does not exist", name)
		}
	}
	var uid uint32
	if u.UID != nil {
		if _, taken := su.DB.UserByID(*u.UID); taken && !u.NonUnique {
			return ExitIDInUse, fmt.Sprintf("useradd: UID %d is not unique", *u.UID)
		}
		uid = *u.UID
	} else {
		v, err := su.newUID(u.System)
		if err != nil {
			return ExitNoID, "useradd: " + err.Error()
		}
		uid = v
	}
	if makeGroup {
		v, err := su.newGID(u.System, &uid)
		if err != nil {
			return ExitNoID, "useradd: " + err.Error()
		}
		gid = v
		su.addGroup(u.Name, gid, true)
	}
	home := u.Home
	if home == "" {
		base := su.UseraddDefaults["HOME"]
		if base == "" {
			base = "/home"
		}
		home = strings.TrimSuffix(base, "/") + "/" + u.Name
	}
	shell := u.Shell
	if shell == "" {
		shell = su.UseraddDefaults["SHELL"]
		if _, ok := su.UseraddDefaults["SHELL"]; !ok {
			shell = "/bin/bash"
		}
	}
	nu := User{Name: u.Name, UID: uid, GID: gid, Gecos: u.Comment, Home: home, Shell: shell}
	if !su.HasShadow {
		nu.Password = "!" // no shadow file: the locked password stays in passwd
	}
	su.DB.SetUser(nu)
	for _, name := range u.Groups {
		su.DB.AddMember(name, u.Name)
		if su.HasGShadow {
			su.GShadow = addGShadowMember(su.GShadow, name, u.Name)
		}
	}
	if su.HasShadow {
		f := []string{u.Name, "!", su.day(), "", "", "", "", "", ""}
		if !u.System {
			f[3] = optNum(su.LoginDefs.num("PASS_MIN_DAYS", -1))
			f[4] = optNum(su.LoginDefs.num("PASS_MAX_DAYS", -1))
			f[5] = optNum(su.LoginDefs.num("PASS_WARN_AGE", -1))
			f[6] = optNum(su.UseraddDefaults.num("INACTIVE", -1))
		}
		su.Shadow = appendLine(su.Shadow, strings.Join(f, ":"))
	}
	create := !u.System && su.LoginDefs.yes("CREATE_HOME")
	if u.CreateHome != nil {
		create = *u.CreateHome
	}
	if create {
		su.Homes = append(su.Homes, Home{Path: home, UID: uid, GID: gid, Mode: su.HomeMode(), Skel: su.skel()})
	}
	return ExitOK, ""
}

// AppendGroups runs usermod -a -G GROUPS NAME: the user joins each group
// (group and gshadow member lists), as usermod does.
func (su *ShadowUtils) AppendGroups(name string, groups []string) (int, string) {
	if _, ok := su.DB.LookupUser(name); !ok {
		return ExitNoGroup, fmt.Sprintf("usermod: user '%s' does not exist", name)
	}
	for _, g := range groups {
		if _, ok := su.DB.LookupGroup(g); !ok {
			return ExitNoGroup, fmt.Sprintf("usermod: group '%s' does not exist", g)
		}
	}
	for _, g := range groups {
		su.DB.AddMember(g, name)
		if su.HasGShadow {
			su.GShadow = addGShadowMember(su.GShadow, g, name)
		}
	}
	return ExitOK, ""
}

// HomeMode is the mode useradd gives a home folder: HOME_MODE, else
// 0777 without UMASK (default 022).
func (su *ShadowUtils) HomeMode() uint32 {
	if m, ok := su.LoginDefs["HOME_MODE"]; ok {
		if v, err := strconv.ParseUint(m, 8, 32); err == nil {
			return uint32(v) & 0o7777
		}
	}
	umask := uint32(0o22)
	if m, ok := su.LoginDefs["UMASK"]; ok {
		if v, err := strconv.ParseUint(m, 8, 32); err == nil {
			umask = uint32(v)
		}
	}
	return 0o777 &^ umask
}

func (su *ShadowUtils) skel() string {
	if s, ok := su.UseraddDefaults["SKEL"]; ok {
		return s
	}
	return "/etc/skel"
}

func (su *ShadowUtils) day() string {
	if su.Day <= 0 {
		return ""
	}
	return strconv.FormatInt(su.Day, 10)
}

func optNum(n int64) string {
	if n < 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// keptEntries are the lines of a shadow or gshadow file that pwconv and
// grpconv keep: the first line of each name that exists, in file order;
// at maps a name to its line's index.
func keptEntries(file []byte, exists func(name string) bool) (lines []string, at map[string]int) {
	at = map[string]int{}
	for _, l := range splitLines(file) {
		name, _, _ := strings.Cut(l, ":")
		if _, dup := at[name]; dup || !exists(name) {
			continue
		}
		at[name] = len(lines)
		lines = append(lines, l)
	}
	return lines, at
}

// Pwconv writes an /etc/shadow entry for every user that lacks one
// (its password is the passwd file's field, usually "x"), moves a
// password left in /etc/passwd into the user's entry, and drops entries
// of users that do not exist, as pwconv does.
func (su *ShadowUtils) Pwconv() {
	lines, at := keptEntries(su.Shadow, func(name string) bool { _, ok := su.DB.LookupUser(name); return ok })
	for _, u := range su.DB.Users {
		pw := u.Password
		if i, ok := at[u.Name]; ok {
			if pw == "" {
				continue
			}
			f := strings.Split(lines[i], ":")
			if len(f) > 2 {
				f[1], f[2] = pw, su.day()
				lines[i] = strings.Join(f, ":")
			}
		} else {
			if pw == "" {
				pw = "x"
			}
			f := []string{u.Name, pw, su.day(),
				optNum(su.LoginDefs.num("PASS_MIN_DAYS", -1)), optNum(su.LoginDefs.num("PASS_MAX_DAYS", -1)),
				optNum(su.LoginDefs.num("PASS_WARN_AGE", -1)), "", "", ""}
			lines = append(lines, strings.Join(f, ":"))
		}
		if u.Password != "" {
			u.Password = ""
			su.DB.SetUser(u)
		}
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	su.Shadow, su.HasShadow = b.Bytes(), true
}

// Grpconv does for /etc/gshadow what Pwconv does for /etc/shadow (new
// entries: the group's password field, no administrators, its members).
func (su *ShadowUtils) Grpconv() {
	lines, at := keptEntries(su.GShadow, func(name string) bool { _, ok := su.DB.LookupGroup(name); return ok })
	for i := range su.DB.Groups {
		g := su.DB.Groups[i]
		pw := g.Password
		if j, ok := at[g.Name]; ok {
			if pw == "" {
				continue
			}
			f := strings.Split(lines[j], ":")
			if len(f) > 1 {
				f[1] = pw
				lines[j] = strings.Join(f, ":")
			}
		} else {
			if pw == "" {
				pw = "x"
			}
			lines = append(lines, g.Name+":"+pw+"::"+strings.Join(g.Members, ","))
		}
		if g.Password != "" {
			g.Password = ""
			su.DB.SetGroup(g)
		}
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	su.GShadow, su.HasGShadow = b.Bytes(), true
}

func appendLine(data []byte, l string) []byte {
	out := slices.Clone(data)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(append(out, l...), '\n')
}

// addGShadowMember adds user to the member list (4th field) of group's
// gshadow line.
func addGShadowMember(data []byte, group, user string) []byte {
	var b bytes.Buffer
	for _, l := range splitLines(data) {
		f := strings.Split(l, ":")
		if len(f) == 4 && f[0] == group {
			var m []string
			if f[3] != "" {
				m = strings.Split(f[3], ",")
			}
			if !slices.Contains(m, user) {
				m = append(m, user)
			}
			f[3] = strings.Join(m, ",")
			l = strings.Join(f, ":")
		}
		b.WriteString(l + "\n")
	}
	return b.Bytes()
}
