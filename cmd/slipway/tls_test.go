package main

import (
	"crypto/tls"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/slipway-build/slipway/internal/registrytest"
	"github.com/slipway-build/slipway/internal/testrepo"
)

func TestRegistryCertsDirs(t *testing.T) {
	t.Parallel()
	system := []string{"/etc/docker/certs.d", "/etc/containers/certs.d"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		euid int
		want []string
	}{
		{"root", map[string]string{"HOME": "/root", "XDG_CONFIG_HOME": "/x"}, 0, system},
		{"rootless with XDG_CONFIG_HOME", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/x"}, 1000, append([]string{"/x/containers/certs.d"}, system...)},
		{"rootless with HOME", map[string]string{"HOME": "/home/u"}, 1000, append([]string{"/home/u/.config/containers/certs.d"}, system...)},
		{"rootless without HOME", nil, 1000, system},
		{"override", map[string]string{registryCertsDirsEnv: "/a:/b", "HOME": "/home/u"}, 1000, []string{"/a", "/b"}},
	} {
		got := registryCertsDirs(func(k string) string { return tc.env[k] }, tc.euid)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestRegistryTLSCommands runs every command that reads or writes a
// registry against one with its own CA: trusted through a certs.d folder
// or --registry-ca-file each works; untrusted each fails with one line.
func TestRegistryTLSCommands(t *testing.T) {
	t.Parallel()
	ca := registrytest.NewCA(t, "slipway cmd test CA")
	srv := httptest.NewUnstartedServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Server(t).TLS(t)}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	host := strings.TrimPrefix(srv.URL, "https://")

	dir := t.TempDir()
	certsD := filepath.Join(dir, "certs.d")
	registrytest.WriteFile(t, filepath.Join(certsD, host), "ca.crt", ca.PEM)
	caFile := registrytest.WriteFile(t, dir, "ca.pem", ca.PEM)
	empty := filepath.Join(dir, "empty")
	layouts := testLayouts(t, nil, "x86_64", "aarch64")
	key := filepath.Join(dir, "cosign")
	base := map[string]string{"COSIGN_PASSWORD": "pw", "HOME": dir, registryCertsDirsEnv: empty}
	if code, out := runEnv(t, base, "keygen", "--output-key-prefix", key); code != 0 {
		t.Fatalf("keygen: %d %s", code, out)
	}
	withDirs := map[string]string{"COSIGN_PASSWORD": "pw", "HOME": dir, registryCertsDirsEnv: empty + ":" + certsD}

	commands := [][]string{ // in order: each needs what the one before pushed
		{"push", "oci:" + layouts[0] + ":t", host + "/amd:1"},
		{"push", "oci:" + layouts[1] + ":t", host + "/arm:1"},
		{"merge", "--output", "docker://" + host + "/all:1", host + "/amd:1", host + "/arm:1"},
		{"inspect", "--no-packages", host + "/all:1"},
		{"sign", "--key", key + ".key", host + "/all:1"},
		{"verify", "--key", key + ".pub", host + "/all:1"},
	}
	want := "slipway: registry " + host + ": TLS certificate signed by an unknown authority (x509: certificate signed by unknown authority); trust the registry's CA with --registry-ca-file FILE or as ca.crt in " + empty + "/" + host + "/\n"
	for i, args := range commands {
		code, out := runEnv(t, base, args...)
		if code != 1 || out != want {
			t.Errorf("%s untrusted: exit %d, output\n%s\nwant exit 1 and\n%s", args[0], code, out, want)
		}
		if code, out := runEnv(t, withDirs, args...); code != 0 {
			t.Fatalf("%s through certs.d: exit %d\n%s", args[0], code, out)
		}
		withFile := append([]string{args[0], "--registry-ca-file", caFile}, args[1:]...)
		if code, out := runEnv(t, base, withFile...); code != 0 {
			t.Fatalf("%s with --registry-ca-file: exit %d\n%s", args[0], code, out)
		}
		if i == 0 { // once is enough: the flag is shared
			skip := append([]string{args[0], "--registry-skip-tls-verify"}, args[1:]...)
			code, out := runEnv(t, base, skip...)
			if code != 0 || !strings.Contains(out, "slipway: WARNING: --registry-skip-tls-verify: registry TLS certificates are NOT checked") {
				t.Errorf("%s --registry-skip-tls-verify: exit %d\n%s", args[0], code, out)
			}
			bad := append([]string{args[0], "--registry-ca-file", filepath.Join(dir, "nope.pem")}, args[1:]...)
			code, out = runEnv(t, base, bad...)
			if code != 1 || out != "slipway: registry CA file: open "+filepath.Join(dir, "nope.pem")+": no such file or directory\n" {
				t.Errorf("%s with a missing CA file: exit %d\n%s", args[0], code, out)
			}
		}
	}

	// build, publish and sbom read an [image] base with the same options. The
	// base (random layers, no package inventory) is refused after it was
	// read: the error then names the inventory, not TLS.
	repos := testrepo.Get(t)
	cfg := filepath.Join(dir, "derived.toml")
	registrytest.WriteFile(t, dir, "derived.toml", []byte(`[image]
name = "test/derived"
architectures = ["x86_64"]
base = "`+host+`/all:1"

[[repository]]
id = "test"
baseurl = "`+repoTemplate(repos)+`"
gpgkey = ["`+repos.KeyFile+`"]

[packages]
install = ["libfoo"]
`))
	for _, args := range [][]string{
		{"build", cfg, "--output", "oci:" + filepath.Join(dir, "out")},
		{"publish", cfg, "--tag", host + "/derived:1"},
		{"sbom", cfg, "--sbom-dir", filepath.Join(dir, "sbom")},
	} {
		code, out := runEnv(t, base, args...)
		if code != 1 || !strings.HasSuffix(out, "\n"+want) && out != want {
			t.Errorf("%s on an untrusted base: exit %d, output\n%s\nwant exit 1 and\n%s", args[0], code, out, want)
		}
		withFile := append([]string{args[0], "--registry-ca-file", caFile}, args[1:]...)
		code, out = runEnv(t, base, withFile...)
		if code == 0 || strings.Contains(out, "TLS") || !strings.Contains(out, "base") {
			t.Errorf("%s with --registry-ca-file on a base without packages: exit %d\n%s\nwant a failure about the base's inventory", args[0], code, out)
		}
		code, out = runEnv(t, withDirs, args...)
		if code == 0 || strings.Contains(out, "TLS") {
			t.Errorf("%s through certs.d on a base without packages: exit %d\n%s", args[0], code, out)
		}
	}
	// resolve and lock have no registry flags: certs.d and the system's CAs.
	for _, args := range [][]string{{"resolve", cfg}, {"lock", cfg}} {
		code, out := runEnv(t, base, args...)
		if code != 1 || !strings.HasSuffix(out, "\n"+want) && out != want {
			t.Errorf("%s on an untrusted base: exit %d, output\n%s\nwant exit 1 and\n%s", args[0], code, out, want)
		}
		code, out = runEnv(t, withDirs, args...)
		if code == 0 || strings.Contains(out, "TLS") || !strings.Contains(out, "has no rpm database") {
			t.Errorf("%s through certs.d on a base without packages: exit %d\n%s", args[0], code, out)
		}
	}
}
