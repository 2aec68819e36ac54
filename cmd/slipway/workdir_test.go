package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRemoveStaleWorkDirs(t *testing.T) {
	t.Parallel()
	cache := t.TempDir()
	old := filepath.Join(cache, "build-old")
	fresh := filepath.Join(cache, "build-fresh")
	other := filepath.Join(cache, "packages")
	for _, d := range []string{old, fresh, other} {
		if err := os.MkdirAll(filepath.Join(d, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-48 * time.Hour)
	for _, d := range []string{old, other} {
		if err := os.Chtimes(d, long, long); err != nil {
			t.Fatal(err)
		}
	}
	g := &globals{CacheDir: cache, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	removeStaleWorkDirs(g, time.Now().Add(-staleWorkDir))
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("a stale work folder was kept")
	}
	for _, d := range []string{fresh, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s was removed", filepath.Base(d))
		}
	}
}
