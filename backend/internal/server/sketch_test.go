package server_test

import (
	"bytes"
	"fmt"
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
	runs := newWorkerRuns(t, "sketches")
	c, w := runs.c, runs.w
	ctx := apitest.Ctx(t)
	runID := runs.start(t, "sketch-job")
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
	_, err := c.Worker().GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: rng(0)}))
	wantCode(t, "account key reads sketches", err, connect.CodePermissionDenied)
	_, err = c.Worker().PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: rng(0), Part: &mgmt.RangeSketchPart{Part: "", Sketch: []byte("x")}}))
	wantCode(t, "account key stores sketches", err, connect.CodePermissionDenied)
	wantCode(t, "range index below -2", putPart(-3, "", []byte("x")), connect.CodeInvalidArgument)
	// An update pass's sketches (range index -2) are a range of their own.
	if err := putPart(-2, "", []byte("update pass header")); err != nil {
		t.Fatalf("PutRangeSketch of an update pass: %v", err)
	}
	if g := get(-2); len(g) != 1 || string(g[""]) != "update pass header" {
		t.Fatalf("update pass parts %q", g)
	}
	if g := get(-1); len(g) != 0 {
		t.Fatalf("the whole table got the update pass's parts %q", g)
	}
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

// TestRangeSketchesInOneCall stores the final sketches of several whole
// tables and a checkpoint in one PutRangeSketches call, as a worker's
// batch of small tables does, reads each back, and checks that a call
// with one bad entry stores nothing and says which entry, that one call
// holds one run's sketches and that only a worker key may call it.
func TestRangeSketchesInOneCall(t *testing.T) {
	t.Parallel()
	runs := newWorkerRuns(t, "sketch-batch")
	c, w := runs.c, runs.w
	ctx := apitest.Ctx(t)
	runID, otherRun := runs.start(t, "sketch-batch-1"), runs.start(t, "sketch-batch-2")
	whole := func(run, table, cp string) *mgmt.RangeSketchKey {
		return &mgmt.RangeSketchKey{JobRunId: run, Destination: "dev", Schema: "shop", Table: table, RangeIndex: -1, Checkpoint: cp}
	}
	parts := func(kv ...string) []*mgmt.RangeSketchPart {
		var out []*mgmt.RangeSketchPart
		for i := 0; i < len(kv); i += 2 {
			out = append(out, &mgmt.RangeSketchPart{Part: kv[i], Sketch: []byte(kv[i+1])})
		}
		return out
	}
	put := func(cl apitest.Clients, sk ...*mgmt.RangeSketches) error {
		_, err := cl.Worker().PutRangeSketches(ctx, connect.NewRequest(&mgmt.PutRangeSketchesRequest{Sketches: sk}))
		return err
	}
	get := func(k *mgmt.RangeSketchKey) map[string]string {
		t.Helper()
		resp, err := w.Worker().GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: k}))
		if err != nil {
			t.Fatalf("GetRangeSketch: %v", err)
		}
		out := map[string]string{}
		for _, p := range resp.Msg.GetParts() {
			out[p.GetPart()] = string(p.GetSketch())
		}
		return out
	}
	big := strings.Repeat("s", 600<<10)
	if err := put(w,
		&mgmt.RangeSketches{Range: whole(runID, "users", ""), Parts: parts("email", "users email", "name", big, "", "users header")},
		&mgmt.RangeSketches{Range: whole(runID, "orders", ""), Parts: parts("", "orders header")},
		&mgmt.RangeSketches{Range: whole(runID, "orders", "r100-ab"), Parts: parts("note", "cp note", "", "cp header")},
	); err != nil {
		t.Fatalf("PutRangeSketches: %v", err)
	}
	if g := get(whole(runID, "users", "")); len(g) != 3 || g["email"] != "users email" || g["name"] != big || g[""] != "users header" {
		t.Fatalf("users: %d parts, email %q, header %q", len(g), g["email"], g[""])
	}
	if g := get(whole(runID, "orders", "")); len(g) != 1 || g[""] != "orders header" {
		t.Fatalf("orders: %q", g)
	}
	if g := get(whole(runID, "orders", "r100-ab")); len(g) != 2 || g["note"] != "cp note" {
		t.Fatalf("orders at a checkpoint: %q", g)
	}
	// A second call replaces the parts it names, as PutRangeSketch does.
	if err := put(w, &mgmt.RangeSketches{Range: whole(runID, "orders", ""), Parts: parts("", "orders header 2")}); err != nil {
		t.Fatalf("PutRangeSketches again: %v", err)
	}
	if g := get(whole(runID, "orders", "")); g[""] != "orders header 2" {
		t.Fatalf("orders after replacing: %q", g)
	}

	// Bad input is refused, names the entry, and stores nothing of the call.
	good := &mgmt.RangeSketches{Range: whole(runID, "items", ""), Parts: parts("", "items header")}
	for _, tc := range []struct {
		what  string
		cl    apitest.Clients
		sk    []*mgmt.RangeSketches
		code  connect.Code
		field string
	}{
		{"an account key", c, []*mgmt.RangeSketches{good}, connect.CodePermissionDenied, ""},
		{"no range", w, nil, connect.CodeInvalidArgument, "sketches"},
		{"a range index below -2", w, []*mgmt.RangeSketches{good, {Range: &mgmt.RangeSketchKey{JobRunId: runID, Destination: "dev", Schema: "shop", Table: "t", RangeIndex: -3}, Parts: parts("", "h")}},
			connect.CodeInvalidArgument, "sketches[1].range.range_index"},
		{"no run id", w, []*mgmt.RangeSketches{good, {Range: &mgmt.RangeSketchKey{Schema: "shop", Table: "t"}, Parts: parts("", "h")}}, connect.CodeInvalidArgument, "sketches[1].range.job_run_id"},
		{"no part", w, []*mgmt.RangeSketches{good, {Range: whole(runID, "t", "")}}, connect.CodeInvalidArgument, "sketches[1].parts"},
		{"an empty sketch", w, []*mgmt.RangeSketches{good, {Range: whole(runID, "t", ""), Parts: parts("", "")}}, connect.CodeInvalidArgument, "sketches[1].parts[0].sketch"},
		{"a part twice", w, []*mgmt.RangeSketches{good, {Range: whole(runID, "t", ""), Parts: parts("a", "1", "a", "2")}}, connect.CodeInvalidArgument, "sketches[1].parts[1].part"},
		{"a range twice", w, []*mgmt.RangeSketches{good, good}, connect.CodeInvalidArgument, "sketches[1].parts[0].part"},
		{"two runs", w, []*mgmt.RangeSketches{good, {Range: whole(otherRun, "t", ""), Parts: parts("", "h")}}, connect.CodeInvalidArgument, "sketches[1].range.job_run_id"},
		{"an unknown run", w, []*mgmt.RangeSketches{{Range: whole("00000000-0000-0000-0000-000000000001", "t", ""), Parts: parts("", "h")}}, connect.CodeNotFound, ""},
	} {
		err := put(tc.cl, tc.sk...)
		wantCode(t, tc.what, err, tc.code)
		if tc.field != "" && !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("%s: %v does not name %s", tc.what, err, tc.field)
		}
	}
	if g := get(whole(runID, "items", "")); len(g) != 0 {
		t.Fatalf("refused calls stored %q", g)
	}
	many := make([]*mgmt.RangeSketches, 1001)
	for i := range many {
		many[i] = &mgmt.RangeSketches{Range: whole(runID, fmt.Sprintf("t%d", i), ""), Parts: parts("", "h")}
	}
	wantCode(t, "1,001 ranges", put(w, many...), connect.CodeInvalidArgument)

	// Finishing the run deletes them with the rest.
	if _, err := w.Worker().FinishJobRun(ctx, connect.NewRequest(&mgmt.FinishJobRunRequest{JobRunId: runID, Status: mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE})); err != nil {
		t.Fatalf("FinishJobRun: %v", err)
	}
	if g := get(whole(runID, "users", "")); len(g) != 0 {
		t.Fatalf("a finished run still holds %q", g)
	}
}
