package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// merged is the extends chain folded into one wire value, with the origin
// of every key that was set.
type merged struct {
	top     string
	files   []string // the chain's files, the loaded one first
	img     wireImage
	repos   []layerRepo
	pkgs    wirePackages
	layers  wireLayers
	install []string
	remove  []string
	policy  wirePolicy
	deny    []string
	oci     wireOCI
	env     map[string]string
	labels  map[string]string
	annots  map[string]string
	groups  []mergedAccount[wireGroup]
	users   []mergedAccount[wireUser]
	origins map[string]Pos
	errs    []error
}

type mergedAccount[T any] struct {
	name string
	w    T
}

// merge folds layers (the loaded file first, its bases after) into one
// value: bases first, each overlay on top.
func merge(layers []*layer) *merged {
	m := &merged{
		top:     layers[0].file,
		env:     map[string]string{},
		labels:  map[string]string{},
		annots:  map[string]string{},
		origins: map[string]Pos{},
	}
	for _, ly := range layers {
		m.files = append(m.files, ly.file)
	}
	for i := len(layers) - 1; i >= 0; i-- {
		m.apply(layers[i])
	}
	return m
}

func setPtr[T any](m *merged, ly *layer, dst **T, src *T, key string) {
	if src == nil {
		return
	}
	v := *src
	*dst = &v
	m.origins[key] = ly.pos(key)
}

func setList(m *merged, ly *layer, dst **[]string, src *[]string, key string) {
	if src == nil {
		return
	}
	v := slices.Clone(*src)
	if v == nil {
		v = []string{}
	}
	*dst = &v
	m.origins[key] = ly.pos(key)
}

// addList adds src's values missing from dst, for the lists that add up
// along the extends chain (an overlay cannot take back what its base
// lists), recording where the list and each value came from.
func addList(m *merged, ly *layer, dst *[]string, src *[]string, key string) {
	if src == nil {
		return
	}
	m.origins[key] = ly.pos(key)
	for _, v := range *src {
		if slices.Contains(*dst, v) {
			continue
		}
		*dst = append(*dst, v)
		m.origins[key+"["+v+"]"] = ly.pos(key)
	}
}

