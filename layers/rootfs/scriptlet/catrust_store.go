package scriptlet

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// The trust store as p11-kit's trust module builds it from its source
// paths, each path a token: the files of PATH itself (neither trusted
// nor distrusted, unless a .p11-kit file says so), then those of
// PATH/anchors (trusted), PATH/blocklist and PATH/blacklist
// (distrusted). Objects keep
// the order they were read in, which is the order p11-kit lists them;
// p11-kit reads a folder in the file system's order, slipway in name
// order.

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
	objs, recognized, err := parseTrustSource(data, tok, flag)
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
	st.objs = append(st.objs, objs...)
}

const persistHeader = "[p11-kit-object-v1]"

// parseTrustSource reads one file: a p11-kit persist file, PEM
// certificates, or one DER certificate. A malformed file gives an
// error and none of its objects.
func parseTrustSource(data []byte, tok, flag int) ([]*caObject, bool, error) {
	if bytes.Contains(data, []byte(persistHeader)) {
		objs, err := parsePersist(data, tok)
		return objs, true, err
	}
	if len(data) > 0 && data[0] == 0x30 {
		c, err := parseCertDER(data)
		if err != nil {
			return nil, false, nil // p11-kit: unrecognized
		}
		return []*caObject{certObject(c, tok, flag)}, true, nil
	}
	var objs []*caObject
	rest := data
	found := false
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			found = true
			c, err := parseCertDER(b.Bytes)
			if err != nil {
				return nil, true, fmt.Errorf("certificate %d: %w", len(objs)+1, err)
			}
			objs = append(objs, certObject(c, tok, flag))
		case "TRUSTED CERTIFICATE":
			return nil, true, errors.New("OpenSSL TRUSTED CERTIFICATE sources are not understood")
		}
	}
	return objs, found, nil
}

func certObject(c *certInfo, tok, flag int) *caObject {
	o := &caObject{token: tok, cert: c, spki: c.spki}
	o.label = certLabel(c.subject)
	o.hasLabel = o.label != ""
	switch flag {
	case flagAnchor:
		o.trusted = true
	case flagBlock:
		o.distrusted = true
	}
	return o
}

// parsePersist reads p11-kit's persist format: sections
// [p11-kit-object-v1] of "name: value" lines and PEM blocks.
func parsePersist(data []byte, tok int) ([]*caObject, error) {
	type section struct {
		attrs map[string]string
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
			cur.attrs[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	var objs []*caObject
	for _, sec := range secs {
		o := &caObject{token: tok}
		class := sec.attrs["class"]
		if len(sec.certs) > 1 || len(sec.keys) > 1 {
			return nil, fmt.Errorf("line %d: more than one PEM block of a kind", sec.line)
		}
		if len(sec.certs) == 1 && class == "" {
			class = "certificate"
		}
		if len(sec.keys) == 1 {
			o.spki = sec.keys[0]
		}
		for k, v := range sec.attrs {
			var err error
			switch k {
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
			case "public-key-info":
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
