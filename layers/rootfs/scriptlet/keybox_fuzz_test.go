package scriptlet

import (
	"testing"
)

// FuzzParseKeys feeds key files (armored or binary, from the image at
// build time: untrusted) to the key reader and, when they read, to the
// keybox writer: no input may panic, and a blob always frames and
// checks out.
func FuzzParseKeys(f *testing.F) {
	f.Add([]byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZVPxABYJKwYBBAHaRw8BAQdAGiyUMQOEu4FYqRjWVgcg26jtBjYV4xRxk+An\n" +
		"y4pMCoi0K3NsaXB3YXkgdGVzdCByZXBvc2l0b3J5IDxyZXBvQHNsaXB3YXkudGVz\ndD6IkAQTFggAOBYhBBoBK35+MEfrJC8AzWJsDwVJ5BPlBQJlU/EAAhsDBQsJCAcC\n" +
		"BhUKCQgLAgQWAgMBAh4BAheAAAoJEGJsDwVJ5BPlLecA/0k/tLPbo3bj7sl4ySoj\n5deysliAdR/I7jCHphLQvqUKAQCNyP0TV84uc97QaU5E6qhMZ0qUomkUxyRzdaxf\n" +
		"OBKxBg==\n=ay72\n-----END PGP PUBLIC KEY BLOCK-----\n"))
	f.Add([]byte{0x99, 0x00, 0x01, 0x04})
	f.Add([]byte{0xc6, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xb4, 0x00, 0x88, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseKeys(data)
		if err != nil {
			return
		}
		box := keyboxHeader(1)
		for _, k := range keys {
			box = append(box, keyboxBlob(k, 1)...)
		}
		have, err := readKeybox(box)
		if err != nil || len(have) != len(keys) {
			t.Fatalf("our keybox does not read back: %v (%d of %d keys)", err, len(have), len(keys))
		}
	})
}
