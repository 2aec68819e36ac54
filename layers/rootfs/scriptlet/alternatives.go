package scriptlet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The folders of the alternatives tool (chkconfig's, which Azure Linux,
// Fedora and RHEL ship as both alternatives and update-alternatives).
const (
	altDir   = "/etc/alternatives"
	stateDir = "/var/lib/alternatives"
)

type altLink struct {
	title    string // name in altDir
	facility string // the generic path (/usr/bin/java)
	target   string // the alternative's file ("" for a slave this alternative lacks)
}

type alternative struct {
	master   altLink
	slaves   []altLink
	priority int
	family   string
}

// altCommand is one alternatives command: --install (alt), or
// --remove NAME PATH (remove set).
type altCommand struct {
	alt    alternative
	remove bool
	title  string // of --remove
	target string // of --remove
}

func parseAlternatives(s *simple) (altCommand, error) {
	a := s.args[1:]
	var in altCommand
	have := false
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case "--remove":
			// alternatives --remove NAME PATH, alone (chkconfig's
			// setupDoubleArg: a name, then an absolute path).
			if have || in.remove || i+3 > len(a) || strings.HasPrefix(a[i+1], "/") {
				return in, notUnderstood("alternatives --remove needs a name and a path")
			}
			l, err := altLinkArgs("/", a[i+1], a[i+2])
			if err != nil {
				return in, err
			}
			in.remove, in.title, in.target = true, l.title, l.target
			i += 2
		case "--install":
			if have || in.remove || i+5 > len(a) {
				return in, notUnderstood("alternatives --install needs link, name, path and priority")
			}
			l, err := altLinkArgs(a[i+1], a[i+2], a[i+3])
			if err != nil {
				return in, err
			}
			p, err := strconv.Atoi(a[i+4])
			if err != nil {
				return in, notUnderstood("alternatives priority %q", a[i+4])
			}
			in.alt.master, in.alt.priority, have = l, p, true
			i += 4
		case "--slave":
			if i+4 > len(a) {
				return in, notUnderstood("alternatives --slave needs link, name and path")
			}
			l, err := altLinkArgs(a[i+1], a[i+2], a[i+3])
			if err != nil {
				return in, err
			}
			in.alt.slaves = append(in.alt.slaves, l)
			i += 3
		case "--family":
			if i+1 >= len(a) || a[i+1] == "" || strings.ContainsAny(a[i+1], "@\n") {
				return in, notUnderstood("alternatives --family")
			}
			in.alt.family = a[i+1]
			i++
		default:
			return in, notUnderstood("alternatives %s", a[i])
		}
	}
	switch {
	case in.remove && (len(in.alt.slaves) > 0 || in.alt.family != ""):
		return in, notUnderstood("alternatives --remove with --slave or --family")
	case !have && !in.remove:
		return in, notUnderstood("alternatives without --install or --remove")
	}
	return in, noFileOutput(s)
}

func altLinkArgs(link, name, target string) (altLink, error) {
	l, err := imagePath(link)
	if err != nil {
		return altLink{}, err
	}
	t, err := imagePath(target)
	if err != nil {
		return altLink{}, err
	}
	if err := altName(name); err != nil {
		return altLink{}, err
	}
	return altLink{title: name, facility: l, target: t}, nil
}

// altName checks a name of /etc/alternatives: one path component.
func altName(name string) error {
	if name == "" || strings.ContainsAny(name, "/\n\x00") || name == "." || name == ".." {
		if strings.Contains(name, "..") {
			return fmt.Errorf("alternative name %q %w", name, ErrOutside)
		}
		return notUnderstood("alternative name %q", name)
	}
	return nil
}

// statePath checks a path of a state file (which may come from a base
// image someone else made): absolute, staying in the image; clean.
func statePath(p string) (string, error) {
	c, err := imagePath(p)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", p, err)
	}
	return c, nil
}

func checkAlternatives(s *simple) (class, error) {
	_, err := parseAlternatives(s)
	return class{emulation: emAlternatives}, err
}

type altSet struct {
	auto    bool
	alts    []alternative
	best    int
	current int
}

