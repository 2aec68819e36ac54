package rpmdb

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/slipway-build/slipway/layers/rpm"
	"github.com/slipway-build/slipway/rpmmeta"
)

// An index is one of rpm's secondary index tables.
type index struct {
	name    string
	tag     rpm.Tag
	blobKey bool // key column is BLOB (integer and binary tags), else TEXT
	keyIdx  bool // has a '<name>_key_idx' index
	hnumIdx bool // has a '<name>_hnum_idx' index
}

// indexes are rpm 4.18's dbiTags, in its order (which is also the order of
// the schema it creates).
var indexes = []index{
	{"Name", rpm.TagName, false, true, false},
	{"Basenames", rpm.TagBasenames, false, true, true},
	{"Group", rpm.TagGroup, false, true, false},
	{"Requirename", rpm.TagRequireName, false, true, true},
	{"Providename", rpm.TagProvideName, false, true, true},
	{"Conflictname", rpm.TagConflictName, false, true, true},
	{"Obsoletename", rpm.TagObsoleteName, false, true, true},
	{"Triggername", tagTriggerName, false, true, true},
	{"Dirnames", rpm.TagDirnames, false, true, true},
	{"Installtid", tagInstallTID, true, false, false},
	{"Sigmd5", tagSigMD5, true, false, false},
	{"Sha1header", tagSHA1Header, false, true, false},
	{"Filetriggername", tagFileTrigName, false, true, true},
	{"Transfiletriggername", tagTransFTrigName, false, true, true},
	{"Recommendname", rpm.TagRecommendName, false, true, true},
	{"Suggestname", rpm.TagSuggestName, false, true, true},
	{"Supplementname", rpm.TagSupplementName, false, true, true},
	{"Enhancename", rpm.TagEnhanceName, false, true, true},
}

// Row is one row of an index table: the key, the package's header number and
// the position of the key in the tag's array.
type Row struct {
	Key  string // for BLOB tables, the raw bytes
	Hnum int64
	Idx  uint32
}

// Install-only requirement flags: rpm does not index these requires
// (rpmds.h _INSTALL_ONLY_MASK and _ERASE_ONLY_MASK, both without PREREQ).
const (
	installOnly = rpmmeta.SenseScriptPre | rpmmeta.SenseScriptPost | rpmmeta.SenseRpmlib |
		rpmmeta.SenseKeyring | rpmmeta.SensePretrans | rpmmeta.SensePosttrans
	eraseOnly = rpmmeta.SenseScriptPreun | rpmmeta.SenseScriptPostun
)

