package scriptlet

import (
	"bytes"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/bits"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The trust store as p11-kit's trust module builds it from its source
// paths, each path a token: the files of PATH itself (neither trusted
// nor distrusted, unless a .p11-kit file says so), then those of
// PATH/anchors (trusted), PATH/blocklist and PATH/blacklist
// (distrusted). Objects keep the order they were read in, which is the
// order p11-kit lists them; p11-kit reads a folder in the file system's
// order, slipway in name order.

// caObject is a certificate or an attached certificate extension.
type caObject struct {
	token      int
	ext        bool
	cert       *certInfo // certificates with a value
	label      string
	hasLabel   bool
	trusted    bool
	distrusted bool
	spki       []byte // public key info (an extension's, or a certificate's)
	category   int    // certificate-category a .p11-kit file gives, -1 for none
	issuer     []byte // a distrust entry without a value
	serial     []byte
	extOID     string
	extValue   []byte // extnValue of an attached extension
}

type caStore struct {
	objs []*caObject
	exts map[extKey][]byte // attached extensions, made on first use
}

// caSourcePaths are the trust paths Azure Linux and Fedora build p11-kit
// with (--with-trust-paths), in order.
var caSourcePaths = []string{"/etc/pki/ca-trust/source", "/usr/share/pki/ca-trust-source"}

// loadCAStore reads the trust sources of the image.
func loadCAStore(img Image, paths []string, warn func(string)) *caStore {
	st := &caStore{}
	for tok, p := range paths {
		fi, ok := img.Stat(p)
		if !ok {
			warn(fmt.Sprintf("trust certificate path does not exist: %s", p))
			continue
		}
		if fi.Type != 'd' {
			st.loadFile(img, p, tok, flagAnchor, warn)
			continue
		}
		st.loadDir(img, p, tok, flagNone, warn)
		for _, sub := range []struct {
			name string
			flag int
		}{{"anchors", flagAnchor}, {"blocklist", flagBlock}, {"blacklist", flagBlock}} {
			d := path.Join(p, sub.name)
			if fi, ok := img.Stat(d); ok && fi.Type == 'd' {
				st.loadDir(img, d, tok, sub.flag, warn)
			}
		}
	}
	return st
}

const (
	flagNone = iota
	flagAnchor
	flagBlock
)

func (st *caStore) loadDir(img Image, dir string, tok, flag int, warn func(string)) {
	names, _ := img.ReadDir(dir)
	names = slices.Clone(names)
	slices.Sort(names)
	for _, n := range names {
		p := path.Join(dir, n)
		if fi, ok := img.Stat(p); ok && fi.Type == 'f' {
			st.loadFile(img, p, tok, flag, warn)
		}
	}
}

// certExts are the names of files that are meant to be certificates: a
// file so named that cannot be read is worth a warning; any other
// (README...) is skipped quietly, as p11-kit skips unrecognized files.
var certExts = []string{".pem", ".crt", ".cer", ".der", ".p11-kit"}

func (st *caStore) loadFile(img Image, p string, tok, flag int, warn func(string)) {
	data, ok := img.ReadFile(p)
	if !ok {
		warn(fmt.Sprintf("couldn't read trust source %s", p))
		return
	}
	objs, recognized, problems, err := parseTrustSource(data, tok, flag)
	switch {
	case err != nil:
		warn(fmt.Sprintf("skipping trust source %s: %v", p, err))
		return
	case !recognized:
		if len(bytes.TrimSpace(data)) > 0 && slices.ContainsFunc(certExts, func(e string) bool { return strings.HasSuffix(p, e) }) {
			warn(fmt.Sprintf("skipping trust source %s: not a certificate, PEM or p11-kit file", p))
		}
		return
	}
	for _, m := range problems {
		warn(fmt.Sprintf("trust source %s: skipping %s", p, m))
	}
	st.objs = append(st.objs, objs...)
}

const persistHeader = "[p11-kit-object-v1]"

// parseTrustSource reads one file as p11-kit's parser does: a p11-kit
// persist file (an error skips it whole), PEM (a block that cannot be
// read is skipped, a problem, the others kept), or one DER certificate.
// Every certificate then gets its trust from the folder (populateTrust).
func parseTrustSource(data []byte, tok, flag int) (objs []*caObject, recognized bool, problems []string, err error) {
	defer func() {
		for _, o := range objs {
			if !o.ext {
				populateTrust(o, flag)
			}
		}
	}()
	if bytes.Contains(data, []byte(persistHeader)) {
		objs, err := parsePersist(data, tok)
		return objs, true, nil, err
	}
	if len(data) > 0 && data[0] == 0x30 {
		c, err := parseCertDER(data)
		if err != nil {
			return nil, false, nil, nil // p11-kit: unrecognized
		}
		return []*caObject{certObject(c, tok)}, true, nil, nil
	}
	rest := data
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		n++
		switch b.Type {
		case "CERTIFICATE":
			c, err := parseCertDER(b.Bytes)
			if err != nil {
				problems = append(problems, fmt.Sprintf("PEM block %d (CERTIFICATE): %v", n, err))
				continue
			}
			objs = append(objs, certObject(c, tok))
		case "TRUSTED CERTIFICATE":
			got, err := parseTrustedCert(b.Bytes, tok)
			if err != nil {
				problems = append(problems, fmt.Sprintf("PEM block %d (TRUSTED CERTIFICATE): %v", n, err))
				continue
			}
			objs = append(objs, got...)
		}
	}
	return objs, n > 0, problems, nil
}

