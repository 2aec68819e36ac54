package main

import (
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/signing"
)

// keySource is how key references are read from the command line: files,
// and env://VAR from the process environment (cosign's env:// keys). It is
// the one place a key's PEM is read from the environment.
func keySource(g *globals, what string) signing.KeySource {
	return signing.KeySource{
		LookupEnv: func(v string) (string, bool) {
			s := g.Getenv(v)
			return s, s != ""
		},
		// A regular file of key size: no FIFO, no /dev/zero.
		ReadFile: func(name string) ([]byte, error) {
			return localfile.ReadFile(name, what, localfile.KeyLimit)
		},
	}
}

// readKeyRef reads the PEM named by a --key/--sign-key reference: a file,
// or env://VAR. what names the key in errors ("signing key", "public
// key").
func readKeyRef(g *globals, ref, what string) ([]byte, error) {
	return signing.ReadKeyRef(ref, keySource(g, what))
}
