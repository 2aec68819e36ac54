package config

import (
	"path/filepath"
	"regexp"
	"strings"
)

// baseImage checks [image] base and base_verify_key. The reference's
// syntax is checked where it is opened (manifests.ParseSource); here only
// what no reference may hold. A relative key path is made absolute
// against the file that set it.
func (v *validator) baseImage(c *Config) {
	m := v.m
	c.Image.Base = deref(m.img.Base, "")
	if m.img.Base != nil && (c.Image.Base == "" || hasControl(c.Image.Base) || strings.ContainsAny(c.Image.Base, " \t")) {
		v.fail("image.base", "%q is not an image reference (REGISTRY/REPO[:TAG][@sha256:…] or oci:DIR[:TAG])", c.Image.Base)
	}
	v.baseKeyless(c)
	key := deref(m.img.BaseVerifyKey, "")
	if m.img.BaseVerifyKey == nil {
		return
	}
	switch {
	case key == "" || hasControl(key):
		v.fail("image.base_verify_key", "%q is not a path to a cosign public key", key)
		return
	case c.Image.Base == "":
		v.fail("image.base_verify_key", "needs image.base: there is no base image to verify")
		return
	case c.Image.BaseVerify != nil:
		v.fail("image.base_verify_key", "and the keyless options (base_verify_identity, ...) exclude each other, as cosign's --key and --certificate-identity do")
		return
	}
	c.Image.BaseVerifyKey = v.relPath("image.base_verify_key", key)
}

// relPath makes a relative path absolute against the file that set key.
func (v *validator) relPath(key, p string) string {
	if !filepath.IsAbs(p) {
		if pos, ok := v.m.origins[key]; ok && pos.File != "" {
			return filepath.Join(filepath.Dir(pos.File), p)
		}
	}
	return p
}

// baseKeyless checks the keyless options of base verification: they
// need image.base and base_verify_ca_roots, one of an identity and its
// regexp and one of an issuer and its regexp (as cosign verify does);
// regular expressions must compile; paths are made absolute.
func (v *validator) baseKeyless(c *Config) {
	m := v.m
	k := &BaseKeyless{}
	opts := []struct {
		key string
		p   *string
		dst *string
	}{
		{"image.base_verify_identity", m.img.BaseVerifyIdentity, &k.Identity},
		{"image.base_verify_identity_regexp", m.img.BaseVerifyIdentityRegexp, &k.IdentityRegexp},
		{"image.base_verify_oidc_issuer", m.img.BaseVerifyOIDCIssuer, &k.OIDCIssuer},
		{"image.base_verify_oidc_issuer_regexp", m.img.BaseVerifyOIDCIssuerRegexp, &k.OIDCIssuerRegexp},
		{"image.base_verify_ca_roots", m.img.BaseVerifyCARoots, &k.CARoots},
		{"image.base_verify_rekor_key", m.img.BaseVerifyRekorKey, &k.RekorKey},
	}
	set := false
	for _, o := range opts {
		if o.p == nil {
			continue
		}
		set = true
		val := *o.p
		if val == "" || hasControl(val) {
			v.fail(o.key, "%q: want a non-empty value without control characters", val)
			return
		}
		if strings.HasSuffix(o.key, "_regexp") {
			if _, err := regexp.Compile(val); err != nil {
				v.fail(o.key, "%q is not a regular expression: %v", val, err)
				return
			}
		}
		if o.key == "image.base_verify_ca_roots" || o.key == "image.base_verify_rekor_key" {
			val = v.relPath(o.key, val)
		}
		*o.dst = val
	}
	if !set {
		return
	}
	switch {
	case c.Image.Base == "":
		v.fail("image.base_verify_identity", "the keyless options need image.base: there is no base image to verify")
	case (k.Identity == "") == (k.IdentityRegexp == ""):
		v.fail("image.base_verify_identity", "keyless base verification needs one of base_verify_identity and base_verify_identity_regexp")
	case (k.OIDCIssuer == "") == (k.OIDCIssuerRegexp == ""):
		v.fail("image.base_verify_oidc_issuer", "keyless base verification needs one of base_verify_oidc_issuer and base_verify_oidc_issuer_regexp")
	case k.CARoots == "":
		v.fail("image.base_verify_ca_roots", "keyless base verification needs the CA roots (PEM) the signing certificate must chain to")
	default:
		c.Image.BaseVerify = k
	}
}
