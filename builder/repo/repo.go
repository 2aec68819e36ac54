// Package repo reads RPM repository metadata: repodata/repomd.xml (with
// its detached OpenPGP signature when repo_gpgcheck is on), primary.xml and,
// on demand, filelists.xml and updateinfo.xml (advisories), over file://,
// http:// and https://.
//
// Metadata is verified before it is used: repomd.xml's signature against
// the repository's keys, then every metadata file's checksum, size,
// open-checksum and open-size as repomd.xml states them. The parsed form of
// primary and filelists is kept in a cache directory under a name derived
// from the verified checksum, so a repeat load skips download and parsing.
//
// # Credentials
//
// The library never reads the environment. Callers pass HTTP basic auth per
// repository with [WithBasicAuth]. The command line reads them from the
// variables named by [AuthEnvNames]: for repository id "azl-base" that is
// SLIPWAY_REPO_AZL_BASE_USERNAME and SLIPWAY_REPO_AZL_BASE_PASSWORD.
// Passwords never appear in errors or logs; user info embedded in a base URL
// is moved into the Authorization header and redacted from messages.
//
// Credentials go only to the repository's own origin: the scheme, host and
// port of its base URL ([origin.Check], the rule registries follow too). A
// redirect to another origin is followed without them; a redirect to a
// scheme other than http or https, or from https to http, is refused and
// not retried. An xml:base (in repomd.xml or on a package's location) must
// stay on the repository's origin: a remote repository can never name a
// local file or another host, and a file:// repository only other file://
// paths.
package repo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/slipway-build/slipway/internal/origin"
	"github.com/slipway-build/slipway/rpmmeta"
)

// Config describes one repository, as a .repo file section does once its
// variables are substituted.
type Config struct {
	ID      string
	BaseURL string
	// GPGKeys lists armored public key files: local paths, file://,
	// http:// or https:// URLs.
	GPGKeys []string
	// GPGCheck asks the package download step to check RPM signatures; the
	// metadata loader only carries it.
	GPGCheck bool
	// RepoGPGCheck makes Open verify repodata/repomd.xml.asc against
	// GPGKeys before anything in repomd.xml is trusted.
	RepoGPGCheck bool
	// Priority as dnf uses it: a lower number wins. Zero means dnf's
	// default, 99.
	Priority int
	// IncludePkgs and ExcludePkgs are dnf package specs with fnmatch
	// globs ("name", "name.arch", "name-version", "name-version-release",
	// "name-[epoch:]version-release.arch"). When IncludePkgs is set only
	// matching packages are kept; ExcludePkgs then drops matches.
	IncludePkgs []string
	ExcludePkgs []string
}

// DefaultPriority is dnf's priority for a repository that sets none.
const DefaultPriority = 99

// Checksum is a digest as repository metadata names it.
type Checksum struct {
	Type  string // "sha256", "sha512", "sha1", "md5", ...
	Value string // lower-case hex
}

// Package is one package of a repository: what resolution needs
// (rpmmeta.Package) plus where to fetch it and how to check it.
type Package struct {
	rpmmeta.Package

	Repo     string // repository id
	Priority int    // the repository's priority
	// Location is the package's href, relative to LocationBase when that is
	// set and to the repository's base URL otherwise.
	Location     string
	LocationBase string
	Checksum     Checksum

	PackageSize   uint64
	InstalledSize uint64
	ArchiveSize   uint64
	BuildTime     int64
	FileTime      int64

	SourceRPM   string
	License     string
	Vendor      string
	Group       string
	Packager    string
	BuildHost   string
	URL         string
	Summary     string
	Description string

	// HeaderStart and HeaderEnd are the byte range of the RPM header in
	// the package file (rpm:header-range).
	HeaderStart uint64
	HeaderEnd   uint64
}

