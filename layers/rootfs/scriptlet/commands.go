package scriptlet

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-build/slipway/layers/rootfs/accounts"
)

// cmdSpec is a command the subset knows: check looks at its arguments
// without running it (and says what it is), run reproduces it.
type cmdSpec struct {
	check func(s *simple) (class, error)
	run   func(r *runner, s *simple) (int, error)
}

// binDirs are the folders a command may be called from by absolute path.
var binDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/lib/systemd", "/usr/lib64/tdnf", "/usr/lib/tdnf"}

var commands map[string]cmdSpec

func init() {
	commands = map[string]cmdSpec{
		":":                     {checkNoArgsOK, runStatus(0)},
		"true":                  {checkNoArgsOK, runStatus(0)},
		"false":                 {checkNoArgsOK, runStatus(1)},
		"exit":                  {checkExit, runExit},
		"[":                     {checkTest, runTest},
		"test":                  {checkTest, runTest},
		"echo":                  {checkEcho, runEcho},
		"grep":                  {checkGrep, runGrep},
		"add-shell":             {checkAddShell, runAddShell},
		"cp":                    {checkCp, runCp},
		"ln":                    {checkLn, runLn},
		"mkdir":                 {checkMkdir, runMkdir},
		"touch":                 {checkTouch, runTouch},
		"rm":                    {checkRm, runRm},
		"chmod":                 {checkChmod, runChmod},
		"pwconv":                {checkConv, runConv},
		"grpconv":               {checkConv, runConv},
		"groupadd":              {checkGroupadd, runGroupadd},
		"useradd":               {checkUseradd, runUseradd},
		"usermod":               {checkUsermod, runUsermod},
		"getent":                {checkGetent, runGetent},
		"alternatives":          {checkAlternatives, runAlternatives},
		"update-alternatives":   {checkAlternatives, runAlternatives},
		"ldconfig":              {checkLdconfig, runStatus(0)},
		"systemctl":             {checkSystemctl, runStatus(0)},
		"systemd-update-helper": {checkUpdateHelper, runStatus(0)},
		"telinit":               {checkRunning, runStatus(0)},
		"udevadm":               {checkUdevadm, runStatus(0)},
		"restorecon":            {checkRestorecon, runStatus(0)},
		"tdnf-history-util":     {checkTdnfHistory, runTdnfHistory},
		"systemd-tmpfiles":      {checkTmpfiles, runTmpfiles},
		"[[":                    {checkTest, runTest},
		"update-ca-trust":       {checkUpdateCATrust, runUpdateCATrust},
		"trust":                 {checkTrust, runUpdateCATrust},
		"ca-legacy":             {checkCALegacy, runCALegacy},
		"gpg":                   {checkGpg, runGpg},
		"gpg2":                  {checkGpg, runGpg},
	}
}

// lookup finds the spec of a command word.
func lookup(word string) (cmdSpec, string, error) {
	name := word
	if strings.Contains(word, "/") {
		dir, base := path.Split(word)
		if !slices.Contains(binDirs, path.Clean(dir)) {
			return cmdSpec{}, "", notUnderstood("command %s", word)
		}
		name = base
	}
	spec, ok := commands[name]
	if !ok {
		return cmdSpec{}, "", notUnderstood("command %s", word)
	}
	return spec, name, nil
}

// checker walks a parsed script and classifies every command that can
// run at install.
type checker struct {
	how []class
}

func (c *checker) list(l *list) error {
	for _, ao := range l.items {
		if err := c.andOr(ao); err != nil {
			return err
		}
	}
	return nil
}

// andOr checks the pipelines that can run: after a test on constants
// ($1 included), the side of && or || that the result skips is left out
// (`[ $1 -gt 1 ] && systemctl try-restart x` does nothing at install).
func (c *checker) andOr(ao *andOr) error {
	st, known := staticPipeline(ao.first)
	if !known {
		if err := c.pipeline(ao.first); err != nil {
			return err
		}
	}
	for i, op := range ao.ops {
		if known && (op == "&&") != (st == 0) {
			continue // never runs; the status stays
		}
		p := ao.rest[i]
		if s, k := staticPipeline(p); k {
			st, known = s, true
			continue
		}
		if err := c.pipeline(p); err != nil {
			return err
		}
		known = false
	}
	return nil
}

