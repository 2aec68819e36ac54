package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/pflag"
)

// cliReference renders docs/cli.md from the registered commands and their
// flag definitions, so the reference cannot drift from the code (a test
// compares the file with this output).
func cliReference() []byte {
	var b bytes.Buffer
	b.WriteString("# slipway command-line reference\n\n")
	b.WriteString("<!-- Generated from the flag definitions by `go test ./cmd/slipway -run TestCLIReference -update`. Do not edit by hand. -->\n\n")
	b.WriteString("```\nslipway [global flags] COMMAND [flags] [args]\n```\n\n")
	b.WriteString("Exit codes: `0` success, `1` failure (the reason is printed on stderr), `2` usage error.\n\n")
	b.WriteString("Messages on stderr are one line each, in one style: `slipway: warning: ...`, `slipway: note: ...` " +
		"(`slipway: debug: ...` with `--verbose`), details as `key=value` after the message; the error that ends a " +
		"command comes last, `slipway: ...`, with its cause (a configuration with several problems gives one line each). A fact is said once: a warning that holds for " +
		"each architecture or each level of an `extends` chain is one line (`--verbose` adds the architecture and " +
		"base file to debug lines). A repository host that fails gives one line, " +
		"`slipway: warning: HOST:PORT: retrying failed requests (connection refused)`; each retry is a debug line.\n\n")
	b.WriteString("## Global flags\n\nAccepted before the command name or among a command's flags.\n\n```\n")
	fs := pflag.NewFlagSet("slipway", pflag.ContinueOnError)
	addGlobalFlags(fs, &globals{})
	b.WriteString(fs.FlagUsages())
	b.WriteString("```\n\n")

	all := commands()
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	b.WriteString("## Commands\n\n")
	for _, n := range names {
		fmt.Fprintf(&b, "- [`%s`](#slipway-%s): %s\n", n, n, all[n].Summary)
	}
	for _, n := range names {
		c := all[n]
		fmt.Fprintf(&b, "\n## slipway %s\n\n%s\n\n```\nslipway %s\n```\n", n, capitalize(c.Summary)+".", c.Usage)
		if c.Long != "" {
			fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Long))
		}
		cfs := pflag.NewFlagSet(n, pflag.ContinueOnError)
		c.Setup(cfs)
		if usage := cfs.FlagUsages(); usage != "" {
			fmt.Fprintf(&b, "\nFlags:\n\n```\n%s```\n", usage)
		}
	}
	return b.Bytes()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
