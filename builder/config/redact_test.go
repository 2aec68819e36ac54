package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordInBaseURL: a password written in a baseurl is never printed
// (TOML, JSON, errors), the printed configuration loads back to the same
// digest, and a one-letter password mangles nothing else.
func TestPasswordInBaseURL(t *testing.T) {
	t.Parallel()
	const secret = "s3cr@t:pw"
	cfg := with(t, `baseurl = "file:///srv/repo"`, `baseurl = "https://alice:`+secret+`@repo.example/$basearch/"`)
	dir := writeFiles(t, map[string]string{"c.toml": cfg})
	c, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Repositories[0].BaseURL != "https://alice:"+secret+"@repo.example/$basearch/" {
		t.Errorf("the loaded baseurl lost its password: %s", c.Repositories[0].BaseURL)
	}
	toml, err := c.TOML()
	if err != nil {
		t.Fatal(err)
	}
	js, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{"TOML": string(toml), "JSON": string(js)} {
		if strings.Contains(out, "s3cr") || !strings.Contains(out, "https://alice:xxxxx@repo.example/$basearch/") {
			t.Errorf("%s shows the password or lost the URL:\n%s", what, out)
		}
	}
	p := filepath.Join(t.TempDir(), "printed.toml")
	if err := os.WriteFile(p, toml, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := Load(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest() != c.Digest() {
		t.Errorf("digest of the printed config %s, want %s", back.Digest(), c.Digest())
	}

	for _, tc := range []struct{ baseurl, want string }{
		{"https://alice:" + secret + "@repo.example/$nope/", `"https://alice:xxxxx@repo.example/$nope/" uses $nope: only $releasever and $basearch are known`},
		{"https://alice:" + secret + "@repo.example/$releasever/", `"https://alice:xxxxx@repo.example/$releasever/" uses $releasever but image.releasever is not set`},
		{"https://alice:pa ss@repo.example/", `"https://alice:xxxxx@repo.example/" holds spaces or control characters`},
		{"ftp://alice:a@repo.example/", `"ftp://alice:xxxxx@repo.example/": scheme "ftp" is not file, http or https`},
	} {
		dir := writeFiles(t, map[string]string{"c.toml": with(t, `baseurl = "file:///srv/repo"`, `baseurl = "`+tc.baseurl+`"`)})
		_, err := Load(t.Context(), filepath.Join(dir, "c.toml"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "pa ss") {
			t.Errorf("%s: %v\nwant %s", tc.baseurl, err, tc.want)
		}
	}
}