// readAltState parses a state file as chkconfig's readConfig does.
func readAltState(data []byte, title string) (*altSet, error) {
	lines := strings.Split(string(data), "\n")
	i := 0
	next := func() (string, bool) {
		if i >= len(lines) || (i == len(lines)-1 && lines[i] == "") {
			return "", false
		}
		l := strings.TrimLeft(lines[i], " \t")
		i++
		return l, true
	}
	set := &altSet{current: -1}
	l, ok := next()
	switch {
	case ok && l == "auto":
		set.auto = true
	case ok && l == "manual":
	default:
		return nil, fmt.Errorf("bad mode on line 1")
	}
	l, ok = next()
	if !ok || !strings.HasPrefix(l, "/") {
		return nil, fmt.Errorf("bad primary link")
	}
	l, err := statePath(l)
	if err != nil {
		return nil, err
	}
	groups := []altLink{{title: title, facility: l}}
	for {
		l, ok = next()
		if !ok {
			return nil, fmt.Errorf("unexpected end of file")
		}
		if l == "" {
			break
		}
		if strings.HasPrefix(l, "/") {
			return nil, fmt.Errorf("path %s unexpected", l)
		}
		f, ok := next()
		if !ok || f == "" {
			return nil, fmt.Errorf("missing path for slave %s", l)
		}
		if err := altName(l); err != nil {
			return nil, fmt.Errorf("slave %w", err)
		}
		if f, err = statePath(f); err != nil {
			return nil, err
		}
		groups = append(groups, altLink{title: l, facility: f})
	}
	for {
		l, ok = next()
		if !ok || l == "" {
			break
		}
		if !strings.HasPrefix(l, "/") {
			return nil, fmt.Errorf("path to alternate expected, got %q", l)
		}
		if l, err = statePath(l); err != nil {
			return nil, err
		}
		alt := alternative{master: altLink{title: title, facility: groups[0].facility, target: l}}
		p, _ := next()
		if strings.HasPrefix(p, "@") {
			end := strings.IndexByte(p[1:], '@')
			if end <= 0 {
				return nil, fmt.Errorf("closing '@' missing or the family is empty")
			}
			alt.family, p = p[1:1+end], p[2+end:]
		}
		num := p
		if sp := strings.IndexAny(p, " \t"); sp >= 0 {
			return nil, fmt.Errorf("initscript %q in the state is not supported", p[sp:])
		}
		prio, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("numeric priority expected, got %q", p)
		}
		alt.priority = prio
		for _, g := range groups[1:] {
			t, _ := next()
			if t != "" && !strings.HasPrefix(t, "/") {
				return nil, fmt.Errorf("slave path expected, got %q", t)
			}
			if t != "" {
				if t, err = statePath(t); err != nil {
					return nil, err
				}
			}
			alt.slaves = append(alt.slaves, altLink{title: g.title, facility: g.facility, target: t})
		}
		if len(set.alts) > 0 && prio > set.alts[set.best].priority {
			set.best = len(set.alts)
		}
		set.alts = append(set.alts, alt)
	}
	for {
		l, ok = next()
		if !ok {
			break
		}
		if l != "" {
			return nil, fmt.Errorf("unexpected line %q", l)
		}
	}
	if len(set.alts) == 0 {
		return nil, fmt.Errorf("no alternatives")
	}
	return set, nil
}

func (set *altSet) state() []byte {
	var b strings.Builder
	if set.auto {
		b.WriteString("auto\n")
	} else {
		b.WriteString("manual\n")
	}
	b.WriteString(set.alts[0].master.facility + "\n")
	for _, s := range set.alts[0].slaves {
		b.WriteString(s.title + "\n" + s.facility + "\n")
	}
	b.WriteString("\n")
	for _, a := range set.alts {
		b.WriteString(a.master.target + "\n")
		if a.family != "" {
			b.WriteString("@" + a.family + "@")
		}
		b.WriteString(strconv.Itoa(a.priority) + "\n")
		for _, s := range a.slaves {
			b.WriteString(s.target + "\n")
		}
	}
	return []byte(b.String())
}

