//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/testrepo"
)

// authRepoServer serves the test repositories' parent folder over HTTP,
// requiring basic auth user:pass.
func authRepoServer(t *testing.T, repos *testrepo.Repos, user, pass string) *httptest.Server {
	t.Helper()
	fs := http.FileServer(http.Dir(filepath.Dir(repos.Dir["x86_64"])))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fs.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// httpConfig is config() with the repository served by srv.
func httpConfig(t *testing.T, repos *testrepo.Repos, srv *httptest.Server, install ...string) string {
	t.Helper()
	local := "file://" + filepath.Join(filepath.Dir(repos.Dir["x86_64"]), "$basearch")
	return rewrite(t, config(t, repos, "", install...), local, srv.URL+"/$basearch")
}

// TestSecretsNeverPrinted runs the paths that handle secrets — repository
// basic auth (right and wrong password), publish with htpasswd auth (right
// and wrong password) — with -v and --json, and looks for each secret, raw
// and base64-encoded, in everything slipway printed.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	repoPass := fmt.Sprintf("repo-secret-%d", time.Now().UnixNano())
	srv := authRepoServer(t, repos, "repouser", repoPass)
	cfg := httpConfig(t, repos, srv, smallSet...)
	repoEnv := func(pass string) []string {
		return []string{"SLIPWAY_REPO_TEST_USERNAME=repouser", "SLIPWAY_REPO_TEST_PASSWORD=" + pass}
	}
	wrongRepo := "wrong-" + repoPass
	reg := startRegistry(t, true)
	wrongReg := "wrong-" + reg.Pass
	secrets := []string{repoPass, wrongRepo, reg.Pass, wrongReg}
	cache := t.TempDir()
	runs := []struct {
		name    string
		env     []string
		args    []string
		wantErr string // "" = must succeed
	}{
		{"resolve with repo auth", repoEnv(repoPass), []string{"-v", "--cache-dir", cache, "resolve", cfg}, ""},
		{"resolve with a wrong repo password", repoEnv(wrongRepo), []string{"-v", "--cache-dir", t.TempDir(), "resolve", cfg}, "401"},
		{"resolve without repo credentials", nil, []string{"-v", "--cache-dir", t.TempDir(), "resolve", cfg}, "401"},
		{"build with repo auth", repoEnv(repoPass), []string{"-v", "--cache-dir", cache, "build", "--json", cfg, "--output", "oci:" + t.TempDir() + "/o:t"}, ""},
		{"publish with registry auth", append(repoEnv(repoPass), reg.env()...), []string{"-v", "--cache-dir", cache, "publish", "--json", cfg, "--tag", reg.Host + "/s/e:1"}, ""},
		{"publish with a wrong registry password", append(repoEnv(repoPass), "SLIPWAY_REGISTRY_USERNAME="+reg.User, "SLIPWAY_REGISTRY_PASSWORD="+wrongReg),
			[]string{"-v", "--cache-dir", cache, "publish", "--json", cfg, "--tag", reg.Host + "/s/e:2"}, "401"},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			r := slipway(t, run.env, run.args...)
			if run.wantErr == "" {
				mustSucceed(t, r, run.name)
			} else if r.code == 0 || !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(run.wantErr)) && !strings.Contains(strings.ToLower(r.stderr), "unauthorized") {
				t.Errorf("exit %d, stderr %q: want a failure saying %s", r.code, r.stderr, run.wantErr)
			}
			all := r.stdout + r.stderr
			for _, s := range secrets {
				for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte("repouser:" + s)), base64.StdEncoding.EncodeToString([]byte(reg.User + ":" + s))} {
					if strings.Contains(all, form) {
						t.Errorf("a secret (%.10s...) appears in the output", form)
					}
				}
			}
		})
	}
}

// rewrite replaces old with new in the file at path and returns path.
func rewrite(t *testing.T, path, old, new string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
