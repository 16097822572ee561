package server_test

import (
	"bytes"
	"strings"
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
	getKey := func(k *mgmt.RangeSketchKey) map[string][]byte {
		t.Helper()
		resp, err := w.Worker().GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: k}))
		if err != nil {
			t.Fatalf("GetRangeSketch: %v", err)
		}
		out := map[string][]byte{}
		for _, p := range resp.Msg.GetParts() {
			out[p.GetPart()] = p.GetSketch()
		}
		return out
	}
	get := func(i int32) map[string][]byte { t.Helper(); return getKey(rng(i)) }
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
	wantCode(t, "range index below -1", putPart(-2, "", []byte("x")), connect.CodeInvalidArgument)
	_, err = w.Worker().PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: &mgmt.RangeSketchKey{JobRunId: runID, Destination: "dev", Schema: "shop",
		Table: "orders", Checkpoint: strings.Repeat("c", 201)}, Part: &mgmt.RangeSketchPart{Sketch: []byte("x")}}))
	wantCode(t, "checkpoint name too long", err, connect.CodeInvalidArgument)
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

	// A whole table is range -1; the sketches of a checkpoint are kept
	// beside the finished copy's, read and forgotten on their own.
	atCheckpoint := func(i int32, cp string) *mgmt.RangeSketchKey { k := rng(i); k.Checkpoint = cp; return k }
	for _, p := range []struct {
		k    *mgmt.RangeSketchKey
		part string
		b    string
	}{{atCheckpoint(-1, "r2000-ab"), "email", "cp email"}, {atCheckpoint(-1, "r2000-ab"), "", "cp header"}, {atCheckpoint(-1, "r4000-cd"), "", "cp2 header"}, {rng(-1), "", "final header"}} {
		if _, err := w.Worker().PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: p.k, Part: &mgmt.RangeSketchPart{Part: p.part, Sketch: []byte(p.b)}})); err != nil {
			t.Fatalf("PutRangeSketch %v %q: %v", p.k, p.part, err)
		}
	}
	if g := getKey(atCheckpoint(-1, "r2000-ab")); len(g) != 2 || string(g["email"]) != "cp email" || string(g[""]) != "cp header" {
		t.Fatalf("checkpoint parts %q", g)
	}
	if g := get(-1); len(g) != 1 || string(g[""]) != "final header" {
		t.Fatalf("the whole table's final parts %q: want its header only", g)
	}
	if _, err := w.Worker().DeleteRangeSketch(ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: atCheckpoint(-1, "r2000-ab")})); err != nil {
		t.Fatalf("DeleteRangeSketch of a checkpoint: %v", err)
	}
	if g, g2, gf := getKey(atCheckpoint(-1, "r2000-ab")), getKey(atCheckpoint(-1, "r4000-cd")), get(-1); len(g) != 0 || len(g2) != 1 || len(gf) != 1 {
		t.Fatalf("after forgetting one checkpoint: it has %d parts, the other %d, the final %d", len(g), len(g2), len(gf))
	}
	if _, err := w.Worker().DeleteRangeSketch(ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: rng(-1)})); err != nil {
		t.Fatalf("DeleteRangeSketch: %v", err)
	}
	if g2, gf := getKey(atCheckpoint(-1, "r4000-cd")), get(-1); len(g2) != 0 || len(gf) != 0 {
		t.Fatalf("forgetting the whole range left %d checkpoint parts and %d final ones", len(g2), len(gf))
	}
	if err := putPart(-1, "", []byte("final header")); err != nil {
		t.Fatal(err)
	}

	// Finishing the run deletes its sketches.
	if _, err := w.Worker().FinishJobRun(ctx, connect.NewRequest(&mgmt.FinishJobRunRequest{JobRunId: runID, Status: mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE})); err != nil {
		t.Fatalf("FinishJobRun: %v", err)
	}
	if g, gw := get(0), get(-1); len(g) != 0 || len(gw) != 0 {
		t.Fatalf("a finished run still holds %d + %d sketch parts", len(g), len(gw))
	}
}
