package config

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/internal/localfile"
)

// maxExtends bounds an extends chain; maxConfig the size of one file.
const (
	maxExtends = 32
	maxConfig  = 4 << 20
)

// Option changes how Load works.
type Option func(*options) error

type options struct {
	log      *slog.Logger
	readFile func(name string) ([]byte, error)
}

// WithLogger sends debug messages about the files read to l.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("config.WithLogger: nil logger")
		}
		o.log = l
		return nil
	}
}

// withReadFile replaces reading files from disk (tests, fuzzing).
func withReadFile(fn func(string) ([]byte, error)) Option {
	return func(o *options) error {
		o.readFile = fn
		return nil
	}
}

// Load reads the configuration at path, follows its extends chain, merges
// the files, reads local GPG keys (to digest them) and validates the
// result. Errors name the file, line and key; several problems found by
// validation are joined (errors.Join) and each is an *Error.
func Load(ctx context.Context, path string, opts ...Option) (*Config, error) {
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	l := &loader{opts: o}
	layers, err := l.chain(ctx, path)
	if err != nil {
		return nil, err
	}
	m := merge(layers)
	c, err := m.build(path)
	if err != nil {
		return nil, err
	}
	for _, ly := range layers {
		c.Files = append(c.Files, ly.file)
	}
	if err := l.digestKeys(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

type loader struct {
	opts options
}

// read reads a file the configuration names: a regular file (a named
// pipe, a device or a link to one is refused without waiting) of at most
// limit bytes. The error is the cause alone; callers name the file.
func (l *loader) read(name string, limit int64) ([]byte, error) {
	if l.opts.readFile != nil {
		data, err := l.opts.readFile(name)
		if err == nil && int64(len(data)) > limit {
			return nil, fmt.Errorf("larger than %s: %w", localfile.Size(limit), localfile.ErrTooLarge)
		}
		return data, err
	}
	data, err := localfile.ReadFile(name, "", limit)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, pe.Err
	}
	return data, err
}

// tooLarge is the error for a file beyond its limit, naming the file.
func tooLarge(file string, err error) error {
	if errors.Is(err, localfile.ErrTooLarge) {
		return &Error{File: file, Msg: err.Error()}
	}
	return nil
}

// layer is one file of an extends chain, decoded, with its repository
// entries expanded (repofile) and key paths resolved.
type layer struct {
	file  string
	lines map[string]int
	w     *wireFile
	repos []layerRepo
}

type layerRepo struct {
	w      wireRepo
	file   string         // declaring file (config or .repo)
	header int            // line of the [[repository]] header or .repo section
	lines  map[string]int // field -> line
}

func (ly *layer) pos(key string) Pos { return Pos{File: ly.file, Line: ly.lines[key]} }

// chain reads path and the files it extends, base last.
func (l *loader) chain(ctx context.Context, path string) ([]*layer, error) {
	var layers []*layer
	var seen []string // absolute paths, for cycle detection
	var shown []string
	file := path
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", file, err)
		}
		if i := slices.Index(seen, abs); i >= 0 {
			prev := layers[len(layers)-1]
			return nil, errAt(prev.pos("extends"), "extends", "cycle: %s", strings.Join(append(shown[i:], file), " -> "))
		}
		if len(layers) >= maxExtends {
			prev := layers[len(layers)-1]
			return nil, errAt(prev.pos("extends"), "extends", "chain is longer than %d files", maxExtends)
		}
		data, err := l.read(file, maxConfig)
		if e := tooLarge(file, err); e != nil {
			return nil, e
		}
		if err != nil {
			if len(layers) > 0 {
				prev := layers[len(layers)-1]
				return nil, &Error{File: prev.file, Line: prev.lines["extends"], Key: "extends", Msg: "reading " + file, Err: err}
			}
			return nil, fmt.Errorf("reading config %s: %w", file, err)
		}
		l.opts.log.Debug("read config file", "file", file)
		ly, err := l.prepare(file, abs, data)
		if err != nil {
			return nil, err
		}
		layers = append(layers, ly)
		seen = append(seen, abs)
		shown = append(shown, file)
		if ly.w.Extends == nil {
			return layers, nil
		}
		ext := *ly.w.Extends
		if ext == "" {
			return nil, errAt(ly.pos("extends"), "extends", "empty path")
		}
		if strings.Contains(ext, "://") {
			return nil, errAt(ly.pos("extends"), "extends", "%q: must be a file path, not a URL", ext)
		}
		if !filepath.IsAbs(ext) {
			ext = filepath.Join(filepath.Dir(file), ext)
		}
		file = ext
	}
}