func runAlternatives(r *runner, s *simple) (int, error) {
	in, _ := parseAlternatives(s)
	if in.remove {
		return removeAlternative(r, in.title, in.target), nil
	}
	img := r.env.Image
	newAlt := in.alt
	title := newAlt.master.title
	statePath := stateDir + "/" + title
	set := &altSet{auto: true, current: -1}
	forceLinks := false
	if data, ok := img.ReadFile(statePath); ok {
		old, err := readAltState(data, title)
		if err != nil {
			r.warn("alternatives: reading %s: %v", statePath, err)
			return 2, nil
		}
		set = old
		// The current link decides between auto and manual.
		if fi, ok := img.Lstat(altDir + "/" + title); ok && fi.Type == 'l' {
			i := slices.IndexFunc(set.alts, func(a alternative) bool { return a.master.target == fi.Link })
			if i < 0 {
				set.auto = false
			} else {
				if i != set.best && set.auto {
					set.auto = false
				}
				set.current = i
			}
		}
	}
	if len(set.alts) > 0 {
		if newAlt.master.facility != set.alts[0].master.facility {
			r.warn("alternatives: the primary link for %s must be %s", title, set.alts[0].master.facility)
			return 2, nil
		}
		template := slices.Clone(set.alts[0].slaves)
		for _, sl := range newAlt.slaves {
			if !slices.ContainsFunc(template, func(t altLink) bool { return t.facility == sl.facility }) {
				template = append(template, sl)
			}
		}
		if i := slices.IndexFunc(set.alts, func(a alternative) bool { return a.master.target == newAlt.master.target }); i >= 0 {
			set.alts[i] = newAlt
			forceLinks = true
			// Slaves no alternative provides any more go.
			kept := template[:0]
			for _, t := range template {
				if slices.ContainsFunc(set.alts, func(a alternative) bool {
					return slices.ContainsFunc(a.slaves, func(s altLink) bool { return s.title == t.title && s.target != "" })
				}) {
					kept = append(kept, t)
				} else {
					removeAltLinks(img, t)
				}
			}
			template = kept
		} else {
			set.alts = append(set.alts, newAlt)
			if set.alts[set.best].priority < newAlt.priority {
				set.best = len(set.alts) - 1
			}
		}
		slices.SortFunc(template, func(a, b altLink) int { return strings.Compare(a.facility, b.facility) })
		for k := range set.alts {
			links := make([]altLink, len(template))
			for j, t := range template {
				i := slices.IndexFunc(set.alts[k].slaves, func(s altLink) bool { return s.title == t.title })
				if i >= 0 {
					if set.alts[k].slaves[i].facility != t.facility {
						r.warn("alternatives: link %s incorrect for slave %s (%s %s)", set.alts[k].slaves[i].facility, t.title, t.facility, t.title)
						return 2, nil
					}
					links[j] = set.alts[k].slaves[i]
				} else {
					links[j] = altLink{title: t.title, facility: t.facility}
				}
			}
			set.alts[k].slaves = links
		}
	} else {
		set.alts = []alternative{newAlt}
		set.best = 0
	}
	return writeAltState(r, set, forceLinks), nil
}

// writeAltState is chkconfig's writeState: the state file, then, in
// auto mode or when forced, the links of the current alternative (the
// best one in auto mode). It returns the tool's exit status.
func writeAltState(r *runner, set *altSet, forceLinks bool) int {
	img := r.env.Image
	statePath := stateDir + "/" + set.alts[0].master.title
	if err := img.WriteFile(statePath, set.state(), 0o644); err != nil {
		r.warn("alternatives: failed to create %s: %v", statePath, err)
		return 2
	}
	if set.auto {
		set.current = set.best
	}
	alt := set.alts[max(set.current, 0)]
	st := 0
	if forceLinks || set.auto {
		if !makeAltLinks(r, alt.master) {
			st = 2
		}
		for _, sl := range alt.slaves {
			if sl.target != "" {
				if !makeAltLinks(r, sl) {
					st = 2
				}
			} else {
				removeAltLinks(img, sl)
			}
		}
	}
	return st
}

