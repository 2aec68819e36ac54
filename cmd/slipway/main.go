// Command slipway builds container base images from RPM repositories
// without a daemon, without root and without running rpm or dnf.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/manifests"
)

// Set by the release build with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

// globals are the flags every command takes, and the process's
// environment. Commands get everything from here: nothing below cmd/ reads
// the environment.
type globals struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Verbose        bool
	Quiet          bool
	CacheDir       string
	Log            *slog.Logger
	Getenv         func(string) string
}

// command is one subcommand. Setup declares its flags on fs and returns the
// function that runs it once the flags are parsed.
type command struct {
	Name    string
	Summary string
	Usage   string // the synopsis line after "slipway ", e.g. "rpminfo [flags] FILE..."
	Long    string // optional paragraph shown by help
	Setup   func(fs *pflag.FlagSet) func(ctx context.Context, g *globals, args []string) error
}

// commandTable is every command of slipway, by the file that defines
// it; help and docs/cli.md list them by name. A new command is a
// function returning its *command values, added here.
func commandTable() []func() []*command {
	return []func() []*command{
		buildCommands,      // build
		publishCommands,    // publish, push
		mergeCommands,      // merge
		sbomCommands,       // sbom
		signCommands,       // sign
		verifyCommands,     // verify
		inspectCommands,    // inspect
		diffCommands,       // diff
		resolveCommands,    // resolve, why
		lockCommands,       // lock
		advisoriesCommands, // advisories
		vendorCommands,     // vendor
		configCommands,     // config
		rpminfoCommands,    // rpminfo
		keygenCommands,     // keygen
		completionCommands,
		versionCommands,
	}
}

// commands is commandTable by name.
func commands() map[string]*command {
	m := map[string]*command{}
	for _, f := range commandTable() {
		for _, c := range f() {
			if _, dup := m[c.Name]; dup {
				panic("slipway: two commands named " + c.Name)
			}
			m[c.Name] = c
		}
	}
	return m
}

// usageError is a mistake in how slipway was called: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// exitError ends with the given code after its message (if any) was printed
// by the command itself.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// SLIPWAY_CPUPROFILE=FILE writes a CPU profile (for benchmarks).
	if p := os.Getenv("SLIPWAY_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				defer f.Close()
				defer pprof.StopCPUProfile()
			}
		}
	}
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if code != 0 {
		pprof.StopCPUProfile()
		os.Exit(code)
	}
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	g := &globals{Stdout: stdout, Stderr: stderr, Stdin: stdin, Getenv: getenv}
	err := dispatch(ctx, g, args)
	if err == nil {
		return 0
	}
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "slipway: %s\n", ue.msg)
		fmt.Fprintln(stderr, "Run 'slipway help' for usage.")
		return 2
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "slipway: %s\n", ee.msg)
		}
		return ee.code
	}
	var te *manifests.TLSError // one line, whatever wrapped it
	if errors.As(err, &te) {
		err = te
	}
	fmt.Fprintf(stderr, "slipway: %s\n", err)
	return 1
}

// addGlobalFlags declares the global flags on fs. The values already in g
// (from flags given before the command name) stay as defaults.
func addGlobalFlags(fs *pflag.FlagSet, g *globals) {
	fs.BoolVarP(&g.Verbose, "verbose", "v", g.Verbose, "print detail of what is done")
	fs.BoolVarP(&g.Quiet, "quiet", "q", g.Quiet, "print nothing but results and errors")
	fs.StringVar(&g.CacheDir, "cache-dir", g.CacheDir, "cache for repository metadata and packages (default $XDG_CACHE_HOME/slipway)")
}

func dispatch(ctx context.Context, g *globals, args []string) error {
	// Global flags may stand before the command name.
	pre := pflag.NewFlagSet("slipway", pflag.ContinueOnError)
	pre.SetOutput(io.Discard)
	pre.SetInterspersed(false)
	addGlobalFlags(pre, g)
	showVersion := pre.Bool("version", false, "print the version")
	help := pre.BoolP("help", "h", false, "print help")
	if err := pre.Parse(args); err != nil {
		return usagef("%s", err)
	}
	rest := pre.Args()
	switch {
	case *showVersion:
		return runVersion(g)
	case *help || len(rest) == 0:
		printOverview(g.Stdout)
		if len(rest) == 0 && !*help {
			return &exitError{code: 2}
		}
		return nil
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		if len(rest) == 0 {
			printOverview(g.Stdout)
			return nil
		}
		c, ok := commands()[rest[0]]
		if !ok {
			return usagef("unknown command %q", rest[0])
		}
		fs := newFlagSet(c, g)
		c.Setup(fs)
		printCommandHelp(g.Stdout, c, fs)
		return nil
	}
	c, ok := commands()[name]
	if !ok {
		return usagef("unknown command %q", name)
	}
	fs := newFlagSet(c, g)
	runFn := c.Setup(fs)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(g.Stdout, c, fs)
			return err
		}
		return usagef("%s: %s", c.Name, err)
	}
	if g.Verbose && g.Quiet {
		return usagef("--verbose and --quiet cannot be used together")
	}
	if err := finishGlobals(g); err != nil {
		return err
	}
	return runFn(ctx, g, fs.Args())
}

func newFlagSet(c *command, g *globals) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	addGlobalFlags(fs, g)
	return fs
}

// finishGlobals fills defaults that come from the environment.
func finishGlobals(g *globals) error {
	level := slog.LevelWarn
	switch {
	case g.Verbose:
		level = slog.LevelDebug
	case g.Quiet:
		level = slog.LevelError
	}
	g.Log = slog.New(newCLIHandler(g.Stderr, level))
	if g.CacheDir == "" {
		g.CacheDir = defaultCacheDir(g.Getenv)
	}
	return nil
}

func defaultCacheDir(getenv func(string) string) string {
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "slipway")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "slipway")
	}
	return filepath.Join(os.TempDir(), "slipway-cache")
}

func printOverview(w io.Writer) {
	fmt.Fprintln(w, "slipway builds container base images from RPM repositories, without a daemon and without root.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: slipway [global flags] COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	all := commands()
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, all[n].Summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "help", "show help for a command")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Global flags:")
	fs := pflag.NewFlagSet("slipway", pflag.ContinueOnError)
	addGlobalFlags(fs, &globals{})
	fmt.Fprint(w, fs.FlagUsages())
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'slipway help COMMAND' for a command's flags.")
}

func printCommandHelp(w io.Writer, c *command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: slipway %s\n\n%s\n", c.Usage, c.Summary)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Long))
	}
	fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
}

// versionCommands is the version command.
func versionCommands() []*command {
	return []*command{
		{
			Name:    "version",
			Summary: "print slipway's version, commit and Go version",
			Usage:   "version",
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				return func(_ context.Context, g *globals, args []string) error {
					if len(args) != 0 {
						return usagef("version takes no arguments")
					}
					return runVersion(g)
				}
			},
		},
	}
}

func runVersion(g *globals) error {
	v, c := version, commit
	goVersion := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && c == "" {
				c = s.Value
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	fmt.Fprintf(g.Stdout, "slipway %s\ncommit %s\n%s\n", v, c, goVersion)
	return nil
}