func (c *checker) pipeline(p *pipeline) error {
	if len(p.cmds) == 1 {
		return c.command(p.cmds[0])
	}
	// A pipeline is understood when none of its commands changes the
	// image: data flowing between commands is never reproduced.
	for _, cmd := range p.cmds {
		if cmd.simple == nil {
			return notUnderstood("if in a pipeline")
		}
		sub := &checker{}
		if err := sub.simple(cmd.simple); err != nil {
			return err
		}
		for _, h := range sub.how {
			if h.emulation != "" {
				return notUnderstood("%s in a pipeline", cmd.simple.args[0])
			}
		}
		c.how = append(c.how, sub.how...)
	}
	return nil
}

func (c *checker) command(cmd *command) error {
	if cmd.simple != nil {
		return c.simple(cmd.simple)
	}
	ic := cmd.ifc
	if f, _, err := output(ic.redirs); err != nil || f != "" {
		if err == nil {
			err = notUnderstood("if writing to %s", f)
		}
		return err
	}
	for i, cond := range ic.conds {
		if st, known := staticStatus(cond); known {
			if st == 0 {
				return c.list(ic.bodies[i]) // later branches never run
			}
			continue
		}
		if err := c.list(cond); err != nil {
			return err
		}
		if err := c.list(ic.bodies[i]); err != nil {
			return err
		}
	}
	if ic.els != nil {
		return c.list(ic.els)
	}
	return nil
}

func (c *checker) simple(s *simple) error {
	spec, _, err := lookup(s.args[0])
	if err != nil {
		return err
	}
	cl, err := spec.check(s)
	if err != nil {
		return err
	}
	c.how = append(c.how, cl)
	return nil
}

// staticStatus evaluates a condition made only of tests on constants
// ($1 included), and true/false/:.
func staticStatus(l *list) (int, bool) {
	st := 0
	for _, ao := range l.items {
		s, ok := staticPipeline(ao.first)
		if !ok {
			return 0, false
		}
		for i, op := range ao.ops {
			if (op == "&&") == (s == 0) {
				if s, ok = staticPipeline(ao.rest[i]); !ok {
					return 0, false
				}
			}
		}
		st = s
	}
	return st, len(l.items) > 0
}

func staticPipeline(p *pipeline) (int, bool) {
	if len(p.cmds) != 1 || p.cmds[0].simple == nil {
		return 0, false
	}
	s := p.cmds[0].simple
	if len(s.redirs) > 0 {
		return 0, false
	}
	st := -1
	switch s.args[0] {
	case ":", "true":
		st = 0
	case "false":
		st = 1
	case "[", "[[", "test":
		args, err := testArgs(s.args)
		if err != nil {
			return 0, false
		}
		for _, a := range args {
			if len(a) == 2 && a[0] == '-' && strings.IndexByte(fileOps, a[1]) >= 0 {
				return 0, false
			}
		}
		v, err := evalTest(args, nil)
		if err != nil {
			return 0, false
		}
		st = boolStatus(v)
	default:
		return 0, false
	}
	if p.not {
		st = 1 - st
	}
	return st, true
}

func boolStatus(b bool) int {
	if b {
		return 0
	}
	return 1
}

// output checks redirections: stdin from /dev/null, stderr to /dev/null
// or stdout, stdout to /dev/null, stderr, or a file. It returns the file
// stdout goes to ("" when none) and whether it is appended to.
func output(rs []redir) (file string, appendTo bool, err error) {
	for _, r := range rs {
		switch {
		case r.fd == -1:
			if r.target != "/dev/null" {
				return "", false, notUnderstood("redirection &>%s", r.target)
			}
			file = ""
		case r.op == "<" && r.fd == 0 && r.target == "/dev/null":
		case (r.op == ">" || r.op == ">>") && r.target == "/dev/null":
			if r.fd == 1 {
				file = ""
			}
		case r.op == ">&" && (r.target == "1" || r.target == "2") && r.fd != 0:
			if r.fd == 1 {
				file = ""
			}
		case (r.op == ">" || r.op == ">>") && r.fd == 1:
			p, err := imagePath(r.target)
			if err != nil {
				return "", false, err
			}
			file, appendTo = p, r.op == ">>"
		default:
			return "", false, notUnderstood("redirection %d%s%s", r.fd, r.op, r.target)
		}
	}
	return file, appendTo, nil
}

func noFileOutput(s *simple) error {
	f, _, err := output(s.redirs)
	if err != nil {
		return err
	}
	if f != "" {
		return notUnderstood("%s writing to %s", s.args[0], f)
	}
	return nil
}