// makeAltLinks points the generic path at altDir/title and that at the
// alternative, as chkconfig's makeLinks.
func makeAltLinks(r *runner, l altLink) bool {
	img := r.env.Image
	sl := altDir + "/" + l.title
	if fi, ok := img.Lstat(l.facility); !ok || fi.Type == 'l' {
		if !ok || fi.Link != sl {
			img.Remove(l.facility)
			if err := img.Symlink(sl, l.facility); err != nil {
				r.warn("alternatives: failed to link %s -> %s: %v", l.facility, sl, err)
				return false
			}
		}
	} else {
		r.warn("alternatives: failed to link %s -> %s: %s exists and it is not a symlink", l.facility, sl, l.facility)
	}
	if fi, ok := img.Lstat(sl); !ok || fi.Type != 'l' || fi.Link != l.target {
		if ok {
			img.Remove(sl)
		}
		if err := img.Symlink(l.target, sl); err != nil {
			r.warn("alternatives: failed to link %s -> %s: %v", sl, l.target, err)
			return false
		}
	}
	return true
}

func removeAltLinks(img Image, l altLink) {
	for _, p := range []string{altDir + "/" + l.title, l.facility} {
		if fi, ok := img.Lstat(p); ok && fi.Type == 'l' {
			img.Remove(p)
		}
	}
}

// removeAlternative is chkconfig's removeService: the alternative whose
// path is target leaves the set title (the last one takes its place);
// the best of those left is chosen again (one of the current one's
// family first); when it was the current one, the links follow the
// new choice. Removing the only one removes the links and the state.
// Its exit status is the tool's.
func removeAlternative(r *runner, title, target string) int {
	img := r.env.Image
	statePath := stateDir + "/" + title
	data, ok := img.ReadFile(statePath)
	if !ok {
		r.warn("alternatives: failed to open %s: No such file or directory", statePath)
		return 2
	}
	set, err := readAltState(data, title)
	if err != nil {
		r.warn("alternatives: reading %s: %v", statePath, err)
		return 2
	}
	fi, ok := img.Lstat(altDir + "/" + title)
	if !ok || fi.Type != 'l' {
		r.warn("alternatives: failed to read link %s: No such file or directory", set.alts[0].master.facility)
		return 2
	}
	if i := slices.IndexFunc(set.alts, func(a alternative) bool { return a.master.target == fi.Link }); i < 0 {
		set.auto = false
	} else {
		if i != set.best && set.auto {
			set.auto = false
		}
		set.current = i
	}
	i := slices.IndexFunc(set.alts, func(a alternative) bool { return a.master.target == target })
	if i < 0 {
		r.warn("alternatives: %s has not been configured as an alternative for %s", target, title)
		return 2
	}
	if len(set.alts) == 1 {
		removeAltLinks(img, set.alts[0].master)
		for _, sl := range set.alts[0].slaves {
			removeAltLinks(img, sl)
		}
		if err := img.Remove(statePath); err != nil {
			r.warn("alternatives: failed to remove %s: %v", statePath, err)
			return 2
		}
		return 0
	}
	family, hasFamily := "", false
	if set.current != -1 {
		family, hasFamily = set.alts[set.current].family, set.alts[set.current].family != ""
	}
	if set.current == i {
		set.current = -1
	}
	last := len(set.alts) - 1
	set.alts[i] = set.alts[last]
	if set.current == last {
		set.current = i
	}
	set.alts = set.alts[:last]
	set.best = 0
	for k := range set.alts {
		if altBetter(set.alts[k], set.alts[set.best], family, hasFamily) {
			set.best = k
		}
	}
	forceLinks := false
	if set.current == -1 {
		if !hasFamily || family != set.alts[set.best].family {
			set.auto = true
		} else {
			forceLinks = true
		}
		set.current = set.best
	}
	return writeAltState(r, set, forceLinks)
}

// altBetter is chkconfig's: with a family, one of that family beats
// one of another; otherwise the higher priority wins.
func altBetter(n, old alternative, family string, hasFamily bool) bool {
	if !hasFamily || (old.family == family) == (n.family == family) {
		return n.priority > old.priority
	}
	return n.family == family
}
