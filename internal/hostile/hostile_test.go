package hostile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-build/slipway/internal/hostile"
	"github.com/slipway-build/slipway/internal/testrepo"
	"github.com/slipway-build/slipway/layers/rpm"
)

// realPair returns two different signed RPMs of the test repository.
func realPair(t *testing.T) [2][]byte {
	t.Helper()
	tr := testrepo.Get(t)
	var out [2][]byte
	for i, name := range []string{"tzdata-2024a", "webd-2.4"} {
		for _, p := range tr.RPMs["x86_64"] {
			if strings.HasPrefix(filepath.Base(p), name) {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				out[i] = b
			}
		}
		if out[i] == nil {
			t.Fatalf("no %s in the test repository", name)
		}
	}
	return out
}

func readRPM(b []byte) error {
	p, err := rpm.Open(bytes.NewReader(b))
	if err != nil {
		return err
	}
	_, err = p.Verify()
	return err
}

func TestRPMCasesAPI(t *testing.T) {
	t.Parallel()
	real := realPair(t)
	for _, tc := range hostile.RPMCases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			b, err := tc.Make(real)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = readRPM(b)
			t.Logf("%d bytes, %v: %v", len(b), time.Since(start), err)
			if err == nil {
				t.Fatal("read without error")
			}
			if !strings.Contains(err.Error(), tc.Want) {
				t.Errorf("error %q, want it to contain %q", err, tc.Want)
			}
		})
	}
}
