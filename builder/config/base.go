package config

import (
	"path/filepath"
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
	}
	if !filepath.IsAbs(key) {
		if p, ok := m.origins["image.base_verify_key"]; ok && p.File != "" {
			key = filepath.Join(filepath.Dir(p.File), key)
		}
	}
	c.Image.BaseVerifyKey = key
}
