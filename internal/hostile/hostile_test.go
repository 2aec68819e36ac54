package hostile_test

import (
	"archive/tar"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-build/slipway/builder/repo"
	"github.com/slipway-build/slipway/internal/hostile"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rpm"
)

// realPair returns two different signed RPMs of the test repository.
func realPair(t *testing.T) [2][]byte {
	t.Helper()
	tr := testrepo.Get(t)
	var out [2][]byte
	for i, name := range []string{"tzdata-2024a", "webd-2.4"} {
		for _, p := range tr.RPMs["x86_64"] {
			if strings.HasPrefix(filepath.Base(p), name) {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				out[i] = b
			}
		}
		if out[i] == nil {
			t.Fatalf("no %s in the test repository", name)
		}
	}
	return out
}

func readRPM(b []byte) error {
	p, err := rpm.Open(bytes.NewReader(b))
	if err != nil {
		return err
	}
	_, err = p.Verify()
	return err
}

func TestRPMCasesAPI(t *testing.T) {
	t.Parallel()
	real := realPair(t)
	for _, tc := range hostile.RPMCases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.Make(real)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = readRPM(b)
			t.Logf("%d bytes, %v: %v", len(b), time.Since(start), err)
			if err == nil {
				t.Fatal("read without error")
			}
			if !strings.Contains(err.Error(), tc.Want) {
				t.Errorf("error %q, want it to contain %q", err, tc.Want)
			}
		})
	}
}

// TestRPMCasesRPMK checks that rpm -K refuses the cases rpm itself checks
// (digests and structure), so the corpus is hostile to the real tool too.
func TestRPMCasesRPMK(t *testing.T) {
	t.Parallel()
	testutil.RequireTool(t, "rpm", "rpm")
	real := realPair(t)
	home := t.TempDir()
	for _, tc := range hostile.RPMCases {
		if !tc.RPMRejects {
			continue
		}
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.Make(real)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "x.rpm")
			if err := os.WriteFile(f, b, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("rpm", "--dbpath", filepath.Join(home, "db"), "-K", "--nosignature", f)
			cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Errorf("rpm -K accepted it: %s", out)
			}
		})
	}
}