func certObject(c *certInfo, tok int) *caObject {
	o := &caObject{token: tok, cert: c, spki: c.spki, category: -1}
	o.label = certLabel(c.subject)
	o.hasLabel = o.label != ""
	return o
}

// populateTrust is p11-kit's: a certificate in anchors/ is trusted
// (unless it says it is distrusted), one in a blocklist distrusted,
// others keep what their source says.
func populateTrust(o *caObject, flag int) {
	switch flag {
	case flagAnchor:
		if !o.distrusted {
			o.trusted = true
		}
	case flagBlock:
		o.trusted, o.distrusted = false, true
	}
}

// parseTrustedCert reads OpenSSL's TRUSTED CERTIFICATE: a certificate
// followed by an optional CertAux (trust, [0] reject, alias, keyid). As
// p11-kit does, the trust list (minus the rejected purposes) becomes an
// attached extended key usage (the certificate is then trusted, or
// distrusted when the list is empty), the reject list an attached
// OpenSSL reject extension, the alias the label.
func parseTrustedCert(b []byte, tok int) ([]*caObject, error) {
	_, full, _, rest, err := derNext(b)
	if err != nil {
		return nil, err
	}
	c, err := parseCertDER(full)
	if err != nil {
		return nil, err
	}
	o := certObject(c, tok)
	if len(rest) == 0 {
		return []*caObject{o}, nil
	}
	_, aux, after, err := derExpect(rest, 0x30)
	if err != nil || len(after) != 0 {
		return nil, fmt.Errorf("CertAux: %w", orDER(err))
	}
	var trust, reject []string
	var keyid []byte
	hasReject := false
	for _, f := range []struct {
		tag byte
		do  func(full, content []byte) error
	}{
		{0x30, func(full, _ []byte) (err error) { trust, err = parseOIDList(full); return }},
		{0xa0, func(full, _ []byte) (err error) {
			full = append([]byte{0x30}, full[1:]...)
			reject, err = parseOIDList(full)
			hasReject = true
			return
		}},
		{0x0c, func(_, content []byte) error {
			if !utf8.Valid(content) {
				return errDER
			}
			o.label, o.hasLabel = string(content), true
			return nil
		}},
		{0x04, func(full, _ []byte) error { keyid = full; return nil }},
		{0xa1, func(_, _ []byte) error { return nil }},
	} {
		if len(aux) == 0 || aux[0] != f.tag {
			continue
		}
		full, content, r, err := derExpect(aux, f.tag)
		if err != nil {
			return nil, fmt.Errorf("CertAux: %w", err)
		}
		if err := f.do(full, content); err != nil {
			return nil, fmt.Errorf("CertAux: %w", err)
		}
		aux = r
	}
	if len(aux) != 0 {
		return nil, fmt.Errorf("CertAux: %w", orDER(nil))
	}
	// p11-kit keeps both lists in its hash table: the extensions list
	// the purposes in that table's order.
	kept := p11DictOrder(trust, reject)
	objs := []*caObject{{token: tok, ext: true, spki: c.spki, extOID: oidExtKeyUsage, extValue: ekuValue(kept)}}
	if hasReject && len(reject) > 0 {
		objs = append(objs, &caObject{token: tok, ext: true, spki: c.spki, extOID: oidOpenSSLReject, extValue: ekuValue(p11DictOrder(reject, nil))})
	}
	if keyid != nil {
		objs = append(objs, &caObject{token: tok, ext: true, spki: c.spki, extOID: oidSubjectKeyID, extValue: keyid})
	}
	if len(kept) == 0 {
		o.distrusted = true
	} else {
		o.trusted = true
	}
	return append(objs, o), nil
}

