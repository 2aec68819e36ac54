package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/spf13/pflag"

	"github.com/slipway-build/slipway/builder"
	"github.com/slipway-build/slipway/internal/localfile"
	"github.com/slipway-build/slipway/rpmmeta"
)

// queryList is a dependency query flag. rpm's query flags are query-format
// aliases that concatenate in command-line order; so do ours.
type queryList struct {
	order *[]builder.RPMDepKind
	kind  builder.RPMDepKind
	set   bool
}

func (q *queryList) String() string { return strconv.FormatBool(q.set) }
func (q *queryList) Type() string   { return "bool" }
func (q *queryList) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	if v {
		*q.order = append(*q.order, q.kind)
		q.set = true
	}
	return nil
}

type rpminfoOptions struct {
	queries []builder.RPMDepKind
	dump    bool
	json    bool
	verify  bool
	keys    []string
}

// rpminfoCommands are the commands defined in rpminfo.go.
func rpminfoCommands() []*command {
	return []*command{
		{
			Name:    "rpminfo",
			Summary: "print what an RPM file holds, as rpm -qp does",
			Usage:   "rpminfo [--requires|--provides|...|--dump|--json] [--verify] [--key FILE]... FILE...",
			Long: `Without a flag, prints name-version-release.arch of each FILE. The
dependency flags (--requires, --provides, --conflicts, --obsoletes,
--recommends, --suggests, --supplements, --enhances) and --dump print
exactly what 'rpm -qp' prints with the same flags; several flags
concatenate in the order given, and --dump's file list comes last.
--json prints one JSON document (an array, one object a FILE).

--verify reads each payload and checks every digest (header, payload,
each file). --key FILE (repeatable) also checks the OpenPGP signature
against those public keys and prints which key signed; an unsigned,
tampered or unknown-key package fails.`,
			Setup: func(fs *pflag.FlagSet) func(context.Context, *globals, []string) error {
				o := &rpminfoOptions{}
				for k := builder.RPMRequires; k <= builder.RPMEnhances; k++ {
					f := fs.VarPF(&queryList{order: &o.queries, kind: k}, k.String(), "", "list the package's "+k.String()+" as rpm -qp --"+k.String()+" does")
					f.NoOptDefVal = "true"
				}
				fs.BoolVar(&o.dump, "dump", false, "list files: path size mtime digest mode owner group isconfig isdoc rdev symlink")
				fs.BoolVar(&o.json, "json", false, "print the package metadata as JSON")
				fs.BoolVar(&o.verify, "verify", false, "read the payload and check every digest")
				fs.StringArrayVar(&o.keys, "key", nil, "armored OpenPGP public key `FILE` to check signatures against (repeatable)")
				return func(ctx context.Context, g *globals, args []string) error {
					return runRpminfo(ctx, g, o, args)
				}
			},
		},
	}
}