// Repository is one loaded repository.
type Repository struct {
	Config   Config
	Priority int // Config.Priority, or DefaultPriority
	// Revision and Metadata come from repomd.xml.
	Revision string
	Metadata []Record
	// Packages lists the repository's packages of every architecture,
	// includepkgs/excludepkgs applied, in primary.xml's order.
	Packages []*Package

	base *url.URL
	auth *basicAuth
	o    *options

	mu             sync.Mutex
	filelistsReady bool
	// prefetched holds filelists decoded from the cache while primary
	// was loading (see open); LoadFilelists applies them.
	prefetched []fileList
}

// ID returns the repository id.
func (r *Repository) ID() string { return r.Config.ID }

// Record returns repomd.xml's record of the given type ("primary",
// "filelists", ...).
func (r *Repository) Record(typ string) (Record, bool) {
	for _, rec := range r.Metadata {
		if rec.Type == typ {
			return rec, true
		}
	}
	return Record{}, false
}

// PackageURL returns the URL to download p from, without credentials. A
// package whose xml:base or location leaves the repository's origin is
// refused (see the package documentation).
func (r *Repository) PackageURL(p *Package) (*url.URL, error) {
	base := r.base
	if p.LocationBase != "" {
		b, err := r.resolveBase(p.LocationBase)
		if err != nil {
			return nil, fmt.Errorf("repo %s: package %s: %w", r.Config.ID, p.NEVRA, err)
		}
		base = b
	}
	ref, err := url.Parse(p.Location)
	if err != nil {
		return nil, fmt.Errorf("repo %s: package %s: location is not a valid URL", r.Config.ID, p.NEVRA)
	}
	u := base.ResolveReference(ref)
	if err := origin.Check(r.base, u); err != nil {
		return nil, fmt.Errorf("repo %s: package %s: location %s: %w", r.Config.ID, p.NEVRA, u.Redacted(), err)
	}
	return u, nil
}

// resolveBase resolves an xml:base against the repository's base URL and
// checks that it stays on the repository's origin.
func (r *Repository) resolveBase(xmlBase string) (*url.URL, error) {
	ref, err := url.Parse(ensureSlash(xmlBase))
	if err != nil {
		// url.Parse's error quotes the input, which may hold a password.
		return nil, fmt.Errorf("xml:base %s is not a valid URL", origin.RedactURL(xmlBase))
	}
	u := r.base.ResolveReference(ref)
	if err := origin.Check(r.base, u); err != nil {
		return nil, fmt.Errorf("xml:base %s refused: %w (metadata and packages must stay on the repository's origin)", u.Redacted(), err)
	}
	return u, nil
}

// Set is the packages of several repositories for one architecture.
type Set struct {
	Arch  string
	Repos []*Repository
	// Packages holds the packages of Arch and noarch of every repository,
	// in repository order, then primary.xml order.
	Packages []*Package
}

