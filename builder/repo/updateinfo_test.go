package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/rpmmeta"
)

// seedUpdateinfo is what createrepo/Koji-style tools write, with fields
// slipway does not keep (and one it has never heard of).
const seedUpdateinfo = `<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="security@example.com" status="stable" type="security" version="2.0">
    <id>AZL-2024-0001</id>
    <title>tzdata security update</title>
    <issued date="2024-02-01 10:20:30"/>
    <updated date="2024-02-03 00:00:00"/>
    <severity>Important</severity>
    <summary>s</summary>
    <description>Fixes CVE-2024-1111 &lt;and more&gt;.</description>
    <frobnicate level="9"><deep><deeper/></deep></frobnicate>
    <references>
      <reference href="https://cve.example/CVE-2024-1111" id="CVE-2024-1111" type="cve" title="CVE-2024-1111"/>
      <reference href="https://bugs.example/42" id="42" type="bugzilla" title="bug 42"/>
    </references>
    <pkglist>
      <collection short="azl3">
        <name>Azure Linux 3</name>
        <package name="tzdata" version="2024a" release="1.azl3" epoch="0" arch="noarch" src="tzdata-2024a-1.azl3.src.rpm">
          <filename>tzdata-2024a-1.azl3.noarch.rpm</filename>
          <sum type="sha256">00</sum>
          <reboot_suggested>False</reboot_suggested>
        </package>
      </collection>
    </pkglist>
  </update>
  <update from="x" status="stable" type="bugfix" version="1">
    <id>AZL-2023-0100</id>
    <title>glibc bugfix</title>
    <issued date="1700000000"/>
    <severity>Low</severity>
    <pkglist><collection><package name="glibc" version="2.36" release="9.azl3" epoch="0" arch="x86_64"><filename>glibc-2.36-9.azl3.x86_64.rpm</filename></package></collection></pkglist>
  </update>
  <update type="enhancement"><id>AZL-2099-0001</id><title>ghost</title><issued date="2024-01-01"/><pkglist><collection><package name="nosuch" version="1" release="1" arch="x86_64"/></collection></pkglist></update>
</updates>
`

func wantSeedAdvisories() []Advisory {
	return []Advisory{
		{
			ID: "AZL-2024-0001", Type: AdvisorySecurity, Severity: "Important", Title: "tzdata security update",
			Issued:  time.Date(2024, 2, 1, 10, 20, 30, 0, time.UTC),
			Updated: time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC),
			References: []Reference{
				{Type: "cve", ID: "CVE-2024-1111", Href: "https://cve.example/CVE-2024-1111", Title: "CVE-2024-1111"},
				{Type: "bugzilla", ID: "42", Href: "https://bugs.example/42", Title: "bug 42"},
			},
			Packages: []rpmmeta.NEVRA{{Name: "tzdata", EVR: rpmmeta.EVR{Version: "2024a", Release: "1.azl3"}, Arch: "noarch"}},
		},
		{
			ID: "AZL-2023-0100", Type: AdvisoryBugfix, Severity: "Low", Title: "glibc bugfix",
			Issued:   time.Unix(1700000000, 0).UTC(),
			Packages: []rpmmeta.NEVRA{{Name: "glibc", EVR: rpmmeta.EVR{Version: "2.36", Release: "9.azl3"}, Arch: "x86_64"}},
		},
		{
			ID: "AZL-2099-0001", Type: AdvisoryEnhancement, Title: "ghost",
			Issued:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			Packages: []rpmmeta.NEVRA{{Name: "nosuch", EVR: rpmmeta.EVR{Version: "1", Release: "1"}, Arch: "x86_64"}},
		},
	}
}

func TestParseUpdateinfo(t *testing.T) {
	t.Parallel()
	got, err := parseUpdateinfo(strings.NewReader(seedUpdateinfo))
	if err != nil {
		t.Fatal(err)
	}
	if want := wantSeedAdvisories(); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	if cves := got[0].CVEs(); !reflect.DeepEqual(cves, []string{"CVE-2024-1111"}) {
		t.Errorf("CVEs %v", cves)
	}
	// The cache form gives the same advisories back.
	back, err := decodeUpdateinfo(encodeUpdateinfo(got)[len(cacheMagic)+2:])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, got) {
		t.Errorf("cache round trip:\n%+v\nwant\n%+v", back, got)
	}
}

