package main

import (
	"fmt"
	"io"

	"github.com/slipway-build/slipway/manifests"
)

// newPushJSON describes a push (or a merge, which may push nothing) with
// empty lists rather than nulls.
func newPushJSON(res *manifests.PushResult) pushJSON {
	out := pushJSON{Digest: res.Digest.String(), Tags: res.Tags, Repositories: res.Repositories}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.Repositories == nil {
		out.Repositories = []manifests.RepoPush{}
	}
	return out
}

// printUploads says per repository what was uploaded and what the
// registry already had.
func printUploads(w io.Writer, repos []manifests.RepoPush) {
	for _, r := range repos {
		fmt.Fprintf(w, "pushed %s: uploaded %d blobs (%s), skipped %d already there (%s)\n",
			r.Repository, r.UploadedBlobs, humanBytes(r.UploadedBytes), r.SkippedBlobs, humanBytes(r.SkippedBytes))
	}
}
