//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/slipway-build/slipway/internal/hostile"
)

// addUpdateinfo gzips what write writes into dir's repodata and adds its
// record to repomd.xml, claiming openSize (or the real size when 0).
func addUpdateinfo(t *testing.T, dir string, write func(io.Writer), openSize int64) {
	t.Helper()
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	oh := sha256.New()
	cw := &countWriter{}
	write(io.MultiWriter(w, oh, cw))
	w.Close()
	sum := sha256.Sum256(z.Bytes())
	open := oh.Sum(nil)
	href := fmt.Sprintf("repodata/%x-updateinfo.xml.gz", sum)
	if err := os.WriteFile(filepath.Join(dir, href), z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if openSize == 0 {
		openSize = cw.n
	}
	md := filepath.Join(dir, "repodata", "repomd.xml")
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	rec := fmt.Sprintf(`  <data type="updateinfo">
    <checksum type="sha256">%x</checksum>
    <open-checksum type="sha256">%x</open-checksum>
    <location href="%s"/>
    <timestamp>1700000000</timestamp>
    <size>%d</size>
    <open-size>%d</open-size>
  </data>
</repomd>`, sum, open, href, z.Len(), openSize)
	b = bytes.Replace(b, []byte("</repomd>"), []byte(rec), 1)
	if err := os.WriteFile(md, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// repeated writes head, n times body, then tail.
func repeated(head, body, tail string, n int) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, head)
		for range n {
			io.WriteString(w, body)
		}
		io.WriteString(w, tail)
	}
}

// TestHostileUpdateinfo: `slipway advisories` over hostile updateinfo.xml
// ends with one clear line (exit 1) or reads what it can; nothing panics.
func TestHostileUpdateinfo(t *testing.T) {
	t.Parallel()
	pkg := hostile.PrimaryPackage{Name: "busybox", Version: "1", Release: "1", Arch: "noarch", Checksum: strings.Repeat("a", 64), Location: "busybox.rpm"}
	primary := hostile.Primary([]hostile.PrimaryPackage{pkg})
	one := `<update type="security"><id>X</id><severity>Critical</severity><pkglist><collection><package name="busybox" version="2" release="1" arch="noarch"/></collection></pkglist></update>`
	text := func(s string) func(io.Writer) { return repeated(s, "", "", 0) }
	cases := []struct {
		name     string
		ui       func(io.Writer)
		openSize int64
		code     int
		want     string
	}{
		{"1,000,000 advisories", repeated("<updates>", one, "</updates>", 1_000_000), 0, 1, "updateinfo: more than 250000 advisories"},
		{"bomb past its open-size", repeated("<updates>", strings.Repeat(" ", 1<<20), "</updates>", 64), 4096, 1, "decompressed data is larger than allowed: more than 4096 bytes"},
		{"unknown fields", text(`<updates><update type="bugfix" colour="red"><id>U-1</id><frob><nested a="b"/></frob><pkglist><collection><package name="busybox" version="1" release="1" arch="noarch" flavour="x"/></collection></pkglist></update></updates>`),
			0, 0, "fixed  U-1"},
		{"pkglist of packages that do not exist", text(`<updates><update type="security"><id>G-1</id><pkglist><collection><package name="ghost" version="9" release="1" arch="noarch"/></collection></pkglist></update></updates>`),
			0, 0, "# x86_64: 0 open, 0 fixed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := hostile.WriteRepo(dir, hostile.Repo{Primary: primary}); err != nil {
				t.Fatal(err)
			}
			addUpdateinfo(t, dir, tc.ui, tc.openSize)
			cfg := filepath.Join(t.TempDir(), "image.toml")
			os.WriteFile(cfg, fmt.Appendf(nil, "[image]\nname = \"h/x\"\narchitectures = [\"x86_64\"]\n\n[[repository]]\nid = \"h\"\nbaseurl = \"file://%s\"\ngpgcheck = false\n\n[packages]\ninstall = [\"busybox\"]\n", dir), 0o644)
			r := slipway(t, nil, "--cache-dir", t.TempDir(), "advisories", cfg)
			if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("crashed:\n%s", r.stderr)
			}
			out := r.stdout + r.stderr
			if r.code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s", r.code, tc.code, tc.want, out)
			}
			if tc.code == 1 && strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("more than one line on stderr:\n%s", r.stderr)
			}
		})
	}
}
