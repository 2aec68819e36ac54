package builder

import (
	"slices"
	"testing"
)

func TestFilePaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dep  string
		want []string
	}{
		{"/usr/bin/sh", []string{"/usr/bin/sh"}},
		{"/usr/share/doc/tzdata-*", []string{"/usr/share/doc/tzdata-*"}},
		{"*/webctl", []string{"*/webctl"}},
		{"(/usr/bin/x or foo)", []string{"/usr/bin/x"}},
		{"bash", nil},
		{"lib*", nil},
	}
	for _, tc := range tests {
		if got := filePaths(tc.dep); !slices.Equal(got, tc.want) {
			t.Errorf("filePaths(%q) = %q, want %q", tc.dep, got, tc.want)
		}
	}
}