// manyUpdates streams an updateinfo.xml of n advisories without holding
// it in memory.
func manyUpdates(n int) io.Reader {
	head := strings.NewReader("<updates>")
	one := []byte(`<update type="security"><id>X</id><pkglist><collection><package name="a" version="1" release="1" arch="noarch"/></collection></pkglist></update>`)
	return io.MultiReader(head, &repeatReader{b: one, n: n}, strings.NewReader("</updates>"))
}

type repeatReader struct {
	b   []byte
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	m := copy(p, r.b[r.off:])
	r.off += m
	if r.off == len(r.b) {
		r.off = 0
		r.n--
	}
	return m, nil
}

func TestParseUpdateinfoBad(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxAdvisoryString+1)
	deep := strings.Repeat("<x>", 40) + strings.Repeat("</x>", 40)
	for _, tc := range []struct {
		name string
		in   io.Reader
		want string
	}{
		{"empty", strings.NewReader(""), "updateinfo: empty document"},
		{"wrong root", strings.NewReader("<metadata/>"), "updateinfo: root element is <metadata>, want <updates>"},
		{"truncated", strings.NewReader("<updates><update><id>A</id>"), `updateinfo: advisory 1 ("A"): XML syntax error on line 1: unexpected EOF`},
		{"no id", strings.NewReader(`<updates><update type="bugfix"><title>t</title></update></updates>`), "updateinfo: advisory 1: <update> has no <id>"},
		{"element in id", strings.NewReader(`<updates><update><id>A<b/></id></update></updates>`), "updateinfo: advisory 1: <id> holds an element <b>"},
		{"long title", strings.NewReader(`<updates><update><id>A</id><title>` + long + `</title></update></updates>`), `updateinfo: advisory 1 ("A"): <title> is longer than 65536 bytes`},
		{"long attribute", strings.NewReader(`<updates><update><id>A</id><references><reference id="` + long + `"/></references></update></updates>`), `updateinfo: advisory 1 ("A"): <reference id=...> is longer than 65536 bytes`},
		{"package without version", strings.NewReader(`<updates><update><id>A</id><pkglist><collection><package name="a" arch="noarch"/></collection></pkglist></update></updates>`),
			`updateinfo: advisory 1 ("A"): <package> without name, version or arch (name="a" version="" arch="noarch")`},
		{"bad epoch", strings.NewReader(`<updates><update><id>A</id><pkglist><collection><package name="a" epoch="x" version="1" arch="noarch"/></collection></pkglist></update></updates>`),
			`updateinfo: advisory 1 ("A"): package a: epoch "x" is not a number`},
		{"nested deep", strings.NewReader(`<updates><update><id>A</id><junk>` + deep + `</junk></update></updates>`), `updateinfo: advisory 1 ("A"): elements nested more than 32 deep`},
		{"element after root", strings.NewReader(`<updates></updates><updates/>`), "updateinfo: an element after </updates>"},
		{"a million advisories", manyUpdates(1_000_000), "updateinfo: more than 250000 advisories"},
		{"entity", strings.NewReader(`<!DOCTYPE u [<!ENTITY a "aaaa">]><updates><update><id>&a;</id></update></updates>`), "updateinfo: advisory 1: XML syntax error on line 1: invalid character entity &a;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseUpdateinfo(tc.in)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// xzBytes compresses b with xz.
func xzBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLoadUpdateinfo reads updateinfo.xml through repomd.xml in every
// compression, from the cache the second time, and refuses what does not
// match repomd.xml or decompresses beyond the bound.
func TestLoadUpdateinfo(t *testing.T) {
	t.Parallel()
	tr := testrepo.Get(t)
	src := tr.Dir["x86_64"]
	phref, pgz, popen := rawRecord(t, src, "primary")
	ui := []byte(seedUpdateinfo)
	primary := testRecord{typ: "primary", href: phref, data: pgz, open: popen}
	for _, tc := range []struct {
		name, href string
		data       []byte
	}{
		{"gzip", "repodata/updateinfo.xml.gz", gzipBytes(t, ui)},
		{"xz", "repodata/updateinfo.xml.xz", xzBytes(t, ui)},
		{"zstd", "repodata/updateinfo.xml.zst", zstdBytes(t, ui)},
		{"bzip2", "repodata/updateinfo.xml.bz2", bzip2Bytes(t, ui)},
		{"plain", "repodata/updateinfo.xml", ui},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, src)
			writeRepomd(t, dir, primary, testRecord{typ: "updateinfo", href: tc.href, data: tc.data, open: ui})
			cache := t.TempDir()
			for round := range 2 {
				r, err := Open(t.Context(), Config{ID: "t", BaseURL: "file://" + dir}, WithCacheDir(cache))
				if err != nil {
					t.Fatal(err)
				}
				got, err := r.LoadUpdateinfo(t.Context())
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				want := wantSeedAdvisories()
				for i := range want {
					want[i].Repo = "t"
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round %d: got\n%+v\nwant\n%+v", round, got, want)
				}
			}
			if _, err := os.Stat(filepath.Join(cache, "metadata", "sha256-"+hexSHA256(tc.data)+".updateinfo.slpw")); err != nil {
				t.Errorf("no cache entry: %v", err)
			}
		})
	}

	t.Run("none", func(t *testing.T) {
		t.Parallel()
		dir := copyRepo(t, src)
		writeRepomd(t, dir, primary)
		set, err := Load(t.Context(), []Config{{ID: "t", BaseURL: "file://" + dir}}, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := set.Repos[0].LoadUpdateinfo(t.Context()); !errors.Is(err, ErrNoUpdateinfo) || err.Error() != "repo t: repomd.xml has no updateinfo record" {
			t.Errorf("LoadUpdateinfo: %v", err)
		}
		advs, err := set.Advisories(t.Context())
		if err != nil || len(advs) != 0 {
			t.Errorf("Advisories: %v, %v", advs, err)
		}
	})

	bomb := gzipBytes(t, append(append([]byte("<updates>"), bytes.Repeat([]byte(" "), 64<<20)...), "</updates>"...))
	for _, tc := range []struct {
		name string
		rec  testRecord
		opts []Option
		want string
	}{
		{"checksum", testRecord{typ: "updateinfo", href: "repodata/u.xml.gz", data: gzipBytes(t, ui), open: ui, openSumHex: strings.Repeat("0", 64)},
			nil, "repo t: updateinfo repodata/u.xml.gz: checksum mismatch: decompressed sha256 " + hexSHA256(ui) + ", repomd.xml says open-checksum " + strings.Repeat("0", 64)},
		{"bomb", testRecord{typ: "updateinfo", href: "repodata/u.xml.gz", data: bomb, open: []byte("x"), openSize: stripOpen},
			[]Option{WithMaxOpenSize(1 << 20)}, "repo t: parsing updateinfo repodata/u.xml.gz: updateinfo: decompressing updateinfo repodata/u.xml.gz: decompressed data is larger than allowed: more than 1048576 bytes"},
		{"bomb within open-size", testRecord{typ: "updateinfo", href: "repodata/u.xml.gz", data: bomb, open: []byte("x"), openSize: 1000},
			nil, "repo t: parsing updateinfo repodata/u.xml.gz: updateinfo: decompressing updateinfo repodata/u.xml.gz: decompressed data is larger than allowed: more than 1000 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := copyRepo(t, src)
			writeRepomd(t, dir, primary, tc.rec)
			if tc.rec.openSize == stripOpen {
				// No open-size nor open-checksum: only WithMaxOpenSize bounds it.
				path := filepath.Join(dir, "repodata", "repomd.xml")
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				b = regexp.MustCompile(`<open-checksum[^<]*</open-checksum><location href="repodata/u.xml.gz"/><timestamp>1</timestamp><size>[0-9]+</size><open-size>-1</open-size>`).
					ReplaceAllFunc(b, func(m []byte) []byte {
						return regexp.MustCompile(`<open-checksum[^<]*</open-checksum>|<open-size>-1</open-size>`).ReplaceAll(m, nil)
					})
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Open(t.Context(), Config{ID: "t", BaseURL: "file://" + dir}, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.LoadUpdateinfo(context.Background())
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// stripOpen as a testRecord's openSize asks for a repomd.xml record
// without open-size and open-checksum.
const stripOpen = -1

func nevra(s string) rpmmeta.NEVRA {
	// name-[e:]v-r.arch
	dot := strings.LastIndexByte(s, '.')
	n := rpmmeta.NEVRA{Arch: s[dot+1:]}
	rest := s[:dot]
	i := strings.LastIndexByte(rest, '-')
	j := strings.LastIndexByte(rest[:i], '-')
	n.Name = rest[:j]
	n.EVR = rpmmeta.ParseEVR(rest[j+1:])
	return n
}

func nevras(ss ...string) []rpmmeta.NEVRA {
	out := make([]rpmmeta.NEVRA, len(ss))
	for i, s := range ss {
		out[i] = nevra(s)
	}
	return out
}

func TestAdvisoryMatch(t *testing.T) {
	t.Parallel()
	x := NewAdvisoryIndex(wantSeedAdvisories())
	summary := func(ms []AdvisoryMatch) string {
		var b strings.Builder
		for _, m := range ms {
			fmt.Fprintf(&b, "%s %s:", m.Advisory.ID, m.State)
			for _, p := range m.Packages {
				fmt.Fprintf(&b, " %s(fix %s)", p.Installed, p.Fix)
			}
			b.WriteString(";")
		}
		return b.String()
	}
	for _, tc := range []struct {
		name                 string
		installed, available []rpmmeta.NEVRA
		want                 string
	}{
		{"old tzdata, fix in repo",
			nevras("tzdata-2023c-1.azl3.noarch", "glibc-2.36-9.azl3.x86_64"),
			nevras("tzdata-2023c-1.azl3.noarch", "tzdata-2024a-1.azl3.noarch", "glibc-2.36-9.azl3.x86_64"),
			"AZL-2024-0001 open: tzdata-2023c-1.azl3.noarch(fix tzdata-2024a-1.azl3.noarch);AZL-2023-0100 fixed: glibc-2.36-9.azl3.x86_64(fix glibc-2.36-9.azl3.x86_64);"},
		{"old tzdata, fix not in repo",
			nevras("tzdata-2023c-1.azl3.noarch"), nevras("tzdata-2023c-1.azl3.noarch"), ""},
		{"new tzdata",
			nevras("tzdata-2024a-1.azl3.noarch"), nil,
			"AZL-2024-0001 fixed: tzdata-2024a-1.azl3.noarch(fix tzdata-2024a-1.azl3.noarch);"},
		{"newer than the fix",
			nevras("tzdata-1:2000-1.noarch"), nil,
			"AZL-2024-0001 fixed: tzdata-1:2000-1.noarch(fix tzdata-2024a-1.azl3.noarch);"},
		{"other arch",
			nevras("glibc-2.30-1.aarch64"), nevras("glibc-2.36-9.azl3.aarch64"), ""},
		{"nothing installed", nil, nevras("nosuch-1-1.x86_64"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := summary(x.Match(tc.installed, tc.available)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		from, to string
		want     []string
	}{
		{"tzdata-2023c-1.azl3.noarch", "tzdata-2024a-1.azl3.noarch", []string{"AZL-2024-0001"}},
		{"tzdata-2024a-1.azl3.noarch", "tzdata-2024b-1.azl3.noarch", nil},
		{"tzdata-2020a-1.noarch", "tzdata-2023a-1.noarch", nil},
		{"glibc-2.36-8.azl3.x86_64", "glibc-2.36-9.azl3.x86_64", []string{"AZL-2023-0100"}},
		{"glibc-2.36-8.azl3.aarch64", "glibc-2.36-9.azl3.aarch64", nil},
	} {
		var got []string
		for _, a := range x.FixedBetween(nevra(tc.from), nevra(tc.to)) {
			got = append(got, a.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("FixedBetween(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestSeverityRank(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{"": SeverityNone, "Low": SeverityLow, "moderate": SeverityModerate, "MEDIUM": SeverityModerate, "Important": SeverityImportant, "high": SeverityImportant, "Critical": SeverityCritical} {
		if got, ok := SeverityRank(s); !ok || got != want {
			t.Errorf("SeverityRank(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	if _, ok := SeverityRank("urgent"); ok {
		t.Error("SeverityRank(urgent) is ok")
	}
}

// FuzzUpdateinfo: the parser never panics, and what it accepts survives
// the cache round trip.
func FuzzUpdateinfo(f *testing.F) {
	f.Add([]byte(seedUpdateinfo))
	f.Add([]byte(`<updates><update><id>A</id><pkglist><collection><package name="a" version="1" arch="noarch"/></collection></pkglist></update></updates>`))
	f.Add([]byte(`<updates/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		advs, err := parseUpdateinfo(bytes.NewReader(data))
		if err != nil {
			return
		}
		back, err := decodeUpdateinfo(encodeUpdateinfo(advs)[len(cacheMagic)+2:])
		if err != nil {
			t.Fatalf("decoding what was encoded: %v", err)
		}
		if len(back) != len(advs) {
			t.Fatalf("%d advisories back, want %d", len(back), len(advs))
		}
		for i := range advs {
			if back[i].ID != advs[i].ID || len(back[i].Packages) != len(advs[i].Packages) || !back[i].Issued.Equal(advs[i].Issued) {
				t.Fatalf("advisory %d: %+v, want %+v", i, back[i], advs[i])
			}
		}
	})
}
