package rpm

import (
	"errors"
	"fmt"
)

// ErrTruncated is wrapped by every error caused by input that ends too early.
var ErrTruncated = errors.New("truncated")

// ErrUnsigned is returned by VerifySignature for a package that carries no
// OpenPGP signature.
var ErrUnsigned = errors.New("package is not signed")

// ErrNoDigest is wrapped by the error for a package that carries none of
// the digests rpm checks.
var ErrNoDigest = errors.New("no digest")

// FormatError is malformed input: what was being read and what is wrong.
type FormatError struct {
	Where string // "lead", "signature header", "header", "payload", "cpio"...
	Msg   string
}

func (e *FormatError) Error() string { return e.Where + ": " + e.Msg }

func formatErr(where, format string, a ...any) error {
	return &FormatError{Where: where, Msg: fmt.Sprintf(format, a...)}
}

// DigestError is a checksum that does not match.
type DigestError struct {
	What string // "header SHA256", "payload SHA256", "file /usr/bin/sh"...
	Want string // hex
	Got  string // hex
	// Cause is the damage the mismatch explains, when it was found first
	// (a corrupt archive entry, a decompression error), or nil.
	Cause error
}

func (e *DigestError) Error() string {
	s := fmt.Sprintf("%s digest mismatch: expected %s, computed %s", e.What, e.Want, e.Got)
	if e.Cause != nil {
		s += " (" + e.Cause.Error() + ")"
	}
	return s
}

func (e *DigestError) Unwrap() error { return e.Cause }

// UnknownKeyError is a signature by a key that is not in the keyring.
type UnknownKeyError struct {
	KeyID uint64
}

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("signed by unknown key %016x", e.KeyID)
}

// SignatureError is a signature that does not verify against the key that
// supposedly made it.
type SignatureError struct {
	KeyID uint64
	Err   error
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("bad signature by key %016x: %v", e.KeyID, e.Err)
}

func (e *SignatureError) Unwrap() error { return e.Err }
