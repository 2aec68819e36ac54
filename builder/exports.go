package builder

import "github.com/slipway-build/slipway/layers/rootfs"

// What cmd/slipway prints of a build, named here so that cmd imports
// builder and not the packages below it (internal/layout's test).

// ScriptletReport is one package's scriptlets and triggers, each with the
// audit's verdict (ArchBuild.Report.Packages).
type ScriptletReport = rootfs.PackageReport

// The verdicts of the scriptlet audit.
const (
	VerdictEmulated  = rootfs.VerdictEmulated
	VerdictNotNeeded = rootfs.VerdictNotNeeded
	VerdictUnhandled = rootfs.VerdictUnhandled
)
