package rpm

import (
	"fmt"

	"github.com/slipway-build/slipway/rpmmeta"
)

// Script is one scriptlet or trigger script of a package, as the header
// stores it.
type Script struct {
	// Kind is the scriptlet as a spec file names it: "%pretrans", "%pre",
	// "%post", "%preun", "%postun", "%posttrans", "%preuntrans",
	// "%postuntrans", "%verifyscript", "%triggerprein", "%triggerin",
	// "%triggerun", "%triggerpostun", "%filetriggerin",
	// "%filetriggerun", "%filetriggerpostun", "%transfiletriggerin",
	// "%transfiletriggerun", "%transfiletriggerpostun".
	Kind string
	// Prog is the interpreter and its arguments ("/bin/sh", "<lua>",
	// "/sbin/ldconfig"); empty when the header names none.
	Prog []string
	// Body is the script text (empty for "-p PROGRAM" without a body).
	Body string
	// Triggers are, for a trigger, the package names (or, for file
	// triggers, path prefixes) it fires on.
	Triggers []string
	// Conds are, for a (name) trigger, its conditions as the spec gives
	// them ("NAME [OP VERSION]"), one per Triggers entry: the version a
	// triggering package must match.
	Conds []rpmmeta.Dep
}

// Scriptlet and trigger tags (rpmtag.h).
const (
	TagPreTrans           Tag = 1151
	TagPostTrans          Tag = 1152
	TagPreTransProg       Tag = 1153
	TagPostTransProg      Tag = 1154
	TagVerifyScript       Tag = 1079
	TagVerifyScriptProg   Tag = 1091
	TagPreUnTrans         Tag = 5100
	TagPostUnTrans        Tag = 5101
	TagPreUnTransProg     Tag = 5102
	TagPostUnTransProg    Tag = 5103
	TagTriggerScripts     Tag = 1065
	TagTriggerName        Tag = 1066
	TagTriggerVersion     Tag = 1067
	TagTriggerFlags       Tag = 1068
	TagTriggerIndex       Tag = 1069
	TagTriggerScriptProg  Tag = 1092
	TagFileTriggerScripts Tag = 5066
	TagFileTriggerProg    Tag = 5067
	TagFileTriggerName    Tag = 5069
	TagFileTriggerIndex   Tag = 5070
	TagFileTriggerFlags   Tag = 5072
	TagTransFTScripts     Tag = 5076
	TagTransFTProg        Tag = 5077
	TagTransFTName        Tag = 5079
	TagTransFTIndex       Tag = 5080
	TagTransFTFlags       Tag = 5082
)

// Trigger sense bits (rpmds.h RPMSENSE_TRIGGER*).
const (
	senseTriggerIn     = 1 << 16
	senseTriggerUn     = 1 << 17
	senseTriggerPostUn = 1 << 18
	senseTriggerPreIn  = 1 << 25
)

// Scripts lists the scriptlets and triggers of the package in rpm's
// order: the package scriptlets, then triggers, file triggers and
// transaction file triggers in header order.
func (p *Package) Scripts() ([]Script, error) {
	h := p.Header
	var out []Script
	for _, s := range []struct {
		kind       string
		body, prog Tag
	}{
		{"%pretrans", TagPreTrans, TagPreTransProg},
		{"%pre", TagPreIn, TagPreInProg},
		{"%post", TagPostIn, TagPostInProg},
		{"%posttrans", TagPostTrans, TagPostTransProg},
		{"%preuntrans", TagPreUnTrans, TagPreUnTransProg},
		{"%preun", TagPreUn, TagPreUnProg},
		{"%postun", TagPostUn, TagPostUnProg},
		{"%postuntrans", TagPostUnTrans, TagPostUnTransProg},
		{"%verifyscript", TagVerifyScript, TagVerifyScriptProg},
	} {
		if !h.Has(s.body) && !h.Has(s.prog) {
			continue
		}
		prog, err := h.Strings(s.prog)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.kind, err)
		}
		body, err := h.Strings(s.body)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", s.kind, err)
		}
		sc := Script{Kind: s.kind, Prog: prog}
		if len(body) > 0 {
			sc.Body = body[0]
		}
		out = append(out, sc)
	}
	for _, t := range []struct {
		prefix                           string
		scripts, prog, name, index, flag Tag
	}{
		{"%trigger", TagTriggerScripts, TagTriggerScriptProg, TagTriggerName, TagTriggerIndex, TagTriggerFlags},
		{"%filetrigger", TagFileTriggerScripts, TagFileTriggerProg, TagFileTriggerName, TagFileTriggerIndex, TagFileTriggerFlags},
		{"%transfiletrigger", TagTransFTScripts, TagTransFTProg, TagTransFTName, TagTransFTIndex, TagTransFTFlags},
	} {
		scripts, err := h.Strings(t.scripts)
		if err != nil {
			return nil, fmt.Errorf("reading %s scripts: %w", t.prefix, err)
		}
		if len(scripts) == 0 {
			continue
		}
		progs, err := h.Strings(t.prog)
		if err != nil {
			return nil, fmt.Errorf("reading %s programs: %w", t.prefix, err)
		}
		names, err := h.Strings(t.name)
		if err != nil {
			return nil, fmt.Errorf("reading %s names: %w", t.prefix, err)
		}
		index, err := h.Ints(t.index)
		if err != nil {
			return nil, fmt.Errorf("reading %s indexes: %w", t.prefix, err)
		}
		flags, err := h.Ints(t.flag)
		if err != nil {
			return nil, fmt.Errorf("reading %s flags: %w", t.prefix, err)
		}
		if len(index) != len(names) || len(flags) != len(names) {
			return nil, formatErr("header", "%s: %d names, %d indexes, %d flags", t.prefix, len(names), len(index), len(flags))
		}
		var versions []string
		if t.prefix == "%trigger" {
			if versions, err = h.Strings(TagTriggerVersion); err != nil {
				return nil, fmt.Errorf("reading %s versions: %w", t.prefix, err)
			}
			if len(versions) != 0 && len(versions) != len(names) {
				return nil, formatErr("header", "%s: %d names, %d versions", t.prefix, len(names), len(versions))
			}
		}
		for i, body := range scripts {
			sc := Script{Kind: t.prefix + "in", Body: body}
			if i < len(progs) && progs[i] != "" {
				sc.Prog = []string{progs[i]}
			}
			found := false
			for j, ix := range index {
				if int(ix) != i {
					continue
				}
				if !found {
					sc.Kind = t.prefix + triggerSuffix(flags[j])
					found = true
				}
				sc.Triggers = append(sc.Triggers, names[j])
				if t.prefix == "%trigger" {
					d := rpmmeta.Dep{Name: names[j], Flags: rpmmeta.Sense(flags[j]) & rpmmeta.SenseCompareMask}
					if len(versions) > 0 {
						d.Version = versions[j]
					}
					sc.Conds = append(sc.Conds, d)
				}
			}
			out = append(out, sc)
		}
	}
	return out, nil
}

func triggerSuffix(flags uint64) string {
	switch {
	case flags&senseTriggerPreIn != 0:
		return "prein"
	case flags&senseTriggerUn != 0:
		return "un"
	case flags&senseTriggerPostUn != 0:
		return "postun"
	}
	return "in"
}
