package rootfs_test

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/rootfstest"
)

// installed lists the RPM files of repo that dnf installed into root,
// sorted by file name (the order the builder hands packages over).
func installed(t *testing.T, root, repoDir string) []string {
	t.Helper()
	out, err := exec.Command("rpm", "--root", root, "--dbpath", "/var/lib/rpm", "-qa",
		"--qf", `%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm\n`).Output()
	if err != nil {
		t.Fatalf("rpm -qa in %s: %v", root, err)
	}
	var files []string
	for _, l := range strings.Fields(string(out)) {
		if strings.HasPrefix(l, "gpg-pubkey") {
			continue
		}
		files = append(files, filepath.Join(repoDir, l))
	}
	slices.Sort(files)
	return files
}

// build writes the tar of rpms with opts and returns it and the report.
func build(t testing.TB, opts rootfs.Options, rpms []string, extra ...rootfs.Entry) ([]byte, *rootfs.Report) {
	t.Helper()
	if opts.SpoolDir == "" {
		opts.SpoolDir = t.TempDir()
	}
	w, err := rootfs.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.AddRPMFiles(context.Background(), rpms); err != nil {
		t.Fatal(err)
	}
	for _, e := range extra {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	rep, err := w.WriteTar(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), rep
}

func readTree(t testing.TB, data []byte) rootfstest.Tree {
	t.Helper()
	tr, err := rootfstest.FromTar(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func repos(t testing.TB) *testrepo.Repos { return testrepo.Get(t) }
