package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAdvisoriesUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no argument", []string{"advisories"}, "slipway: advisories takes one CONFIG or IMAGE, got 0 arguments"},
		{"bad severity", []string{"advisories", "--fail-on", "urgent", "x.toml"}, "slipway: --fail-on urgent: want none, low, moderate, important or critical"},
		{"image without config", []string{"advisories", "oci:/nowhere:v1"}, "slipway: oci:/nowhere:v1 is not a configuration: name one with --config for the repositories"},
		{"config twice", []string{"advisories", "--config", "b.toml", "a.toml"}, "slipway: --config is for an IMAGE or a lockfile; a.toml is a configuration already"},
		{"lock --updates without --check", []string{"lock", "--updates", "a.toml"}, "slipway: --updates and --json go with --check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != 2 || !strings.HasPrefix(stderr, tc.want+"\n") {
				t.Errorf("exit %d, stderr %q; want 2, %q", code, stderr, tc.want)
			}
		})
	}
}

// TestOpenVEX: only fixed advisories' CVEs are stated, once each, with
// the installed builds as rpm purls; the document does not depend on the
// order it was given things in.
func TestOpenVEX(t *testing.T) {
	t.Parallel()
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	rep := &advisoriesJSON{Arches: []archAdvisoryJSON{
		{Arch: "x86_64", Advisories: []advisoryJSON{
			{ID: "A-2", State: "fixed", CVEs: []string{"CVE-2", "CVE-1"}, issuedAt: day, Packages: []advisoryPkgJSON{{Installed: "openssl-1:3.3.2-1.azl3.x86_64", Fixed: true}}},
			{ID: "A-3", State: "open", CVEs: []string{"CVE-3"}, issuedAt: day.AddDate(1, 0, 0), Packages: []advisoryPkgJSON{{Installed: "zlib-1.3-1.x86_64"}}},
		}},
		{Arch: "aarch64", Advisories: []advisoryJSON{
			{ID: "A-2", State: "fixed", CVEs: []string{"CVE-1", "CVE-2"}, issuedAt: day.AddDate(0, 0, -1), Packages: []advisoryPkgJSON{{Installed: "openssl-1:3.3.2-1.azl3.aarch64", Fixed: true}}},
		}},
	}}
	b, err := openVEX(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Timestamp  string `json:"timestamp"`
		ID         string `json:"@id"`
		Statements []struct {
			Vulnerability struct{ Name string } `json:"vulnerability"`
			Products      []struct {
				ID string `json:"@id"`
			} `json:"products"`
			Status string `json:"status"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Statements {
		var ps []string
		for _, p := range s.Products {
			ps = append(ps, p.ID)
		}
		got = append(got, s.Vulnerability.Name+" "+s.Status+" "+strings.Join(ps, ","))
	}
	want := []string{
		"CVE-1 fixed pkg:rpm/openssl@3.3.2-1.azl3?arch=aarch64&epoch=1,pkg:rpm/openssl@3.3.2-1.azl3?arch=x86_64&epoch=1",
		"CVE-2 fixed pkg:rpm/openssl@3.3.2-1.azl3?arch=aarch64&epoch=1,pkg:rpm/openssl@3.3.2-1.azl3?arch=x86_64&epoch=1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || doc.Timestamp != "2024-03-01T00:00:00Z" || !strings.HasPrefix(doc.ID, "urn:slipway:openvex:sha256:") {
		t.Errorf("got %s %s\n%s", doc.Timestamp, doc.ID, strings.Join(got, "\n"))
	}
	// The same facts in another order give the same bytes.
	rep.Arches[0], rep.Arches[1] = rep.Arches[1], rep.Arches[0]
	b2, err := openVEX(rep)
	if err != nil {
		t.Fatal(err)
	}
	if string(b2) != string(b) {
		t.Errorf("order changed the document:\n%s\n%s", b, b2)
	}
}