func runRpminfo(ctx context.Context, g *globals, o *rpminfoOptions, args []string) error {
	if len(args) == 0 {
		return usagef("rpminfo: no FILE given")
	}
	if o.json && (len(o.queries) > 0 || o.dump) {
		return usagef("rpminfo: --json cannot be combined with query flags")
	}
	var keyring openpgp.EntityList
	for _, k := range o.keys {
		data, err := localfile.ReadFile(k, "key", localfile.KeyLimit)
		if err != nil {
			return err
		}
		el, err := builder.ReadRPMKeyRing(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("reading key %s: %w", k, err)
		}
		keyring = append(keyring, el...)
	}
	// The decompressors' windows (8 MiB for zstd -19) are kept for every
	// FILE, and what each package leaves behind is small: at the default
	// GOGC the first window alone sets off a collection that frees
	// nothing, in every process of a per-file loop. A GOGC the user sets
	// wins.
	defer relaxGC(g, 400)()
	out := bufio.NewWriter(g.Stdout)
	defer out.Flush()
	var docs []*pkgJSON
	var dec builder.RPMDecoders // one set of decompressors for every FILE
	defer dec.Close()
	failed := 0
	for _, name := range args {
		if err := ctx.Err(); err != nil {
			return err
		}
		doc, err := rpminfoOne(out, name, o, keyring, &dec)
		if err != nil {
			out.Flush()
			fmt.Fprintf(g.Stderr, "slipway: %s: %v\n", name, err)
			failed++
			continue
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if docs == nil {
			docs = []*pkgJSON{}
		}
		if err := enc.Encode(docs); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}

func rpminfoOne(out *bufio.Writer, name string, o *rpminfoOptions, keyring openpgp.EntityList, dec *builder.RPMDecoders) (*pkgJSON, error) {
	f, _, err := localfile.Open(name, "")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Unbuffered: the headers take a few reads, and the payload reader
	// reads large chunks of its own, straight from the file.
	p, err := builder.OpenRPM(f)
	if err != nil {
		return nil, err
	}
	files, err := p.Files()
	if err != nil {
		return nil, err
	}
	deps := make([][]rpmmeta.Dep, builder.RPMEnhances+1)
	for k := range deps {
		if deps[k], err = p.Deps(builder.RPMDepKind(k)); err != nil {
			return nil, err
		}
	}
	// Check everything before printing anything about the package.
	var signer *builder.RPMSigner
	if len(o.keys) > 0 {
		signer, err = p.VerifySignature(keyring)
		if errors.Is(err, builder.ErrRPMUnsigned) && p.HasLegacySignature() {
			signer, err = verifyLegacy(name, keyring)
		}
		if err != nil {
			return nil, err
		}
	}
	if o.verify || len(o.keys) > 0 {
		if _, err := p.Verify(builder.WithRPMDecoders(dec)); err != nil {
			return nil, err
		}
	}
	if o.json {
		return newPkgJSON(p, files, deps, signer), nil
	}
	if signer != nil {
		fmt.Fprintf(out, "%s: %s signature, key ID %016x", name, signer.Algorithm, signer.KeyID)
		if signer.Identity != "" {
			fmt.Fprintf(out, " (%s)", signer.Identity)
		}
		fmt.Fprintf(out, ": OK\n")
	} else if o.verify {
		fmt.Fprintf(out, "%s: digests OK\n", name)
	}
	for _, k := range o.queries {
		for _, d := range deps[k] {
			out.WriteString(depNEVRS(d))
			out.WriteByte('\n')
		}
	}
	switch {
	case o.dump:
		writeDump(out, p, files)
	case len(o.queries) == 0 && !o.verify && len(o.keys) == 0:
		n := p.NEVRA()
		fmt.Fprintf(out, "%s-%s-%s.%s\n", n.Name, n.Version, n.Release, n.Arch)
	}
	return nil, nil
}

// verifyLegacy checks a header+payload signature, which takes a pass over
// the file of its own.
func verifyLegacy(name string, keyring openpgp.EntityList) (*builder.RPMSigner, error) {
	f, _, err := localfile.Open(name, "")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := builder.OpenRPM(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		return nil, err
	}
	return p.VerifyLegacySignature(keyring)
}

// depNEVRS renders a dependency as rpm's *NEVRS query tags do
// (rpmdsNewDNEVR): name, then the comparison, then the version, each
// separated by one space when present.
func depNEVRS(d rpmmeta.Dep) string {
	var b strings.Builder
	b.WriteString(d.Name)
	if d.Flags&rpmmeta.SenseCompareMask != 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if d.Flags&rpmmeta.SenseLess != 0 {
			b.WriteByte('<')
		}
		if d.Flags&rpmmeta.SenseGreater != 0 {
			b.WriteByte('>')
		}
		if d.Flags&rpmmeta.SenseEqual != 0 {
			b.WriteByte('=')
		}
	}
	if d.Version != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(d.Version)
	}
	return b.String()
}

