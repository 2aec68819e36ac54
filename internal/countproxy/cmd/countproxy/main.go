// Command countproxy relays a loopback registry and counts the bytes of
// the blobs clients pull through it (internal/countproxy), for
// scripts/bench-layers.sh:
//
//	countproxy -target http://127.0.0.1:5000 -addr-file ADDR
//
// It listens on a free loopback port, written to ADDR once it listens.
// GET /_countproxy/counts returns the counts as JSON, POST
// /_countproxy/reset sets them to zero; everything else is relayed.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/slipway-build/slipway/internal/countproxy"
)

func main() {
	target := flag.String("target", "", "the registry's http:// URL (loopback)")
	addrFile := flag.String("addr-file", "", "file to write the listening address to")
	flag.Parse()
	if *target == "" || *addrFile == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: countproxy -target http://127.0.0.1:PORT -addr-file FILE")
		os.Exit(2)
	}
	if err := run(*target, *addrFile); err != nil {
		fmt.Fprintln(os.Stderr, "countproxy:", err)
		os.Exit(1)
	}
}

func run(target, addrFile string) error {
	p, err := countproxy.New(target)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_countproxy/counts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p.Counts())
	})
	mux.HandleFunc("POST /_countproxy/reset", func(w http.ResponseWriter, _ *http.Request) { p.Reset() })
	mux.Handle("/", p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	tmp := addrFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(l.Addr().String()+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, addrFile); err != nil {
		return err
	}
	return http.Serve(l, mux)
}
