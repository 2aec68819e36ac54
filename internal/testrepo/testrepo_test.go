package testrepo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestGetLayout(t *testing.T) {
	r := Get(t)
	for _, arch := range Arches {
		for _, f := range []string{"repodata/repomd.xml", "repodata/repomd.xml.asc"} {
			if _, err := os.Stat(filepath.Join(r.Dir[arch], f)); err != nil {
				t.Errorf("%s: %v", arch, err)
			}
		}
		if len(r.RPMs[arch]) < 5 {
			t.Errorf("%s: only %d RPMs", arch, len(r.RPMs[arch]))
		}
	}
	// A second call in the same process returns the same value.
	if Get(t) != r {
		t.Errorf("second Get returned a different value")
	}
}
