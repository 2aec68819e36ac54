package scriptlet

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// systemd-tmpfiles --create [CONFIG...]: the lines of tmpfiles.d files
// that create things (d, D, f, f+, L, L+, z), applied as systemd-tmpfiles
// --root does. Lines of other types, with specifiers ("%"), boot-only
// ("!") or other modifiers are not applied: each gives a warning and the
// command a non-zero status.

// tmpfilesDirs are the configuration folders, first wins by file name.
var tmpfilesDirs = []string{"/etc/tmpfiles.d", "/run/tmpfiles.d", "/usr/local/lib/tmpfiles.d", "/usr/lib/tmpfiles.d"}

const emTmpfiles = "tmpfiles"

func tmpfilesArgs(s *simple) ([]string, error) {
	create := false
	var ops []string
	for _, a := range s.args[1:] {
		switch {
		case a == "--create":
			create = true
		case strings.HasPrefix(a, "-"):
			return nil, notUnderstood("systemd-tmpfiles %s", a)
		default:
			if strings.Contains(a, "/") {
				if _, err := imagePath(a); err != nil {
					return nil, err
				}
			} else if a == "." || a == ".." || a == "" {
				return nil, notUnderstood("systemd-tmpfiles %q", a)
			}
			ops = append(ops, a)
		}
	}
	if !create {
		return nil, notUnderstood("systemd-tmpfiles without --create")
	}
	return ops, noFileOutput(s)
}

func checkTmpfiles(s *simple) (class, error) {
	_, err := tmpfilesArgs(s)
	return class{emulation: emTmpfiles}, err
}

// tmpfilesConfigs lists the configuration files to read: those named, or
// every *.conf of the folders (first folder wins by name), by name.
func tmpfilesConfigs(img Image, ops []string) []string {
	find := func(name string) string {
		for _, d := range tmpfilesDirs {
			p := d + "/" + name
			if fi, ok := img.Stat(p); ok && fi.Type == 'f' {
				return p
			}
		}
		return ""
	}
	var out []string
	if len(ops) > 0 {
		for _, o := range ops {
			if strings.HasPrefix(o, "/") {
				out = append(out, path.Clean(o))
			} else if p := find(o); p != "" {
				out = append(out, p)
			} else {
				out = append(out, "") // not found: an error
			}
		}
		return out
	}
	seen := map[string]bool{}
	var names []string
	for _, d := range tmpfilesDirs {
		entries, _ := img.ReadDir(d)
		for _, n := range entries {
			if strings.HasSuffix(n, ".conf") && !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, find(n))
	}
	return out
}

type tmpfilesLine struct {
	typ, path, mode, user, group, arg string
	plus                              bool
	where                             string
}

