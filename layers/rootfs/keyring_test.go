package rootfs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/internal/testutil"
	"github.com/slipway-build/slipway/layers/rootfs"
)

// TestRepositoryKeyring: azurelinux-repos-shared's %posttrans shape
// (`gpg --import` of the key the package ships) leaves root's keybox and
// trustdb in the layer, with gpg's modes, and the real gpg reading them
// lists the key.
func TestRepositoryKeyring(t *testing.T) {
	t.Parallel()
	gpg := testutil.RequireTool(t, "gpg", "gpg")
	repo := scriptletRepo(t)
	rpms := pick(t, repo, "setup-*.rpm", "filesystem-*.rpm", "sl-repokey-*.rpm")
	data, rep := build(t, rootfs.Options{BuildTime: buildTime}, rpms)
	tr := readTree(t, data)
	for p, want := range map[string]struct {
		typ  string
		mode uint32
	}{
		"/root/.gnupg":              {"dir", 0o700},
		"/root/.gnupg/pubring.kbx":  {"file", 0o644},
		"/root/.gnupg/pubring.kbx~": {"file", 0o600},
		"/root/.gnupg/trustdb.gpg":  {"file", 0o600},
	} {
		if f := tr[p]; f.Type != want.typ || f.Mode != want.mode || f.UID != 0 || f.GID != 0 {
			t.Errorf("%s: %v, want %s %04o root", p, f, want.typ, want.mode)
		}
	}
	files := readFiles(t, data, "root/.gnupg/pubring.kbx", "root/.gnupg/trustdb.gpg")
	home := filepath.Join(t.TempDir(), "gnupg")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run() })
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(home, filepath.Base(name)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(gpg, "--homedir", home, "--list-keys", "--with-colons").Output()
	if err != nil {
		t.Fatalf("gpg --list-keys: %v", err)
	}
	for _, want := range []string{"fpr:::::::::1A012B7E7E3047EB242F00CD626C0F0549E413E5:", "slipway test repository <repo@slipway.test>"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("gpg --list-keys lacks %q:\n%s", want, out)
		}
	}
	for _, p := range rep.Packages {
		for _, s := range p.Scriptlets {
			if strings.HasPrefix(p.NEVRA, "sl-repokey") && s.Kind == "%posttrans" && (s.Verdict != "emulated" || strings.Join(s.How, ",") != "gpg-keyring") {
				t.Errorf("%s %s: %s %v %s", p.NEVRA, s.Kind, s.Verdict, s.How, s.Why)
			}
		}
	}
}
