package manifests

import (
	"testing"
)

// TestPushCounts: a push reports, per repository, the blobs it uploaded
// (their bytes are what the registry received) and those it skipped
// because the repository had them; a second push uploads nothing.
func TestPushCounts(t *testing.T) {
	t.Parallel()
	reg, host := newFaultRegistry(t)
	idx, _ := testIndex(t)
	sizes, err := blobSizes(idx)
	if err != nil {
		t.Fatal(err)
	}
	var blobs int64
	for _, n := range sizes {
		blobs += n
	}
	if len(sizes) < 2 || blobs == 0 {
		t.Fatalf("test index: %d blobs of %d bytes", len(sizes), blobs)
	}
	res, err := Push(t.Context(), idx, refs(t, host+"/a:1", host+"/a:2"), PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, sent := reg.reset()
	want := []RepoPush{{Repository: host + "/a", UploadedBlobs: len(sizes), UploadedBytes: blobs}}
	if len(res.Repositories) != 1 || res.Repositories[0] != want[0] || sent != blobs {
		t.Errorf("first push: %+v (registry received %d bytes); want %+v and %d bytes", res.Repositories, sent, want, blobs)
	}
	res, err = Push(t.Context(), idx, refs(t, host+"/a:3", host+"/b:1"), PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, sent = reg.reset()
	want = []RepoPush{
		{Repository: host + "/a", SkippedBlobs: len(sizes), SkippedBytes: blobs},
		{Repository: host + "/b", SkippedBlobs: len(sizes), SkippedBytes: blobs}, // ggcr's registry shares blobs across repositories
	}
	if len(res.Repositories) != 2 || res.Repositories[0] != want[0] || res.Repositories[1] != want[1] || sent != 0 {
		t.Errorf("second push: %+v (registry received %d bytes); want %+v and nothing", res.Repositories, sent, want)
	}
	if len(res.Tags) != 2 {
		t.Errorf("tags %v", res.Tags)
	}
}