func runTmpfiles(r *runner, s *simple) (int, error) {
	ops, _ := tmpfilesArgs(s)
	img := r.env.Image
	st := 0
	var lines []tmpfilesLine
	for i, file := range tmpfilesConfigs(img, ops) {
		if file == "" {
			r.warn("systemd-tmpfiles: %s not found", ops[i])
			st = 1
			continue
		}
		data, ok := img.ReadFile(file)
		if !ok {
			r.warn("systemd-tmpfiles: cannot read %s", file)
			st = 1
			continue
		}
		for n, l := range strings.Split(string(data), "\n") {
			l = strings.TrimSpace(l)
			if l == "" || l[0] == '#' {
				continue
			}
			where := fmt.Sprintf("%s:%d", file, n+1)
			f := strings.Fields(l)
			if len(f) < 2 {
				r.warn("systemd-tmpfiles: %s: not understood", where)
				st = 1
				continue
			}
			for len(f) < 6 {
				f = append(f, "-")
			}
			arg := ""
			if len(f) > 6 {
				// the argument is the rest of the line after 6 fields
				arg = strings.Join(strings.Fields(l)[6:], " ")
			}
			line := tmpfilesLine{typ: f[0], path: f[1], mode: f[2], user: f[3], group: f[4], arg: arg, where: where}
			line.typ = strings.TrimSuffix(line.typ, "-") // errors ignored: the same here
			if strings.HasSuffix(line.typ, "+") {
				line.typ, line.plus = strings.TrimSuffix(line.typ, "+"), true
			}
			if !slices.Contains([]string{"d", "D", "f", "L", "z"}, line.typ) || (line.plus && line.typ != "f" && line.typ != "L") ||
				strings.ContainsAny(l, "%\\") || !strings.HasPrefix(line.path, "/") {
				r.warn("systemd-tmpfiles: %s: %q is not emulated", where, l)
				st = 1
				continue
			}
			if _, err := imagePath(line.path); err != nil {
				r.warn("systemd-tmpfiles: %s: %v", where, err)
				st = 1
				continue
			}
			if line.typ == "L" {
				if line.arg == "" || line.arg == "-" {
					r.warn("systemd-tmpfiles: %s: a link without a target is not emulated", where)
					st = 1
					continue
				}
				if err := linkTarget(path.Clean(line.path), line.arg); err != nil {
					r.warn("systemd-tmpfiles: %s: %v", where, err)
					st = 1
					continue
				}
			}
			lines = append(lines, line)
		}
	}
	// A path configured twice: the first line wins (systemd warns).
	seen := map[string]bool{}
	for _, l := range lines {
		p := path.Clean(l.path)
		if seen[p] {
			continue
		}
		seen[p] = true
		if err := applyTmpfiles(img, l, p); err != nil {
			r.warn("systemd-tmpfiles: %s: %v", l.where, err)
			st = 1
		}
	}
	return st, nil
}

func parseTmpfilesMode(m string) (uint32, bool, error) {
	if m == "-" || m == "" {
		return 0, false, nil
	}
	m = strings.TrimLeft(m, "~:")
	v, err := strconv.ParseUint(m, 8, 32)
	if err != nil || v > 0o7777 {
		return 0, false, fmt.Errorf("mode %q", m)
	}
	return uint32(v), true, nil
}

// mkdirParents creates the missing folders above p (0755, root).
func mkdirParents(img Image, p string) error {
	var missing []string
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if fi, ok := img.Stat(d); ok {
			if fi.Type != 'd' {
				return fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := img.Mkdir(missing[i], 0o755); err != nil {
			return err
		}
	}
	return nil
}

func applyTmpfiles(img Image, l tmpfilesLine, p string) error {
	mode, modeSet, err := parseTmpfilesMode(l.mode)
	if err != nil {
		return err
	}
	user, group := l.user, l.group
	if user == "-" {
		user = ""
	}
	if group == "-" {
		group = ""
	}
	adjust := func() error {
		if modeSet {
			if err := img.Chmod(p, mode); err != nil {
				return err
			}
		}
		if user != "" || group != "" {
			return img.Chown(p, user, group)
		}
		return nil
	}
	fi, exists := img.Lstat(p)
	switch l.typ {
	case "d", "D":
		if exists {
			if fi.Type != 'd' {
				return fmt.Errorf("%s exists and is not a directory", p)
			}
			return adjust()
		}
		if err := mkdirParents(img, p); err != nil {
			return err
		}
		m := uint32(0o755)
		if modeSet {
			m = mode
		}
		if err := img.Mkdir(p, m); err != nil {
			return err
		}
		return adjust()
	case "f":
		if exists && fi.Type != 'f' {
			return fmt.Errorf("%s exists and is not a file", p)
		}
		if exists && !l.plus {
			return adjust()
		}
		if err := mkdirParents(img, p); err != nil {
			return err
		}
		m := uint32(0o644)
		if modeSet {
			m = mode
		}
		content := ""
		if l.arg != "-" {
			content = l.arg
		}
		if err := img.WriteFile(p, []byte(content), m); err != nil {
			return err
		}
		return adjust()
	case "L":
		if exists {
			if !l.plus {
				return nil
			}
			if err := img.Remove(p); err != nil {
				return err
			}
		}
		if err := mkdirParents(img, p); err != nil {
			return err
		}
		return img.Symlink(l.arg, p)
	case "z":
		if !exists {
			return nil
		}
		return adjust()
	}
	return nil
}
