package scriptlet

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The formats of `trust extract`, byte for byte as p11-kit 0.24 writes
// them (trust/extract-pem.c, extract-openssl.c, extract-jks.c,
// extract-edk2.c).

// pemBlock writes a PEM block as p11-kit's pem.c does: 64 columns.
func pemBlock(out *bytes.Buffer, typ string, der []byte) {
	fmt.Fprintf(out, "-----BEGIN %s-----\n", typ)
	enc := base64.StdEncoding.EncodeToString(der)
	for len(enc) > 64 {
		out.WriteString(enc[:64])
		out.WriteByte('\n')
		enc = enc[64:]
	}
	out.WriteString(enc)
	fmt.Fprintf(out, "\n-----END %s-----\n", typ)
}

// caLabel is the label p11-kit's comments and file names use.
func caLabel(o *caObject) string {
	if o.hasLabel && o.label != "" {
		return o.label
	}
	return "certificate"
}

func comment(out *bytes.Buffer, o *caObject, first bool) {
	if !first {
		out.WriteByte('\n')
	}
	fmt.Fprintf(out, "# %s\n", caLabel(o))
}

// pemBundle is --format=pem-bundle.
func pemBundle(objs []*caObject, withComment bool) []byte {
	var out bytes.Buffer
	for i, o := range objs {
		if withComment {
			comment(&out, o, i == 0)
		}
		pemBlock(&out, "CERTIFICATE", o.cert.der)
	}
	return out.Bytes()
}

// knownUsages are the purposes a distrusted certificate is rejected for.
var knownUsages = []string{oidServerAuth, oidClientAuth, oidCodeSigning, oidEmail,
	"1.3.6.1.5.5.7.3.5", "1.3.6.1.5.5.7.3.6", "1.3.6.1.5.5.7.3.7", "1.3.6.1.5.5.7.3.8"}

// trustedCert is the DER of OpenSSL's "TRUSTED CERTIFICATE": the
// certificate followed by its CertAux (trust, [0] reject, alias).
func (st *caStore) trustedCert(o *caObject) []byte {
	var rejects []string
	hasRejects := false
	if v := st.attached(o, oidOpenSSLReject); v != nil {
		l, err := parseOIDList(v)
		if err == nil {
			rejects, hasRejects = l, true
		}
	}
	var trusts []string
	hasTrusts := false
	switch {
	case o.distrusted:
		rejects, hasRejects = append(rejects, knownUsages...), true
	case o.trusted:
		if v := st.attached(o, oidExtKeyUsage); v != nil {
			if l, err := parseOIDList(v); err == nil {
				trusts, hasTrusts = l, true
			}
		}
	default:
		hasTrusts = true // an empty trust list
	}
	var aux []byte
	if hasTrusts {
		aux = append(aux, derOIDs(0x30, trusts)...)
	}
	if hasRejects {
		aux = append(aux, derOIDs(0xa0, rejects)...)
	}
	if o.hasLabel {
		aux = append(aux, derTLV(0x0c, []byte(o.label))...)
	}
	// keyid: the value of an attached subject key identifier extension
	// (itself an OCTET STRING), as p11-kit writes it.
	if v := st.attached(o, oidSubjectKeyID); v != nil {
		aux = append(aux, derTLV(0x04, v)...)
	}
	out := append([]byte(nil), o.cert.der...)
	return append(out, derTLV(0x30, aux)...)
}

// opensslBundle is --format=openssl-bundle.
func (st *caStore) opensslBundle(objs []*caObject, withComment bool) []byte {
	var out bytes.Buffer
	for i, o := range objs {
		if withComment {
			comment(&out, o, i == 0)
		}
		pemBlock(&out, "TRUSTED CERTIFICATE", st.trustedCert(o))
	}
	return out.Bytes()
}

