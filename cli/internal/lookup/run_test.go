package lookup

import (
	"slices"
	"testing"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func TestRunPrefix(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"66e8ba83": true, "66E8": true, "66e8ba83-1c": true, "66e": false, "not-a-uuid": false,
		"66e8ba83-1c2d-4e5f-8a9b-0c1d2e3f4a5b": false, // a whole id is not a prefix
	} {
		if got := IsRunPrefix(s); got != want {
			t.Errorf("IsRunPrefix(%q) = %v, want %v", s, got, want)
		}
	}
	runs := []*mgmtv1alpha1.JobRun{{Id: "66e8ba83-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}, {Id: "66e8ff00-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}, {Id: "0b7c3f52-1c2d-4e5f-8a9b-0c1d2e3f4a5b"}}
	if got := MatchRuns(runs, "66E8BA"); !slices.Equal(got, []string{runs[0].GetId()}) {
		t.Errorf("MatchRuns(66E8BA) = %v", got)
	}
	if got := MatchRuns(runs, "66e8"); len(got) != 2 {
		t.Errorf("MatchRuns(66e8) = %v, want both", got)
	}
}
