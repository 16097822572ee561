package jobs

import (
	"testing"

	"google.golang.org/protobuf/proto"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestSourceFieldsRangeRows: `jobs get` shows a job's range size, and
// nothing when the worker's applies.
func TestSourceFieldsRangeRows(t *testing.T) {
	t.Parallel()
	job := func(rows *int64) *mgmtv1alpha1.Job {
		return &mgmtv1alpha1.Job{Source: &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: &mgmtv1alpha1.SyncSourceOptions{ConnectionId: "c1", RangeRows: rows}}}}
	}
	names := map[string]string{"c1": "prod"}
	got := sourceFields(job(proto.Int64(250_000)), names)
	if len(got) != 2 || got[1].Label != "Key ranges" || got[1].Value != "250000 rows per range (a keyed table of 500000 rows or more is split)" {
		t.Fatalf("fields %+v", got)
	}
	if got := sourceFields(job(nil), names); len(got) != 1 || got[0].Label != "Source" {
		t.Fatalf("fields without range_rows %+v", got)
	}
}
