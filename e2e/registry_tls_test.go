//go:build e2e

package e2e

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/registrytest"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
)

// tlsRegistry is a docker-registry process serving TLS on 127.0.0.1 with
// a server certificate of its own CA, and htpasswd auth.
type tlsRegistry struct {
	realRegistry
	Port string
}

// startTLSRegistry starts docker-registry with `http: tls:` (and, with
// clientCA, `clientcas:`: a client certificate is required) and htpasswd
// auth; it is stopped by PID when the test ends.
func startTLSRegistry(t *testing.T, ca *registrytest.CA, clientCA *registrytest.CA, client *registrytest.Leaf) *tlsRegistry {
	t.Helper()
	testutil.RequireTool(t, "docker-registry", "docker-registry")
	testutil.RequireTool(t, "htpasswd", "apache2-utils")
	dir := t.TempDir()
	r := &tlsRegistry{realRegistry: realRegistry{Dir: filepath.Join(dir, "storage"), User: "tls-bot", Pass: fmt.Sprint("pw-", time.Now().UnixNano())}}
	htp := filepath.Join(dir, "htpasswd")
	if out, err := exec.Command("htpasswd", "-Bbc", htp, r.User, r.Pass).CombinedOutput(); err != nil {
		t.Fatalf("htpasswd: %v\n%s", err, out)
	}
	srv := ca.Server(t)
	crt := registrytest.WriteFile(t, dir, "server.crt", srv.CertPEM)
	key := registrytest.WriteFile(t, dir, "server.key", srv.KeyPEM)
	tlsCfg := fmt.Sprintf("  tls:\n    certificate: %s\n    key: %s\n", crt, key)
	if clientCA != nil {
		tlsCfg += fmt.Sprintf("    clientcas:\n      - %s\n", registrytest.WriteFile(t, dir, "clientca.crt", clientCA.PEM))
	}
	// The readiness check trusts the CA and shows the client certificate.
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	if client != nil {
		hc.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{client.TLS(t)}
	}
	var cmd *exec.Cmd
	for attempt := 0; ; attempt++ {
		r.Port = fmt.Sprint(freePort(t))
		r.Host = "127.0.0.1:" + r.Port
		cfg := filepath.Join(dir, "config.yml")
		text := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n%sauth:\n  htpasswd:\n    realm: slipway-tls-test\n    path: %s\n",
			r.Dir, r.Host, tlsCfg, htp)
		if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command("docker-registry", "serve", cfg)
		logf, _ := os.Create(filepath.Join(dir, "registry.log"))
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if waitTLS(hc, r.Host, cmd) {
			break
		}
		cmd.Process.Kill()
		cmd.Wait()
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatalf("docker-registry with TLS did not start:\n%s", log)
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

func waitTLS(hc *http.Client, host string, cmd *exec.Cmd) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := hc.Get("https://" + host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 401 {
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

// skopeoSees asks skopeo (containers/image, reading the certs.d folder
// certDir as podman does) for the digest of ref.
func (r *tlsRegistry) skopeoSees(t *testing.T, certDir, ref string) string {
	t.Helper()
	out, err := exec.Command("skopeo", "inspect", "--format", "{{.Digest}}", "--cert-dir", certDir, "--creds", r.User+":"+r.Pass, "docker://"+ref).CombinedOutput()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v\n%s", ref, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestRegistryTLS pushes, publishes, inspects, signs and verifies
// against real docker-registry processes serving TLS with their own CA
// (one also requiring a client certificate), trusted through docker's
// and podman's certs.d layouts (HOST:PORT and HOST folders) or
// --registry-ca-file; untrusted, each fails with one line.
func TestRegistryTLS(t *testing.T) {
	testutil.RequireTool(t, "skopeo", "skopeo")
	repos := testrepo.Get(t)
	cfg := config(t, repos, "", smallSet...)
	cache := t.TempDir()
	layout := filepath.Join(t.TempDir(), "oci")
	want := buildJSON(t, nil, "--cache-dir", cache, cfg, "--output", "oci:"+layout+":t").Index

	ca := registrytest.NewCA(t, "slipway e2e registry CA")
	clientCA := registrytest.NewCA(t, "slipway e2e client CA")
	client := clientCA.Client(t, "ci-bot")
	reg := startTLSRegistry(t, ca, nil, nil)
	mreg := startTLSRegistry(t, ca, clientCA, &client)

	// The certs.d roots: docker's with HOST:PORT folders, podman's with
	// HOST folders (any port), and an empty one.
	root := t.TempDir()
	docker, containers, empty := filepath.Join(root, "docker"), filepath.Join(root, "containers"), filepath.Join(root, "empty")
	for _, d := range []string{docker, containers, empty} {
		os.MkdirAll(d, 0o755)
	}
	registrytest.WriteFile(t, filepath.Join(docker, reg.Host), "ca.crt", ca.PEM)
	registrytest.WriteFile(t, filepath.Join(containers, "localhost"), "registry-ca.crt", ca.PEM)
	mdir := filepath.Join(docker, mreg.Host)
	registrytest.WriteFile(t, mdir, "ca.crt", ca.PEM)
	registrytest.WriteFile(t, mdir, "ci-bot.cert", client.CertPEM)
	registrytest.WriteFile(t, mdir, "ci-bot.key", client.KeyPEM)
	caFile := registrytest.WriteFile(t, root, "ca.pem", ca.PEM)

	dirs := func(ds ...string) []string {
		return append(reg.env(), "SLIPWAY_REGISTRY_CERTS_DIRS="+strings.Join(ds, ":"))
	}
	untrusted := dirs(empty)
	oneLine := func(t *testing.T, r result, want string) {
		t.Helper()
		if r.code != 1 || r.stderr != want {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and:\n%s", r.code, r.stderr, want)
		}
	}
	unknownCA := func(host string) string {
		return "slipway: registry " + host + ": TLS certificate signed by an unknown authority (x509: certificate signed by unknown authority); trust the registry's CA with --registry-ca-file FILE or as ca.crt in " + filepath.Join(empty, host) + "/\n"
	}

	t.Run("push through certs.d HOST:PORT (docker)", func(t *testing.T) {
		mustSucceed(t, slipway(t, dirs(empty, docker), "push", "oci:"+layout+":t", reg.Host+"/d/img:1"), "push")
		if got := reg.skopeoSees(t, filepath.Join(docker, reg.Host), reg.Host+"/d/img:1"); got != want {
			t.Errorf("skopeo sees %s, want %s", got, want)
		}
	})
	t.Run("push through certs.d HOST (containers)", func(t *testing.T) {
		ref := "localhost:" + reg.Port + "/c/img:1"
		mustSucceed(t, slipway(t, dirs(empty, containers), "push", "oci:"+layout+":t", ref), "push")
		if got := reg.skopeoSees(t, filepath.Join(containers, "localhost"), ref); got != want {
			t.Errorf("skopeo sees %s, want %s", got, want)
		}
	})
	t.Run("push with --registry-ca-file", func(t *testing.T) {
		mustSucceed(t, slipway(t, untrusted, "push", "--registry-ca-file", caFile, "oci:"+layout+":t", reg.Host+"/f/img:1"), "push")
		if got := reg.skopeoSees(t, filepath.Join(docker, reg.Host), reg.Host+"/f/img:1"); got != want {
			t.Errorf("skopeo sees %s, want %s", got, want)
		}
	})
	t.Run("untrusted: one line", func(t *testing.T) {
		oneLine(t, slipway(t, untrusted, "push", "oci:"+layout+":t", reg.Host+"/u/img:1"), unknownCA(reg.Host))
		oneLine(t, slipway(t, untrusted, "--cache-dir", cache, "publish", cfg, "--tag", reg.Host+"/u/img:1"), unknownCA(reg.Host))
		oneLine(t, slipway(t, untrusted, "inspect", reg.Host+"/d/img:1"), unknownCA(reg.Host))
		// The same CA given for another port's folder does not count.
		other := filepath.Join(root, "other")
		registrytest.WriteFile(t, filepath.Join(other, "127.0.0.1:1"), "ca.crt", ca.PEM)
		r := slipway(t, dirs(other), "push", "oci:"+layout+":t", reg.Host+"/u/img:1")
		if r.code != 1 || !strings.Contains(r.stderr, "signed by an unknown authority") {
			t.Errorf("CA in another port's folder: exit %d %s", r.code, r.stderr)
		}
		if reg.tagExists(t, reg.Host, "u/img:1") {
			t.Error("an untrusted push left a tag")
		}
	})
	t.Run("skip verify warns", func(t *testing.T) {
		r := slipway(t, untrusted, "--quiet", "push", "--registry-skip-tls-verify", "oci:"+layout+":t", reg.Host+"/s/img:1")
		mustSucceed(t, r, "push --registry-skip-tls-verify")
		if !strings.Contains(r.stderr, "WARNING: --registry-skip-tls-verify: registry TLS certificates are NOT checked") {
			t.Errorf("no warning: %q", r.stderr)
		}
	})
	t.Run("publish, inspect, sign and verify through certs.d", func(t *testing.T) {
		env := append(dirs(empty, docker), "COSIGN_PASSWORD=e2e-key-pass")
		ref := reg.Host + "/p/img:1"
		r := slipway(t, env, "--cache-dir", cache, "publish", "--json", cfg, "--tag", ref)
		mustSucceed(t, r, "publish")
		if !strings.Contains(r.stdout, want) {
			t.Errorf("publish printed no %s:\n%s", want, r.stdout)
		}
		r = slipway(t, env, "inspect", "--json", ref)
		mustSucceed(t, r, "inspect")
		if !strings.Contains(r.stdout, want) {
			t.Errorf("inspect printed no %s:\n%s", want, r.stdout)
		}
		key := filepath.Join(t.TempDir(), "cosign")
		mustSucceed(t, slipway(t, env, "keygen", "--output-key-prefix", key), "keygen")
		oneLine(t, slipway(t, append(untrusted, "COSIGN_PASSWORD=e2e-key-pass"), "sign", "--key", key+".key", ref), unknownCA(reg.Host))
		mustSucceed(t, slipway(t, env, "sign", "--key", key+".key", ref), "sign")
		oneLine(t, slipway(t, untrusted, "verify", "--key", key+".pub", ref), unknownCA(reg.Host))
		mustSucceed(t, slipway(t, env, "verify", "--key", key+".pub", ref), "verify")
	})
	t.Run("client certificate from certs.d", func(t *testing.T) {
		menv := append(mreg.env(), "SLIPWAY_REGISTRY_CERTS_DIRS="+docker)
		ref := mreg.Host + "/m/img:1"
		mustSucceed(t, slipway(t, menv, "push", "oci:"+layout+":t", ref), "push with a client certificate")
		if got := mreg.skopeoSees(t, mdir, ref); got != want {
			t.Errorf("skopeo sees %s, want %s", got, want)
		}
		// The CA alone: the registry refuses the connection.
		noCert := filepath.Join(root, "nocert")
		registrytest.WriteFile(t, filepath.Join(noCert, mreg.Host), "ca.crt", ca.PEM)
		r := slipway(t, append(mreg.env(), "SLIPWAY_REGISTRY_CERTS_DIRS="+noCert), "push", "oci:"+layout+":t", mreg.Host+"/m/img:2")
		// The reason in parentheses is the registry's TLS alert, or, when
		// TLS 1.3 loses that alert (the request meets the connection the
		// registry closed), that it asked for a certificate and closed it.
		head := "slipway: registry " + mreg.Host + ": refused the TLS client certificate ("
		tail := "); put the client certificate and its key as NAME.cert and NAME.key in " + filepath.Join(noCert, mreg.Host) + "/\n"
		reason := strings.TrimSuffix(strings.TrimPrefix(r.stderr, head), tail)
		if r.code != 1 || !strings.HasPrefix(r.stderr, head) || !strings.HasSuffix(r.stderr, tail) || strings.Contains(reason, "\n") ||
			(reason != "tls: bad certificate" && !strings.HasPrefix(reason, "it asked for one and closed the connection: ")) {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and:\n%s(tls: bad certificate | it asked for one and closed the connection: ...)%s", r.code, r.stderr, head, tail)
		}
	})
}
