package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/manifests"
)

// TestPushOutput: push and merge say per repository what they uploaded
// and what the registry already had (human and --json), print the
// "pushed REPO (SIZE)" progress line on a non-terminal stderr, and give
// empty JSON lists rather than null when nothing was tagged.
func TestPushOutput(t *testing.T) {
	t.Parallel()
	dirs := testLayouts(t, map[string]string{manifests.ConfigDigestAnnotation: "sha256:c"}, "x86_64", "aarch64")
	all := dirs[2]
	host, _ := testRegistry(t, "", "")

	// The blobs the index holds: every file under blobs/ but the manifests.
	var blobs int64
	var n int
	entries, err := os.ReadDir(filepath.Join(all, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(all, "blobs", "sha256", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b[:min(len(b), 200)]), `"schemaVersion"`) {
			continue
		}
		blobs += int64(len(b))
		n++
	}

	type pushOut struct {
		Digest       string               `json:"digest"`
		Tags         []string             `json:"tags"`
		Repositories []manifests.RepoPush `json:"repositories"`
	}
	push := func(args ...string) (pushOut, string) {
		t.Helper()
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var res pushOut
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stdout)
		}
		return res, stderr
	}
	first, stderr := push("push", "--json", "oci:"+all+":t", host+"/img:1")
	want := manifests.RepoPush{Repository: host + "/img", UploadedBlobs: n, UploadedBytes: blobs}
	if len(first.Repositories) != 1 || first.Repositories[0] != want {
		t.Errorf("first push: %+v, want %+v", first.Repositories, want)
	}
	if !strings.Contains(stderr, "pushed "+host+"/img (") {
		t.Errorf("push: no progress line on stderr: %q", stderr)
	}
	again, _ := push("push", "--json", "oci:"+all+":t", host+"/img:2")
	want = manifests.RepoPush{Repository: host + "/img", SkippedBlobs: n, SkippedBytes: blobs}
	if len(again.Repositories) != 1 || again.Repositories[0] != want {
		t.Errorf("second push: %+v, want %+v", again.Repositories, want)
	}

	code, stdout, _ := runCLI(t, nil, "push", "oci:"+all+":t", host+"/img:3")
	line := "pushed " + host + "/img: uploaded 0 blobs (0 B), skipped " + strconv.Itoa(n) + " already there (" + humanBytes(blobs) + ")\n"
	if code != 0 || !strings.Contains(stdout, line) || !strings.Contains(stdout, "pushed "+host+"/img:3\n") {
		t.Errorf("push: exit %d, stdout %q; want the line %q", code, stdout, line)
	}

	// merge to a layout pushes nothing: empty lists, not null.
	out := filepath.Join(t.TempDir(), "m")
	code, stdout, stderr = runCLI(t, nil, "merge", "--json", "-o", "oci:"+out, "oci:"+dirs[0]+":t", "oci:"+dirs[1]+":t")
	if code != 0 {
		t.Fatalf("merge: %s", stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw["tags"]) != "[]" || string(raw["repositories"]) != "[]" {
		t.Errorf("merge to a layout: tags %s, repositories %s; want [] and []", raw["tags"], raw["repositories"])
	}
	merged, _ := push("merge", "--json", "-o", "docker://"+host+"/m:1", "oci:"+dirs[0]+":t", "oci:"+dirs[1]+":t")
	if len(merged.Tags) != 1 || len(merged.Repositories) != 1 || merged.Repositories[0].SkippedBlobs != n {
		t.Errorf("merge to a registry: %+v; want one tag and %d blobs skipped", merged, n)
	}
}

// TestPublishUploads: publish reports per repository what it uploaded
// and skipped, in --json and in its human result.
func TestPublishUploads(t *testing.T) {
	t.Parallel()
	repos := testrepo.Get(t)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, repos, repoTemplate(repos), "tzdata")
	host, _ := testRegistry(t, "", "")
	env := map[string]string{"HOME": dir, "SOURCE_DATE_EPOCH": "1700000000"}
	cache := filepath.Join(dir, "cache")
	code, stdout, stderr := runCLI(t, env, "--cache-dir", cache, "publish", "--json", cfg, "--tag", host+"/pub:1")
	if code != 0 {
		t.Fatalf("publish: exit %d: %s", code, stderr)
	}
	var res struct {
		Repositories []manifests.RepoPush `json:"repositories"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	// Two images: 2 configs and their layer (tzdata is noarch: one layer).
	if len(res.Repositories) != 1 || res.Repositories[0].Repository != host+"/pub" || res.Repositories[0].UploadedBlobs < 3 ||
		res.Repositories[0].UploadedBytes == 0 || res.Repositories[0].SkippedBlobs != 0 {
		t.Errorf("publish --json: repositories %+v; want everything uploaded to %s/pub", res.Repositories, host)
	}
	code, stdout, stderr = runCLI(t, env, "--cache-dir", cache, "publish", cfg, "--tag", host+"/pub:2")
	line := "pushed " + host + "/pub: uploaded 0 blobs (0 B), skipped " + strconv.Itoa(res.Repositories[0].UploadedBlobs) + " already there (" + humanBytes(res.Repositories[0].UploadedBytes) + ")\n"
	if code != 0 || !strings.Contains(stdout, line) {
		t.Errorf("publish again: exit %d, stdout %q, stderr %q; want the line %q", code, stdout, stderr, line)
	}
}

// TestFailedPushOneLine: a push whose manifest the registry refuses
// prints no "pushed" progress line, though every blob went up: the error
// is stderr's only line.
func TestFailedPushOneLine(t *testing.T) {
	t.Parallel()
	dirs := testLayouts(t, map[string]string{manifests.ConfigDigestAnnotation: "sha256:c"}, "x86_64", "aarch64")
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"refused"}]}`)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	code, stdout, stderr := runCLI(t, nil, "push", "oci:"+dirs[2]+":t", host+"/img:1")
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "MANIFEST_INVALID") || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, nothing on stdout and one line naming MANIFEST_INVALID", code, stdout, stderr)
	}
}
