package builder

import (
	"io"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/slipway-build/slipway/layers/rpm"
)

// The RPM reader 'slipway rpminfo' prints from (layers/rpm), named here
// so that cmd imports builder and not the layers below it. Thin aliases
// and wrappers: the behaviour is layers/rpm's.

// RPM types.
type (
	RPMDecoders  = rpm.Decoders
	RPMDepKind   = rpm.DepKind
	RPMFile      = rpm.File
	RPMFileFlags = rpm.FileFlags
	RPMPackage   = rpm.Package
	RPMSigner    = rpm.Signer
)

// RPM dependency kinds, file flags and header tags.
const (
	RPMEnhances      = rpm.Enhances
	RPMRequires      = rpm.Requires
	RPMFileArtifact  = rpm.FileArtifact
	RPMFileConfig    = rpm.FileConfig
	RPMFileDoc       = rpm.FileDoc
	RPMFileGhost     = rpm.FileGhost
	RPMFileIcon      = rpm.FileIcon
	RPMFileLicense   = rpm.FileLicense
	RPMFileMissingOK = rpm.FileMissingOK
	RPMFileNoReplace = rpm.FileNoReplace
	RPMFilePubkey    = rpm.FilePubkey
	RPMFileReadme    = rpm.FileReadme
	RPMFileSpecfile  = rpm.FileSpecfile
	RPMTagBuildHost  = rpm.TagBuildHost
	RPMTagBuildTime  = rpm.TagBuildTime
	RPMTagLicense    = rpm.TagLicense
	RPMTagLongSize   = rpm.TagLongSize
	RPMTagSize       = rpm.TagSize
	RPMTagSourceRPM  = rpm.TagSourceRPM
	RPMTagSummary    = rpm.TagSummary
	RPMTagURL        = rpm.TagURL
	RPMTagVendor     = rpm.TagVendor
)

// ErrRPMUnsigned is rpm.ErrUnsigned: the package has no OpenPGP signature.
var ErrRPMUnsigned = rpm.ErrUnsigned

// OpenRPM reads an RPM's lead, signature and header (rpm.Open).
func OpenRPM(r io.Reader) (*RPMPackage, error) { return rpm.Open(r) }

// ReadRPMKeyRing reads OpenPGP keys, armoured or binary (rpm.ReadKeyRing).
func ReadRPMKeyRing(r io.Reader) (openpgp.EntityList, error) { return rpm.ReadKeyRing(r) }

// WithRPMDecoders reuses d's decompressors for a payload (rpm.WithDecoders).
func WithRPMDecoders(d *RPMDecoders) rpm.PayloadOption { return rpm.WithDecoders(d) }