func (l *loader) prepare(file, abs string, data []byte) (*layer, error) {
	w, lines, err := decodeFile(file, data)
	if err != nil {
		return nil, err
	}
	ly := &layer{file: file, lines: lines, w: w}
	dir := filepath.Dir(abs)
	var errs []error
	ids := map[string]int{}
	for i, r := range w.Repository {
		prefix := fmt.Sprintf("repository[%d]", i)
		sub := subLines(lines, prefix)
		header := lines[prefix]
		if r.RepoFile != nil {
			rs, err := l.importRepoFile(ly, prefix, r, dir)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, lr := range rs {
				if j, dup := ids[*lr.w.ID]; dup {
					errs = append(errs, &Error{File: lr.file, Line: lr.header, Key: "repository[" + *lr.w.ID + "]", Msg: fmt.Sprintf("id %q repeats the repository at line %d of %s", *lr.w.ID, ly.repos[j].header, ly.repos[j].file)})
					continue
				}
				ids[*lr.w.ID] = len(ly.repos)
				ly.repos = append(ly.repos, lr)
			}
			continue
		}
		if r.ID == nil {
			errs = append(errs, &Error{File: file, Line: header, Key: prefix + ".id", Msg: "required key is missing"})
			continue
		}
		id := *r.ID
		if j, dup := ids[id]; dup {
			errs = append(errs, &Error{File: file, Line: sub["id"], Key: "repository[" + id + "].id", Msg: fmt.Sprintf("id %q repeats the repository at line %d of %s", id, ly.repos[j].header, ly.repos[j].file)})
			continue
		}
		if r.GPGKey != nil {
			keys := make([]string, 0, len(*r.GPGKey))
			for _, k := range *r.GPGKey {
				u, err := resolveKey(k, dir)
				if err != nil {
					errs = append(errs, &Error{File: file, Line: sub["gpgkey"], Key: "repository[" + id + "].gpgkey", Msg: err.Error()})
					continue
				}
				keys = append(keys, u)
			}
			r.GPGKey = &keys
		}
		ids[id] = len(ly.repos)
		ly.repos = append(ly.repos, layerRepo{w: r, file: file, header: header, lines: sub})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ly, nil
}

// subLines returns the lines of the keys under prefix, without the prefix.
func subLines(lines map[string]int, prefix string) map[string]int {
	out := map[string]int{}
	for k, v := range lines {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			out[rest] = v
		}
	}
	return out
}

func (l *loader) importRepoFile(ly *layer, prefix string, r wireRepo, dir string) ([]layerRepo, error) {
	sub := subLines(ly.lines, prefix)
	for _, k := range slices.Sorted(maps.Keys(sub)) {
		if k != "repofile" {
			return nil, &Error{File: ly.file, Line: sub[k], Key: prefix + "." + k, Msg: "cannot be combined with repofile (set it in the .repo file)"}
		}
	}
	pos := Pos{File: ly.file, Line: sub["repofile"]}
	p, err := localPath(*r.RepoFile, dir)
	if err != nil {
		return nil, errAt(pos, prefix+".repofile", "%s", err)
	}
	data, err := l.read(p, maxRepoFile)
	if e := tooLarge(p, err); e != nil {
		return nil, e
	}
	if err != nil {
		return nil, &Error{File: pos.File, Line: pos.Line, Key: prefix + ".repofile", Msg: "reading " + *r.RepoFile, Err: err}
	}
	l.opts.log.Debug("read repo file", "file", p)
	entries, err := parseRepoFile(data, p)
	if err != nil {
		return nil, err
	}
	rdir := filepath.Dir(p)
	out := make([]layerRepo, 0, len(entries))
	for _, e := range entries {
		if !e.enabled {
			continue
		}
		keys := make([]string, 0, len(e.repo.GPGKeys))
		for _, k := range e.repo.GPGKeys {
			u, err := resolveKey(k, rdir)
			if err != nil {
				return nil, &Error{File: p, Line: e.lines["gpgkey"], Key: "[" + e.repo.ID + "] gpgkey", Msg: err.Error()}
			}
			keys = append(keys, u)
		}
		rr := e.repo
		w := wireRepo{
			ID: &rr.ID, Name: &rr.Name, BaseURL: &rr.BaseURL, GPGKey: &keys,
			GPGCheck: &rr.GPGCheck, RepoGPGCheck: &rr.RepoGPGCheck,
			IncludePkgs: &rr.IncludePkgs, ExcludePkgs: &rr.ExcludePkgs,
		}
		prio := int64(rr.Priority)
		w.Priority = &prio
		out = append(out, layerRepo{w: w, file: p, header: e.line, lines: e.lines})
	}
	return out, nil
}

