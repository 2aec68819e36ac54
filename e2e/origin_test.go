//go:build e2e

package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slipway-build/slipway/internal/hostile"
)

// TestCredentialsOrigin runs the CLI against a registry whose token realm
// is localhost on another port, and a repository whose repomd.xml points
// its primary at a local file: exit 1, one line, the exact refusal, and
// neither the realm nor the local folder is reached.
func TestCredentialsOrigin(t *testing.T) {
	t.Run("token realm on localhost, another port", func(t *testing.T) {
		reg, layout := pushedImage(t)
		var realmHits atomic.Int32
		realm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			realmHits.Add(1)
			io.WriteString(w, `{"token":"tok"}`)
		}))
		t.Cleanup(realm.Close)
		realmURL := strings.Replace(realm.URL, "127.0.0.1", "localhost", 1) + "/token"
		front := frontServer(t, reg.Host, func(w http.ResponseWriter, r *http.Request) bool {
			if r.Header.Get("Authorization") == "Bearer tok" {
				r.Header.Del("Authorization")
				return false
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q,service="test"`, realmURL))
			w.WriteHeader(http.StatusUnauthorized)
			return true
		})
		env := []string{"SLIPWAY_REGISTRY_USERNAME=u", "SLIPWAY_REGISTRY_PASSWORD=a"}
		r := slipway(t, env, "push", "oci:"+layout+":t", front+"/realm/x:1")
		t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
		oneLine(t, r, "refusing to send registry credentials to "+realmURL+": neither the registry's origin (the registry is https://"+front+" or http://"+front+") nor a token realm over https on a host that is not loopback")
		if realmHits.Load() != 0 {
			t.Errorf("the realm got %d requests", realmHits.Load())
		}
		if strings.Contains(r.stderr, "****") {
			t.Errorf("the one-letter password mangled the message: %s", r.stderr)
		}
	})

	t.Run("repomd.xml xml:base file:// in an http repository", func(t *testing.T) {
		t.Parallel()
		primary := hostile.Primary([]hostile.PrimaryPackage{{Name: "busybox", Version: "1", Release: "1", Arch: "noarch", Checksum: strings.Repeat("a", 64), Location: "busybox.rpm"}})
		local, dir := t.TempDir(), t.TempDir()
		if _, err := hostile.WriteRepo(local, hostile.Repo{Primary: primary}); err != nil {
			t.Fatal(err)
		}
		if _, err := hostile.WriteRepo(dir, hostile.Repo{Primary: primary, XMLBase: "file://" + local + "/"}); err != nil {
			t.Fatal(err)
		}
		var auth atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "u" || p != "a" {
				http.Error(w, "who are you", http.StatusUnauthorized)
				return
			}
			auth.Add(1)
			http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		cfg := filepath.Join(t.TempDir(), "image.toml")
		os.WriteFile(cfg, fmt.Appendf(nil, "[image]\nname = \"h/x\"\narchitectures = [\"x86_64\"]\n\n[[repository]]\nid = \"h\"\nbaseurl = %q\ngpgcheck = false\n\n[packages]\ninstall = [\"busybox\"]\n", srv.URL), 0o644)
		env := []string{"SLIPWAY_REPO_H_USERNAME=u", "SLIPWAY_REPO_H_PASSWORD=a"}
		r := slipway(t, env, "--cache-dir", t.TempDir(), "resolve", cfg)
		t.Logf("exit %d: %s", r.code, strings.TrimSpace(r.stderr))
		oneLine(t, r, "repo h: repomd.xml primary record: xml:base file://"+local+"/ refused: file:// is another origin than http://"+strings.TrimPrefix(srv.URL, "http://")+" (metadata and packages must stay on the repository's origin)")
		if r.stdout != "" || strings.Contains(r.stderr, base64.StdEncoding.EncodeToString([]byte("u:a"))) {
			t.Errorf("stdout %q", r.stdout)
		}
	})
}
