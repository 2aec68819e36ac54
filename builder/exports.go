package builder

import (
	"log/slog"
	"net/http"
	"net/url"
	"sort"

	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/builder/solve"
	"github.com/slipway-build/slipway/layers/rootfs"
)

// What cmd/slipway prints of a build, named here so that cmd imports
// builder and not the packages below it (internal/layout's test).

// ScriptletReport is one package's scriptlets and triggers, each with the
// audit's verdict (ArchBuild.Report.Packages).
type ScriptletReport = rootfs.PackageReport

// The verdicts of the scriptlet audit.
const (
	VerdictEmulated  = rootfs.VerdictEmulated
	VerdictNotNeeded = rootfs.VerdictNotNeeded
	VerdictUnhandled = rootfs.VerdictUnhandled
)

// SolveResult is the solver's result (solve.Result): the packages and
// why each is there.
type SolveResult = solve.Result

// UnsolvableError is a request the solver cannot satisfy, with each
// problem (solve.UnsolvableError).
type UnsolvableError = solve.UnsolvableError

// ByRequest is the reason kind of a package the configuration asked for.
const ByRequest = solve.ByRequest

// FormatWhyChain prints a chain of reasons as 'slipway why' shows it
// (solve.FormatChain).
func FormatWhyChain(chain []solve.Reason) string { return solve.FormatChain(chain) }

// RepoSet is a set of loaded repositories of one architecture (repo.Set).
type RepoSet = repo.Set

// AdvisoryMatch is an advisory that concerns an installed package
// (repo.AdvisoryMatch); AdvisoryFixed and AdvisoryOpen its states.
type AdvisoryMatch = repo.AdvisoryMatch

// The states of an advisory match.
const (
	AdvisoryFixed = repo.AdvisoryFixed
	AdvisoryOpen  = repo.AdvisoryOpen
)

// SeverityRank orders advisory severities (repo.SeverityRank).
func SeverityRank(s string) (int, bool) { return repo.SeverityRank(s) }

// RepoAuthEnvNames are the environment variables holding the user and
// password of repository id (repo.AuthEnvNames); cmd reads them.
func RepoAuthEnvNames(id string) (user, password string) { return repo.AuthEnvNames(id) }

// RepoClientOptions are the options of every repository load: log, cache
// folder, proxy, and basic auth per repository id (auth: id -> {user,
// password}).
func RepoClientOptions(log *slog.Logger, cacheDir string, proxy func(*http.Request) (*url.URL, error), auth map[string][2]string) []repo.Option {
	opts := []repo.Option{repo.WithLogger(log), repo.WithCacheDir(cacheDir), repo.WithProxy(proxy)}
	ids := make([]string, 0, len(auth))
	for id := range auth {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		opts = append(opts, repo.WithBasicAuth(id, auth[id][0], auth[id][1]))
	}
	return opts
}