// writeDump prints the file list as rpm -qp --dump does (lib/query.c).
func writeDump(out io.Writer, p *builder.RPMPackage, files []builder.RPMFile) {
	if len(files) == 0 {
		fmt.Fprintln(out, "(contains no files)")
		return
	}
	zero := strings.Repeat("0", 2*p.FileDigestAlgo().Hash().Size())
	for _, f := range files {
		digest := f.Digest
		if digest == "" {
			digest = zero
		}
		link := f.LinkTo
		if link == "" {
			link = "X"
		}
		fmt.Fprintf(out, "%s %d %d %s 0%o %s %s %s %s %d %s\n",
			f.Path, f.Size, int32(f.MTime), digest, uint16(f.Mode), f.User, f.Group,
			boolDigit(f.Flags&builder.RPMFileConfig != 0), boolDigit(f.Flags&builder.RPMFileDoc != 0),
			uint16(f.Rdev), link)
	}
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

type depJSON struct {
	Name    string `json:"name"`
	Op      string `json:"op,omitempty"`
	Version string `json:"version,omitempty"`
	Flags   uint32 `json:"flags"`
}

type fileJSON struct {
	Path   string   `json:"path"`
	Size   int64    `json:"size"`
	Mode   string   `json:"mode"`
	User   string   `json:"user"`
	Group  string   `json:"group"`
	MTime  int64    `json:"mtime"`
	Digest string   `json:"digest,omitempty"`
	LinkTo string   `json:"linkto,omitempty"`
	Flags  []string `json:"flags,omitempty"`
	Caps   string   `json:"caps,omitempty"`
	Lang   string   `json:"lang,omitempty"`
	Inode  uint32   `json:"inode"`
	Rdev   uint32   `json:"rdev,omitempty"`
}

type signerJSON struct {
	KeyID       string `json:"keyid"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Identity    string `json:"identity,omitempty"`
	Algorithm   string `json:"algorithm"`
}

type pkgJSON struct {
	Name              string               `json:"name"`
	Epoch             *uint32              `json:"epoch"`
	Version           string               `json:"version"`
	Release           string               `json:"release"`
	Arch              string               `json:"arch"`
	NEVRA             string               `json:"nevra"`
	Summary           string               `json:"summary,omitempty"`
	License           string               `json:"license,omitempty"`
	URL               string               `json:"url,omitempty"`
	Vendor            string               `json:"vendor,omitempty"`
	SourceRPM         string               `json:"sourcerpm,omitempty"`
	BuildTime         uint64               `json:"buildtime,omitempty"`
	BuildHost         string               `json:"buildhost,omitempty"`
	Size              uint64               `json:"size"`
	PayloadCompressor string               `json:"payload_compressor"`
	FileDigestAlgo    string               `json:"file_digest_algo"`
	Deps              map[string][]depJSON `json:"dependencies,omitempty"`
	Files             []fileJSON           `json:"files"`
	Signer            *signerJSON          `json:"signer,omitempty"`
}

var fileFlagNames = []struct {
	f    builder.RPMFileFlags
	name string
}{
	{builder.RPMFileConfig, "config"}, {builder.RPMFileDoc, "doc"}, {builder.RPMFileIcon, "icon"},
	{builder.RPMFileMissingOK, "missingok"}, {builder.RPMFileNoReplace, "noreplace"},
	{builder.RPMFileSpecfile, "specfile"}, {builder.RPMFileGhost, "ghost"}, {builder.RPMFileLicense, "license"},
	{builder.RPMFileReadme, "readme"}, {builder.RPMFilePubkey, "pubkey"}, {builder.RPMFileArtifact, "artifact"},
}

func newPkgJSON(p *builder.RPMPackage, files []builder.RPMFile, deps [][]rpmmeta.Dep, signer *builder.RPMSigner) *pkgJSON {
	h := p.Header
	n := p.NEVRA()
	doc := &pkgJSON{
		Name: n.Name, Version: n.Version, Release: n.Release, Arch: n.Arch, NEVRA: n.String(),
		Summary: h.String(builder.RPMTagSummary), License: h.String(builder.RPMTagLicense), URL: h.String(builder.RPMTagURL),
		Vendor: h.String(builder.RPMTagVendor), SourceRPM: h.String(builder.RPMTagSourceRPM), BuildHost: h.String(builder.RPMTagBuildHost),
		PayloadCompressor: p.Compressor(), FileDigestAlgo: p.FileDigestAlgo().String(),
		Files: make([]fileJSON, 0, len(files)),
	}
	if p.HasEpoch() {
		e := n.Epoch
		doc.Epoch = &e
	}
	doc.BuildTime, _ = h.Int(builder.RPMTagBuildTime)
	if s, ok := h.Int(builder.RPMTagLongSize); ok {
		doc.Size = s
	} else {
		doc.Size, _ = h.Int(builder.RPMTagSize)
	}
	for k, list := range deps {
		if len(list) == 0 {
			continue
		}
		if doc.Deps == nil {
			doc.Deps = map[string][]depJSON{}
		}
		js := make([]depJSON, len(list))
		for i, d := range list {
			js[i] = depJSON{Name: d.Name, Op: d.Op(), Version: d.Version, Flags: uint32(d.Flags)}
		}
		doc.Deps[builder.RPMDepKind(k).String()] = js
	}
	for _, f := range files {
		fj := fileJSON{Path: f.Path, Size: f.Size, Mode: fmt.Sprintf("0%o", f.Mode), User: f.User, Group: f.Group,
			MTime: f.MTime, Digest: f.Digest, LinkTo: f.LinkTo, Caps: f.Caps, Lang: f.Lang, Inode: f.Inode, Rdev: f.Rdev}
		for _, fl := range fileFlagNames {
			if f.Flags&fl.f != 0 {
				fj.Flags = append(fj.Flags, fl.name)
			}
		}
		doc.Files = append(doc.Files, fj)
	}
	if signer != nil {
		doc.Signer = &signerJSON{KeyID: fmt.Sprintf("%016x", signer.KeyID), Fingerprint: fmt.Sprintf("%x", signer.Fingerprint),
			Identity: signer.Identity, Algorithm: signer.Algorithm}
	}
	return doc
}