// TestRootfsPaths writes hostile file trees into a layer: nothing in the
// tar may leave the image root, and paths rpm would never write are refused.
func TestRootfsPaths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		files   []hostile.File
		wantErr string   // "" = must succeed
		want    []string // tar entries that must be present
	}{
		{"header path with ..", []hostile.File{{Path: "/usr/../../etc/evil", Mode: 0o100644, Data: "x"}}, "path has a .. component", nil},
		{"file under a symlinked dir escaping the root", []hostile.File{
			{Path: "/lnk", Mode: 0o120777, Link: "../../../../../tmp"},
			{Path: "/lnk/evil", Mode: 0o100644, Data: "x"},
		}, "", []string{"tmp/evil"}},
		{"file under an absolute symlinked dir", []hostile.File{
			{Path: "/etc", Mode: 0o40755},
			{Path: "/abs", Mode: 0o120777, Link: "/etc"},
			{Path: "/abs/shadow", Mode: 0o100600, Data: "x"},
		}, "", []string{"etc/shadow"}},
		// rpm (ENAMETOOLONG) and tar cannot write these.
		{"path of 4190 bytes", []hostile.File{{Path: "/" + strings.Repeat(strings.Repeat("d", 200)+"/", 20) + strings.Repeat("f", 169), Mode: 0o100644, Data: "x"}},
			`package hostile-1.0-1.x86_64: file "/` + strings.Repeat("d", 79) + `"... (4190 bytes): path is 4190 bytes, longer than PATH_MAX allows (4096 with its NUL)`, nil},
		{"component of 256 bytes", []hostile.File{{Path: "/usr/" + strings.Repeat("n", 256), Mode: 0o100644, Data: "x"}},
			`package hostile-1.0-1.x86_64: file "/usr/` + strings.Repeat("n", 75) + `"... (261 bytes): path has a component of 256 bytes, longer than NAME_MAX (255)`, nil},
		{"device nodes", []hostile.File{
			{Path: "/dev", Mode: 0o40755},
			{Path: "/dev/null", Mode: 0o20666, Rdev: 0x0103},
			{Path: "/dev/sda", Mode: 0o60660, Rdev: 0x0800},
		}, "", []string{"dev/null", "dev/sda"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := hostile.RPM(hostile.Spec{Files: tc.files})
			if err != nil {
				t.Fatal(err)
			}
			p, err := rpm.Open(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			spool := t.TempDir()
			w, err := rootfs.New(rootfs.Options{BuildTime: 1700000000, SpoolDir: spool})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			var out bytes.Buffer
			err = w.AddPackage(t.Context(), p)
			if err == nil {
				_, err = w.WriteTar(t.Context(), &out)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "hostile-1.0-1") {
					t.Fatalf("error %v, want %q naming the package", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			tr := tar.NewReader(&out)
			for {
				h, err := tr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				name := strings.TrimSuffix(h.Name, "/")
				seen[name] = true
				if strings.HasPrefix(h.Name, "/") || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") {
					t.Errorf("tar entry %q leaves the root", h.Name)
				}
				if h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink {
					continue
				}
			}
			for _, w := range tc.want {
				if !seen[w] {
					t.Errorf("layer lacks %s; has %v", w, seen)
				}
			}
		})
	}
}

// TestOriginCases loads each repository of hostile.OriginCases through
// the repo API with basic auth: the exact error, nothing asked of OTHER
// unless the case says so, and never a credential sent there.
func TestOriginCases(t *testing.T) {
	t.Parallel()
	const user, pass = "u", "a"
	for _, tc := range hostile.OriginCases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			loc := tc.PackageLocation
			if loc == "" {
				loc = "busybox.rpm"
			}
			local := t.TempDir()
			var mu sync.Mutex
			var otherAuth []string
			repomdHits := 0
			other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				otherAuth = append(otherAuth, r.Header.Get("Authorization"))
				mu.Unlock()
				http.FileServer(http.Dir(local)).ServeHTTP(w, r)
			}))
			other.Start()
			t.Cleanup(other.Close)
			otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
			dir := t.TempDir()
			var expand func(string) string
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
					http.Error(w, "who are you", http.StatusUnauthorized)
					return
				}
				switch {
				case r.URL.Path == "/repodata/repomd.xml":
					mu.Lock()
					repomdHits++
					mu.Unlock()
					if tc.Redirect != "" {
						http.Redirect(w, r, expand(tc.Redirect), http.StatusFound)
						return
					}
				case strings.HasPrefix(r.URL.Path, "/mirror/"):
					http.StripPrefix("/mirror", http.FileServer(http.Dir(local))).ServeHTTP(w, r)
					return
				}
				http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
			}))
			host := srv.Listener.Addr().String()
			expand = strings.NewReplacer("HOST", host, "LOCAL", local, "OTHERIP", other.URL, "OTHER", otherURL).Replace
			primary := hostile.Primary([]hostile.PrimaryPackage{{Name: "busybox", Version: "1", Release: "1", Arch: "noarch",
				Checksum: strings.Repeat("a", 64), Location: expand(loc), XMLBase: expand(tc.PackageBase)}})
			if _, err := hostile.WriteRepo(local, hostile.Repo{Primary: primary}); err != nil {
				t.Fatal(err)
			}
			if _, err := hostile.WriteRepo(dir, hostile.Repo{Primary: primary, XMLBase: expand(tc.XMLBase)}); err != nil {
				t.Fatal(err)
			}
			srv.Start()
			t.Cleanup(srv.Close)
			base := srv.URL
			if tc.File {
				base = "file://" + dir
			}
			r, err := repo.Open(t.Context(), repo.Config{ID: "h", BaseURL: base},
				repo.WithBasicAuth("h", user, pass), repo.WithRetries(3, time.Millisecond))
			mu.Lock()
			defer mu.Unlock()
			if want := expand(tc.Want); tc.Want != "" {
				if err == nil || err.Error() != want {
					t.Fatalf("error %v\nwant       %s", err, want)
				}
				if repomdHits > 1 {
					t.Errorf("repomd.xml was asked %d times: a refusal was retried", repomdHits)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if (len(otherAuth) > 0) != tc.OtherRequests {
				t.Errorf("OTHER got %d requests", len(otherAuth))
			}
			for _, a := range otherAuth {
				if a != "" {
					t.Errorf("OTHER got credentials: %q", a)
				}
			}
			if r == nil {
				return
			}
			_, err = r.PackageURL(r.Packages[0])
			if want := expand(tc.WantPackage); tc.WantPackage != "" {
				if err == nil || err.Error() != want {
					t.Errorf("package URL: %v\nwant              %s", err, want)
				}
			} else if err != nil {
				t.Errorf("package URL: %v", err)
			}
		})
	}
}

// TestScriptletsOutside: a scriptlet whose alternatives, lua or cp paths
// point outside the image stops the build naming the package and the
// scriptlet, before any layer is written.
func TestScriptletsOutside(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, prog, body, want string
	}{
		{"alternatives path above the root", "/bin/sh", "update-alternatives --install /usr/bin/x x /usr/../../../etc/passwd 10\n",
			`package hostile-1.0-1.x86_64: %post refused: path "/usr/../../../etc/passwd" points outside the image`},
		{"alternatives link above the root", "/bin/sh", "alternatives --install /../x x /usr/bin/y 10\n",
			`package hostile-1.0-1.x86_64: %post refused: path "/../x" points outside the image`},
		{"lua symlink target above the root", "<lua>", `posix.symlink("../../../../host/etc", "/usr/x")`,
			`package hostile-1.0-1.x86_64: %post refused: link /usr/x -> ../../../../host/etc points outside the image`},
		{"lua mkdir above the root", "<lua>", `posix.mkdir("/../../x")`,
			`package hostile-1.0-1.x86_64: %post refused: path "/../../x" points outside the image`},
		{"cp above the root", "/bin/sh", "cp /etc/passwd /../x\n",
			`package hostile-1.0-1.x86_64: %post refused: path "/../x" points outside the image`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := hostile.RPM(hostile.Spec{Post: tc.body, PostProg: tc.prog})
			if err != nil {
				t.Fatal(err)
			}
			p, err := rpm.Open(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			w, err := rootfs.New(rootfs.Options{BuildTime: 1700000000, SpoolDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			err = w.AddPackage(t.Context(), p)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
