package server_test

import (
	"bytes"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// TestRangeSketchesThroughTheAPI stores the parts of key ranges' leak
// sketches as a worker does, reads them back, replaces and forgets them,
// and checks that only a worker key may and that finishing the run
// deletes them.
func TestRangeSketchesThroughTheAPI(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	key, accountID := api.AccountKey(t, "sketches")
	c := api.Clients(key)
	w := api.Clients(api.WorkerKey(t))
	ctx := apitest.Ctx(t)
	job := newJob(t, api, c, accountID, "sketch-job", nil)
	started, err := w.Worker().StartJobRun(ctx, connect.NewRequest(&mgmt.StartJobRunRequest{JobId: job.GetId(), WorkflowId: "sketch-workflow", TemporalRunId: "x"}))
	if err != nil {
		t.Fatalf("StartJobRun: %v", err)
	}
	runID := started.Msg.GetJobRunId()
	rng := func(i int32) *mgmt.RangeSketchKey {
		return &mgmt.RangeSketchKey{JobRunId: runID, Destination: "dev", Schema: "shop", Table: "orders", RangeIndex: i}
	}
	putPart := func(i int32, part string, b []byte) error {
		_, err := w.Worker().PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: rng(i), Part: &mgmt.RangeSketchPart{Part: part, Sketch: b}}))
		return err
	}
	get := func(i int32) map[string][]byte {
		t.Helper()
		resp, err := w.Worker().GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: rng(i)}))
		if err != nil {
			t.Fatalf("GetRangeSketch: %v", err)
		}
		out := map[string][]byte{}
		for _, p := range resp.Msg.GetParts() {
			out[p.GetPart()] = p.GetSketch()
		}
		return out
	}
	big := bytes.Repeat([]byte{0xab}, 600<<10) // a full column sketch's bound
	for _, p := range []struct {
		i    int32
		part string
		b    []byte
	}{{0, "email", big}, {0, "", []byte("header 0")}, {1, "email", []byte("old")}, {1, "email", []byte("new")}, {1, "", []byte("header 1")}} {
		if err := putPart(p.i, p.part, p.b); err != nil {
			t.Fatalf("PutRangeSketch %d %q: %v", p.i, p.part, err)
		}
	}
	if g := get(0); len(g) != 2 || !bytes.Equal(g["email"], big) || string(g[""]) != "header 0" {
		t.Fatalf("range 0 parts: %d parts, email %d bytes, header %q", len(g), len(g["email"]), g[""])
	}
	if g := get(1); len(g) != 2 || string(g["email"]) != "new" {
		t.Fatalf("range 1 parts %q: want the replaced email part and the header", g)
	}
	if g := get(2); len(g) != 0 {
		t.Fatalf("a range never stored has parts %q", g)
	}

	// Only a worker key; bad addresses are refused.
	_, err = c.Worker().GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: rng(0)}))
	wantCode(t, "account key reads sketches", err, connect.CodePermissionDenied)
	_, err = c.Worker().PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: rng(0), Part: &mgmt.RangeSketchPart{Part: "", Sketch: []byte("x")}}))
	wantCode(t, "account key stores sketches", err, connect.CodePermissionDenied)
	wantCode(t, "negative range index", putPart(-1, "", []byte("x")), connect.CodeInvalidArgument)
	wantCode(t, "empty sketch", putPart(0, "", nil), connect.CodeInvalidArgument)
	_, err = w.Worker().PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: &mgmt.RangeSketchKey{JobRunId: "00000000-0000-0000-0000-000000000001",
		Destination: "dev", Schema: "shop", Table: "orders"}, Part: &mgmt.RangeSketchPart{Sketch: []byte("x")}}))
	wantCode(t, "unknown run", err, connect.CodeNotFound)

	// A retried range forgets its earlier attempt's parts, and only its own.
	if _, err := w.Worker().DeleteRangeSketch(ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: rng(1)})); err != nil {
		t.Fatalf("DeleteRangeSketch: %v", err)
	}
	if g0, g1 := get(0), get(1); len(g0) != 2 || len(g1) != 0 {
		t.Fatalf("after deleting range 1: range 0 has %d parts, range 1 %d", len(g0), len(g1))
	}

	// Finishing the run deletes its sketches.
	if _, err := w.Worker().FinishJobRun(ctx, connect.NewRequest(&mgmt.FinishJobRunRequest{JobRunId: runID, Status: mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE})); err != nil {
		t.Fatalf("FinishJobRun: %v", err)
	}
	if g := get(0); len(g) != 0 {
		t.Fatalf("a finished run still holds %d sketch parts", len(g))
	}
}
