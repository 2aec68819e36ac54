package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaseImage: [image] base, base_verify_key (made absolute against
// the file that set it, inherited through extends) and [packages]
// upgrade_base load, round-trip through the canonical TOML, and are
// refused when meaningless.
func TestBaseImage(t *testing.T) {
	t.Parallel()
	withBase := with(t, `architectures = ["x86_64"]`, "architectures = [\"x86_64\"]\nbase = \"registry.example/base:3@sha256:"+strings.Repeat("a", 64)+"\"\nbase_verify_key = \"keys/cosign.pub\"")
	dir := writeFiles(t, map[string]string{
		"plain.toml":    minimal,
		"base.toml":     withBase + "upgrade_base = true\n",
		"sub/up.toml":   "extends = \"../base.toml\"\n[image]\nname = \"test/up\"\n",
		"nobase.toml":   minimal + "upgrade_base = true\n",
		"all.toml":      withBase + "upgrade_base = \"all\"\n",
		"badup.toml":    withBase + "upgrade_base = \"some\"\n",
		"badtype.toml":  withBase + "upgrade_base = 3\n",
		"nokey.toml":    with(t, `architectures = ["x86_64"]`, "architectures = [\"x86_64\"]\nbase_verify_key = \"k.pub\""),
		"badref.toml":   with(t, `architectures = ["x86_64"]`, "architectures = [\"x86_64\"]\nbase = \"a b\""),
		"emptyref.toml": with(t, `architectures = ["x86_64"]`, "architectures = [\"x86_64\"]\nbase = \"\""),
	})
	plain, err := Load(t.Context(), filepath.Join(dir, "plain.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Image.Base != "" || plain.Image.BaseVerifyKey != "" || plain.Packages.UpgradeBase != UpgradeBaseNo {
		t.Errorf("plain: %+v %+v", plain.Image, plain.Packages)
	}
	if out, _ := plain.TOML(); bytes.Contains(out, []byte("base =")) || bytes.Contains(out, []byte("upgrade_base")) {
		t.Errorf("plain's canonical TOML names base:\n%s", out)
	}
	for name, up := range map[string]UpgradeBase{"base.toml": UpgradeBaseNeeded, "sub/up.toml": UpgradeBaseNeeded, "all.toml": UpgradeBaseAll} {
		c, err := Load(t.Context(), filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(c.Image.Base, "registry.example/base:3@sha256:") || c.Packages.UpgradeBase != up {
			t.Errorf("%s: base %q upgrade_base %v", name, c.Image.Base, c.Packages.UpgradeBase)
		}
		if want := filepath.Join(dir, "keys", "cosign.pub"); c.Image.BaseVerifyKey != want {
			t.Errorf("%s: base_verify_key %q, want %q", name, c.Image.BaseVerifyKey, want)
		}
		out, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		back := filepath.Join(t.TempDir(), "back.toml")
		writeFile(t, back, out)
		b, err := Load(t.Context(), back)
		if err != nil {
			t.Fatalf("%s: canonical TOML does not load back: %v\n%s", name, err, out)
		}
		if b.Image.Base != c.Image.Base || b.Image.BaseVerifyKey != c.Image.BaseVerifyKey || b.Packages.UpgradeBase != c.Packages.UpgradeBase {
			t.Errorf("%s: round trip %+v, want %+v", name, b.Image, c.Image)
		}
	}
	for name, want := range map[string]string{
		"nobase.toml":   "packages.upgrade_base: needs image.base",
		"badup.toml":    `packages.upgrade_base: "some": want true (the upgrades the request needs), false or "all"`,
		"badtype.toml":  `packages.upgrade_base: wrong type: got int64, want a boolean or "all"`,
		"nokey.toml":    "image.base_verify_key: needs image.base",
		"badref.toml":   `image.base: "a b" is not an image reference`,
		"emptyref.toml": `image.base: "" is not an image reference`,
	} {
		_, err := Load(t.Context(), filepath.Join(dir, name))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
}

// TestBaseKeyless: the keyless options of base verification load (paths
// made absolute, inherited through extends), round-trip through the
// canonical TOML, and are refused without what cosign would need.
func TestBaseKeyless(t *testing.T) {
	t.Parallel()
	arch := `architectures = ["x86_64"]`
	img := func(lines string) string {
		return with(t, arch, arch+"\nbase = \"registry.example/base:3\"\n"+lines)
	}
	full := "base_verify_identity = \"builder@example.com\"\nbase_verify_oidc_issuer_regexp = \"^https://issuer\\\\.\"\nbase_verify_ca_roots = \"trust/fulcio.pem\"\nbase_verify_rekor_key = \"trust/rekor.pub\""
	dir := writeFiles(t, map[string]string{
		"ok.toml":        img(full),
		"sub/up.toml":    "extends = \"../ok.toml\"\n[image]\nname = \"test/up\"\n",
		"noroots.toml":   img("base_verify_identity = \"a\"\nbase_verify_oidc_issuer = \"i\""),
		"noissuer.toml":  img("base_verify_identity = \"a\"\nbase_verify_ca_roots = \"r.pem\""),
		"twoids.toml":    img("base_verify_identity = \"a\"\nbase_verify_identity_regexp = \"a\"\nbase_verify_oidc_issuer = \"i\"\nbase_verify_ca_roots = \"r.pem\""),
		"badre.toml":     img("base_verify_identity_regexp = \"(\"\nbase_verify_oidc_issuer = \"i\"\nbase_verify_ca_roots = \"r.pem\""),
		"withkey.toml":   img(full + "\nbase_verify_key = \"k.pub\""),
		"nobase.toml":    with(t, arch, arch+"\nbase_verify_identity = \"a\"\nbase_verify_oidc_issuer = \"i\"\nbase_verify_ca_roots = \"r.pem\""),
		"emptyroot.toml": img("base_verify_identity = \"a\"\nbase_verify_oidc_issuer = \"i\"\nbase_verify_ca_roots = \"\""),
	})
	for _, name := range []string{"ok.toml", "sub/up.toml"} {
		c, err := Load(t.Context(), filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := BaseKeyless{Identity: "builder@example.com", OIDCIssuerRegexp: `^https://issuer\.`,
			CARoots: filepath.Join(dir, "trust", "fulcio.pem"), RekorKey: filepath.Join(dir, "trust", "rekor.pub")}
		if c.Image.BaseVerify == nil || *c.Image.BaseVerify != want {
			t.Fatalf("%s: %+v, want %+v", name, c.Image.BaseVerify, want)
		}
		out, err := c.TOML()
		if err != nil {
			t.Fatal(err)
		}
		back := filepath.Join(t.TempDir(), "back.toml")
		writeFile(t, back, out)
		b, err := Load(t.Context(), back)
		if err != nil {
			t.Fatalf("%s: canonical TOML does not load back: %v\n%s", name, err, out)
		}
		if b.Image.BaseVerify == nil || *b.Image.BaseVerify != want {
			t.Errorf("%s: round trip %+v, want %+v", name, b.Image.BaseVerify, want)
		}
	}
	for name, want := range map[string]string{
		"noroots.toml":   "image.base_verify_ca_roots: keyless base verification needs the CA roots",
		"noissuer.toml":  "needs one of base_verify_oidc_issuer and base_verify_oidc_issuer_regexp",
		"twoids.toml":    "needs one of base_verify_identity and base_verify_identity_regexp",
		"badre.toml":     `image.base_verify_identity_regexp: "(" is not a regular expression`,
		"withkey.toml":   "image.base_verify_key: and the keyless options (base_verify_identity, ...) exclude each other",
		"nobase.toml":    "the keyless options need image.base",
		"emptyroot.toml": `image.base_verify_ca_roots: "": want a non-empty value`,
	} {
		_, err := Load(t.Context(), filepath.Join(dir, name))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
}
