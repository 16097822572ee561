package runs

import (
	"bytes"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestWriteRunShowsWorstFinding checks that `runs get` puts a report's
// verdict and its worst finding in the Report field, before the summary.
func TestWriteRunShowsWorstFinding(t *testing.T) {
	t.Parallel()
	rep, err := structpb.NewStruct(map[string]any{
		"status":  "FAIL",
		"summary": "Verification of stage: FAIL\n  FAIL  shop.customers.email (transform_email): 3 of 10 rows kept their own source value\n",
		"findings": []any{
			map[string]any{"status": "FAIL", "message": "shop.customers.email (transform_email): 3 of 10 rows kept their own source value"},
			map[string]any{"status": "WARN", "message": "shop.customers.last_name (transform_last_name): 10.0% of rows hold a source value"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeRun(&out, &mgmtv1alpha1.JobRun{Id: "r1", Report: rep}, "demo", nil); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	want := "FAIL: shop.customers.email (transform_email): 3 of 10 rows kept their own source value (and 1 more)"
	if !strings.Contains(got, want) {
		t.Fatalf("runs get output lacks %q:\n%s", want, got)
	}
	old, _ := structpb.NewStruct(map[string]any{"summary": "Verification of stage: OK\n"})
	out.Reset()
	if err := writeRun(&out, &mgmtv1alpha1.JobRun{Id: "r0", Report: old}, "demo", nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "verification report below") {
		t.Fatalf("a report without a status:\n%s", out.String())
	}
}