// p11DictOrder is the order p11-kit's string-keyed p11_dict (common/
// dict.c) iterates keys set in order (a repeated key stays where it
// was), after removing drop: buckets in order, each a chain in
// insertion order, nine buckets growing to 2n+1 (each chain rebuilt by
// prepending) when there are more keys than buckets.
func p11DictOrder(keys, drop []string) []string {
	nb := uint32(9)
	buckets := make([][]string, nb)
	n := uint32(0)
	for _, k := range keys {
		b := p11Murmur3([]byte(k)) % nb
		if !slices.Contains(buckets[b], k) {
			buckets[b] = append(buckets[b], k)
			n++
		}
		if n > nb {
			grown := make([][]string, nb*2+1)
			for _, chain := range buckets {
				for _, key := range chain {
					i := p11Murmur3([]byte(key)) % (nb*2 + 1)
					grown[i] = append([]string{key}, grown[i]...)
				}
			}
			buckets, nb = grown, nb*2+1
		}
	}
	var out []string
	for _, chain := range buckets {
		for _, k := range chain {
			if !slices.Contains(drop, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// p11Murmur3 is p11-kit's p11_hash_murmur3 (common/hash.c): MurmurHash3
// x86 32-bit with seed 42, except that the finalization mixes in the
// length of the tail, not of the input.
func p11Murmur3(data []byte) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := uint32(42)
	for len(data) >= 4 {
		k := binary.LittleEndian.Uint32(data)
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
		data = data[4:]
	}
	var k uint32
	switch len(data) {
	case 3:
		k ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(data[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// ekuValue is an ExtKeyUsageSyntax; an empty one holds p11-kit's
// reserved purpose, as p11-kit writes it.
func ekuValue(oids []string) []byte {
	if len(oids) == 0 {
		oids = []string{oidReservedPurpose}
	}
	return derOIDs(0x30, oids)
}

// parsePersist reads p11-kit's persist format: sections
// [p11-kit-object-v1] of "name: value" lines and PEM blocks.
func parsePersist(data []byte, tok int) ([]*caObject, error) {
	type section struct {
		attrs map[string]string
		order []string
		certs [][]byte
		keys  [][]byte
		line  int
	}
	var secs []*section
	var cur *section
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case l == persistHeader:
			cur = &section{attrs: map[string]string{}, line: i + 1}
			secs = append(secs, cur)
		case strings.HasPrefix(l, "["):
			return nil, fmt.Errorf("line %d: unknown section %s", i+1, l)
		case strings.HasPrefix(l, "-----BEGIN "):
			if cur == nil {
				return nil, fmt.Errorf("line %d: PEM block outside a section", i+1)
			}
			start := i
			for i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "-----END ") {
				i++
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: PEM block without an end", start+1)
			}
			b, _ := pem.Decode([]byte(strings.Join(lines[start:i+1], "\n") + "\n"))
			if b == nil {
				return nil, fmt.Errorf("line %d: bad PEM block", start+1)
			}
			switch b.Type {
			case "CERTIFICATE":
				cur.certs = append(cur.certs, b.Bytes)
			case "PUBLIC KEY":
				cur.keys = append(cur.keys, b.Bytes)
			default:
				return nil, fmt.Errorf("line %d: unexpected PEM block %s", start+1, b.Type)
			}
		default:
			if cur == nil {
				return nil, fmt.Errorf("line %d: field outside a section", i+1)
			}
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				return nil, fmt.Errorf("line %d: not a field: %q", i+1, l)
			}
			k = strings.TrimSpace(k)
			if !persistAttrs[k] {
				return nil, fmt.Errorf("line %d: %s: invalid or unsupported attribute", i+1, k)
			}
			if _, seen := cur.attrs[k]; !seen {
				cur.order = append(cur.order, k)
			}
			cur.attrs[k] = strings.TrimSpace(v)
		}
	}
	var objs []*caObject
	for _, sec := range secs {
		o := &caObject{token: tok}
		class, hasClass := sec.attrs["class"]
		if len(sec.certs) > 1 || len(sec.keys) > 1 {
			return nil, fmt.Errorf("line %d: more than one PEM block of a kind", sec.line)
		}
		if len(sec.certs) == 1 && !hasClass {
			class = "certificate"
		}
		if len(sec.keys) == 1 {
			o.spki = sec.keys[0]
		}
		o.category = -1
		if !persistClasses[class] {
			return nil, fmt.Errorf("section at line %d: class: invalid value", sec.line)
		}
		for _, k := range sec.order {
			v := sec.attrs[k]
			var err error
			switch k {
			case "modifiable", "token", "private", "nss-mozilla-ca-policy":
				_, err = persistBool(v)
			case "certificate-category":
				o.category, err = persistCategory(v)
			case "label":
				o.label, err = persistString(v)
				o.hasLabel = err == nil
			case "trusted":
				o.trusted, err = persistBool(v)
			case "x-distrusted":
				o.distrusted, err = persistBool(v)
			case "issuer":
				var b string
				b, err = persistString(v)
				o.issuer = []byte(b)
			case "serial-number":
				var b string
				b, err = persistString(v)
				o.serial = []byte(b)
			case "public-key-info", "x-public-key-info":
				var b string
				b, err = persistString(v)
				o.spki = []byte(b)
			case "object-id":
				o.extOID = v
			case "value":
				var b string
				b, err = persistString(v)
				switch {
				case err != nil:
				case class == "x-certificate-extension":
					var oid string
					oid, o.extValue, err = parseExtensionElement([]byte(b))
					if err == nil && o.extOID == "" {
						o.extOID = oid
					}
				default:
					sec.certs = append(sec.certs, []byte(b))
				}
			}
			if err != nil {
				return nil, fmt.Errorf("section at line %d: field %s: %w", sec.line, k, err)
			}
		}
		switch class {
		case "certificate":
			if len(sec.certs) > 0 {
				c, err := parseCertDER(sec.certs[0])
				if err != nil {
					return nil, fmt.Errorf("section at line %d: certificate: %w", sec.line, err)
				}
				o.cert = c
				o.spki = c.spki
				if !o.hasLabel {
					o.label = certLabel(c.subject)
					o.hasLabel = o.label != ""
				}
			}
		case "x-certificate-extension":
			o.ext = true
			if o.extValue == nil || o.spki == nil {
				return nil, fmt.Errorf("section at line %d: an extension without a value or public key", sec.line)
			}
		default:
			continue // nss-trust and other objects play no part here
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// parseExtensionElement reads a whole Extension element.
func parseExtensionElement(b []byte) (string, []byte, error) {
	_, ext, rest, err := derExpect(b, 0x30)
	if err != nil || len(rest) != 0 {
		return "", nil, orDER(err)
	}
	return parseExtension(ext)
}

func persistString(v string) (string, error) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", fmt.Errorf("not a string: %s", v)
	}
	s, err := url.PathUnescape(v[1 : len(v)-1])
	if err != nil {
		return "", err
	}
	return s, nil
}

// persistCategory reads a certificate-category: a name or a number.
func persistCategory(v string) (int, error) {
	for i, n := range []string{"unspecified", "token-user", "authority", "other-entry"} {
		if v == n {
			return i, nil
		}
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return int(n), nil
	}
	return 0, fmt.Errorf("invalid value %s", v)
}

// persistClasses are the object classes p11-kit knows ("" when a
// section gives none).
var persistClasses = map[string]bool{"": true, "data": true, "certificate": true, "public-key": true, "private-key": true,
	"secret-key": true, "hw-feature": true, "domain-parameters": true, "mechanism": true, "nss-crl": true, "nss-smime": true,
	"nss-trust": true, "nss-builtin-root-list": true, "nss-newslot": true, "nss-delslot": true, "x-trust-assertion": true,
	"x-certificate-extension": true}

// persistAttrs are the attribute names p11-kit's persist format knows
// (common/constants.c); a file with any other is refused whole, as
// p11-kit refuses it.
var persistAttrs = func() map[string]bool {
	m := map[string]bool{}
	for n := range strings.FieldsSeq(`class token private label application value object-id certificate-type issuer
		serial-number ac-issuer owner attr-types trusted certificate-category java-midp-security-domain url
		hash-of-subject-public-key hash-of-issuer-public-key check-value key-type subject id sensitive encrypt decrypt
		wrap unwrap sign sign-recover verify recover derive start-date end-date modulus modulus-bits public-exponent
		private-exponent prime-1 prime-2 exponent-1 exponent-2 coefficient public-key-info x-public-key-info prime
		subprime base prime-bits subprime-bits value-bits value-len extractable local never-extractable
		always-sensitive key-gen-mechanism modifiable ecdsa-params ec-point secondary-auth auth-pin-flags
		always-authenticate wrap-with-trusted hw-feature-type reset-on-init has-reset pixel-x pixel-y resolution
		char-rows char-columns color bits-per-pixel char-sets encoding-methods mime-types mechanism-type
		required-cms-attributes default-cms-attributes supported-cms-attributes wrap-template unwrap-template
		allowed-mechanisms nss-url nss-email nss-smime-constant nss-smime-timestamp nss-pkcs8-salt
		nss-password-check nss-expires nss-krl nss-pqg-counter nss-pqg-seed nss-pqg-h nss-pqg-seed-bits
		nss-module-spec nss-mozilla-ca-policy nss-server-distrust-after nss-email-distrust-after
		trust-digital-signature trust-non-repudiation trust-key-encipherment trust-data-encipherment
		trust-key-agreement trust-key-cert-sign trust-crl-sign trust-server-auth trust-client-auth
		trust-code-signing trust-email-protection trust-ipsec-end-system trust-ipsec-tunnel trust-ipsec-user
		trust-time-stamping trust-step-up-approved cert-sha1-hash cert-md5-hash x-assertion-type
		x-certificate-value x-purpose x-peer x-distrusted x-critical`) {
		m[n] = true
	}
	return m
}()

func persistBool(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %s", v)
}

// attached finds the extension with oid attached to a certificate's
// public key in the same token (the last one read wins).
func (st *caStore) attached(o *caObject, oid string) []byte {
	if st.exts == nil {
		st.exts = map[extKey][]byte{}
		for _, e := range st.objs {
			if e.ext {
				st.exts[extKey{e.token, e.extOID, string(e.spki)}] = e.extValue
			}
		}
	}
	return st.exts[extKey{o.token, oid, string(o.spki)}]
}

type extKey struct {
	token     int
	oid, spki string
}

// category is PKCS#11's certificate category as p11-kit's builder
// computes it: 2 authority, 3 other entity.
func (st *caStore) category(o *caObject) int {
	if o.category >= 0 {
		return o.category
	}
	bc := st.attached(o, oidBasicConstraints)
	if bc == nil {
		bc = o.cert.exts[oidBasicConstraints]
	}
	isCA := false
	if bc != nil {
		ca, err := parseIsCA(bc)
		if err != nil {
			return 0
		}
		isCA = ca
	} else {
		isCA = o.cert.v1 && bytes.Equal(o.cert.subject, o.cert.issuer)
	}
	if isCA {
		return 2
	}
	return 3
}

// purposes are the extended key usages of a certificate (attached
// first); nil means any purpose.
func (st *caStore) purposes(o *caObject) ([]string, bool) {
	v := st.attached(o, oidExtKeyUsage)
	if v == nil {
		v = o.cert.exts[oidExtKeyUsage]
	}
	if v == nil {
		return nil, true
	}
	oids, err := parseOIDList(v)
	return oids, err == nil
}

// caFilter chooses what one extraction writes.
type caFilter struct {
	anchorsOnly bool   // --filter=ca-anchors (else certificates)
	purpose     string // --purpose OID, "" for any
}

// extract lists the certificates a `trust extract` with f writes, in
// order, each certificate once (p11-kit collapses duplicates: the first
// that passes the trust check stands).
func (st *caStore) extract(f caFilter) []*caObject {
	type key struct{ a, b string }
	blockKeys := map[string]bool{}
	blockIS := map[key]bool{}
	for _, o := range st.objs {
		if o.ext || !o.distrusted {
			continue
		}
		issuer, serial := o.issuer, o.serial
		if o.cert != nil {
			issuer, serial = o.cert.issuer, o.cert.serial
		}
		if issuer != nil && serial != nil {
			blockIS[key{string(issuer), string(serial)}] = true
		}
		if o.spki != nil {
			blockKeys[string(o.spki)] = true
		}
	}
	seen := map[string]bool{}
	var out []*caObject
	for _, o := range st.objs {
		if o.ext || o.cert == nil || seen[string(o.cert.der)] {
			continue
		}
		if f.anchorsOnly {
			if st.category(o) != 2 {
				continue
			}
			switch {
			case o.distrusted:
				continue
			case blockKeys[string(o.spki)] || blockIS[key{string(o.cert.issuer), string(o.cert.serial)}]:
				continue
			case !o.trusted:
				continue
			}
		}
		seen[string(o.cert.der)] = true
		purposes, ok := st.purposes(o)
		if !ok {
			continue
		}
		if f.purpose != "" && purposes != nil && !slices.Contains(purposes, f.purpose) && !slices.Contains(purposes, oidAnyEKU) {
			continue
		}
		out = append(out, o)
	}
	return out
}