// javaCacerts is --format=java-cacerts: a JKS keystore of trusted
// certificates; every entry is dated at the build time.
func javaCacerts(objs []*caObject, when time.Time) []byte {
	var b []byte
	b = append(b, 0xfe, 0xed, 0xfe, 0xed)
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, uint32(len(objs)))
	ms := max(when.Unix(), 0) * 1000
	aliases := map[string]bool{}
	for _, o := range objs {
		b = binary.BigEndian.AppendUint32(b, 2) // trusted certificate entry
		label := "unlabeled"
		if o.hasLabel {
			label = o.label
		}
		var base strings.Builder
		for i := 0; i < len(label); i++ {
			c := label[i]
			if c < 0x80 && !isCSpace(c) {
				base.WriteByte(byte(unicode.ToLower(rune(c))))
			}
		}
		alias := base.String()
		for i := 1; aliases[alias]; i++ {
			alias = fmt.Sprintf("%s-%d", base.String(), i)
		}
		aliases[alias] = true
		b = javaString(b, alias)
		b = binary.BigEndian.AppendUint64(b, uint64(ms))
		b = javaString(b, "X.509")
		b = binary.BigEndian.AppendUint32(b, uint32(len(o.cert.der)))
		b = append(b, o.cert.der...)
	}
	h := sha1.New()
	h.Write([]byte("\x00c\x00h\x00a\x00n\x00g\x00e\x00i\x00t"))
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(b)
	return h.Sum(b)
}

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func javaString(b []byte, s string) []byte {
	if len(s) > 0x7fff {
		s = s[:0x7fff]
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// edk2Cacerts is --format=edk2-cacerts: one EFI_SIGNATURE_LIST per
// certificate, little endian.
func edk2Cacerts(objs []*caObject) []byte {
	x509GUID := []byte{0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72}
	agentGUID := []byte{0x50, 0x3b, 0xdd, 0xdc, 0x05, 0xf4, 0xfd, 0x43, 0x96, 0xbe, 0xbd, 0x33, 0xb1, 0x73, 0x47, 0x76}
	var b []byte
	for _, o := range objs {
		sigSize := 16 + len(o.cert.der)
		b = append(b, x509GUID...)
		b = binary.LittleEndian.AppendUint32(b, uint32(28+sigSize))
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(sigSize))
		b = append(b, agentGUID...)
		b = append(b, o.cert.der...)
	}
	return b
}

// dirFile is one entry of an extracted folder: a file or a link.
type dirFile struct {
	name string
	data []byte
	link string
}

// hashDirectory is --format=pem-directory-hash (plain CERTIFICATE
// files) or, with trusted, --format=openssl-directory (TRUSTED
// CERTIFICATE files): one file per certificate named after its label,
// and links named after OpenSSL's subject hash and the old MD5 one.
// p11-kit writes no comment in these files, --comment or not.
func (st *caStore) hashDirectory(objs []*caObject, trusted bool) []dirFile {
	var out []dirFile
	taken := map[string]bool{}
	for _, o := range objs {
		var buf bytes.Buffer
		if trusted {
			pemBlock(&buf, "TRUSTED CERTIFICATE", st.trustedCert(o))
		} else {
			pemBlock(&buf, "CERTIFICATE", o.cert.der)
		}
		base := fileLabel(caLabel(o))
		name := base + ".pem"
		for i := 1; taken[name]; i++ {
			name = fmt.Sprintf("%s.%d.pem", base, i)
		}
		taken[name] = true
		out = append(out, dirFile{name: name, data: buf.Bytes()})
		var hashes []string
		if h, ok := subjectHash(o.cert.subject); ok {
			hashes = append(hashes, h)
		}
		sum := md5.Sum(o.cert.subject)
		hashes = append(hashes, fmt.Sprintf("%08x", binary.LittleEndian.Uint32(sum[:4])))
		for _, h := range hashes {
			link := h + ".0"
			for i := 1; taken[link]; i++ {
				link = fmt.Sprintf("%s.%d", h, i)
			}
			taken[link] = true
			out = append(out, dirFile{name: link, link: name})
		}
	}
	return out
}

func fileLabel(label string) string {
	const ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"
	b := []byte(label)
	for i, c := range b {
		if strings.IndexByte(ok, c) < 0 {
			b[i] = '_'
		}
	}
	return string(b)
}

// subjectHash is OpenSSL's X509_NAME_hash as p11-kit computes it: SHA-1
// over the RDNs with their string values canonicalized (UTF8String,
// lower case ASCII, spaces collapsed and trimmed), first four bytes
// little endian.
func subjectHash(subject []byte) (string, bool) {
	rdns, err := parseName(subject)
	if err != nil {
		return "", false
	}
	var canon []byte
	for _, rdn := range rdns {
		var atvs [][]byte
		for _, a := range rdn {
			s, isString, err := directoryString(a.tag, a.value)
			if err != nil {
				return "", false
			}
			if !isString {
				atvs = append(atvs, a.full)
				continue
			}
			oid, _, _, _ := derExpect(atvContent(a.full), 0x06)
			atv := append(append([]byte(nil), oid...), derTLV(0x0c, []byte(canonString(s)))...)
			atvs = append(atvs, derTLV(0x30, atv))
		}
		slices.SortFunc(atvs, bytes.Compare) // DER orders a SET OF
		canon = append(canon, derTLV(0x31, bytes.Join(atvs, nil))...)
	}
	sum := sha1.Sum(canon)
	return fmt.Sprintf("%08x", binary.LittleEndian.Uint32(sum[:4])), true
}

func atvContent(full []byte) []byte {
	_, _, content, _, _ := derNext(full)
	return content
}

// canonString is OpenSSL's canonical form: bytes above 127 kept, ASCII
// lowered, runs of spaces collapsed, leading and trailing ones dropped.
func canonString(s string) string {
	var out []byte
	sp, nsp := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c&0x80 != 0 || !isCSpace(c) {
			if sp {
				out = append(out, ' ')
			}
			if c&0x80 == 0 && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			sp, nsp = false, true
		} else if nsp {
			nsp, sp = false, true
		}
	}
	return string(out)
}
