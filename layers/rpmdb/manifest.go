package rpmdb

import (
	"strconv"
	"strings"

	"github.com/slipway-build/slipway/layers/rpm"
)

// none is what rpm's query format prints for a missing tag.
const none = "(none)"

// Manifest1 returns container-manifest-1: what `rpm -qa` prints for pkgs
// (name-version-release.arch, one a line), in the order given.
func Manifest1(pkgs []Installed) []byte {
	var b strings.Builder
	for _, p := range pkgs {
		h := p.Pkg.Header
		b.WriteString(h.String(rpm.TagName) + "-" + h.String(rpm.TagVersion) + "-" + h.String(rpm.TagRelease) + "." + h.String(rpm.TagArch))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Manifest2 returns container-manifest-2, Azure Linux's
//
//	rpm -qa --qf "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n"
//
// for pkgs installed at installTime, in the order given. Missing values
// print as rpm prints them: "(none)", and 0 for EPOCHNUM.
func Manifest2(pkgs []Installed, installTime int64) []byte {
	var b strings.Builder
	for _, p := range pkgs {
		h := p.Pkg.Header
		epochNum := "0"
		if v, ok := h.Int(rpm.TagEpoch); ok {
			epochNum = strconv.FormatUint(v, 10)
		}
		fields := []string{
			str(h, rpm.TagName),
			str(h, rpm.TagVersion) + "-" + str(h, rpm.TagRelease),
			strconv.FormatInt(installTime, 10),
			num(h, rpm.TagBuildTime),
			str(h, rpm.TagVendor),
			num(h, rpm.TagEpoch),
			num(h, rpm.TagSize),
			str(h, rpm.TagArch),
			epochNum,
			str(h, rpm.TagSourceRPM),
		}
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func str(h *rpm.Header, tag rpm.Tag) string {
	if !h.Has(tag) {
		return none
	}
	return h.String(tag)
}

func num(h *rpm.Header, tag rpm.Tag) string {
	v, ok := h.Int(tag)
	if !ok {
		return none
	}
	return strconv.FormatUint(v, 10)
}
