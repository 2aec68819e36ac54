package scriptlet

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// GnuPG's keybox (pubring.kbx), as GnuPG 2.1 and later write it
// (kbx/keybox-blob.c): a header blob, then one OpenPGP blob per key,
// each holding the fingerprints, user ID offsets and the keyblock as
// gpg stores it — every packet with an old-style header and, after the
// primary key, each user ID and each signature, a "ring trust" packet
// carrying gpg's metadata (g10/build-packet.c, build_packet_and_meta).

// Bounds on what a key file may hold: a repository key is a few KiB.
const (
	maxKeyFile    = 1 << 20
	maxKeyPackets = 4096
)

// OpenPGP packet tags.
const (
	tagSignature = 2
	tagPublicKey = 6
	tagMarker    = 10
	tagTrust     = 12
	tagUserID    = 13
	tagSubkey    = 14
	tagAttribute = 17
)

type pgpPacket struct {
	tag  byte
	body []byte
}

// pgpKey is a public key as gpg --import stores it.
type pgpKey struct {
	fprs  [][]byte // primary key then subkeys, 20 bytes each
	uids  []uidRef // user IDs: offset and length in image
	nsigs int
	image []byte // the keyblock with ring trust packets
	name  string // the first user ID (for messages)
}

type uidRef struct{ off, len int }

func (k *pgpKey) fingerprint() string { return fmt.Sprintf("%X", k.fprs[0]) }

// dearmor returns the binary packets of an OpenPGP key file: the
// concatenated content of every armored block, or the data itself when
// it is not armored.
func dearmor(data []byte) ([]byte, error) {
	const begin = "-----BEGIN PGP "
	if !bytes.Contains(data, []byte(begin)) {
		return data, nil
	}
	var out []byte
	text := string(data)
	for {
		i := strings.Index(text, begin)
		if i < 0 {
			break
		}
		text = text[i:]
		next := strings.Index(text[len(begin):], begin)
		block := text
		if next >= 0 {
			block = text[:len(begin)+next]
		}
		b, err := armor.Decode(strings.NewReader(block))
		if err != nil {
			return nil, fmt.Errorf("reading the armor: %w", err)
		}
		if b.Type != "PGP PUBLIC KEY BLOCK" {
			return nil, fmt.Errorf("armored %s is not a public key block", b.Type)
		}
		body, err := io.ReadAll(io.LimitReader(b.Body, maxKeyFile+1))
		if err != nil {
			return nil, fmt.Errorf("reading the armor: %w", err)
		}
		out = append(out, body...)
		if len(out) > maxKeyFile {
			return nil, fmt.Errorf("more than %d bytes of key data", maxKeyFile)
		}
		if next < 0 {
			break
		}
		text = text[len(begin)+next:]
	}
	return out, nil
}

// readPackets splits binary OpenPGP data into packets (old and new
// headers; partial lengths, which keys never use, are refused).
func readPackets(data []byte) ([]pgpPacket, error) {
	var out []pgpPacket
	for len(data) > 0 {
		if len(out) >= maxKeyPackets {
			return nil, fmt.Errorf("more than %d packets", maxKeyPackets)
		}
		ctb := data[0]
		if ctb&0x80 == 0 {
			return nil, fmt.Errorf("invalid packet header 0x%02x", ctb)
		}
		var tag byte
		var n, h int
		if ctb&0x40 != 0 { // new format
			tag = ctb & 0x3f
			if len(data) < 2 {
				return nil, errors.New("truncated packet header")
			}
			switch l := data[1]; {
			case l < 192:
				n, h = int(l), 2
			case l < 224:
				if len(data) < 3 {
					return nil, errors.New("truncated packet header")
				}
				n, h = (int(l)-192)<<8+int(data[2])+192, 3
			case l == 255:
				if len(data) < 6 {
					return nil, errors.New("truncated packet header")
				}
				n, h = int(binary.BigEndian.Uint32(data[2:6])), 6
			default:
				return nil, errors.New("partial-length packet in a key")
			}
		} else {
			tag = (ctb >> 2) & 0x0f
			switch ctb & 3 {
			case 0:
				h = 2
			case 1:
				h = 3
			case 2:
				h = 5
			default:
				return nil, errors.New("indeterminate-length packet in a key")
			}
			if len(data) < h {
				return nil, errors.New("truncated packet header")
			}
			for _, b := range data[1:h] {
				n = n<<8 | int(b)
			}
		}
		if n < 0 || n > len(data)-h {
			return nil, fmt.Errorf("packet of %d bytes past the end of the data", n)
		}
		out = append(out, pgpPacket{tag: tag, body: data[h : h+n]})
		data = data[h+n:]
	}
	return out, nil
}

