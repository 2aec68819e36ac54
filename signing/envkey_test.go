package signing

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// TestReadKeyRef: env://VAR is the PEM in the variable, anything else a
// file; KMS references are not bytes; the variable's value never shows in
// an error.
func TestReadKeyRef(t *testing.T) {
	t.Parallel()
	const pem = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
	env := map[string]string{"COSIGN_PRIVATE_KEY": pem, "EMPTY": "", "BIG": strings.Repeat("x", maxKeyPEM+1)}
	src := KeySource{
		LookupEnv: func(v string) (string, bool) { s, ok := env[v]; return s, ok },
		ReadFile: func(p string) ([]byte, error) {
			if p == "cosign.key" {
				return []byte("file-pem"), nil
			}
			return nil, fs.ErrNotExist
		},
	}
	cases := []struct {
		ref, want, err string
	}{
		{ref: "env://COSIGN_PRIVATE_KEY", want: pem},
		{ref: "cosign.key", want: "file-pem"},
		{ref: "env://UNSET", err: "the environment variable UNSET is not set or empty"},
		{ref: "env://EMPTY", err: "the environment variable EMPTY is not set or empty"},
		{ref: "env://", err: "want env://VARIABLE"},
		{ref: "env://BIG", err: "more than a PEM key"},
		{ref: "awskms:///arn:aws:kms:x", err: "is a KMS key, not a file"},
		{ref: "missing.key", err: "reading key missing.key"},
	}
	for _, c := range cases {
		got, err := ReadKeyRef(c.ref, src)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.ref, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("%s: the key appears in the error: %v", c.ref, err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %q, %v", c.ref, got, err)
		}
	}
	if _, err := ReadKeyRef("missing.key", src); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file does not wrap fs.ErrNotExist: %v", err)
	}
}

// TestKeyRefKinds: env:// is not a KMS key; only the four real KMS
// schemes are known ones.
func TestKeyRefKinds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ref        string
		kms, known bool
	}{
		{"env://COSIGN_PRIVATE_KEY", false, false},
		{"cosign.key", false, false},
		{"./dir.d/cosign.key", false, false},
		{"awskms:///arn", true, true},
		{"azurekms://v.vault.azure.net/k", true, true},
		{"gcpkms://projects/p", true, true},
		{"hashivault://transit", true, true},
		{"k8s://ns/secret", true, false},
	} {
		if IsKMSRef(c.ref) != c.kms || IsKnownKMSRef(c.ref) != c.known {
			t.Errorf("%s: IsKMSRef %v IsKnownKMSRef %v, want %v %v", c.ref, IsKMSRef(c.ref), IsKnownKMSRef(c.ref), c.kms, c.known)
		}
	}
}
