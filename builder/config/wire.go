package config

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// The TOML wire format. Pointers tell "not set" from "set to the zero
// value", which the extends merge needs.

type wireFile struct {
	Extends    *string       `toml:"extends"`
	Image      *wireImage    `toml:"image"`
	Repository []wireRepo    `toml:"repository"`
	Packages   *wirePackages `toml:"packages"`
	Config     *wireOCI      `toml:"config"`
	Accounts   *wireAccounts `toml:"accounts"`
	Paths      *wirePaths    `toml:"paths"`
	Layers     *wireLayers   `toml:"layers"`
	Policy     *wirePolicy   `toml:"policy"`
}

type wirePolicy struct {
	Deny              *[]string `toml:"deny"`
	MaxSize           *string   `toml:"max_size"`
	MaxCompressedSize *string   `toml:"max_compressed_size"`
	MaxPackages       *int64    `toml:"max_packages"`
	RequireGPGCheck   *bool     `toml:"require_gpgcheck"`
	Baseline          *string   `toml:"baseline"`
	AllowNew          *bool     `toml:"allow_new"`
}

type wireImage struct {
	Name          *string   `toml:"name"`
	Architectures *[]string `toml:"architectures"`
	Releasever    *string   `toml:"releasever"`
	OSVersion     *string   `toml:"os_version"`
	RPMDB         *string   `toml:"rpmdb"`
	MachineID     *string   `toml:"machine_id"`
	Base          *string   `toml:"base"`
	BaseVerifyKey *string   `toml:"base_verify_key"`

	BaseVerifyIdentity         *string `toml:"base_verify_identity"`
	BaseVerifyIdentityRegexp   *string `toml:"base_verify_identity_regexp"`
	BaseVerifyOIDCIssuer       *string `toml:"base_verify_oidc_issuer"`
	BaseVerifyOIDCIssuerRegexp *string `toml:"base_verify_oidc_issuer_regexp"`
	BaseVerifyCARoots          *string `toml:"base_verify_ca_roots"`
	BaseVerifyRekorKey         *string `toml:"base_verify_rekor_key"`

	MTime *string `toml:"mtime"`
}

type wireRepo struct {
	ID           *string   `toml:"id"`
	Name         *string   `toml:"name"`
	BaseURL      *string   `toml:"baseurl"`
	GPGKey       *[]string `toml:"gpgkey"`
	GPGCheck     *bool     `toml:"gpgcheck"`
	RepoGPGCheck *bool     `toml:"repo_gpgcheck"`
	Priority     *int64    `toml:"priority"`
	IncludePkgs  *[]string `toml:"includepkgs"`
	ExcludePkgs  *[]string `toml:"excludepkgs"`
	Enabled      *bool     `toml:"enabled"`
	RepoFile     *string   `toml:"repofile"`
}

type wirePackages struct {
	// UpgradeBase is a boolean or "all": checked by the validator.
	UpgradeBase any `toml:"upgrade_base"`

	Install *[]string `toml:"install"`
	Exclude *[]string `toml:"exclude"`
	// AllowUnsatisfied holds packages back: see Packages.AllowUnsatisfied.
	AllowUnsatisfied *[]string `toml:"allow_unsatisfied"`
	WeakDeps         *bool     `toml:"weak_deps"`
	Docs             *bool     `toml:"docs"`
	Licenses         *bool     `toml:"licenses"`
	Scriptlets       *string   `toml:"scriptlets"`
}

type wireOCI struct {
	Entrypoint  *[]string         `toml:"entrypoint"`
	Cmd         *[]string         `toml:"cmd"`
	Env         map[string]string `toml:"env"`
	WorkDir     *string           `toml:"workdir"`
	User        *string           `toml:"user"`
	Labels      map[string]string `toml:"labels"`
	Annotations map[string]string `toml:"annotations"`
}

type wireAccounts struct {
	Group []wireGroup `toml:"group"`
	User  []wireUser  `toml:"user"`
}

type wireGroup struct {
	Name *string `toml:"name"`
	GID  *int64  `toml:"gid"`
}

type wireUser struct {
	Name  *string `toml:"name"`
	UID   *int64  `toml:"uid"`
	GID   *int64  `toml:"gid"`
	Home  *string `toml:"home"`
	Shell *string `toml:"shell"`
}

