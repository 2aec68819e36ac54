package rootfs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/slipway-build/slipway/layers/rootfs"
	"github.com/slipway-build/slipway/layers/rootfs/accounts"
)

// The builder's use: packages in install order, a few files of its own,
// one tar written to the compressor.
func Example() {
	w, err := rootfs.New(rootfs.Options{
		BuildTime: 1700000000, // from SOURCE_DATE_EPOCH
		Docs:      false,
		Remove:    []string{"/usr/share/man/**", "/var/log/**"},
		Users:     []accounts.User{{Name: "nonroot", UID: 65532, GID: 65532, Home: "/home/nonroot", Shell: "/sbin/nologin"}},
		Groups:    []accounts.Group{{Name: "nonroot", GID: 65532}},
		LDCache:   true,
		Arch:      "x86_64",
		Log:       slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	var rpmFiles []string // from the download cache, sorted by name
	if err := w.AddRPMFiles(context.Background(), rpmFiles); err != nil {
		fmt.Println(err)
		return
	}
	w.Add(rootfs.Entry{Path: "/var/lib/rpmmanifest/container-manifest-1", Mode: 0o644, Data: []byte("")})
	rep, err := w.WriteTar(context.Background(), io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.UnmatchedRemove)
	// Output: [/usr/share/man/** /var/log/**]
}