// oldHeader is the header gpg writes: old format, shortest length.
func oldHeader(tag byte, n int) []byte {
	ctb := 0x80 | tag<<2
	switch {
	case n < 256:
		return []byte{ctb, byte(n)}
	case n < 65536:
		return []byte{ctb | 1, byte(n >> 8), byte(n)}
	}
	return []byte{ctb | 2, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

// parsePacket parses one packet with go-crypto.
func parsePacket(p pgpPacket) (packet.Packet, error) {
	raw := append(oldHeader(p.tag, len(p.body)), p.body...)
	return packet.Read(bytes.NewReader(raw))
}

// Ring trust subtypes (g10/packet.h).
const (
	ringTrustSig = 0
	ringTrustKey = 1
	ringTrustUID = 2
)

// ringTrust is gpg's metadata packet: trust value 0, the signature cache
// for a signature, and for a key or user ID its origin (unknown), last
// update (0) and no URL.
func ringTrust(subtype, sigcache byte) []byte {
	body := []byte{0, sigcache, 'g', 'p', 'g', subtype}
	if subtype != ringTrustSig {
		body = append(body, 0, 0, 0, 0, 0, 0)
	}
	return append(oldHeader(tagTrust, len(body)), body...)
}

// parseKeys reads the public keys of a key file as gpg --import stores
// them. Every self-signature is verified (gpg marks them checked and
// valid in its cache); a key with one that does not verify, a secret
// key, a user attribute or a key other than version 4 is refused.
func parseKeys(data []byte) ([]*pgpKey, error) {
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("more than %d bytes", maxKeyFile)
	}
	bin, err := dearmor(data)
	if err != nil {
		return nil, err
	}
	pkts, err := readPackets(bin)
	if err != nil {
		return nil, err
	}
	var keys []*pgpKey
	var cur *pgpKey
	var primary, subkey *packet.PublicKey
	uid := ""
	last := byte(0) // tag of the packet signatures attach to
	for _, p := range pkts {
		switch p.tag {
		case tagMarker, tagTrust:
			continue // gpg skips them
		case tagPublicKey:
			pp, err := parsePacket(p)
			if err != nil {
				return nil, fmt.Errorf("reading a public key: %w", err)
			}
			primary = pp.(*packet.PublicKey)
			if primary.Version != 4 {
				return nil, fmt.Errorf("version %d key %X not supported", primary.Version, primary.Fingerprint)
			}
			if err := keySize(primary); err != nil {
				return nil, err
			}
			cur = &pgpKey{fprs: [][]byte{primary.Fingerprint}}
			keys = append(keys, cur)
			cur.image = append(append(cur.image, oldHeader(p.tag, len(p.body))...), p.body...)
			cur.image = append(cur.image, ringTrust(ringTrustKey, 0)...)
			last, subkey = p.tag, nil
			continue
		case 5, 7:
			return nil, errors.New("secret keys are not imported by this emulation")
		}
		if cur == nil {
			return nil, fmt.Errorf("packet of type %d before any public key", p.tag)
		}
		switch p.tag {
		case tagUserID:
			uid = string(p.body)
			if cur.name == "" {
				cur.name = uid
			}
			hdr := oldHeader(p.tag, len(p.body))
			cur.uids = append(cur.uids, uidRef{off: len(cur.image) + len(hdr), len: len(p.body)})
			cur.image = append(append(cur.image, hdr...), p.body...)
			cur.image = append(cur.image, ringTrust(ringTrustUID, 0)...)
			last = p.tag
		case tagSubkey:
			pp, err := parsePacket(p)
			if err != nil {
				return nil, fmt.Errorf("reading a subkey of %X: %w", cur.fprs[0], err)
			}
			subkey = pp.(*packet.PublicKey)
			if subkey.Version != 4 {
				return nil, fmt.Errorf("version %d subkey of %X not supported", subkey.Version, cur.fprs[0])
			}
			if err := keySize(subkey); err != nil {
				return nil, err
			}
			cur.fprs = append(cur.fprs, subkey.Fingerprint)
			cur.image = append(append(cur.image, oldHeader(p.tag, len(p.body))...), p.body...)
			last = p.tag
		case tagSignature:
			pp, err := parsePacket(p)
			if err != nil {
				return nil, fmt.Errorf("reading a signature on %X: %w", cur.fprs[0], err)
			}
			sig, ok := pp.(*packet.Signature)
			if !ok {
				return nil, fmt.Errorf("old-style signature on %X not supported", cur.fprs[0])
			}
			cache := byte(0)
			if selfSig(sig, primary) {
				if err := verifySelf(sig, primary, subkey, uid, last); err != nil {
					return nil, fmt.Errorf("self-signature (class 0x%02x) of %X does not verify: %w", byte(sig.SigType), cur.fprs[0], err)
				}
				cache = 3 // checked, valid
			}
			cur.nsigs++
			cur.image = append(append(cur.image, oldHeader(p.tag, len(p.body))...), p.body...)
			cur.image = append(cur.image, ringTrust(ringTrustSig, cache)...)
		case tagAttribute:
			return nil, fmt.Errorf("user attribute (photo ID) on %X not supported", cur.fprs[0])
		default:
			return nil, fmt.Errorf("packet of type %d in key %X", p.tag, cur.fprs[0])
		}
		if len(cur.image) > maxKeyFile*2 {
			return nil, fmt.Errorf("key %X too large", cur.fprs[0])
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("no valid OpenPGP data found")
	}
	for _, k := range keys {
		if len(k.uids) == 0 {
			return nil, fmt.Errorf("key %X has no user ID (gpg skips it)", k.fprs[0])
		}
	}
	return keys, nil
}

// keySize bounds the keys whose signatures are checked (a checked
// signature costs time growing with the size): RSA up to 16384 bits,
// DSA up to 3072 (gpg's own limits), ElGamal (encryption only) up to
// 16384.
func keySize(pk *packet.PublicKey) error {
	limit := uint16(0)
	switch pk.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly, packet.PubKeyAlgoRSAEncryptOnly, packet.PubKeyAlgoElGamal:
		limit = 16384
	case packet.PubKeyAlgoDSA:
		limit = 3072
	default:
		return nil // elliptic curves: fixed sizes
	}
	if n, err := pk.BitLength(); err != nil || n > limit {
		return fmt.Errorf("key %X: %d-bit algorithm %d key larger than %d bits", pk.Fingerprint, n, pk.PubKeyAlgo, limit)
	}
	return nil
}

// selfSig reports whether sig was made by the primary key.
func selfSig(sig *packet.Signature, primary *packet.PublicKey) bool {
	if sig.IssuerFingerprint != nil {
		return bytes.Equal(sig.IssuerFingerprint, primary.Fingerprint)
	}
	return sig.IssuerKeyId != nil && *sig.IssuerKeyId == primary.KeyId
}

func verifySelf(sig *packet.Signature, primary, subkey *packet.PublicKey, uid string, last byte) error {
	switch {
	case last == tagPublicKey && sig.SigType == packet.SigTypeKeyRevocation:
		return primary.VerifyRevocationSignature(sig)
	case last == tagPublicKey && sig.SigType == packet.SigTypeDirectSignature:
		return primary.VerifyDirectKeySignature(sig)
	case last == tagUserID:
		return primary.VerifyUserIdSignature(uid, primary, sig)
	case last == tagSubkey && sig.SigType == packet.SigTypeSubkeyBinding:
		return primary.VerifyKeySignature(subkey, sig)
	case last == tagSubkey && sig.SigType == packet.SigTypeSubkeyRevocation:
		return primary.VerifySubkeyRevocationSignature(sig, subkey)
	}
	return fmt.Errorf("signature class 0x%02x in that place not supported", byte(sig.SigType))
}

// keyboxHeader is the first blob of a keybox file: created and last
// maintained at the given time, flagged as holding OpenPGP keys.
func keyboxHeader(created uint32) []byte {
	b := make([]byte, 32)
	binary.BigEndian.PutUint32(b[0:], 32)
	b[4], b[5] = 1, 1                         // type: header; version 1
	binary.BigEndian.PutUint16(b[6:], 0x0002) // used for OpenPGP
	copy(b[8:], "KBXf")
	binary.BigEndian.PutUint32(b[16:], created)
	binary.BigEndian.PutUint32(b[20:], created)
	return b
}

// keyboxBlob is the OpenPGP blob of a key, created at the given time.
func keyboxBlob(k *pgpKey, created uint32) []byte {
	var b []byte
	put16 := func(v int) { b = binary.BigEndian.AppendUint16(b, uint16(v)) }
	put32 := func(v int) { b = binary.BigEndian.AppendUint32(b, uint32(v)) }
	put32(0) // length, fixed below
	b = append(b, 2, 1)
	put16(0) // flags
	put32(0) // keyblock offset, fixed below
	put32(len(k.image))
	put16(len(k.fprs))
	put16(28)
	for _, f := range k.fprs {
		b = append(b, f...)
		put32(len(b) - 8) // the key ID: the fingerprint's last 8 bytes
		put16(0)
		put16(0)
	}
	put16(0) // no serial number
	put16(len(k.uids))
	put16(12)
	var uidOffs []int
	for _, u := range k.uids {
		uidOffs = append(uidOffs, len(b))
		put32(0) // fixed below
		put32(u.len)
		put16(0)
		b = append(b, 0, 0)
	}
	put16(k.nsigs)
	put16(4)
	for range k.nsigs {
		put32(0) // not checked
	}
	b = append(b, 0, 0) // ownertrust, validity
	put16(0)
	put32(0) // recheck after
	put32(0) // newest timestamp
	put32(int(created))
	put32(0) // no reserved space
	start := len(b)
	binary.BigEndian.PutUint32(b[8:], uint32(start))
	for i, u := range k.uids {
		binary.BigEndian.PutUint32(b[uidOffs[i]:], uint32(start+u.off))
	}
	b = append(b, k.image...)
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)+20))
	sum := sha1.Sum(b)
	return append(b, sum[:]...)
}

