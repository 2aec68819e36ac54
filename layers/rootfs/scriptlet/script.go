package scriptlet

import "github.com/slipway-build/slipway/layers/rpm"

// Script is the scriptlet the analysis is about, as the package has it
// (for running it for real).
func (a *Analysis) Script() rpm.Script { return a.script }