// Load opens every repository (in parallel) and collects the packages for
// arch and noarch; source packages and other architectures are left out.
func Load(ctx context.Context, cfgs []Config, arch string, opts ...Option) (*Set, error) {
	if arch == "" {
		return nil, errors.New("repo: Load: empty architecture")
	}
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, c := range cfgs {
		if seen[c.ID] {
			return nil, fmt.Errorf("repo %s: repository id given twice", c.ID)
		}
		seen[c.ID] = true
	}
	repos := make([]*Repository, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, c := range cfgs {
		wg.Go(func() {
			repos[i], errs[i] = open(ctx, c, o)
		})
	}
	wg.Wait()
	ids := make([]string, len(cfgs))
	for i, c := range cfgs {
		ids[i] = c.ID
	}
	if err := joinFailures("repository", ids, errs); err != nil {
		return nil, err
	}
	s := &Set{Arch: arch, Repos: repos}
	for _, r := range repos {
		for _, p := range r.Packages {
			if p.Arch == arch || p.Arch == "noarch" {
				s.Packages = append(s.Packages, p)
			}
		}
	}
	return s, nil
}

// LoadFilelists loads filelists.xml of every repository of the set (in
// parallel); see [Repository.LoadFilelists].
func (s *Set) LoadFilelists(ctx context.Context) error {
	errs := make([]error, len(s.Repos))
	var wg sync.WaitGroup
	for i, r := range s.Repos {
		wg.Go(func() { errs[i] = r.LoadFilelists(ctx) })
	}
	wg.Wait()
	ids := make([]string, len(s.Repos))
	for i, r := range s.Repos {
		ids[i] = r.Config.ID
	}
	return joinFailures("repository", ids, errs)
}

// AuthEnvNames returns the environment variable names the command line
// reads HTTP basic auth credentials for repository id from:
// SLIPWAY_REPO_<ID>_USERNAME and SLIPWAY_REPO_<ID>_PASSWORD, where <ID> is
// the id upper-cased with every character other than A-Z and 0-9 replaced
// by '_'.
func AuthEnvNames(id string) (user, password string) {
	var b strings.Builder
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	k := "SLIPWAY_REPO_" + b.String()
	return k + "_USERNAME", k + "_PASSWORD"
}

func ensureSlash(s string) string {
	if strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// Open loads one repository: repomd.xml (verified when RepoGPGCheck is
// set) and primary.xml, from the cache when an entry for primary's
// checksum exists.
func Open(ctx context.Context, cfg Config, opts ...Option) (*Repository, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	return open(ctx, cfg, o)
}

func open(ctx context.Context, cfg Config, o *options) (*Repository, error) {
	if cfg.ID == "" {
		return nil, errors.New("repo: config without an id")
	}
	r := &Repository{Config: cfg, Priority: cfg.Priority, o: o}
	if r.Priority == 0 {
		r.Priority = DefaultPriority
	}
	f, err := newFilter(cfg.IncludePkgs, cfg.ExcludePkgs)
	if err != nil {
		return nil, fmt.Errorf("repo %s: %w", cfg.ID, err)
	}
	base, auth, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("repo %s: %w", cfg.ID, err)
	}
	if a, ok := o.auth[cfg.ID]; ok {
		auth = &a
	}
	auth = auth.bind(base)
	r.base, r.auth = base, auth
	log := o.log.With("repo", cfg.ID)

	repomdURL := base.JoinPath("repodata", "repomd.xml")
	repomd, err := o.fetcher.fetchBytes(ctx, repomdURL, auth, maxRepomdSize)
	if err != nil {
		return nil, fmt.Errorf("repo %s: fetching repomd.xml: %w", cfg.ID, err)
	}
	if cfg.RepoGPGCheck {
		if err := r.verifyRepomd(ctx, repomd); err != nil {
			return nil, err
		}
	}
	md, err := parseRepomd(repomd)
	if err != nil {
		return nil, fmt.Errorf("repo %s: %s: %w", cfg.ID, repomdURL.Redacted(), err)
	}
	r.Revision, r.Metadata = md.Revision, md.Records
	// Every record's xml:base is checked before anything is fetched or
	// read from the cache, so the answer does not depend on the cache.
	for _, rec := range md.Records {
		if rec.LocationBase == "" {
			continue
		}
		if _, err := r.resolveBase(rec.LocationBase); err != nil {
			return nil, fmt.Errorf("repo %s: repomd.xml %s record: %w", cfg.ID, rec.Type, err)
		}
	}
	rec, ok := r.Record("primary")
	if !ok {
		return nil, fmt.Errorf("repo %s: repomd.xml has no primary record", cfg.ID)
	}
	// A filelists cache entry exists only because an earlier load needed
	// it, so it is likely needed again: decode it on another core while
	// primary loads. It is kept aside, and applied only if LoadFilelists
	// is called, so what a load returns does not depend on it.
	var (
		pre    []fileList
		preErr error
		wg     sync.WaitGroup
	)
	if frec, ok := r.Record("filelists"); ok {
		if path := r.cachePath(frec, "filelists"); path != "" {
			if _, err := os.Stat(path); err == nil {
				wg.Go(func() { pre, preErr = readFilelistsCache(path) })
			}
		}
	}
	pkgs, hit, err := r.loadPrimary(ctx, rec)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("repo %s: %w", cfg.ID, err)
	}
	if preErr == nil {
		r.prefetched = pre
	}
	kept := make([]*Package, 0, len(pkgs))
	for i := range pkgs {
		p := &pkgs[i]
		if !f.keep(p) {
			continue
		}
		p.Repo, p.Priority = cfg.ID, r.Priority
		kept = append(kept, p)
	}
	r.Packages = kept
	log.Debug("loaded primary", "packages", len(pkgs), "kept", len(kept), "cached", hit)
	return r, nil
}