// kbxKey is an OpenPGP blob of an existing keybox file.
type kbxKey struct {
	fpr   []byte
	image []byte
}

// readKeybox lists the OpenPGP blobs of a keybox file, checking its
// framing.
func readKeybox(data []byte) ([]kbxKey, error) {
	if len(data) < 32 || data[4] != 1 || string(data[8:12]) != "KBXf" {
		return nil, errors.New("no keybox header")
	}
	var out []kbxKey
	for off := 0; off < len(data); {
		if len(data)-off < 8 {
			return nil, errors.New("truncated keybox")
		}
		n := int(binary.BigEndian.Uint32(data[off:]))
		if n < 8 || n > len(data)-off {
			return nil, fmt.Errorf("bad blob length %d at %d", n, off)
		}
		blob := data[off : off+n]
		switch blob[4] {
		case 0, 1, 3: // empty, header, X.509
		case 2:
			if n < 40 {
				return nil, fmt.Errorf("short OpenPGP blob at %d", off)
			}
			kOff, kLen := int(binary.BigEndian.Uint32(blob[8:])), int(binary.BigEndian.Uint32(blob[12:]))
			if kOff > n || kLen > n-kOff {
				return nil, fmt.Errorf("bad keyblock bounds in the blob at %d", off)
			}
			out = append(out, kbxKey{fpr: blob[20:40], image: blob[kOff : kOff+kLen]})
		default:
			return nil, fmt.Errorf("unknown blob type %d at %d", blob[4], off)
		}
		off += n
	}
	return out, nil
}

// trustDB is a new trustdb.gpg as gpg creates it (g10/tdbio.c): the
// version record (3 marginals, 1 complete, depth 5, the PGP trust model,
// minimum certification level 2, created at the given time) and an empty
// hash table of 29 records.
func trustDB(created uint32) []byte {
	const recLen, htblRecs = 40, 29
	b := make([]byte, recLen*(1+htblRecs))
	copy(b, []byte{1, 'g', 'p', 'g', 3, 3, 1, 5, 1, 2})
	binary.BigEndian.PutUint32(b[12:], created)
	binary.BigEndian.PutUint32(b[36:], 1) // the hash table's first record
	for i := 1; i <= htblRecs; i++ {
		b[i*recLen] = 10
	}
	return b
}
