package testutil

import (
	"slices"
	"strings"
)

// ParseDNFTransaction reads the NEVRAs of dnf's "Installing..." sections
// (not "Skipping packages with broken dependencies", which dnf lists in
// the same table). dnf wraps a row whose name is too long onto two lines,
// so a section is read as one stream of words:
// NAME ARCH [EPOCH:]VERSION-RELEASE REPO SIZE UNIT. It returns the NEVRAs
// sorted, or nil when there is no "Installing" section.
func ParseDNFTransaction(out, repoID string) []string {
	var words []string
	in, seen := false, false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Installing"):
			in, seen = true, true
			continue
		case line == "" || strings.HasPrefix(line, "=") || (line[0] != ' '):
			in = false
			continue
		}
		if in {
			words = append(words, strings.Fields(line)...)
		}
	}
	if !seen {
		return nil
	}
	var set []string
	for i := 1; i+2 < len(words); i++ {
		if words[i+2] == repoID && strings.Contains(words[i+1], "-") {
			set = append(set, words[i-1]+"-"+words[i+1]+"."+words[i])
		}
	}
	slices.Sort(set)
	return set
}