// localPath resolves a file path written in a config against dir (the
// declaring file's folder). Relative paths must stay inside dir.
func localPath(p, dir string) (string, error) {
	if p == "" {
		return "", errors.New("empty path")
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	j := filepath.Join(dir, p)
	rel, err := filepath.Rel(dir, j)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%q leaves the folder of the file that names it (write an absolute path to mean it)", p)
	}
	return j, nil
}

// resolveKey turns a gpgkey entry into a URL: http(s):// and file:///
// URLs are kept, paths become file:// URLs with an absolute path.
func resolveKey(k, dir string) (string, error) {
	if scheme, rest, ok := strings.Cut(k, "://"); ok {
		switch scheme {
		case "http", "https":
			if rest == "" || strings.HasPrefix(rest, "/") {
				return "", fmt.Errorf("%q: URL has no host", k)
			}
			return k, nil
		case "file":
			if !strings.HasPrefix(rest, "/") {
				return "", fmt.Errorf("%q: a file:// URL needs an absolute path (file:///...)", k)
			}
			return "file://" + filepath.Clean(rest), nil
		default:
			return "", fmt.Errorf("%q: scheme %q is not file, http or https", k, scheme)
		}
	}
	p, err := localPath(k, dir)
	if err != nil {
		return "", err
	}
	return "file://" + p, nil
}

// digestKeys reads the local key files (for every architecture when the
// path holds variables) and records their digests.
func (l *loader) digestKeys(ctx context.Context, c *Config) error {
	c.keyDigests = map[string]string{}
	for _, r := range c.Repositories {
		for _, k := range r.GPGKeys {
			p, ok := strings.CutPrefix(k, "file://")
			if !ok {
				continue
			}
			if _, done := c.keyDigests[k]; done {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			var parts []string
			archs := c.Image.Architectures
			if len(vars(p)) == 0 && len(archs) > 0 {
				archs = archs[:1]
			}
			for _, arch := range archs {
				f := expandVars(p, c.Image.Releasever, arch)
				data, err := l.read(f, localfile.KeyLimit)
				if err != nil {
					pos := c.origins[keyRepo(r.ID, "gpgkey")]
					return &Error{File: pos.File, Line: pos.Line, Key: keyRepo(r.ID, "gpgkey"), Msg: "reading key " + f, Err: err}
				}
				sum := sha256.Sum256(data)
				parts = append(parts, hex.EncodeToString(sum[:]))
			}
			if len(parts) == 1 {
				c.keyDigests[k] = "sha256:" + parts[0]
			} else {
				sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
				c.keyDigests[k] = "sha256:" + hex.EncodeToString(sum[:])
			}
		}
	}
	return nil
}

func keyRepo(id, field string) string {
	k := "repository[" + id + "]"
	if field != "" {
		k += "." + field
	}
	return k
}

func keyAccount(kind, name, field string) string {
	k := "accounts." + kind + "[" + name + "]"
	if field != "" {
		k += "." + field
	}
	return k
}
