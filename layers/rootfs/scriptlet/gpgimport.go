package scriptlet

import (
	"bytes"
	"path"
	"strings"
)

// gpg --import FILE...: the public keys of the files go into root's
// keybox (/root/.gnupg/pubring.kbx, or the keybox --homedir or
// --no-default-keyring --keyring FILE names) as GnuPG 2.1 and later
// write it, with trustdb.gpg beside it. See keybox.go.

const emGpg = "gpg-keyring"

// rootGnupg is root's GnuPG home: rpm runs scriptlets as root, HOME=/root.
const rootGnupg = "/root/.gnupg"

type gpgImport struct {
	home    string // GnuPG home folder (image path)
	created bool   // the home is the default one, which gpg creates
	keybox  string // keybox file (image path)
	files   []string
}

func parseGpg(s *simple) (gpgImport, error) {
	g := gpgImport{home: rootGnupg, created: true}
	imp, noDefault, keyring := false, false, ""
	args := s.args[1:]
	value := func(i *int, a, name string) (string, error) {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, nil
		}
		if *i+1 >= len(args) {
			return "", notUnderstood("gpg %s without a value", name)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--import":
			imp = true
		case a == "--batch", a == "--yes", a == "--no-tty", a == "--quiet", a == "-q", a == "--verbose", a == "-v",
			a == "--no-permission-warning", a == "--no-greeting":
		case a == "--no-default-keyring":
			noDefault = true
		case a == "--homedir" || strings.HasPrefix(a, "--homedir="):
			v, err := value(&i, a, "--homedir")
			if err != nil {
				return g, err
			}
			p, err := imagePath(v)
			if err != nil {
				return g, err
			}
			g.home, g.created = p, false
		case a == "--keyring" || strings.HasPrefix(a, "--keyring="):
			v, err := value(&i, a, "--keyring")
			if err != nil {
				return g, err
			}
			if keyring != "" {
				return g, notUnderstood("gpg with two --keyring")
			}
			keyring = v
		case a == "--":
			g.files = append(g.files, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-"):
			return g, notUnderstood("gpg %s", a)
		default:
			g.files = append(g.files, a)
		}
	}
	if !imp {
		return g, notUnderstood("gpg without --import")
	}
	if len(g.files) == 0 {
		return g, notUnderstood("gpg --import from stdin")
	}
	for i, f := range g.files {
		p, err := imagePath(f)
		if err != nil {
			return g, err
		}
		g.files[i] = p
	}
	switch {
	case keyring == "" && noDefault:
		return g, notUnderstood("gpg --no-default-keyring without --keyring")
	case keyring != "" && !noDefault:
		return g, notUnderstood("gpg --keyring without --no-default-keyring")
	case keyring != "":
		// A new file is a keybox whatever its name (GnuPG 2.1+); an
		// existing old-style keyring is refused when the command runs.
		switch {
		case strings.HasPrefix(keyring, "/"):
			p, err := imagePath(keyring)
			if err != nil {
				return g, err
			}
			g.keybox = p
		case !strings.Contains(keyring, "/"):
			g.keybox = g.home + "/" + keyring
		default:
			return g, notUnderstood("gpg --keyring %s", keyring)
		}
	default:
		g.keybox = g.home + "/pubring.kbx"
	}
	return g, noFileOutput(s)
}

func checkGpg(s *simple) (class, error) {
	_, err := parseGpg(s)
	return class{emulation: emGpg}, err
}

func runGpg(r *runner, s *simple) (int, error) {
	g, _ := parseGpg(s)
	img := r.env.Image
	// gpg creates its default home (mode 0700), never another one.
	if fi, ok := img.Stat(g.home); !ok {
		if !g.created {
			r.warn("gpg: keyblock resource '%s': No such file or directory", g.keybox)
			return 2, nil
		}
		if err := img.Mkdir(g.home, 0o700); err != nil {
			r.warn("gpg: can't create directory '%s': %v", g.home, err)
			return 2, nil
		}
	} else if fi.Type != 'd' {
		r.warn("gpg: %s is not a directory", g.home)
		return 2, nil
	}
	// The keybox is created (umask 077) before anything is imported.
	box, ok := img.ReadFile(g.keybox)
	mode := uint32(0o600)
	if !ok {
		if _, exists := img.Lstat(g.keybox); exists {
			r.warn("gpg: keyblock resource '%s': not a regular file", g.keybox)
			return 2, nil
		}
		box = keyboxHeader(uint32(r.env.BuildTime.Unix()))
		if err := img.WriteFile(g.keybox, box, mode); err != nil {
			r.warn("gpg: keybox '%s': %v", g.keybox, err)
			return 2, nil
		}
	} else if fi, _ := img.Stat(g.keybox); fi.Mode != 0 {
		mode = fi.Mode & 0o7777
	}
	have, err := readKeybox(box)
	if err != nil {
		r.warn("gpg: '%s' is not a keybox (%v): importing into an old-style keyring is not emulated", g.keybox, err)
		return 2, nil
	}
	status, imported := 0, false
	prev, prevMode := box, mode
	for _, f := range g.files {
		data, ok := img.ReadFile(f)
		if !ok {
			r.warn("gpg: can't open '%s': No such file or directory", f)
			status = 2
			continue
		}
		keys, err := parseKeys(data)
		if err != nil {
			r.warn("gpg --import %s: %v", f, err)
			status = 2
			continue
		}
		for _, k := range keys {
			dup := false
			for _, h := range have {
				if bytes.Equal(h.fpr, k.fprs[0]) {
					dup = true
					if !bytes.Equal(h.image, k.image) {
						r.warn("gpg --import %s: key %s is already in %s with other content; merging keys is not emulated", f, k.fingerprint(), g.keybox)
						status = 2
					}
				}
			}
			if dup {
				continue
			}
			if imported {
				prevMode = 0o666 &^ umask
			}
			prev = box
			box = append(append([]byte(nil), box...), keyboxBlob(k, uint32(r.env.BuildTime.Unix()))...)
			have = append(have, kbxKey{fpr: k.fprs[0], image: k.image})
			imported = true
		}
	}
	if !imported {
		return status, nil
	}
	// Each insert writes a new file (mode 0666 less rpm's umask) and
	// keeps the previous one as FILE~.
	backup := g.keybox + "~"
	if err := writeMode(img, backup, prev, prevMode); err != nil {
		r.warn("gpg: %v", err)
		return 2, nil
	}
	if err := writeMode(img, g.keybox, box, 0o666&^umask); err != nil {
		r.warn("gpg: %v", err)
		return 2, nil
	}
	tdb := path.Join(g.home, "trustdb.gpg")
	if _, ok := img.Lstat(tdb); !ok {
		if err := img.WriteFile(tdb, trustDB(uint32(r.env.BuildTime.Unix())), 0o600); err != nil {
			r.warn("gpg: %v", err)
			return 2, nil
		}
	}
	return status, nil
}

// writeMode writes a file and sets its mode (WriteFile keeps the mode
// of an existing file).
func writeMode(img Image, p string, data []byte, mode uint32) error {
	if err := img.WriteFile(p, data, mode); err != nil {
		return err
	}
	return img.Chmod(p, mode)
}
