package rpmdb

import (
	"fmt"
	"slices"

	"github.com/slipway-build/slipway/layers/rpm"
)

// Tags rpm adds to a header when it installs it (rpmtag.h).
const (
	tagSigSize         rpm.Tag = 257
	tagSigPGP          rpm.Tag = 259
	tagSigMD5          rpm.Tag = 261
	tagSigGPG          rpm.Tag = 262
	tagSigPGP5         rpm.Tag = 263
	tagSHA1Header      rpm.Tag = 269
	tagInstallTime     rpm.Tag = 1008
	tagInstPrefixes    rpm.Tag = 1099
	tagInstallColor    rpm.Tag = 1127
	tagInstallTID      rpm.Tag = 1128
	tagFileSignatures  rpm.Tag = 5090
	tagFileSigLength   rpm.Tag = 5091
	tagSourcePackage   rpm.Tag = 1106
	tagTriggerName     rpm.Tag = 1066
	tagFileTrigName    rpm.Tag = 5069
	tagFileTrigIndex   rpm.Tag = 5070
	tagTransFTrigName  rpm.Tag = 5079
	tagTransFTrigIndex rpm.Tag = 5080

	sigTagFileSigLength rpm.Tag = 275

	headerSigBase = 256  // HEADER_SIGBASE
	headerTagBase = 1000 // HEADER_TAGBASE
)

// checkRegion checks that h starts with an immutable region covering
// every entry, its trailer ending the data store.
func checkRegion(h *rpm.Header) error {
	tag, n := h.Region()
	entries := h.Entries()
	if tag != rpm.TagHeaderImmutable {
		return fmt.Errorf("no immutable region (first tag %d): legacy (v3) headers are not supported", entries[0].Tag)
	}
	if off := entries[0].Offset; int(off)+16 != h.DataLen() {
		return fmt.Errorf("immutable region trailer at %d does not end the data store (%d bytes): the header carries entries outside its region", off, h.DataLen())
	}
	if n != len(entries) {
		return fmt.Errorf("immutable region covers %d of %d entries", n, len(entries))
	}
	return nil
}

// legacySigTags is rpm 4.18's headerMergeLegacySigs: the signature tags it
// renames when it copies them into the main header. Every other signature
// tag in [HEADER_SIGBASE, HEADER_TAGBASE) is copied as it is; the rest
// (RESERVEDSPACE, LEMD5...) is dropped.
var legacySigTags = map[rpm.Tag]rpm.Tag{
	rpm.SigTagSize:           tagSigSize,
	rpm.SigTagPGP:            tagSigPGP,
	rpm.SigTagMD5:            tagSigMD5,
	rpm.SigTagGPG:            tagSigGPG,
	rpm.SigTagPGP5:           tagSigPGP5,
	rpm.SigTagPayloadSize:    rpm.TagArchiveSize,
	rpm.SigTagFileSignatures: tagFileSignatures,
	sigTagFileSigLength:      tagFileSigLength,
}

// sigEntries returns the signature header entries rpm merges into the main
// header when it reads a package, renamed to their main header tags.
func sigEntries(sig, main *rpm.Header) []rpm.HeaderEntry {
	var out []rpm.HeaderEntry
	for _, e := range sig.Entries() {
		tag := e.Tag
		if to, ok := legacySigTags[tag]; ok {
			tag = to
		} else if tag < headerSigBase || tag >= headerTagBase {
			continue
		}
		if main.Has(tag) || slices.ContainsFunc(out, func(o rpm.HeaderEntry) bool { return o.Tag == tag }) {
			continue
		}
		switch e.Type {
		case rpm.TypeNull, rpm.TypeI18NString:
			continue
		case rpm.TypeChar, rpm.TypeInt8, rpm.TypeInt16, rpm.TypeInt32, rpm.TypeInt64:
			if e.Count != 1 {
				continue
			}
		case rpm.TypeString, rpm.TypeStringArray, rpm.TypeBin:
			if e.Count >= 16*1024 {
				continue
			}
		default:
			continue
		}
		v, _ := sig.Value(e.Tag)
		v.Tag = tag
		out = append(out, v)
	}
	return out
}

// fileStateNotInstalled is rpm's RPMFILE_STATE_NOTINSTALLED: a file the
// transaction skipped (--excludedocs, --nodocs), which rpm -V passes over.
const fileStateNotInstalled = 2

// installedHeaderStates returns the header blob rpm 4.18 stores in its
// database for a package installed from a file with the given signature
// header (nil if none) and main header: the immutable region unchanged,
// followed by the signature tags rpm merges in and the install-time tags.
// tid is the transaction id, which may differ from the install time (rpm
// takes the id when the transaction starts and the time when it installs
// each package); notInstalled holds the indexes of files that were not
// installed.
func installedHeaderStates(sig, main *rpm.Header, installTime, tid int64, color uint32, notInstalled []int) ([]byte, error) {
	if err := checkRegion(main); err != nil {
		return nil, fmt.Errorf("main header: %w", err)
	}
	if !main.Has(rpm.TagSourceRPM) || main.Has(tagSourcePackage) {
		return nil, fmt.Errorf("main header: a source package cannot be installed")
	}
	if main.Has(rpm.TagOldFilenames) {
		return nil, fmt.Errorf("main header: uncompressed file list (OLDFILENAMES) is not supported")
	}
	for _, t := range []rpm.Tag{tagInstallTime, tagInstallTID, tagInstallColor, rpm.TagFileStates, tagInstPrefixes} {
		if main.Has(t) {
			return nil, fmt.Errorf("main header: already carries install-time tag %d", t)
		}
	}
	var add []rpm.HeaderEntry
	if sig != nil {
		add = sigEntries(sig, main)
	}
	for _, v := range []int64{installTime, tid} {
		if v < 0 || v > 0xffffffff {
			return nil, fmt.Errorf("install time %d does not fit rpm's 32-bit time", v)
		}
	}
	add = append(add,
		rpm.HeaderEntry{Tag: tagInstallTime, Type: rpm.TypeInt32, Value: []uint32{uint32(installTime)}},
		rpm.HeaderEntry{Tag: tagInstallColor, Type: rpm.TypeInt32, Value: []uint32{color}},
		rpm.HeaderEntry{Tag: tagInstallTID, Type: rpm.TypeInt32, Value: []uint32{uint32(tid)}},
	)
	// rpmfsNew: one state a file, all RPMFILE_STATE_NORMAL (0).
	if _, n, ok := main.Type(rpm.TagBasenames); ok && n > 0 {
		states := make([]byte, n)
		for _, i := range notInstalled {
			if i < 0 || i >= len(states) {
				return nil, fmt.Errorf("file index %d out of range (%d files)", i, len(states))
			}
			states[i] = fileStateNotInstalled
		}
		add = append(add, rpm.HeaderEntry{Tag: rpm.TagFileStates, Type: rpm.TypeChar, Value: states})
	}
	// addPrefixes: a relocatable package installed without relocations
	// records its prefixes as INSTPREFIXES.
	if v, ok := main.Value(rpm.TagPrefixes); ok {
		v.Tag = tagInstPrefixes
		add = append(add, v)
	}
	out, err := main.Append(add)
	if err != nil {
		return nil, fmt.Errorf("installed header: %w", err)
	}
	// What we store must read back as rpm reads it: a main header that
	// parses here but not as a whole (found by FuzzInstalledHeader) is
	// refused rather than written into the database.
	if _, err := rpm.ParseHeader(out); err != nil {
		return nil, fmt.Errorf("main header: the installed header would not parse: %w", err)
	}
	return out, nil
}
