//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/registrytest"
	"github.com/slipway-build/slipway/internal/testutil"
)

// realRegistry is a docker-registry process on 127.0.0.1.
type realRegistry struct {
	Host       string // 127.0.0.1:PORT
	User, Pass string // set when started with auth
	Dir        string // its storage
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRegistry starts docker-registry on a free loopback port, with
// htpasswd auth when auth is set, waits for /v2/ and stops it (by PID)
// when the test ends.
func startRegistry(t *testing.T, auth bool) *realRegistry {
	t.Helper()
	testutil.RequireTool(t, "docker-registry", "docker-registry")
	dir := t.TempDir()
	r := &realRegistry{Dir: filepath.Join(dir, "storage")}
	var authCfg string
	if auth {
		testutil.RequireTool(t, "htpasswd", "apache2-utils")
		r.User, r.Pass = "ci-bot", "pw-"+fmt.Sprint(time.Now().UnixNano())
		htp := filepath.Join(dir, "htpasswd")
		if out, err := exec.Command("htpasswd", "-Bbc", htp, r.User, r.Pass).CombinedOutput(); err != nil {
			t.Fatalf("htpasswd: %v\n%s", err, out)
		}
		authCfg = fmt.Sprintf("auth:\n  htpasswd:\n    realm: slipway-test\n    path: %s\n", htp)
	}
	var cmd *exec.Cmd
	for attempt := 0; ; attempt++ {
		port := freePort(t)
		r.Host = fmt.Sprintf("127.0.0.1:%d", port)
		cfg := filepath.Join(dir, "config.yml")
		text := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n%s", r.Dir, r.Host, authCfg)
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command("docker-registry", "serve", cfg)
		logf, _ := os.Create(filepath.Join(dir, "registry.log"))
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if waitV2(r.Host, cmd) {
			break
		}
		cmd.Process.Kill()
		cmd.Wait()
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatalf("docker-registry did not start:\n%s", log)
		}
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(pid, syscall.SIGKILL)
			<-done
		}
	})
	return r
}

func waitV2(host string, cmd *exec.Cmd) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 || resp.StatusCode == 401 {
				return true
			}
		}
		if cmd.ProcessState != nil {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// env gives slipway the registry's credentials.
func (r *realRegistry) env() []string {
	if r.User == "" {
		return nil
	}
	return []string{"SLIPWAY_REGISTRY_USERNAME=" + r.User, "SLIPWAY_REGISTRY_PASSWORD=" + r.Pass}
}

// skopeoCreds are skopeo's flags for the registry, as source or dest.
func (r *realRegistry) skopeoCreds(flag string) []string {
	if r.User == "" {
		return nil
	}
	return []string{flag, r.User + ":" + r.Pass}
}

// tagExists asks the registry for a tag with skopeo.
func (r *realRegistry) tagExists(t *testing.T, host, repoTag string) bool {
	t.Helper()
	args := append([]string{"inspect", "--raw", "--tls-verify=false"}, r.skopeoCreds("--creds")...)
	out, err := exec.Command("skopeo", append(args, "docker://"+host+"/"+repoTag)...).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "manifest unknown") && !strings.Contains(string(out), "not found") {
		t.Logf("skopeo inspect %s: %v %s", repoTag, err, out)
	}
	return err == nil
}

// catalog lists the registry's repositories.
func (r *realRegistry) catalog(t *testing.T) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.Host+"/v2/_catalog", nil)
	if r.User != "" {
		req.SetBasicAuth(r.User, r.Pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

// faultProxy is a loopback reverse proxy in front of a registry that
// counts the bytes of blob uploads (PATCH/PUT bodies) and injects faults.
type faultProxy struct {
	Host string
	mu   sync.Mutex
	sent int64
	// faults: "METHOD kind" -> remaining count (negative: forever), kinds
	// as in registrytest.RequestKind.
	faults map[string]int
	hits   map[string]int
}

func startProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	u, _ := url.Parse("http://" + target)
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = nil
	p := &faultProxy{faults: map[string]int{}, hits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + registrytest.RequestKind(r)
		p.mu.Lock()
		n := p.faults[key]
		if n > 0 {
			p.faults[key]--
		}
		if n != 0 {
			p.hits[key]++
		}
		p.mu.Unlock()
		if n != 0 {
			switch {
			case key == "PATCH upload" || key == "PUT upload":
				if registrytest.ResetUpload(w, r, 4096) { // part of the blob, then a reset
					return
				}
			case key == "POST upload":
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if registrytest.RequestKind(r) == "upload" && (r.Method == http.MethodPatch || r.Method == http.MethodPut) && r.Body != nil {
			r.Body = &countBody{r.Body, p}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.Host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

type countBody struct {
	io.ReadCloser
	p *faultProxy
}

func (c *countBody) Read(b []byte) (int, error) {
	n, err := c.ReadCloser.Read(b)
	c.p.mu.Lock()
	c.p.sent += int64(n)
	c.p.mu.Unlock()
	return n, err
}

func (p *faultProxy) set(faults map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults, p.hits = faults, map[string]int{}
}

func (p *faultProxy) takeSent() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.sent
	p.sent = 0
	return n
}
