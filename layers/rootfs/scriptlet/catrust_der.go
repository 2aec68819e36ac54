package scriptlet

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// A tiny DER reader: the trust sources are read the way p11-kit's
// libtasn1 reads them, field by field, without crypto/x509's policy
// checks (a certificate Go would refuse to verify is still a trust
// anchor to p11-kit).

var errDER = errors.New("malformed DER")

// orDER is err, or errDER for an element followed by extra bytes.
func orDER(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: trailing bytes", errDER)
}

// derNext splits the first element off b: its tag, the whole element,
// its content and what follows.
func derNext(b []byte) (tag byte, full, content, rest []byte, err error) {
	if len(b) < 2 {
		return 0, nil, nil, nil, errDER
	}
	tag = b[0]
	if tag&0x1f == 0x1f {
		return 0, nil, nil, nil, errDER
	}
	n := int(b[1])
	hdr := 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return 0, nil, nil, nil, errDER
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		if n < 0x80 {
			return 0, nil, nil, nil, errDER
		}
		hdr += k
	}
	if n > len(b)-hdr {
		return 0, nil, nil, nil, errDER
	}
	return tag, b[:hdr+n], b[hdr : hdr+n], b[hdr+n:], nil
}

// derExpect reads one element that must have tag.
func derExpect(b []byte, tag byte) (full, content, rest []byte, err error) {
	t, full, content, rest, err := derNext(b)
	if err != nil {
		return nil, nil, nil, err
	}
	if t != tag {
		return nil, nil, nil, fmt.Errorf("%w: tag %#x where %#x was expected", errDER, t, tag)
	}
	return full, content, rest, nil
}

// certInfo is what the extraction needs from a certificate.
type certInfo struct {
	der     []byte
	v1      bool
	serial  []byte // the INTEGER element
	issuer  []byte // the Name element
	subject []byte
	spki    []byte
	exts    map[string][]byte // extnValue contents by dotted OID
}

// OIDs the extraction uses.
const (
	oidBasicConstraints = "2.5.29.19"
	oidExtKeyUsage      = "2.5.29.37"
	oidSubjectKeyID     = "2.5.29.14"
	oidOpenSSLReject    = "1.3.6.1.4.1.3319.6.10.1"
	oidAnyEKU           = "2.5.29.37.0"
	oidReservedPurpose  = "1.3.6.1.4.1.3319.6.10.16"
	oidServerAuth       = "1.3.6.1.5.5.7.3.1"
	oidClientAuth       = "1.3.6.1.5.5.7.3.2"
	oidCodeSigning      = "1.3.6.1.5.5.7.3.3"
	oidEmail            = "1.3.6.1.5.5.7.3.4"
)

func parseCertDER(der []byte) (*certInfo, error) {
	full, cert, rest, err := derExpect(der, 0x30)
	if err != nil || len(rest) != 0 {
		return nil, orDER(err)
	}
	_, tbs, after, err := derExpect(cert, 0x30)
	if err != nil {
		return nil, err
	}
	if _, _, after, err = derExpect(after, 0x30); err != nil { // signatureAlgorithm
		return nil, err
	}
	if _, _, after, err = derExpect(after, 0x03); err != nil || len(after) != 0 {
		return nil, orDER(err)
	}
	c := &certInfo{der: full, v1: true, exts: map[string][]byte{}}
	b := tbs
	if len(b) > 0 && b[0] == 0xa0 {
		_, v, r, err := derExpect(b, 0xa0)
		if err != nil {
			return nil, err
		}
		_, ver, _, err := derExpect(v, 0x02)
		if err != nil {
			return nil, err
		}
		c.v1 = len(ver) == 1 && ver[0] == 0
		b = r
	}
	fields := []struct {
		tag byte
		dst *[]byte
	}{{0x02, &c.serial}, {0x30, nil}, {0x30, &c.issuer}, {0x30, nil}, {0x30, &c.subject}, {0x30, &c.spki}}
	for _, f := range fields {
		el, _, r, err := derExpect(b, f.tag)
		if err != nil {
			return nil, err
		}
		if f.dst != nil {
			*f.dst = el
		}
		b = r
	}
	for len(b) > 0 {
		tag, _, content, r, err := derNext(b)
		if err != nil {
			return nil, err
		}
		b = r
		if tag != 0xa3 {
			continue
		}
		_, list, _, err := derExpect(content, 0x30)
		if err != nil {
			return nil, err
		}
		for len(list) > 0 {
			_, ext, r, err := derExpect(list, 0x30)
			if err != nil {
				return nil, err
			}
			list = r
			oid, value, err := parseExtension(ext)
			if err != nil {
				return nil, err
			}
			c.exts[oid] = value
		}
	}
	return c, nil
}

