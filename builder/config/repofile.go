package config

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxRepoFile bounds the size of a .repo file.
const maxRepoFile = 4 << 20

// ParseRepoFile reads a dnf/yum .repo file (INI: [id] sections of
// key=value lines; lines starting with a space continue the previous
// value; # and ; start comments). Each enabled section becomes a
// Repository with id = section name (and name = id unless set, as dnf
// does). Known keys: name, baseurl, gpgkey
// (URLs separated by spaces, commas or newlines), gpgcheck, repo_gpgcheck,
// priority, includepkgs, excludepkgs (alias exclude), enabled; other keys
// are ignored, [main] is skipped. $releasever and $basearch are kept for
// Config.RepoURL. Defaults are dnf's (gpgcheck and repo_gpgcheck off,
// priority 99, enabled). gpgkey entries are returned as written; name is
// used in errors and as each Repository's File. ParseRepoFile does no I/O
// beyond reading r.
func ParseRepoFile(r io.Reader, name string) ([]Repository, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRepoFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxRepoFile {
		return nil, &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes", maxRepoFile)}
	}
	entries, err := parseRepoFile(data, name)
	if err != nil {
		return nil, err
	}
	var out []Repository
	for _, e := range entries {
		if e.enabled {
			out = append(out, e.repo)
		}
	}
	return out, nil
}

type repoEntry struct {
	repo    Repository
	enabled bool
	line    int            // line of the [section] header
	lines   map[string]int // key -> line
}

type iniSection struct {
	name  string
	line  int
	keys  []string
	vals  map[string]string
	lines map[string]int
}

func parseINI(data []byte, file string) ([]*iniSection, error) {
	var secs []*iniSection
	var cur *iniSection
	lastKey := ""
	seen := map[string]int{}
	for n, raw := range bytes.Split(data, []byte("\n")) {
		lineNo := n + 1
		line := strings.TrimRight(string(raw), "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			continue
		case line[0] == ' ' || line[0] == '\t':
			if cur == nil || lastKey == "" {
				return nil, &Error{File: file, Line: lineNo, Msg: "continuation line without a key before it"}
			}
			cur.vals[lastKey] += "\n" + trimmed
			continue
		case trimmed[0] == '[':
			if !strings.HasSuffix(trimmed, "]") {
				return nil, &Error{File: file, Line: lineNo, Msg: fmt.Sprintf("section header %q lacks its ']'", trimmed)}
			}
			id := strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			if id == "" {
				return nil, &Error{File: file, Line: lineNo, Msg: "empty section name"}
			}
			if prev, dup := seen[id]; dup {
				return nil, &Error{File: file, Line: lineNo, Key: "[" + id + "]", Msg: fmt.Sprintf("section repeats the one at line %d", prev)}
			}
			seen[id] = lineNo
			cur = &iniSection{name: id, line: lineNo, vals: map[string]string{}, lines: map[string]int{}}
			secs = append(secs, cur)
			lastKey = ""
			continue
		}
		k, v, ok := strings.Cut(trimmed, "=")
		if !ok {
			return nil, &Error{File: file, Line: lineNo, Msg: fmt.Sprintf("%q is neither a section, a key=value line nor a comment", trimmed)}
		}
		if cur == nil {
			return nil, &Error{File: file, Line: lineNo, Msg: "key outside a [section]"}
		}
		k = strings.TrimSpace(k) // dnf's keys are case-sensitive: BaseURL is not baseurl
		if k == "" {
			return nil, &Error{File: file, Line: lineNo, Msg: "empty key"}
		}
		if _, dup := cur.vals[k]; !dup {
			cur.keys = append(cur.keys, k)
		}
		cur.vals[k] = strings.TrimSpace(v) // the last value wins, as in dnf
		cur.lines[k] = lineNo
		lastKey = k
	}
	return secs, nil
}

func parseRepoFile(data []byte, file string) ([]repoEntry, error) {
	secs, err := parseINI(data, file)
	if err != nil {
		return nil, err
	}
	var out []repoEntry
	for _, s := range secs {
		if s.name == "main" {
			continue
		}
		e := repoEntry{
			repo:    Repository{ID: s.name, Priority: 99, File: file},
			enabled: true,
			line:    s.line,
			lines:   s.lines,
		}
		fail := func(k, format string, a ...any) error {
			return &Error{File: file, Line: s.lines[k], Key: "[" + s.name + "] " + k, Msg: fmt.Sprintf(format, a...)}
		}
		if !repoID.MatchString(s.name) {
			return nil, &Error{File: file, Line: s.line, Key: "[" + s.name + "]", Msg: "not a repository id (letters, digits and _ . : -)"}
		}
		for _, k := range s.keys {
			v := s.vals[k]
			switch k {
			case "name":
				e.repo.Name = v
			case "baseurl":
				urls := splitList(v)
				switch {
				case len(urls) == 0:
					return nil, fail(k, "empty")
				case len(urls) > 1:
					return nil, fail(k, "%d URLs: slipway takes one baseurl per repository", len(urls))
				}
				if err := checkURLSyntax(urls[0]); err != nil {
					return nil, fail(k, "%s", err)
				}
				e.repo.BaseURL = urls[0]
			case "gpgkey":
				e.repo.GPGKeys = splitList(v)
			case "gpgcheck", "repo_gpgcheck", "enabled":
				b, ok := parseBool(v)
				if !ok {
					return nil, fail(k, "%q is not a boolean (1/0, yes/no, true/false, on/off)", v)
				}
				switch k {
				case "gpgcheck":
					e.repo.GPGCheck = b
				case "repo_gpgcheck":
					e.repo.RepoGPGCheck = b
				default:
					e.enabled = b
				}
			case "priority":
				p, err := strconv.Atoi(v)
				if err != nil || p < 1 || p > 99 {
					return nil, fail(k, "%q is not an integer in 1..99", v)
				}
				e.repo.Priority = p
			case "includepkgs":
				e.repo.IncludePkgs = splitList(v)
			case "excludepkgs", "exclude":
				e.repo.ExcludePkgs = append(e.repo.ExcludePkgs, splitList(v)...)
			}
		}
		if e.enabled && e.repo.BaseURL == "" {
			msg := "no baseurl"
			if _, ok := s.vals["metalink"]; ok {
				msg += " (metalink is not supported)"
			} else if _, ok := s.vals["mirrorlist"]; ok {
				msg += " (mirrorlist is not supported)"
			}
			return nil, &Error{File: file, Line: s.line, Key: "[" + s.name + "]", Msg: msg}
		}
		if e.repo.Name == "" {
			e.repo.Name = e.repo.ID // as dnf does
		}
		out = append(out, e)
	}
	return out, nil
}

// splitList splits a dnf list value on spaces, commas and newlines.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "1", "yes", "true", "on":
		return true, true
	case "0", "no", "false", "off":
		return false, true
	}
	return false, false
}
