//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/signing/sigstoretest"
)

// docMarker is the comment that marks the fenced sh block right after it
// as runnable (see docs/README.md, "Runnable examples").
const docMarker = "<!-- doctest"

// docBlock is one runnable fenced block of a Markdown file.
type docBlock struct {
	file string // relative to the module root: README.md, docs/ci.md
	line int    // line of the opening fence, 1-based
	// module: run in the module root (README's fresh-clone commands)
	// instead of the file's scratch folder.
	module bool
	exit   int // the exit code the block must end with
	// contains: words its output (stdout and stderr) must hold, so that
	// an expected failure fails for the documented reason.
	contains []string
	text     string
}

func (b docBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// parseDocBlocks returns the blocks of a Markdown text marked runnable: a
// line "<!-- doctest [exit=N] [dir=module] [contains=WORD]... -->" right
// before a fence opening with the info string sh or bash. A marker
// anywhere else (outside fences), or with an unknown option, is an error,
// so that a typo cannot silently leave a block untested.
func parseDocBlocks(file, text string) ([]docBlock, error) {
	var blocks []docBlock
	lines := strings.Split(text, "\n")
	fence := 0 // backticks of the open fence; 0 outside fences
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if n := fenceTicks(l); fence == 0 && n > 0 {
			fence = n
			continue
		} else if fence > 0 {
			if n >= fence && strings.Trim(l, "`") == "" {
				fence = 0
			}
			continue
		}
		if !strings.HasPrefix(l, docMarker) {
			continue
		}
		b := docBlock{file: file}
		opts, ok := strings.CutSuffix(strings.TrimPrefix(l, docMarker), "-->")
		if !ok {
			return nil, fmt.Errorf("%s:%d: the doctest marker must be one line ending in -->", file, i+1)
		}
		for _, o := range strings.Fields(opts) {
			switch k, v, _ := strings.Cut(o, "="); k {
			case "exit":
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n > 255 {
					return nil, fmt.Errorf("%s:%d: doctest exit=%q is not an exit code", file, i+1, v)
				}
				b.exit = n
			case "contains":
				if v == "" {
					return nil, fmt.Errorf("%s:%d: doctest contains= needs a word", file, i+1)
				}
				b.contains = append(b.contains, v)
			case "dir":
				if v != "module" {
					return nil, fmt.Errorf("%s:%d: doctest dir=%q: only dir=module is known", file, i+1, v)
				}
				b.module = true
			default:
				return nil, fmt.Errorf("%s:%d: unknown doctest option %q", file, i+1, o)
			}
		}
		if i+1 >= len(lines) {
			return nil, fmt.Errorf("%s:%d: doctest marker at the end of the file", file, i+1)
		}
		open := strings.TrimSpace(lines[i+1])
		n := fenceTicks(open)
		if info := strings.TrimSpace(open[n:]); n == 0 || (info != "sh" && info != "bash") {
			return nil, fmt.Errorf("%s:%d: doctest marker not followed by a ```sh fence (got %q)", file, i+1, open)
		}
		b.line = i + 2
		var body []string
		for i += 2; i < len(lines); i++ {
			if l := strings.TrimSpace(lines[i]); fenceTicks(l) >= n && strings.Trim(l, "`") == "" {
				break
			}
			body = append(body, lines[i])
		}
		if i >= len(lines) {
			return nil, fmt.Errorf("%s:%d: unterminated block", file, b.line)
		}
		b.text = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// fenceTicks is the number of backticks opening a fenced block on line l
// (at least 3), or 0.
func fenceTicks(l string) int {
	n := 0
	for n < len(l) && l[n] == '`' {
		n++
	}
	if n < 3 {
		return 0
	}
	return n
}

var fileSuffix = regexp.MustCompile(`\.(toml|lock|key|pub|json|sh|repo|md)$`)

// namedFiles lists the relative files and folders a block names: words
// ending in a known file extension, words starting with ./, folders
// ending in /, and the DIR or FILE of oci:DIR[:TAG] and
// docker-archive:FILE[:REF]. Words with a $ (set at run time), URLs and
// absolute paths are left out.
func namedFiles(text string) []string {
	var names []string
	for _, line := range strings.Split(text, "\n") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			w = strings.Trim(w, `"';|&()\`)
			if strings.HasPrefix(w, "--") {
				_, w, _ = strings.Cut(w, "=")
			}
			if w == "" || strings.Contains(w, "$") || strings.Contains(w, "://") || strings.HasPrefix(w, "/") {
				continue
			}
			for _, scheme := range []string{"oci:", "docker-archive:"} {
				if rest, ok := strings.CutPrefix(w, scheme); ok {
					w, _, _ = strings.Cut(rest, ":")
					names = append(names, w)
					w = ""
				}
			}
			if w == "" || strings.Contains(w, "=") || strings.Contains(w, ":") {
				continue
			}
			if fileSuffix.MatchString(w) || strings.HasPrefix(w, "./") || (strings.HasSuffix(w, "/") && len(w) > 1) {
				names = append(names, w)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func TestParseDocBlocks(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []docBlock
		err        string
	}{
		{name: "plain", text: "a\n<!-- doctest -->\n```sh\nslipway lock image.toml\n```\n",
			want: []docBlock{{file: "f.md", line: 3, text: "slipway lock image.toml\n"}}},
		{name: "options", text: "<!-- doctest exit=1 dir=module contains=a contains=b=c -->\n```bash\nfalse\n```\n```sh\nunmarked\n```\n",
			want: []docBlock{{file: "f.md", line: 2, exit: 1, module: true, contains: []string{"a", "b=c"}, text: "false\n"}}},
		{name: "marker in a block is text", text: "```\n<!-- doctest -->\n```\n", want: nil},
		{name: "a longer fence holds fences", text: "````\n<!-- doctest -->\n```sh\nx\n```\n````\n<!-- doctest -->\n```sh\ny\n```\n",
			want: []docBlock{{file: "f.md", line: 8, text: "y\n"}}},
		{name: "not before a fence", text: "<!-- doctest -->\n\n```sh\nx\n```\n", err: "f.md:1: doctest marker not followed by a ```sh fence"},
		{name: "yaml fence", text: "<!-- doctest -->\n```yaml\nx\n```\n", err: "not followed by a ```sh fence"},
		{name: "unknown option", text: "<!-- doctest exits=1 -->\n```sh\nx\n```\n", err: `unknown doctest option "exits=1"`},
		{name: "empty contains", text: "<!-- doctest contains= -->\n```sh\nx\n```\n", err: "doctest contains= needs a word"},
		{name: "bad exit", text: "<!-- doctest exit=x -->\n```sh\nx\n```\n", err: `doctest exit="x" is not an exit code`},
		{name: "unterminated", text: "<!-- doctest -->\n```sh\nx\n", err: "f.md:2: unterminated block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDocBlocks("f.md", tc.text)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, func(a, b docBlock) bool {
				return a.file == b.file && a.line == b.line && a.module == b.module && a.exit == b.exit &&
					slices.Equal(a.contains, b.contains) && a.text == b.text
			}) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestNamedFiles(t *testing.T) {
	text := `printf '%s' "$COSIGN_PRIVATE_KEY" > cosign.key   # comment names x.toml
go run ./cmd/slipway build examples/hello.toml --output oci:hello:latest
slipway push oci:merged:3.0 "$IMAGE:3.0" --lockfile=other.lock
# whole comment image.lock
slipway vendor image.toml --dir vendor/ --output docker-archive:img.tar:x docker://h/r:1 /etc/x.toml KEY=a.json`
	want := []string{"./cmd/slipway", "cosign.key", "examples/hello.toml", "hello", "image.toml", "img.tar", "merged", "other.lock", "vendor/"}
	if got := namedFiles(text); !slices.Equal(got, want) {
		t.Errorf("namedFiles = %q, want %q", got, want)
	}
}

// docFiles are the Markdown files whose marked blocks TestDocs runs.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	for i, f := range files {
		files[i], _ = filepath.Rel(root, f)
	}
	return files
}

// docsFixture is what every runnable block may use: the environment
// (variables listed in docs/README.md) and the files of each scratch
// folder.
type docsFixture struct {
	env   []string
	seed  map[string][]byte // scratch folder files: image.toml, image.lock, keys/cosign.pub
	home  map[string][]byte // files in HOME: docker's config.json, registries.conf
	image func(file string) string
}

// newDocsFixture prepares the world the documentation's examples assume: a
// repository (a copy of the test repository) that got a newer tzdata after
// image.lock was written, a registry with htpasswd auth, a cosign key pair,
// slipway and cosign on PATH.
func newDocsFixture(t *testing.T) *docsFixture {
	t.Helper()
	cosign := sigstoretest.CosignCLI(t)
	createrepo := testutil.RequireTool(t, "createrepo_c", "createrepo-c")
	testutil.RequireTool(t, "skopeo", "skopeo")
	testutil.RequireTool(t, "jq", "jq")
	repos := testrepo.Get(t)
	reg := startRegistry(t, true)
	dir := t.TempDir()

	// The repository, first without tzdata-2024a.
	repoDir := filepath.Join(dir, "repo")
	var newer []string
	for _, arch := range testrepo.Arches {
		d := filepath.Join(repoDir, arch)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range repos.RPMs[arch] {
			if strings.HasPrefix(filepath.Base(f), "tzdata-2024a") {
				newer = append(newer, f, d)
				continue
			}
			copyFile(t, f, filepath.Join(d, filepath.Base(f)))
		}
		if out, err := exec.Command(createrepo, "-q", d).CombinedOutput(); err != nil {
			t.Fatalf("createrepo_c: %v\n%s", err, out)
		}
	}
	if len(newer) != 2*len(testrepo.Arches) {
		t.Fatalf("tzdata-2024a is not in every test repository: %q", newer)
	}
	cfgText := fmt.Sprintf(`[image]
name = "docs/example"
architectures = ["x86_64", "aarch64"]
releasever = "3.0"

[[repository]]
id = "test"
baseurl = "file://%s/$basearch"
gpgkey = [%q]
gpgcheck = true

[packages]
install = ["busybox", "tzdata"]
`, repoDir, repos.KeyFile)
	cfg := filepath.Join(dir, "image.toml")
	if err := os.WriteFile(cfg, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	mustSucceed(t, slipway(t, nil, "--cache-dir", filepath.Join(dir, "cache"), "lock", cfg), "lock")
	// Then the update arrives: image.lock is stale, but only by the
	// repository's content.
	for i := 0; i < len(newer); i += 2 {
		copyFile(t, newer[i], filepath.Join(newer[i+1], filepath.Base(newer[i])))
		if out, err := exec.Command(createrepo, "-q", "--update", newer[i+1]).CombinedOutput(); err != nil {
			t.Fatalf("createrepo_c --update: %v\n%s", err, out)
		}
	}

	const keyPass = "docs-key-password"
	keyEnv := []string{"COSIGN_PASSWORD=" + keyPass}
	mustSucceed(t, slipway(t, keyEnv, "keygen", "--output-key-prefix", filepath.Join(dir, "ci")), "keygen")

	// In HOME: docker's config.json, which cosign and skopeo read, and
	// containers' registries.conf, which tells skopeo (1.9 reads no
	// environment variable for it) that the loopback registry speaks
	// plain HTTP.
	auth := base64.StdEncoding.EncodeToString([]byte(reg.User + ":" + reg.Pass))

	goEnv, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	gv := strings.Split(strings.TrimSpace(string(goEnv)), "\n")
	if len(gv) != 3 {
		t.Fatalf("go env printed %q", goEnv)
	}

	f := &docsFixture{
		env: []string{
			"PATH=" + filepath.Dir(slipwayBin) + string(os.PathListSeparator) + filepath.Dir(cosign) + string(os.PathListSeparator) + os.Getenv("PATH"),
			"LANG=C.UTF-8",
			// The module blocks use the go command: the same build cache,
			// and nothing from the network.
			"GOCACHE=" + gv[0], "GOMODCACHE=" + gv[1], "GOPATH=" + gv[2],
			"GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly",
			"REGISTRY=" + reg.Host,
			"GIT_SHA=0123456789abcdef0123456789abcdef01234567",
			"SOURCE_URL=https://github.com/example/images",
			"SLIPWAY_REGISTRY_USERNAME=" + reg.User, "SLIPWAY_REGISTRY_PASSWORD=" + reg.Pass,
			"COSIGN_PASSWORD=" + keyPass,
			// cosign looks for its TUF root even with --insecure-ignore-tlog:
			// on loopback, where nothing answers, instead of on the network.
			"TUF_MIRROR=http://127.0.0.1:9",
			"COSIGN_PRIVATE_KEY=" + string(readFile(t, filepath.Join(dir, "ci.key"))),
		},
		seed: map[string][]byte{
			"image.toml":      []byte(cfgText),
			"image.lock":      readFile(t, filepath.Join(dir, "image.lock")),
			"keys/cosign.pub": readFile(t, filepath.Join(dir, "ci.pub")),
		},
		home: map[string][]byte{
			".docker/config.json":                []byte(fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, reg.Host, auth)),
			".config/containers/registries.conf": []byte(fmt.Sprintf("[[registry]]\nlocation = %q\ninsecure = true\n", reg.Host)),
		},
		image: func(file string) string {
			stem := strings.ToLower(strings.TrimSuffix(filepath.Base(file), ".md"))
			return reg.Host + "/docs/" + stem
		},
	}
	return f
}

// writeFiles writes files (relative name -> content) into dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDocs runs every fenced block of README.md and docs/*.md that is
// marked runnable (docs/README.md, "Runnable examples"), with bash -euo
// pipefail, in document order, each file in a scratch folder of its own
// (blocks marked dir=module in the module root), and checks its exit code
// and that every file it names exists (before or after it ran).
func TestDocs(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	type doc struct {
		file   string
		blocks []docBlock
	}
	var docs []doc
	total := 0
	for _, file := range docFiles(t, root) {
		blocks, err := parseDocBlocks(file, string(readFile(t, filepath.Join(root, file))))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if strings.Contains(b.text, "scripts/test.sh") {
				t.Errorf("%s runs scripts/test.sh, which runs this test: leave it unmarked", b)
			}
		}
		if len(blocks) > 0 {
			docs = append(docs, doc{file, blocks})
			total += len(blocks)
		}
	}
	// A floor, so that markers lost in an edit fail the test instead of
	// leaving the examples untested.
	for _, must := range []string{"README.md", "docs/ci.md", "docs/signing.md", "docs/publishing.md"} {
		if !slices.ContainsFunc(docs, func(d doc) bool { return d.file == must }) {
			t.Errorf("%s has no runnable block", must)
		}
	}
	fix := newDocsFixture(t)

	t.Logf("%d runnable blocks in %d files", total, len(docs))
	t.Run("files", func(t *testing.T) {
		for _, d := range docs {
			t.Run(d.file, func(t *testing.T) {
				t.Parallel()
				scratch, home := t.TempDir(), t.TempDir()
				writeFiles(t, scratch, fix.seed)
				writeFiles(t, home, fix.home)
				env := append(slices.Clone(fix.env),
					"HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
					"TUF_ROOT="+filepath.Join(home, "tuf"), "TMPDIR="+t.TempDir(),
					"IMAGE="+fix.image(d.file))
				var moduleText strings.Builder
				for _, b := range d.blocks {
					if b.module {
						moduleText.WriteString(b.text)
					}
				}
				if moduleText.Len() > 0 {
					before := topNames(t, root)
					t.Cleanup(func() { removeNew(t, d.file, moduleText.String(), root, before) })
				}
				for _, b := range d.blocks {
					dir := scratch
					if b.module {
						dir = root
					}
					runDocBlock(t, b, dir, env)
				}
			})
		}
	})
}