func (m *merged) apply(ly *layer) {
	w := ly.w
	if im := w.Image; im != nil {
		setPtr(m, ly, &m.img.Name, im.Name, "image.name")
		setList(m, ly, &m.img.Architectures, im.Architectures, "image.architectures")
		setPtr(m, ly, &m.img.Releasever, im.Releasever, "image.releasever")
		setPtr(m, ly, &m.img.OSVersion, im.OSVersion, "image.os_version")
		setPtr(m, ly, &m.img.RPMDB, im.RPMDB, "image.rpmdb")
		setPtr(m, ly, &m.img.MachineID, im.MachineID, "image.machine_id")
		setPtr(m, ly, &m.img.Base, im.Base, "image.base")
		setPtr(m, ly, &m.img.BaseVerifyKey, im.BaseVerifyKey, "image.base_verify_key")
		setPtr(m, ly, &m.img.BaseVerifyIdentity, im.BaseVerifyIdentity, "image.base_verify_identity")
		setPtr(m, ly, &m.img.BaseVerifyIdentityRegexp, im.BaseVerifyIdentityRegexp, "image.base_verify_identity_regexp")
		setPtr(m, ly, &m.img.BaseVerifyOIDCIssuer, im.BaseVerifyOIDCIssuer, "image.base_verify_oidc_issuer")
		setPtr(m, ly, &m.img.BaseVerifyOIDCIssuerRegexp, im.BaseVerifyOIDCIssuerRegexp, "image.base_verify_oidc_issuer_regexp")
		setPtr(m, ly, &m.img.BaseVerifyCARoots, im.BaseVerifyCARoots, "image.base_verify_ca_roots")
		setPtr(m, ly, &m.img.BaseVerifyRekorKey, im.BaseVerifyRekorKey, "image.base_verify_rekor_key")
		setPtr(m, ly, &m.img.MTime, im.MTime, "image.mtime")
	}
	for _, r := range ly.repos {
		id := *r.w.ID
		m.origins[keyRepo(id, "")] = Pos{File: r.file, Line: r.header}
		for k := range r.lines {
			m.origins[keyRepo(id, k)] = Pos{File: r.file, Line: r.lines[k]}
		}
		if i := slices.IndexFunc(m.repos, func(b layerRepo) bool { return *b.w.ID == id }); i >= 0 {
			// Replace the whole entry: drop the base entry's key origins.
			for k := range m.repos[i].lines {
				if _, ok := r.lines[k]; !ok {
					delete(m.origins, keyRepo(id, k))
				}
			}
			m.repos[i] = r
		} else {
			m.repos = append(m.repos, r)
		}
	}
	if p := w.Packages; p != nil {
		addList(m, ly, &m.install, p.Install, "packages.install")
		setList(m, ly, &m.pkgs.Exclude, p.Exclude, "packages.exclude")
		setList(m, ly, &m.pkgs.AllowUnsatisfied, p.AllowUnsatisfied, "packages.allow_unsatisfied")
		setPtr(m, ly, &m.pkgs.WeakDeps, p.WeakDeps, "packages.weak_deps")
		setPtr(m, ly, &m.pkgs.Docs, p.Docs, "packages.docs")
		setPtr(m, ly, &m.pkgs.Licenses, p.Licenses, "packages.licenses")
		setPtr(m, ly, &m.pkgs.Scriptlets, p.Scriptlets, "packages.scriptlets")
		if p.UpgradeBase != nil {
			m.pkgs.UpgradeBase = p.UpgradeBase
			m.origins["packages.upgrade_base"] = ly.pos("packages.upgrade_base")
		}
	}
	if c := w.Config; c != nil {
		setList(m, ly, &m.oci.Entrypoint, c.Entrypoint, "config.entrypoint")
		setList(m, ly, &m.oci.Cmd, c.Cmd, "config.cmd")
		setPtr(m, ly, &m.oci.WorkDir, c.WorkDir, "config.workdir")
		setPtr(m, ly, &m.oci.User, c.User, "config.user")
		mergeMap(m, ly, m.env, c.Env, "config.env")
		mergeMap(m, ly, m.labels, c.Labels, "config.labels")
		mergeMap(m, ly, m.annots, c.Annotations, "config.annotations")
	}
	if a := w.Accounts; a != nil {
		for i, g := range a.Group {
			prefix := fmt.Sprintf("accounts.group[%d]", i)
			if g.Name == nil {
				m.errs = append(m.errs, errAt(ly.pos(prefix), prefix+".name", "required key is missing"))
				continue
			}
			m.groups = mergeAccount(m, ly, m.groups, *g.Name, g, "group", prefix)
		}
		for i, u := range a.User {
			prefix := fmt.Sprintf("accounts.user[%d]", i)
			if u.Name == nil {
				m.errs = append(m.errs, errAt(ly.pos(prefix), prefix+".name", "required key is missing"))
				continue
			}
			m.users = mergeAccount(m, ly, m.users, *u.Name, u, "user", prefix)
		}
	}
	if l := w.Layers; l != nil {
		setPtr(m, ly, &m.layers.Strategy, l.Strategy, "layers.strategy")
		setPtr(m, ly, &m.layers.Max, l.Max, "layers.max")
	}
	if p := w.Policy; p != nil {
		// deny lists add up along the chain, as install does: an overlay
		// cannot lift what its base denies.
		addList(m, ly, &m.deny, p.Deny, "policy.deny")
		setPtr(m, ly, &m.policy.MaxSize, p.MaxSize, "policy.max_size")
		setPtr(m, ly, &m.policy.MaxCompressedSize, p.MaxCompressedSize, "policy.max_compressed_size")
		setPtr(m, ly, &m.policy.MaxPackages, p.MaxPackages, "policy.max_packages")
		setPtr(m, ly, &m.policy.RequireGPGCheck, p.RequireGPGCheck, "policy.require_gpgcheck")
		setPtr(m, ly, &m.policy.Baseline, p.Baseline, "policy.baseline")
		setPtr(m, ly, &m.policy.AllowNew, p.AllowNew, "policy.allow_new")
	}
	if p := w.Paths; p != nil {
		addList(m, ly, &m.remove, p.Remove, "paths.remove")
	}
}

func mergeMap(m *merged, ly *layer, dst, src map[string]string, key string) {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		dst[k] = src[k]
		p := ly.pos(key + "." + k)
		if p.Line == 0 {
			p = ly.pos(key)
		}
		m.origins[key+"."+k] = p
	}
}

func mergeAccount[T any](m *merged, ly *layer, list []mergedAccount[T], name string, w T, kind, prefix string) []mergedAccount[T] {
	key := keyAccount(kind, name, "")
	maps.DeleteFunc(m.origins, func(k string, _ Pos) bool { return strings.HasPrefix(k, key+".") })
	for k, v := range ly.lines {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok {
			m.origins[key+"."+rest] = Pos{File: ly.file, Line: v}
		}
	}
	m.origins[key] = ly.pos(prefix)
	for i := range list {
		if list[i].name == name {
			list[i].w = w
			return list
		}
	}
	return append(list, mergedAccount[T]{name: name, w: w})
}
