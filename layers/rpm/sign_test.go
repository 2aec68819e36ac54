package rpm

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

func newKey(t *testing.T, algo packet.PublicKeyAlgorithm) *openpgp.Entity {
	t.Helper()
	e, err := openpgp.NewEntity("Synth", "", "synth@slipway.invalid", &packet.Config{Algorithm: algo, RSABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestSynthSignatures covers what the real-package tests cannot make:
// legacy header+payload signatures (tag 1002), and keys made by go-crypto.
// Real RSA and EdDSA header signatures by rpmsign are checked against
// rpm -K in TestSignaturesAgreeWithRPM.
func TestSynthSignatures(t *testing.T) {
	t.Parallel()
	ed := newKey(t, packet.PubKeyAlgoEdDSA)
	rsa := newKey(t, packet.PubKeyAlgoRSA)
	other := newKey(t, packet.PubKeyAlgoEdDSA)
	keyring := openpgp.EntityList{ed, rsa}
	cases := []struct {
		name   string
		o      synthOpts
		legacy bool
		flip   bool // change one payload byte after signing
		want   error
		algo   string
	}{
		{"eddsa header", synthOpts{signer: ed}, false, false, nil, "EdDSA/SHA256"},
		{"rsa header", synthOpts{signer: rsa}, false, false, nil, "RSA/SHA256"},
		{"unknown key", synthOpts{signer: other}, false, false, &UnknownKeyError{}, ""},
		{"unsigned", synthOpts{}, false, false, ErrUnsigned, ""},
		{"legacy only: no header signature", synthOpts{signer: ed, legacy: true}, false, false, ErrUnsigned, ""},
		{"legacy", synthOpts{signer: ed, legacy: true}, true, false, nil, "EdDSA/SHA256"},
		{"legacy tampered", synthOpts{signer: rsa, legacy: true}, true, true, &SignatureError{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := synthRPM(synthFiles, c.o)
			if c.flip {
				b[len(b)-20] ^= 1
			}
			p, err := Open(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			var s *Signer
			if c.legacy {
				s, err = p.VerifyLegacySignature(keyring)
			} else {
				s, err = p.VerifySignature(keyring)
			}
			switch want := c.want.(type) {
			case nil:
				if err != nil {
					t.Fatal(err)
				}
				if s.Algorithm != c.algo || s.KeyID != c.o.signer.PrimaryKey.KeyId || s.Identity == "" {
					t.Errorf("signer %+v, want %s by %016x", s, c.algo, c.o.signer.PrimaryKey.KeyId)
				}
			case *UnknownKeyError:
				var uk *UnknownKeyError
				if !errors.As(err, &uk) || uk.KeyID != c.o.signer.PrimaryKey.KeyId {
					t.Errorf("got %v, want unknown key %016x", err, c.o.signer.PrimaryKey.KeyId)
				}
			case *SignatureError:
				var se *SignatureError
				if !errors.As(err, &se) {
					t.Errorf("got %v, want a bad signature", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("got %v, want %v", err, want)
				}
			}
		})
	}
}

func TestReadKeyRingSeveralBlocks(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	keys := []*openpgp.Entity{newKey(t, packet.PubKeyAlgoEdDSA), newKey(t, packet.PubKeyAlgoEdDSA)}
	for _, k := range keys {
		var one bytes.Buffer
		if err := k.Serialize(&one); err != nil {
			t.Fatal(err)
		}
		if _, err := armorEncode(&buf, one.Bytes()); err != nil {
			t.Fatal(err)
		}
		buf.WriteString("\n")
	}
	el, err := ReadKeyRing(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(el) != 2 || el[1].PrimaryKey.KeyId != keys[1].PrimaryKey.KeyId {
		t.Errorf("read %d keys, want both", len(el))
	}
}

func armorEncode(w *bytes.Buffer, data []byte) (int, error) {
	aw, err := armor.Encode(w, openpgp.PublicKeyType, nil)
	if err != nil {
		return 0, err
	}
	n, err := aw.Write(data)
	if err != nil {
		return n, err
	}
	return n, aw.Close()
}
