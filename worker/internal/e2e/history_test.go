package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
)

// recordHistory writes a workflow's history for the replay test in package
// workflows when NEOSYNC_RECORD_HISTORY=1 (run it after changing a workflow
// on purpose, and commit the file).
func recordHistory(t *testing.T, workflowID string) {
	recordHistoryTo(t, workflowID, "datasync_history.json")
}

// recordHistoryTo is recordHistory into testdata file name (a Generate
// history: generate_batches_history.json; generate_plan_history.json is
// one recorded before generate plans went by digest, kept as it is).
func recordHistoryTo(t *testing.T, workflowID, name string) {
	if os.Getenv("NEOSYNC_RECORD_HISTORY") != "1" {
		return
	}
	c, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	iter := c.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	h := &historypb.History{}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d history events to %s", len(h.Events), path)
}

// logHistoryTimeline logs a workflow's history events (and its child
// workflows') as offsets from `from`, with the activity each scheduled
// one runs: where a run's time goes between its steps (Temporal's
// hand-overs), for NEOSYNC_BENCH_EVENTS=1.
func logHistoryTimeline(t *testing.T, workflowID string, from time.Time) {
	c, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Logf("history of %s: %v", workflowID, err)
		return
	}
	defer c.Close()
	iter := c.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	var children []string
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Logf("history of %s: %v", workflowID, err)
			return
		}
		what := e.GetEventType().String()
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil {
			what += " " + a.GetActivityType().GetName()
		}
		if a := e.GetStartChildWorkflowExecutionInitiatedEventAttributes(); a != nil {
			children = append(children, a.GetWorkflowId())
		}
		t.Logf("history %s +%.3fs %s", workflowID, e.GetEventTime().AsTime().Sub(from).Seconds(), what)
	}
	for _, id := range children {
		logHistoryTimeline(t, id, from)
	}
}
