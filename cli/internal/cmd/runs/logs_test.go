package runs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/output"
)

func TestWriteLogLine(t *testing.T) {
	t.Parallel()
	l := &mgmtv1alpha1.JobRunLogLine{
		Id: 7, Time: timestamppb.New(time.Date(2026, 12, 4, 22, 40, 1, 500_000_000, time.UTC)), Level: "info", Message: "copy complete",
		Attributes: map[string]string{"table": "public.users", "rows": "2000", "destination": "staging db", "note": ""},
	}
	for _, tc := range []struct {
		format output.Format
		want   string
	}{
		{output.Table, "2026-12-04T22:40:01.5Z INFO  copy complete destination=\"staging db\" note=\"\" rows=2000 table=public.users\n"},
		{output.JSON, `{"id":"7","time":"2026-12-04T22:40:01.500Z","level":"info","message":"copy complete","attributes":{"destination":"staging db","note":"","rows":"2000","table":"public.users"}}` + "\n"},
	} {
		var b bytes.Buffer
		if err := writeLogLine(&b, tc.format, l); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tc.want && !(tc.format == output.JSON && jsonEqual(t, got, tc.want)) {
			t.Errorf("%s:\n got %s\nwant %s", tc.format, got, tc.want)
		}
	}
}

// jsonEqual compares JSON texts (protojson varies its spacing on purpose).
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}