type wireLayers struct {
	Strategy *string `toml:"strategy"`
	Max      *int64  `toml:"max"`
}

type wirePaths struct {
	Remove *[]string `toml:"remove"`
}

// decodeFile decodes one file strictly and indexes the lines of its keys.
// Errors are *Error values naming file, line and key.
func decodeFile(name string, data []byte) (*wireFile, map[string]int, error) {
	var w wireFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, nil, tomlError(name, err)
	}
	lines := indexLines(data)
	return &w, lines, nil
}

// tomlError turns go-toml's errors into *Error (joined when there are
// several unknown keys).
func tomlError(name string, err error) error {
	var se *toml.StrictMissingError
	if errors.As(err, &se) {
		errs := make([]error, 0, len(se.Errors))
		for i := range se.Errors {
			de := &se.Errors[i]
			line, _ := de.Position()
			key := strings.Join(de.Key(), ".")
			errs = append(errs, &Error{File: name, Line: line, Msg: fmt.Sprintf("unknown key %q", key)})
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return &Error{File: name, Line: line, Key: strings.Join(de.Key(), "."), Msg: decodeMessage(de)}
	}
	return &Error{File: name, Msg: "decoding TOML", Err: err}
}

// decodeMessage rewrites go-toml's type mismatch messages, which name Go
// types, into TOML terms.
func decodeMessage(de *toml.DecodeError) string {
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	const p = "cannot decode TOML "
	if !strings.HasPrefix(msg, p) {
		return msg
	}
	rest := msg[len(p):]
	got, target, ok := strings.Cut(rest, " into ")
	if !ok {
		return msg
	}
	if i := strings.LastIndex(target, " of type "); i >= 0 {
		target = target[i+len(" of type "):]
	}
	return fmt.Sprintf("wrong type: got a TOML %s, want %s", got, tomlTypeName(target))
}

func tomlTypeName(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "an integer"
	case goType == "[]string":
		return "an array of strings"
	case strings.HasPrefix(goType, "map["):
		return "a table of strings"
	case strings.HasPrefix(goType, "[]"):
		return "an array of tables"
	default:
		return "a table"
	}
}

// indexLines maps the keys of a decoded-valid document to their lines:
// "image.name", "repository[0]" (the header), "repository[0].baseurl",
// "config.env.LANG". Arrays of tables are indexed by position.
func indexLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	counts := map[string]int{}
	prefix := ""
	for p.NextExpression() {
		e := p.Expression()
		parts, line := keyParts(&p, e)
		switch e.Kind {
		case unstable.Table:
			prefix = strings.Join(parts, ".")
			if _, ok := lines[prefix]; !ok {
				lines[prefix] = line
			}
		case unstable.ArrayTable:
			k := strings.Join(parts, ".")
			i := counts[k]
			counts[k] = i + 1
			prefix = k + "[" + strconv.Itoa(i) + "]"
			lines[prefix] = line
		case unstable.KeyValue:
			k := strings.Join(parts, ".")
			if prefix != "" {
				k = prefix + "." + k
			}
			lines[k] = line
			indexValue(&p, e.Value(), k, lines)
		}
	}
	return lines
}

func keyParts(p *unstable.Parser, e *unstable.Node) ([]string, int) {
	var parts []string
	line := 0
	it := e.Key()
	for it.Next() {
		n := it.Node()
		if line == 0 {
			line = p.Shape(n.Raw).Start.Line
		}
		parts = append(parts, string(n.Data))
	}
	return parts, line
}

func indexValue(p *unstable.Parser, v *unstable.Node, k string, lines map[string]int) {
	if v == nil {
		return
	}
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			c := it.Node()
			parts, line := keyParts(p, c)
			ck := k + "." + strings.Join(parts, ".")
			lines[ck] = line
			indexValue(p, c.Value(), ck, lines)
		}
	case unstable.Array:
		it := v.Children()
		i := 0
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.InlineTable {
				ek := k + "[" + strconv.Itoa(i) + "]"
				if _, ok := lines[ek]; !ok {
					lines[ek] = lines[k]
				}
				indexValue(p, c, ek, lines)
			}
			i++
		}
	}
}
