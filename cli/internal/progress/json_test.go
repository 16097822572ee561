package progress

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestJSONEvents: one start, a table event per change of a table's state or
// rows, a progress event per change of the total, warnings, and one result
// naming why the run failed; every line is one JSON object.
func TestJSONEvents(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	j := NewJSON(&b, "nightly")
	steps := []func() error{
		func() error {
			return j.Update(snapshot(running, 0, tb("public.users", "running", 0, 100), tb("public.orders", "pending", 0, 0)), t0)
		},
		func() error {
			return j.Update(snapshot(running, 0, tb("public.users", "running", 40, 100), tb("public.orders", "pending", 0, 0)), t0.Add(time.Second))
		},
		func() error { // nothing changed: no event
			return j.Update(snapshot(running, 0, tb("public.users", "running", 40, 100), tb("public.orders", "pending", 0, 0)), t0.Add(2*time.Second))
		},
		func() error {
			return j.Warn(t0.Add(3*time.Second), "warn", "column email copied unchanged", "public", "users")
		},
		func() error {
			return j.Done(snapshot(failed, 4*time.Second, tb("public.users", "complete", 100, 100), tb("public.orders", "failed", 7, 0, "table public.orders: duplicate key")), t0.Add(4*time.Second))
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	var events []Event
	var types []string
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		events = append(events, e)
		types = append(types, e.Type+":"+e.Table)
	}
	want := "start: table:users table:orders table:users progress: warning:users table:users table:orders result:"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("events\n got %s\nwant %s\n%s", got, want, b.String())
	}
	start, prog, result := events[0], events[4], events[len(events)-1]
	if start.Job != "nightly" || start.RunID == "" || *start.Tables != 2 || start.Status != "running" {
		t.Errorf("start %+v", start)
	}
	if *prog.RowsDone != 40 || prog.Percent != nil || *prog.TablesDone != 0 || *prog.RowsPerSecond != 40 {
		t.Errorf("progress (orders' total unknown, so no percent) %s", b.String())
	}
	failedTable := events[len(events)-2]
	if failedTable.State != "failed" || failedTable.Error != "duplicate key" || *failedTable.RowsDone != 7 {
		t.Errorf("failed table %+v", failedTable)
	}
	if result.Status != "failed" || !strings.Contains(result.Error, "table public.orders: duplicate key") || *result.RowsDone != 107 ||
		*result.TablesDone != 1 || *result.ElapsedSeconds != 4 {
		t.Errorf("result %+v", result)
	}
	if w := events[5]; w.Level != "warn" || w.Message != "column email copied unchanged" || w.Schema != "public" {
		t.Errorf("warning %+v", w)
	}
}
