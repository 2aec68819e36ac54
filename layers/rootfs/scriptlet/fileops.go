package scriptlet

import (
	"path"
	"strconv"
	"strings"
)

// ln -s, mkdir, touch and rm on image paths: coreutils' behaviour for the
// options packages use; any other option is not understood.

const emFiles = "files"

// shortFlags splits "-sf"-style options (all from allowed) from operands;
// "--" ends the options.
func shortFlags(args []string, allowed string, valued string) (map[byte]string, []string, error) {
	flags := map[byte]string{}
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			ops = append(ops, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' && len(ops) == 0 {
			for j := 1; j < len(a); j++ {
				c := a[j]
				switch {
				case strings.IndexByte(allowed, c) >= 0:
					flags[c] = ""
				case strings.IndexByte(valued, c) >= 0:
					v := a[j+1:]
					if v == "" {
						if i+1 >= len(args) {
							return nil, nil, notUnderstood("option -%c without a value", c)
						}
						i++
						v = args[i]
					}
					flags[c] = v
					j = len(a)
				default:
					return nil, nil, notUnderstood("option -%c", c)
				}
			}
			continue
		}
		ops = append(ops, a)
	}
	return flags, ops, nil
}

func imagePaths(ops []string) ([]string, error) {
	out := make([]string, len(ops))
	for i, o := range ops {
		p, err := imagePath(o)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// ln -s[f][n] TARGET LINK

func parseLn(s *simple) (target, link string, force, noDeref bool, err error) {
	f, ops, err := shortFlags(s.args[1:], "sfnT", "")
	if err != nil {
		return "", "", false, false, err
	}
	if _, ok := f['s']; !ok {
		return "", "", false, false, notUnderstood("ln without -s")
	}
	if len(ops) != 2 {
		return "", "", false, false, notUnderstood("ln with %d operands", len(ops))
	}
	if link, err = imagePath(ops[1]); err != nil {
		return "", "", false, false, err
	}
	_, force = f['f']
	_, n := f['n']
	_, tt := f['T']
	return ops[0], link, force, n || tt, noFileOutput(s)
}

func checkLn(s *simple) (class, error) {
	target, link, _, _, err := parseLn(s)
	if err != nil {
		return class{}, err
	}
	if err := linkTarget(link, target); err != nil {
		return class{}, err
	}
	return class{emulation: emFiles}, nil
}

func runLn(r *runner, s *simple) (int, error) {
	target, link, force, noDeref, _ := parseLn(s)
	img := r.env.Image
	if !noDeref {
		if fi, ok := img.Stat(link); ok && fi.Type == 'd' {
			link = path.Join(link, path.Base(target))
			if linkTarget(link, target) != nil {
				r.warn("ln: %s -> %s would leave the image", link, target)
				return 1, nil
			}
		}
	}
	if fi, ok := img.Lstat(link); ok {
		if !force || fi.Type == 'd' {
			r.warn("ln: failed to create symbolic link '%s': File exists", link)
			return 1, nil
		}
		if err := img.Remove(link); err != nil {
			r.warn("ln: %v", err)
			return 1, nil
		}
	}
	if err := img.Symlink(target, link); err != nil {
		r.warn("ln: %v", err)
		return 1, nil
	}
	return 0, nil
}

// mkdir [-p] [-m MODE] DIR...

func parseMkdir(s *simple) (dirs []string, parents bool, mode uint32, modeSet bool, err error) {
	f, ops, err := shortFlags(s.args[1:], "p", "m")
	if err != nil {
		return nil, false, 0, false, err
	}
	if len(ops) == 0 {
		return nil, false, 0, false, notUnderstood("mkdir without a folder")
	}
	if m, ok := f['m']; ok {
		v, err := strconv.ParseUint(m, 8, 32)
		if err != nil || v > 0o7777 {
			return nil, false, 0, false, notUnderstood("mkdir -m %q", m)
		}
		mode, modeSet = uint32(v), true
	}
	_, parents = f['p']
	dirs, err = imagePaths(ops)
	if err != nil {
		return nil, false, 0, false, err
	}
	return dirs, parents, mode, modeSet, noFileOutput(s)
}

func checkMkdir(s *simple) (class, error) {
	_, _, _, _, err := parseMkdir(s)
	return class{emulation: emFiles}, err
}

func runMkdir(r *runner, s *simple) (int, error) {
	dirs, parents, mode, modeSet, _ := parseMkdir(s)
	img := r.env.Image
	st := 0
	for _, d := range dirs {
		if fi, ok := img.Stat(d); ok {
			if !parents || fi.Type != 'd' {
				r.warn("mkdir: cannot create directory '%s': File exists", d)
				st = 1
			}
			continue
		}
		if parents {
			if err := mkdirParents(img, d); err != nil {
				r.warn("mkdir: %v", err)
				st = 1
				continue
			}
		}
		m := uint32(0o777 &^ umask)
		if modeSet {
			m = mode
		}
		if err := img.Mkdir(d, m); err != nil {
			r.warn("mkdir: cannot create directory '%s': %v", d, err)
			st = 1
		}
	}
	return st, nil
}

// touch FILE...

func parseTouch(s *simple) ([]string, error) {
	_, ops, err := shortFlags(s.args[1:], "", "")
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, notUnderstood("touch without a file")
	}
	files, err := imagePaths(ops)
	if err != nil {
		return nil, err
	}
	return files, noFileOutput(s)
}

func checkTouch(s *simple) (class, error) {
	_, err := parseTouch(s)
	return class{emulation: emFiles}, err
}

func runTouch(r *runner, s *simple) (int, error) {
	files, _ := parseTouch(s)
	st := 0
	for _, f := range files {
		if _, ok := r.env.Image.Stat(f); ok {
			continue // times are the packages' own (or clamped): touch changes none
		}
		if err := r.env.Image.WriteFile(f, nil, 0o666&^umask); err != nil {
			r.warn("touch: cannot touch '%s': %v", f, err)
			st = 1
		}
	}
	return st, nil
}

// rm [-f] [-r|-R] PATH...

func parseRm(s *simple) (files []string, force, recursive bool, err error) {
	f, ops, err := shortFlags(s.args[1:], "frR", "")
	if err != nil {
		return nil, false, false, err
	}
	if len(ops) == 0 {
		return nil, false, false, notUnderstood("rm without a file")
	}
	if files, err = imagePaths(ops); err != nil {
		return nil, false, false, err
	}
	for _, p := range files {
		if p == "/" {
			return nil, false, false, notUnderstood("rm /")
		}
	}
	_, force = f['f']
	_, r1 := f['r']
	_, r2 := f['R']
	return files, force, r1 || r2, noFileOutput(s)
}

func checkRm(s *simple) (class, error) {
	_, _, _, err := parseRm(s)
	return class{emulation: emFiles}, err
}

func runRm(r *runner, s *simple) (int, error) {
	files, force, recursive, _ := parseRm(s)
	img := r.env.Image
	st := 0
	var remove func(p string) error
	remove = func(p string) error {
		if fi, ok := img.Lstat(p); ok && fi.Type == 'd' {
			names, _ := img.ReadDir(p)
			for _, n := range names {
				if err := remove(p + "/" + n); err != nil {
					return err
				}
			}
		}
		return img.Remove(p)
	}
	for _, p := range files {
		fi, ok := img.Lstat(p)
		switch {
		case !ok:
			if !force {
				r.warn("rm: cannot remove '%s': No such file or directory", p)
				st = 1
			}
		case fi.Type == 'd' && !recursive:
			r.warn("rm: cannot remove '%s': Is a directory", p)
			st = 1
		default:
			if err := remove(p); err != nil {
				r.warn("rm: %v", err)
				st = 1
			}
		}
	}
	return st, nil
}
