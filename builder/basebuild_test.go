package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-build/slipway/builder/config"
)

// TestBuildOnBaseRefusesRun: scriptlets = "run" on a base fails before
// anything is read (the base does not exist, so reaching it would fail
// otherwise), instead of emulating in silence.
func TestBuildOnBaseRefusesRun(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{}
	cfg.Image.Name, cfg.Image.Base = "test/x", "oci:/nonexistent:t"
	cfg.Packages.Scriptlets = config.ScriptletsRun
	_, err := Build(t.Context(), cfg, BuildOptions{WorkDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), `scriptlets = "run" does not apply to a build on a base image`) {
		t.Fatalf("err %v", err)
	}
}

// TestReadLowerFiles: the base's files the emulations read, by absolute
// path (others kept for the ld.so.cache left out), and a base whose
// files together pass the bound refused, naming it.
func TestReadLowerFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kept := map[string]string{}
	for name, data := range map[string]string{
		"etc/shadow":                      "root:*:1::::::\n",
		"var/lib/alternatives/editor":     "auto\n/usr/bin/ed\n\n/usr/bin/ed.a\n1\n",
		"usr/share/pki/ca-trust-source/x": "0123456789",
		"usr/lib64/libc.so.6":             "ELF",
		"etc/skel/.bashrc":                "rc",
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		kept[name] = p
	}
	got, err := readLowerFiles(kept, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || string(got["/etc/skel/.bashrc"]) != "rc" || string(got["/var/lib/alternatives/editor"]) != "auto\n/usr/bin/ed\n\n/usr/bin/ed.a\n1\n" || got["/usr/lib64/libc.so.6"] != nil {
		t.Errorf("read %q", got)
	}
	_, err = readLowerFiles(kept, 32)
	if err == nil || err.Error() != "the files the emulated scriptlets read (/etc/shadow, /etc/gshadow, /var/lib/alternatives, the trust sources) hold more than 32 bytes" {
		t.Errorf("err %v", err)
	}
}