func checkNoArgsOK(s *simple) (class, error) { return class{}, noFileOutput(s) }

func runStatus(n int) func(*runner, *simple) (int, error) {
	return func(*runner, *simple) (int, error) { return n, nil }
}

func checkExit(s *simple) (class, error) {
	if len(s.args) > 2 {
		return class{}, notUnderstood("exit with %d arguments", len(s.args)-1)
	}
	if len(s.args) == 2 {
		if _, err := strconv.ParseUint(s.args[1], 10, 8); err != nil {
			return class{}, notUnderstood("exit %q", s.args[1])
		}
	}
	return class{}, noFileOutput(s)
}

var errExit = errors.New("exit")

func runExit(r *runner, s *simple) (int, error) {
	r.exit = 0
	if len(s.args) == 2 {
		n, _ := strconv.Atoi(s.args[1])
		r.exit = n
	}
	return r.exit, errExit
}

// test / [

const fileOps = "efdxLhsrw"

func testArgs(args []string) ([]string, error) {
	if args[0] == "[[" {
		// bash's [[ (Azure Linux's /bin/sh is bash): the same subset.
		if args[len(args)-1] != "]]" {
			return nil, notUnderstood("[[ without ]]")
		}
		return args[1 : len(args)-1], nil
	}
	if args[0] == "[" {
		if args[len(args)-1] != "]" {
			return nil, notUnderstood("[ without ]")
		}
		return args[1 : len(args)-1], nil
	}
	return args[1:], nil
}

func checkTest(s *simple) (class, error) {
	args, err := testArgs(s.args)
	if err != nil {
		return class{}, err
	}
	if err := noFileOutput(s); err != nil {
		return class{}, err
	}
	_, err = evalTest(args, nil)
	return class{}, err
}

func runTest(r *runner, s *simple) (int, error) {
	args, _ := testArgs(s.args)
	v, err := evalTest(args, r.env.Image)
	if err != nil {
		return 2, err
	}
	return boolStatus(v), nil
}

// evalTest evaluates a test expression: "! EXPR", "-OP FILE", "-z/-n S",
// "S = S", "S != S", "N -eq N" (and -ne -lt -le -gt -ge), or "S". With
// a nil image it only checks the expression (file tests are false).
func evalTest(a []string, img Image) (bool, error) {
	if len(a) > 0 && a[0] == "!" {
		v, err := evalTest(a[1:], img)
		return !v, err
	}
	switch len(a) {
	case 0:
		return false, nil
	case 1:
		return a[0] != "", nil
	case 2:
		switch a[0] {
		case "-z":
			return a[1] == "", nil
		case "-n":
			return a[1] != "", nil
		}
		if len(a[0]) == 2 && a[0][0] == '-' && strings.IndexByte(fileOps, a[0][1]) >= 0 {
			p, err := imagePath(a[1])
			if err != nil {
				return false, err
			}
			if img == nil {
				return false, nil
			}
			return fileTest(img, a[0][1], p), nil
		}
	case 3:
		switch a[1] {
		case "=", "==":
			return a[0] == a[2], nil
		case "!=":
			return a[0] != a[2], nil
		case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
			x, err1 := strconv.ParseInt(a[0], 10, 64)
			y, err2 := strconv.ParseInt(a[2], 10, 64)
			if err1 != nil || err2 != nil {
				return false, notUnderstood("integer test on %q %q", a[0], a[2])
			}
			switch a[1] {
			case "-eq":
				return x == y, nil
			case "-ne":
				return x != y, nil
			case "-lt":
				return x < y, nil
			case "-le":
				return x <= y, nil
			case "-gt":
				return x > y, nil
			}
			return x >= y, nil
		}
	}
	return false, notUnderstood("test %q", strings.Join(a, " "))
}

func fileTest(img Image, op byte, p string) bool {
	switch op {
	case 'L', 'h':
		fi, ok := img.Lstat(p)
		return ok && fi.Type == 'l'
	}
	fi, ok := img.Stat(p)
	if !ok {
		return false
	}
	switch op {
	case 'e', 'r', 'w':
		return true
	case 'f':
		return fi.Type == 'f'
	case 'd':
		return fi.Type == 'd'
	case 'x':
		return fi.Mode&0o111 != 0 || fi.Type == 'd'
	case 's':
		if fi.Type != 'f' {
			return true
		}
		b, _ := img.ReadFile(p)
		return len(b) > 0
	}
	return false
}