func parseBaseURL(s string) (*url.URL, *basicAuth, error) {
	if s == "" {
		return nil, nil, errors.New("empty baseurl")
	}
	u, err := url.Parse(ensureSlash(s))
	if err != nil {
		// url.Parse's error quotes the input, which may hold a password.
		return nil, nil, errors.New("baseurl is not a valid URL")
	}
	var auth *basicAuth
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, nil, fmt.Errorf("baseurl %s has no host", u.Redacted())
		}
	case "file":
	default:
		return nil, nil, fmt.Errorf("baseurl %s: unsupported scheme %q (want file, http or https)", u.Redacted(), u.Scheme)
	}
	if u.User != nil {
		p, _ := u.User.Password()
		auth = &basicAuth{user: u.User.Username(), password: p}
		u.User = nil
		auth.origin = u
	}
	return u, auth, nil
}

// LoadFilelists loads filelists.xml and sets every package's Files to its
// full file list. It is safe to call more than once; later calls do
// nothing.
func (r *Repository) LoadFilelists(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.filelistsReady {
		return nil
	}
	rec, ok := r.Record("filelists")
	if !ok {
		return fmt.Errorf("repo %s: repomd.xml has no filelists record", r.Config.ID)
	}
	lists := r.prefetched
	r.prefetched = nil
	if lists == nil {
		var err error
		if lists, _, err = r.loadFilelists(ctx, rec); err != nil {
			return fmt.Errorf("repo %s: %w", r.Config.ID, err)
		}
	}
	// filelists.xml lists the packages in primary.xml's order (createrepo
	// writes both from one list): match by position, and look a package
	// up by its id only where the order differs.
	var byID map[string]*Package
	k := 0 // r.Packages[k] is the next kept package in primary order
	for i := range lists {
		fl := &lists[i]
		var p *Package
		if k < len(r.Packages) && r.Packages[k].Checksum.Value == fl.PkgID {
			p = r.Packages[k]
			k++
		} else {
			if byID == nil {
				byID = make(map[string]*Package, len(r.Packages))
				for _, p := range r.Packages {
					byID[p.Checksum.Value] = p
				}
			}
			p = byID[fl.PkgID]
		}
		if p == nil || p.Name != fl.Name || p.Arch != fl.Arch {
			continue
		}
		p.Files = fl.Files
	}
	r.filelistsReady = true
	return nil
}

// basicAuth is one repository's HTTP credentials, bound to the origin
// they were configured for.
type basicAuth struct {
	user, password string
	origin         *url.URL
}

// bind returns a copy of a bound to base's origin (nil stays nil).
func (a *basicAuth) bind(base *url.URL) *basicAuth {
	if a == nil {
		return nil
	}
	b := *a
	b.origin = base
	return &b
}

// apply sets the credentials on req when req goes to their origin, and
// only then.
func (a *basicAuth) apply(req *http.Request) {
	if a == nil || origin.Check(a.origin, req.URL) != nil {
		return
	}
	req.SetBasicAuth(a.user, a.password)
}
