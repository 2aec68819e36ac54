package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/slipway-build/slipway/signing"
)

// passwordEnv holds the password of cosign private keys, as for cosign.
const passwordEnv = "COSIGN_PASSWORD"

// keygenCommands are the commands defined in keygen.go.
func keygenCommands() []*command {
	return []*command{
		{
			Name:    "keygen",
			Summary: "make a cosign-compatible key pair for signing images",
			Usage:   "keygen [--output-key-prefix PREFIX]",
			Long: `Writes PREFIX.key (an ECDSA P-256 private key, encrypted as cosign does:
"ENCRYPTED SIGSTORE PRIVATE KEY") and PREFIX.pub. The password comes from
COSIGN_PASSWORD when it is set, otherwise it is asked for on the terminal.
Existing files are never overwritten. cosign uses these keys as they are,
and slipway uses keys made by 'cosign generate-key-pair'.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				prefix := fs.String("output-key-prefix", "cosign", "write `PREFIX`.key and PREFIX.pub")
				return func(ctx context.Context, g *globals, args []string) error {
					if len(args) != 0 {
						return usagef("keygen takes no arguments")
					}
					privPath, pubPath := *prefix+".key", *prefix+".pub"
					for _, p := range []string{privPath, pubPath} {
						if _, err := os.Lstat(p); err == nil {
							return fmt.Errorf("%s exists: not overwriting it", p)
						}
					}
					pw, err := keyPassword(g, true)
					if err != nil {
						return err
					}
					priv, pub, err := signing.GenerateKeyPair(pw)
					if err != nil {
						return err
					}
					if err := writeNew(privPath, priv, 0o600); err != nil {
						return err
					}
					if err := writeNew(pubPath, pub, 0o644); err != nil {
						os.Remove(privPath)
						return err
					}
					if !g.Quiet {
						fmt.Fprintf(g.Stdout, "private key written to %s\npublic key written to %s\n", privPath, pubPath)
					}
					return nil
				}
			},
		},
	}
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// keyPassword is COSIGN_PASSWORD, or asked for on the terminal (twice
// when confirm). It never appears in an error.
func keyPassword(g *globals, confirm bool) ([]byte, error) {
	if pw := g.Getenv(passwordEnv); pw != "" {
		return []byte(pw), nil
	}
	f, ok := g.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, errors.New("no password: set " + passwordEnv + " (stdin is not a terminal to ask on)")
	}
	read := func(prompt string) ([]byte, error) {
		fmt.Fprint(g.Stderr, prompt)
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(g.Stderr)
		if err != nil {
			return nil, fmt.Errorf("reading the password: %w", err)
		}
		return pw, nil
	}
	pw, err := read("Enter password for private key: ")
	if err != nil {
		return nil, err
	}
	if confirm {
		again, err := read("Enter password for private key again: ")
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(pw, again) {
			return nil, errors.New("the passwords do not match")
		}
	}
	return pw, nil
}

// loadSigningKey reads a cosign private key (a file, or env://VAR) with
// its password, or with
// a SCHEME:// reference gets the key from a KMS (binaries built with
// -tags kms; the others refuse with a usage error saying how to build).
func loadSigningKey(ctx context.Context, g *globals, path string) (signingKey, error) {
	if signing.IsKMSRef(path) {
		sv, err := loadKMSKey(ctx, path)
		if err != nil {
			return nil, err
		}
		return &signing.Signer{Key: sv}, nil
	}
	data, err := readKeyRef(g, path, "signing key")
	if err != nil {
		return nil, err
	}
	pw, err := keyPassword(g, false)
	if err != nil {
		return nil, err
	}
	sv, err := signing.LoadPrivateKey(path, data, pw)
	if err != nil {
		return nil, err
	}
	return &signing.Signer{Key: sv}, nil
}

// checkKeyRef refuses (exit 2) a KMS key when this binary has no KMS
// support.
func checkKeyRef(ref string) error {
	if signing.IsKMSRef(ref) && !signing.IsKnownKMSRef(ref) && !signing.KMSSupported {
		return usagef("key %s: unknown key scheme: want a FILE, env://VARIABLE (the PEM in an environment variable) or a KMS key awskms://, azurekms://, gcpkms://, hashivault:// (binaries built with -tags kms)", ref)
	}
	if signing.IsKMSRef(ref) && !signing.KMSSupported {
		return usagef("key %s: KMS keys need a slipway built with the kms tag (it adds the AWS, Azure, GCP and Vault SDKs): CGO_ENABLED=0 go build -tags kms ./cmd/slipway", ref)
	}
	return nil
}

// loadKMSKey gets a key from a KMS, or refuses (exit 2) when this binary
// has no KMS support.
func loadKMSKey(ctx context.Context, ref string) (signature.SignerVerifier, error) {
	if err := checkKeyRef(ref); err != nil {
		return nil, err
	}
	return signing.LoadKMSKey(ctx, ref)
}