// indexRows computes the rows rpm 4.18's tag2index adds to table ix for the
// installed header h stored as hnum.
func indexRows(ix index, h *rpm.Header, hnum int64) ([]Row, error) {
	e, ok := h.Entry(ix.tag)
	if !ok || e.Count == 0 {
		if ix.tag != rpm.TagGroup {
			return nil, nil
		}
		return []Row{{Key: "Unknown", Hnum: hnum}}, nil
	}
	v := e.Data
	var keys []string
	var err error
	switch e.Type {
	case rpm.TypeString, rpm.TypeI18NString:
		keys = []string{h.String(ix.tag)}
	case rpm.TypeStringArray:
		if keys, err = h.Strings(ix.tag); err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.name, err)
		}
	case rpm.TypeBin:
		keys = []string{string(v)}
	case rpm.TypeInt32:
		// Integer keys are stored in host (little-endian) order.
		keys = make([]string, e.Count)
		for i := range keys {
			keys[i] = string(binary.LittleEndian.AppendUint32(nil, binary.BigEndian.Uint32(v[4*i:])))
		}
	case rpm.TypeChar, rpm.TypeInt8:
		keys = make([]string, e.Count)
		for i := range keys {
			keys[i] = string(v[i : i+1])
		}
	case rpm.TypeInt16:
		keys = make([]string, e.Count)
		for i := range keys {
			keys[i] = string(binary.LittleEndian.AppendUint16(nil, binary.BigEndian.Uint16(v[2*i:])))
		}
	case rpm.TypeInt64:
		keys = make([]string, e.Count)
		for i := range keys {
			keys[i] = string(binary.LittleEndian.AppendUint64(nil, binary.BigEndian.Uint64(v[8*i:])))
		}
	default:
		return nil, nil
	}

	var flags, trig []uint32
	switch ix.tag {
	case rpm.TagRequireName:
		if flags, err = uint32s(h, rpm.TagRequireFlags); err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.name, err)
		}
	case tagFileTrigName:
		if trig, err = uint32s(h, tagFileTrigIndex); err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.name, err)
		}
	case tagTransFTrigName:
		if trig, err = uint32s(h, tagTransFTrigIndex); err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.name, err)
		}
	}

	var rows []Row
	for i, key := range keys {
		idx := uint32(i)
		switch ix.tag {
		case tagFileTrigName, tagTransFTrigName:
			if i >= len(trig) {
				return nil, fmt.Errorf("index %s: %d names but %d trigger indexes", ix.name, len(keys), len(trig))
			}
			idx = trig[i]
		case rpm.TagRequireName:
			if i < len(flags) {
				f := rpmmeta.Sense(flags[i])
				if f&installOnly != 0 && f&eraseOnly == 0 {
					continue
				}
			}
		case tagTriggerName:
			if slices.Contains(keys[:i], key) {
				continue
			}
		}
		rows = append(rows, Row{Key: key, Hnum: hnum, Idx: idx})
		if e.Type == rpm.TypeStringArray && strings.HasPrefix(key, "(") {
			switch ix.tag {
			case rpm.TagRequireName, rpm.TagConflictName, rpm.TagSuggestName,
				rpm.TagSupplementName, rpm.TagRecommendName, rpm.TagEnhanceName:
				for _, n := range richIndexNames(key) {
					rows = append(rows, Row{Key: n, Hnum: hnum, Idx: idx})
				}
			}
		}
	}
	return rows, nil
}

// uint32s returns an INT32 tag's values, nil when absent.
func uint32s(h *rpm.Header, tag rpm.Tag) ([]uint32, error) {
	v, ok := h.Value(tag)
	if !ok {
		return nil, nil
	}
	if v.Type != rpm.TypeInt32 {
		return nil, fmt.Errorf("tag %d has type %d, want INT32", tag, v.Type)
	}
	return v.Value.([]uint32), nil
}

// richIndexNames returns the extra keys rpm 4.18's updateRichDep indexes for
// a rich dependency: every simple name in it except rpmlib(...) ones, those
// in the condition of an if/unless prefixed with '!' (and, after an else,
// also unprefixed), sorted bytewise with the prefix and without duplicates.
// A string rpm cannot parse (rpmmeta.ParseRich with RichHeader) gives no names.
func richIndexNames(s string) []string {
	r, _, err := rpmmeta.ParseRich(s, rpmmeta.RichHeader)
	if err != nil {
		return nil
	}
	var names []string
	// walk appends r's names with the prefix state neg and returns the
	// state after it: rpm keeps one flag, flipped by if/unless and else
	// and flipped back when an if/unless group without else ends, so a
	// group "(a else b)" leaves it flipped for what follows.
	var walk func(r *rpmmeta.RichDep, neg bool) bool
	walk = func(r *rpmmeta.RichDep, neg bool) bool {
		switch r.Op {
		case rpmmeta.RichLeaf:
			if n := r.Dep.Name; !(len(n) > 7 && strings.HasPrefix(n, "rpmlib(")) {
				prefix := " "
				if neg {
					prefix = "!"
				}
				names = append(names, prefix+n)
			}
			return neg
		case rpmmeta.RichIf, rpmmeta.RichUnless:
			cond := !walk(r.Args[0], neg)
			neg = !walk(r.Args[1], cond)
			if len(r.Args) == 3 {
				// An else indexes the condition's names again, flipped.
				walk(r.Args[1], !cond)
				return walk(r.Args[2], neg)
			}
			return neg
		case rpmmeta.RichElse:
			// "(a else b)": the else flips the names before it.
			after := walk(r.Args[0], neg)
			walk(r.Args[0], !neg)
			return walk(r.Args[1], !after)
		default:
			for _, a := range r.Args {
				neg = walk(a, neg)
			}
			return neg
		}
	}
	walk(r, false)
	slices.Sort(names)
	names = slices.Compact(names)
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, " ")
	}
	return names
}