// echo

// writable are the files echo may write: what they hold is one line per
// entry, and nothing else in the image is derived from them.
var writable = []string{"/etc/shells"}

func checkEcho(s *simple) (class, error) {
	if len(s.args) > 1 && strings.HasPrefix(s.args[1], "-") {
		return class{}, notUnderstood("echo %s", s.args[1])
	}
	for _, a := range s.args[1:] {
		if strings.Contains(a, `\`) {
			return class{}, notUnderstood("echo with a backslash")
		}
	}
	f, _, err := output(s.redirs)
	if err != nil {
		return class{}, err
	}
	if f == "" {
		return class{}, nil
	}
	if !slices.Contains(writable, f) {
		return class{}, notUnderstood("echo writing to %s", f)
	}
	return class{emulation: emShells}, nil
}

func runEcho(r *runner, s *simple) (int, error) {
	f, appendTo, _ := output(s.redirs)
	if f == "" {
		return 0, nil
	}
	line := strings.Join(s.args[1:], " ") + "\n"
	var data []byte
	if appendTo {
		data, _ = r.env.Image.ReadFile(f)
	}
	if err := r.env.Image.WriteFile(f, append(append([]byte(nil), data...), line...), 0o644); err != nil {
		r.warn("echo to %s: %v", f, err)
		return 1, nil
	}
	return 0, nil
}

// grep -q

type grepArgs struct {
	re   *regexp.Regexp
	file string
}

func parseGrep(s *simple) (grepArgs, error) {
	quiet, fixed, whole := false, false, false
	var rest []string
	for i, a := range s.args[1:] {
		if a == "--" {
			rest = append(rest, s.args[i+2:]...)
			break
		}
		if len(rest) == 0 && strings.HasPrefix(a, "-") && len(a) > 1 {
			for _, f := range a[1:] {
				switch f {
				case 'q':
					quiet = true
				case 's':
				case 'F':
					fixed = true
				case 'x':
					whole = true
				default:
					return grepArgs{}, notUnderstood("grep -%c", f)
				}
			}
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) != 2 {
		return grepArgs{}, notUnderstood("grep with %d operands", len(rest))
	}
	out, _, err := output(s.redirs)
	if err != nil {
		return grepArgs{}, err
	}
	if out != "" {
		return grepArgs{}, notUnderstood("grep writing to %s", out)
	}
	if !quiet && !slices.ContainsFunc(s.redirs, func(r redir) bool { return r.fd == 1 && r.target == "/dev/null" }) {
		return grepArgs{}, notUnderstood("grep printing matches")
	}
	file, err := imagePath(rest[1])
	if err != nil {
		return grepArgs{}, err
	}
	expr, err := basicRegexp(rest[0], fixed)
	if err != nil {
		return grepArgs{}, err
	}
	if whole {
		expr = "^(?:" + expr + ")$"
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return grepArgs{}, notUnderstood("grep pattern %q", rest[0])
	}
	return grepArgs{re: re, file: file}, nil
}

// basicRegexp translates the part of POSIX basic regular expressions
// that scripts use to find a line: literal text, "." and "\." , "^"
// first and "$" last.
func basicRegexp(p string, fixed bool) (string, error) {
	if fixed {
		return regexp.QuoteMeta(p), nil
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '^' && i == 0:
			b.WriteByte('^')
		case c == '$' && i == len(p)-1:
			b.WriteByte('$')
		case c == '.':
			b.WriteByte('.')
		case c == '\\' && i+1 < len(p) && strings.IndexByte("./-$^", p[i+1]) >= 0:
			b.WriteString(regexp.QuoteMeta(string(p[i+1])))
			i++
		case strings.IndexByte(`\[]*+?{}()|^$`, c) >= 0:
			return "", notUnderstood("grep pattern %q", p)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String(), nil
}

func checkGrep(s *simple) (class, error) {
	_, err := parseGrep(s)
	return class{}, err
}

func runGrep(r *runner, s *simple) (int, error) {
	g, _ := parseGrep(s)
	data, ok := r.env.Image.ReadFile(g.file)
	if !ok {
		return 2, nil
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(string(data), "\n"), "\n") {
		if g.re.MatchString(l) {
			return 0, nil
		}
	}
	return 1, nil
}

// add-shell (Debian's debianutils)

func checkAddShell(s *simple) (class, error) {
	if len(s.args) < 2 {
		return class{}, notUnderstood("add-shell without a shell")
	}
	for _, a := range s.args[1:] {
		if !strings.HasPrefix(a, "/") || strings.ContainsAny(a, "\n") {
			return class{}, notUnderstood("add-shell %q", a)
		}
	}
	return class{emulation: emShells}, noFileOutput(s)
}

func runAddShell(r *runner, s *simple) (int, error) {
	data, _ := r.env.Image.ReadFile("/etc/shells")
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	out := append([]byte(nil), data...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, sh := range s.args[1:] {
		if !slices.Contains(lines, sh) {
			out = append(out, sh+"\n"...)
			lines = append(lines, sh)
		}
	}
	if err := r.env.Image.WriteFile("/etc/shells", out, 0o644); err != nil {
		r.warn("add-shell: %v", err)
		return 1, nil
	}
	return 0, nil
}

// cp SRC DST

func cpArgs(s *simple) (src, dst string, err error) {
	var ops []string
	for _, a := range s.args[1:] {
		if a == "-f" {
			continue
		}
		if strings.HasPrefix(a, "-") {
			return "", "", notUnderstood("cp %s", a)
		}
		ops = append(ops, a)
	}
	if len(ops) != 2 {
		return "", "", notUnderstood("cp with %d operands", len(ops))
	}
	if src, err = imagePath(ops[0]); err != nil {
		return "", "", err
	}
	if dst, err = imagePath(ops[1]); err != nil {
		return "", "", err
	}
	return src, dst, noFileOutput(s)
}

func checkCp(s *simple) (class, error) {
	_, _, err := cpArgs(s)
	return class{emulation: emCopy}, err
}

// umask is the file mode creation mask rpm runs scriptlets with.
const umask = 0o022

func runCp(r *runner, s *simple) (int, error) {
	src, dst, _ := cpArgs(s)
	fi, ok := r.env.Image.Stat(src)
	if !ok || fi.Type != 'f' {
		r.warn("cp: cannot stat '%s'", src)
		return 1, nil
	}
	data, ok := r.env.Image.ReadFile(src)
	if !ok {
		r.warn("cp: cannot open '%s' for reading", src)
		return 1, nil
	}
	if d, ok := r.env.Image.Stat(dst); ok && d.Type == 'd' {
		dst = path.Join(dst, path.Base(src))
	}
	if err := r.env.Image.WriteFile(dst, data, fi.Mode&0o777&^umask); err != nil {
		r.warn("cp: %v", err)
		return 1, nil
	}
	return 0, nil
}

// chmod MODE FILE...

func chmodArgs(s *simple) (uint32, []string, error) {
	if len(s.args) < 3 {
		return 0, nil, notUnderstood("chmod with %d arguments", len(s.args)-1)
	}
	m, err := strconv.ParseUint(s.args[1], 8, 32)
	if err != nil || m > 0o7777 {
		return 0, nil, notUnderstood("chmod mode %q", s.args[1])
	}
	var files []string
	for _, a := range s.args[2:] {
		p, err := imagePath(a)
		if err != nil {
			return 0, nil, err
		}
		files = append(files, p)
	}
	return uint32(m), files, noFileOutput(s)
}

func checkChmod(s *simple) (class, error) {
	_, _, err := chmodArgs(s)
	return class{emulation: emChmod}, err
}

func runChmod(r *runner, s *simple) (int, error) {
	m, files, _ := chmodArgs(s)
	st := 0
	for _, f := range files {
		if err := r.env.Image.Chmod(f, m); err != nil {
			r.warn("chmod: %v", err)
			st = 1
		}
	}
	return st, nil
}

// pwconv, grpconv

func checkConv(s *simple) (class, error) {
	if len(s.args) != 1 {
		return class{}, notUnderstood("%s with arguments", s.args[0])
	}
	return class{emulation: emShadow}, noFileOutput(s)
}

func runConv(r *runner, s *simple) (int, error) {
	if path.Base(s.args[0]) == "pwconv" {
		r.env.Accounts.Pwconv()
	} else {
		r.env.Accounts.Grpconv()
	}
	r.accountsChanged()
	return 0, nil
}

// getent passwd|group NAME

func checkGetent(s *simple) (class, error) {
	if len(s.args) != 3 || (s.args[1] != "passwd" && s.args[1] != "group") {
		return class{}, notUnderstood("getent %s", strings.Join(s.args[1:], " "))
	}
	if !slices.ContainsFunc(s.redirs, func(r redir) bool { return r.fd == 1 && r.target == "/dev/null" }) {
		return class{}, notUnderstood("getent printing its answer")
	}
	return class{}, noFileOutput(s)
}

func runGetent(r *runner, s *simple) (int, error) {
	name := s.args[2]
	found := false
	db := r.env.Accounts.DB
	if s.args[1] == "passwd" {
		_, found = db.LookupUser(name)
		if n, err := strconv.ParseUint(name, 10, 32); !found && err == nil {
			_, found = db.UserByID(uint32(n))
		}
	} else {
		_, found = db.LookupGroup(name)
		if n, err := strconv.ParseUint(name, 10, 32); !found && err == nil {
			_, found = db.GroupByID(uint32(n))
		}
	}
	if found {
		return 0, nil
	}
	return 2, nil
}

// groupadd, useradd

// flagArgs splits shadow-utils style arguments: boolean short flags may
// be combined ("-rM"), valued flags take the next argument; long forms
// map to short ones.
func flagArgs(args []string, bools, valued string, long map[string]byte) (map[byte][]string, []string, error) {
	flags := map[byte][]string{}
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			f, ok := long[name]
			if !ok {
				return nil, nil, notUnderstood("option %s", a)
			}
			if strings.IndexByte(valued, f) >= 0 {
				if !hasVal {
					if i+1 >= len(args) {
						return nil, nil, notUnderstood("option %s without a value", a)
					}
					i++
					val = args[i]
				}
				flags[f] = append(flags[f], val)
			} else {
				flags[f] = append(flags[f], "")
			}
			continue
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			for j := 1; j < len(a); j++ {
				f := a[j]
				switch {
				case strings.IndexByte(bools, f) >= 0:
					flags[f] = append(flags[f], "")
				case strings.IndexByte(valued, f) >= 0:
					val := a[j+1:]
					if val == "" {
						if i+1 >= len(args) {
							return nil, nil, notUnderstood("option -%c without a value", f)
						}
						i++
						val = args[i]
					}
					flags[f] = append(flags[f], val)
					j = len(a)
				default:
					return nil, nil, notUnderstood("option -%c", f)
				}
			}
			continue
		}
		ops = append(ops, a)
	}
	return flags, ops, nil
}

func last(f map[byte][]string, k byte) (string, bool) {
	v := f[k]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func idFlag(f map[byte][]string, k byte) (*uint32, error) {
	v, ok := last(f, k)
	if !ok {
		return nil, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return nil, notUnderstood("id %q", v)
	}
	id := uint32(n)
	return &id, nil
}

var accountName = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$`)

func parseGroupadd(s *simple) (accounts.GroupAdd, error) {
	f, ops, err := flagArgs(s.args[1:], "rfo", "g", map[string]byte{"system": 'r', "force": 'f', "non-unique": 'o', "gid": 'g'})
	if err != nil {
		return accounts.GroupAdd{}, err
	}
	if len(ops) != 1 || !accountName.MatchString(ops[0]) || len(ops[0]) > 32 {
		return accounts.GroupAdd{}, notUnderstood("groupadd operands %q", ops)
	}
	g := accounts.GroupAdd{Name: ops[0], System: f['r'] != nil, Force: f['f'] != nil, NonUnique: f['o'] != nil}
	if g.GID, err = idFlag(f, 'g'); err != nil {
		return g, err
	}
	return g, noFileOutput(s)
}

func checkGroupadd(s *simple) (class, error) {
	_, err := parseGroupadd(s)
	return class{emulation: emAccounts}, err
}

func runGroupadd(r *runner, s *simple) (int, error) {
	g, _ := parseGroupadd(s)
	st, msg := r.env.Accounts.GroupAdd(g)
	if st != 0 && !silenced(s) {
		r.warn("%s", msg)
	}
	if st == 0 {
		r.accountsChanged()
	}
	return st, nil
}

func parseUseradd(s *simple) (accounts.UserAdd, error) {
	f, ops, err := flagArgs(s.args[1:], "rmMNUol", "gGudsc", map[string]byte{
		"system": 'r', "create-home": 'm', "no-create-home": 'M', "no-user-group": 'N', "user-group": 'U',
		"non-unique": 'o', "no-log-init": 'l', "gid": 'g', "groups": 'G', "uid": 'u', "home-dir": 'd',
		"shell": 's', "comment": 'c',
	})
	if err != nil {
		return accounts.UserAdd{}, err
	}
	if len(ops) != 1 || !accountName.MatchString(ops[0]) || len(ops[0]) > 32 {
		return accounts.UserAdd{}, notUnderstood("useradd operands %q", ops)
	}
	u := accounts.UserAdd{Name: ops[0], System: f['r'] != nil, NonUnique: f['o'] != nil}
	if u.UID, err = idFlag(f, 'u'); err != nil {
		return u, err
	}
	u.Group, _ = last(f, 'g')
	if g, ok := last(f, 'G'); ok && g != "" {
		u.Groups = strings.Split(g, ",")
	}
	if u.Home, _ = last(f, 'd'); f['d'] != nil {
		if _, err := imagePath(u.Home); err != nil {
			return u, err
		}
	}
	u.Shell, _ = last(f, 's')
	u.Comment, _ = last(f, 'c')
	for _, v := range []string{u.Home, u.Shell, u.Comment} {
		if strings.ContainsAny(v, ":\n") {
			return u, notUnderstood("useradd field %q", v)
		}
	}
	yes, no := true, false
	switch {
	case f['m'] != nil && f['M'] != nil:
		return u, notUnderstood("useradd -m with -M")
	case f['m'] != nil:
		u.CreateHome = &yes
	case f['M'] != nil:
		u.CreateHome = &no
	}
	switch {
	case f['U'] != nil && f['N'] != nil:
		return u, notUnderstood("useradd -U with -N")
	case f['U'] != nil:
		u.UserGroup = &yes
	case f['N'] != nil:
		u.UserGroup = &no
	}
	return u, noFileOutput(s)
}

func checkUseradd(s *simple) (class, error) {
	_, err := parseUseradd(s)
	return class{emulation: emAccounts}, err
}

func runUseradd(r *runner, s *simple) (int, error) {
	u, _ := parseUseradd(s)
	st, msg := r.env.Accounts.UserAdd(u)
	if st != 0 && !silenced(s) {
		r.warn("%s", msg)
	}
	if st == 0 {
		r.accountsChanged()
	}
	return st, nil
}

// usermod -a -G GROUPS NAME (the only usermod understood)

func parseUsermod(s *simple) (string, []string, error) {
	f, ops, err := flagArgs(s.args[1:], "a", "G", map[string]byte{"append": 'a', "groups": 'G'})
	if err != nil {
		return "", nil, err
	}
	g, ok := last(f, 'G')
	if f['a'] == nil || !ok || g == "" || len(ops) != 1 || !accountName.MatchString(ops[0]) {
		return "", nil, notUnderstood("usermod %s", strings.Join(s.args[1:], " "))
	}
	return ops[0], strings.Split(g, ","), noFileOutput(s)
}

func checkUsermod(s *simple) (class, error) {
	_, _, err := parseUsermod(s)
	return class{emulation: emAccounts}, err
}

func runUsermod(r *runner, s *simple) (int, error) {
	name, groups, _ := parseUsermod(s)
	st, msg := r.env.Accounts.AppendGroups(name, groups)
	if st != 0 && !silenced(s) {
		r.warn("%s", msg)
	}
	if st == 0 {
		r.accountsChanged()
	}
	return st, nil
}

// silenced reports whether the command's stderr goes to /dev/null.
func silenced(s *simple) bool {
	return slices.ContainsFunc(s.redirs, func(r redir) bool { return (r.fd == 2 || r.fd == -1) && r.target == "/dev/null" })
}

// Commands whose effect does not belong in an image.

func checkLdconfig(s *simple) (class, error) {
	for _, a := range s.args[1:] {
		if a != "-X" {
			return class{}, notUnderstood("ldconfig %s", a)
		}
	}
	return class{reason: rsLdcache}, noFileOutput(s)
}

func checkRunning(s *simple) (class, error) { return class{reason: rsRunning}, noFileOutput(s) }

// systemctl verbs that only talk to the running manager; enable,
// preset, mask... change the image and are not understood.
var systemctlRunning = []string{"daemon-reload", "daemon-reexec", "start", "stop", "restart", "try-restart",
	"reload", "reload-or-restart", "try-reload-or-restart", "condrestart", "is-active", "is-enabled",
	"is-failed", "is-system-running", "status", "kill", "reset-failed", "set-environment", "unset-environment"}

func checkSystemctl(s *simple) (class, error) {
	verb := ""
	for _, a := range s.args[1:] {
		if strings.HasPrefix(a, "-") {
			switch a {
			case "-q", "--quiet", "--system", "--no-block", "--no-reload", "--now":
				if a == "--now" {
					return class{}, notUnderstood("systemctl --now")
				}
				continue
			}
			return class{}, notUnderstood("systemctl %s", a)
		}
		verb = a
		break
	}
	if !slices.Contains(systemctlRunning, verb) {
		return class{}, notUnderstood("systemctl %s", verb)
	}
	return class{reason: rsRunning}, noFileOutput(s)
}

func checkUpdateHelper(s *simple) (class, error) {
	if len(s.args) < 2 {
		return class{}, notUnderstood("systemd-update-helper without a verb")
	}
	switch s.args[1] {
	case "mark-restart-system-units", "mark-restart-user-units", "system-reload-restart", "system-reload",
		"user-reload-restart", "user-reload", "user-reexec":
		return class{reason: rsRunning}, noFileOutput(s)
	}
	return class{}, notUnderstood("systemd-update-helper %s", s.args[1])
}

func checkUdevadm(s *simple) (class, error) {
	if len(s.args) < 2 || (s.args[1] != "trigger" && s.args[1] != "control" && s.args[1] != "settle") {
		return class{}, notUnderstood("udevadm %s", strings.Join(s.args[1:], " "))
	}
	return class{reason: rsRunning}, noFileOutput(s)
}

func checkRestorecon(s *simple) (class, error) { return class{reason: rsSELinux}, noFileOutput(s) }

// runner reproduces a checked script.
type runner struct {
	env   *Env
	where string
	exit  int
}

func (r *runner) warn(format string, args ...any) {
	if r.env.Warn != nil {
		r.env.Warn(r.where + ": " + fmt.Sprintf(format, args...))
	}
}

func (r *runner) accountsChanged() {
	if r.env.AccountsChanged != nil {
		r.env.AccountsChanged()
	}
}

func (r *runner) list(l *list) (int, error) {
	st := 0
	for _, ao := range l.items {
		s, err := r.pipeline(ao.first)
		if err != nil {
			return s, err
		}
		for i, op := range ao.ops {
			if (op == "&&") == (s == 0) {
				if s, err = r.pipeline(ao.rest[i]); err != nil {
					return s, err
				}
			}
		}
		st = s
	}
	return st, nil
}

func (r *runner) pipeline(p *pipeline) (int, error) {
	st := 0
	if len(p.cmds) == 1 {
		var err error
		if st, err = r.command(p.cmds[0]); err != nil {
			return st, err
		}
	} else {
		// Checked: no command of a pipeline changes the image; the
		// status is the last one's, which has no effect either.
		c := p.cmds[len(p.cmds)-1].simple
		if c.args[0] == "false" {
			st = 1
		}
	}
	if p.not {
		st = boolStatus(st != 0)
	}
	return st, nil
}

func (r *runner) command(c *command) (int, error) {
	if c.simple != nil {
		return r.simple(c.simple)
	}
	ic := c.ifc
	for i, cond := range ic.conds {
		st, err := r.list(cond)
		if err != nil {
			return st, err
		}
		if st == 0 {
			return r.list(ic.bodies[i])
		}
	}
	if ic.els != nil {
		return r.list(ic.els)
	}
	return 0, nil
}

func (r *runner) simple(s *simple) (int, error) {
	spec, _, err := lookup(s.args[0])
	if err != nil {
		return 127, err
	}
	return spec.run(r, s)
}

// tdnf-history-util init

func checkTdnfHistory(s *simple) (class, error) {
	if len(s.args) != 2 || s.args[1] != "init" {
		return class{}, notUnderstood("tdnf-history-util %s", strings.Join(s.args[1:], " "))
	}
	return class{emulation: emTdnfHistory}, noFileOutput(s)
}

func runTdnfHistory(r *runner, s *simple) (int, error) {
	if r.env.TdnfHistory == nil {
		r.warn("tdnf-history-util init: no rpm database to read")
		return 1, nil
	}
	if err := r.env.TdnfHistory(); err != nil {
		r.warn("tdnf-history-util init: %v", err)
		return 1, nil
	}
	return 0, nil
}