// runDocBlock runs one block and fails t (stopping the file: later blocks
// build on earlier ones) when it ends with another exit code or names a
// file that is not there.
func runDocBlock(t *testing.T, b docBlock, dir string, env []string) {
	t.Helper()
	var missing []string
	names := namedFiles(b.text)
	for _, n := range names {
		if !exists(filepath.Join(dir, n)) {
			missing = append(missing, n)
		}
	}
	script := filepath.Join(t.TempDir(), "block.sh")
	if err := os.WriteFile(script, []byte(b.text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", script)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: running bash: %v", b, err)
	}
	t.Logf("%s: exit %d in %.1fs", b, code, time.Since(start).Seconds())
	if code != b.exit {
		t.Fatalf("%s: exit %d, want %d (mark an expected failure with <!-- doctest exit=N -->)\n--- block:\n%s--- output:\n%s", b, code, b.exit, b.text, tail(out.String(), 60))
	}
	for _, w := range b.contains {
		if !strings.Contains(out.String(), w) {
			t.Fatalf("%s: the output does not hold %q\n--- output:\n%s", b, w, tail(out.String(), 60))
		}
	}
	for _, n := range missing {
		if !exists(filepath.Join(dir, n)) {
			t.Fatalf("%s names %s, which exists neither before nor after the block ran (in %s)\n--- output:\n%s", b, n, dir, tail(out.String(), 30))
		}
	}
}

// topNames are the names in dir.
func topNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// removeNew removes what the blocks of file run in the module root
// created there (README's build writes hello/ and slipway): the entries
// that were not there before and that the blocks (text) name, so that
// nothing someone else made meanwhile is touched.
func removeNew(t *testing.T, file, text, dir string, before []string) {
	t.Helper()
	for _, name := range topNames(t, dir) {
		if slices.Contains(before, name) {
			continue
		}
		if !regexp.MustCompile(`(^|[^\w.-])` + regexp.QuoteMeta(name) + `($|[^\w.-])`).MatchString(text) {
			t.Logf("%s: %s appeared in %s meanwhile, but no block names it: left alone", file, name, dir)
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			t.Errorf("removing %s: %v", name, err)
		}
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[%d lines left out]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}