// parseExtension reads an Extension's content: its OID and extnValue.
func parseExtension(ext []byte) (string, []byte, error) {
	oidEl, _, r, err := derExpect(ext, 0x06)
	if err != nil {
		return "", nil, err
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(oidEl, &oid); err != nil {
		return "", nil, err
	}
	if len(r) > 0 && r[0] == 0x01 {
		if _, _, r, err = derExpect(r, 0x01); err != nil {
			return "", nil, err
		}
	}
	_, value, r, err := derExpect(r, 0x04)
	if err != nil || len(r) != 0 {
		return "", nil, orDER(err)
	}
	return oid.String(), value, nil
}

// parseOIDList reads a SEQUENCE OF OBJECT IDENTIFIER (an extended key
// usage value, OpenSSL's reject list).
func parseOIDList(b []byte) ([]string, error) {
	_, list, rest, err := derExpect(b, 0x30)
	if err != nil || len(rest) != 0 {
		return nil, orDER(err)
	}
	out := []string{}
	for len(list) > 0 {
		el, _, r, err := derExpect(list, 0x06)
		if err != nil {
			return nil, err
		}
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(el, &oid); err != nil {
			return nil, err
		}
		out = append(out, oid.String())
		list = r
	}
	return out, nil
}

// parseIsCA reads a BasicConstraints value.
func parseIsCA(b []byte) (bool, error) {
	_, seq, rest, err := derExpect(b, 0x30)
	if err != nil || len(rest) != 0 {
		return false, orDER(err)
	}
	if len(seq) > 0 && seq[0] == 0x01 {
		_, v, _, err := derExpect(seq, 0x01)
		if err != nil || len(v) != 1 {
			return false, orDER(err)
		}
		return v[0] != 0, nil
	}
	return false, nil
}

// nameAVA is one attribute of a Name.
type nameAVA struct {
	oid   string
	tag   byte
	value []byte // content of the value element
	full  []byte // the AttributeTypeAndValue element
}

// parseName reads a Name: its RDNs, each a list of AVAs.
func parseName(b []byte) ([][]nameAVA, error) {
	_, seq, rest, err := derExpect(b, 0x30)
	if err != nil || len(rest) != 0 {
		return nil, orDER(err)
	}
	var rdns [][]nameAVA
	for len(seq) > 0 {
		_, set, r, err := derExpect(seq, 0x31)
		if err != nil {
			return nil, err
		}
		seq = r
		var rdn []nameAVA
		for len(set) > 0 {
			full, atv, r, err := derExpect(set, 0x30)
			if err != nil {
				return nil, err
			}
			set = r
			oidEl, _, vr, err := derExpect(atv, 0x06)
			if err != nil {
				return nil, err
			}
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(oidEl, &oid); err != nil {
				return nil, err
			}
			tag, _, value, vrest, err := derNext(vr)
			if err != nil || len(vrest) != 0 {
				return nil, orDER(err)
			}
			rdn = append(rdn, nameAVA{oid: oid.String(), tag: tag, value: value, full: full})
		}
		rdns = append(rdns, rdn)
	}
	return rdns, nil
}

// directoryString converts a DirectoryString value to UTF-8 as p11-kit
// does; ok is false for other types.
func directoryString(tag byte, v []byte) (string, bool, error) {
	switch tag {
	case 0x0c, 0x13, 0x14: // UTF8String, PrintableString, TeletexString
		if tag == 0x0c && !utf8.Valid(v) {
			return "", true, errDER
		}
		if tag == 0x14 { // read as Latin-1
			r := make([]rune, len(v))
			for i, c := range v {
				r[i] = rune(c)
			}
			return string(r), true, nil
		}
		return string(v), true, nil
	case 0x1e: // BMPString
		if len(v)%2 != 0 {
			return "", true, errDER
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u)), true, nil
	case 0x1c: // UniversalString
		if len(v)%4 != 0 {
			return "", true, errDER
		}
		var sb bytes.Buffer
		for i := 0; i < len(v); i += 4 {
			sb.WriteRune(rune(uint32(v[i])<<24 | uint32(v[i+1])<<16 | uint32(v[i+2])<<8 | uint32(v[i+3])))
		}
		return sb.String(), true, nil
	}
	return "", false, nil
}

// certLabel is the label p11-kit gives a certificate read from a
// file: the subject's first CN, else OU, else O.
func certLabel(subject []byte) string {
	rdns, err := parseName(subject)
	if err != nil {
		return ""
	}
	for _, want := range []string{"2.5.4.3", "2.5.4.11", "2.5.4.10"} {
		for _, rdn := range rdns {
			for _, a := range rdn {
				if a.oid != want {
					continue
				}
				if s, ok, err := directoryString(a.tag, a.value); ok && err == nil {
					return s
				}
			}
		}
	}
	return ""
}

// derLength appends a DER length.
func derLength(out []byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(out, byte(n))
	case n < 0x100:
		return append(out, 0x81, byte(n))
	case n < 0x10000:
		return append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		return append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// derTLV builds one element.
func derTLV(tag byte, content []byte) []byte {
	out := derLength([]byte{tag}, len(content))
	return append(out, content...)
}

// derOIDs encodes a SEQUENCE OF OBJECT IDENTIFIER with tag.
func derOIDs(tag byte, oids []string) []byte {
	var content []byte
	for _, o := range oids {
		content = append(content, encodeOID(o)...)
	}
	return derTLV(tag, content)
}

// encodeOID encodes a dotted OID (assumed valid) as an element.
func encodeOID(s string) []byte {
	var oid asn1.ObjectIdentifier
	n := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			oid = append(oid, n)
			n = 0
			continue
		}
		n = n*10 + int(s[i]-'0')
	}
	b, err := asn1.Marshal(oid)
	if err != nil {
		return nil
	}
	return b
}
