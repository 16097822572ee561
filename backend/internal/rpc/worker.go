package rpc

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
)

// WorkerHandler serves WorkerService. The interceptor admits worker keys
// only, and a worker's scope is every account, so these handlers take no
// caller: they decode the run (or job) id and make the one domain call.
type WorkerHandler struct {
	mgmtv1alpha1connect.UnimplementedWorkerServiceHandler
	runs        *run.Service
	connections *connection.Service
}

// NewWorkerHandler returns the handler; connections answers which
// databases workers must refuse (GetWorkerPolicy).
func NewWorkerHandler(r *run.Service, connections *connection.Service) *WorkerHandler {
	return &WorkerHandler{runs: r, connections: connections}
}

// StartJobRun records the run a workflow executes.
func (h *WorkerHandler) StartJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.StartJobRunRequest]) (*connect.Response[mgmtv1alpha1.StartJobRunResponse], error) {
	jobID, err := parseID("job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	id, err := h.runs.StartByWorker(ctx, jobID, req.Msg.GetWorkflowId(), req.Msg.GetTemporalRunId())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.StartJobRunResponse{JobRunId: id.String()}), nil
}

// ReportTableProgress upserts one table's progress.
func (h *WorkerHandler) ReportTableProgress(ctx context.Context, req *connect.Request[mgmtv1alpha1.ReportTableProgressRequest]) (*connect.Response[mgmtv1alpha1.ReportTableProgressResponse], error) {
	id, err := parseID("job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	if req.Msg.GetProgress() == nil {
		return nil, invalid("progress", "is required")
	}
	if err := h.runs.ReportTable(ctx, id, tableProgressFromProto(req.Msg.GetProgress())); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.ReportTableProgressResponse{}), nil
}

// ReportPendingTables records many tables of a run as pending.
func (h *WorkerHandler) ReportPendingTables(ctx context.Context, req *connect.Request[mgmtv1alpha1.ReportPendingTablesRequest]) (*connect.Response[mgmtv1alpha1.ReportPendingTablesResponse], error) {
	id, err := parseID("job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	tables := make([]run.PendingTable, len(req.Msg.GetTables()))
	for i, t := range req.Msg.GetTables() {
		tables[i] = run.PendingTable{Destination: t.GetDestination(), Schema: t.GetSchema(), Table: t.GetTable(), RowsExpected: t.GetRowsExpected()}
	}
	if err := h.runs.ReportPending(ctx, id, tables); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.ReportPendingTablesResponse{}), nil
}

// AddJobRunEvent appends to a run's log.
func (h *WorkerHandler) AddJobRunEvent(ctx context.Context, req *connect.Request[mgmtv1alpha1.AddJobRunEventRequest]) (*connect.Response[mgmtv1alpha1.AddJobRunEventResponse], error) {
	id, err := parseID("job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	m := req.Msg
	if err := h.runs.AddEvent(ctx, id, run.Event{Level: m.GetLevel(), Message: m.GetMessage(), Schema: m.Schema, Table: m.Table}); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.AddJobRunEventResponse{}), nil
}

// FinishJobRun records a run's outcome.
func (h *WorkerHandler) FinishJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.FinishJobRunRequest]) (*connect.Response[mgmtv1alpha1.FinishJobRunResponse], error) {
	id, err := parseID("job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	status, ok := statusFromProto(req.Msg.GetStatus())
	if !ok {
		return nil, invalid("status", "is required")
	}
	var report map[string]any
	if req.Msg.GetReport() != nil {
		report = req.Msg.GetReport().AsMap()
	}
	if err := h.runs.Finish(ctx, id, status, req.Msg.Error, report); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.FinishJobRunResponse{}), nil
}

// AddJobRunLogs stores a batch of a run's log lines.
func (h *WorkerHandler) AddJobRunLogs(ctx context.Context, req *connect.Request[mgmtv1alpha1.AddJobRunLogsRequest]) (*connect.Response[mgmtv1alpha1.AddJobRunLogsResponse], error) {
	id, err := parseID("job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	if err := h.runs.AddLogs(ctx, id, logLinesFromProto(req.Msg.GetLines())); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.AddJobRunLogsResponse{}), nil
}

// rangeKeyFromProto decodes a range's address.
func rangeKeyFromProto(k *mgmtv1alpha1.RangeSketchKey) (run.RangeKey, error) {
	if k == nil {
		return run.RangeKey{}, invalid("range", "is required")
	}
	id, err := parseID("range.job_run_id", k.GetJobRunId())
	if err != nil {
		return run.RangeKey{}, err
	}
	return run.RangeKey{RunID: id, Destination: k.GetDestination(), Schema: k.GetSchema(), Table: k.GetTable(), RangeIndex: k.GetRangeIndex(),
		Checkpoint: k.GetCheckpoint()}, nil
}

// PutRangeSketch stores one part of a key range's leak sketches.
func (h *WorkerHandler) PutRangeSketch(ctx context.Context, req *connect.Request[mgmtv1alpha1.PutRangeSketchRequest]) (*connect.Response[mgmtv1alpha1.PutRangeSketchResponse], error) {
	k, err := rangeKeyFromProto(req.Msg.GetRange())
	if err != nil {
		return nil, err
	}
	p := req.Msg.GetPart()
	if p == nil {
		return nil, invalid("part", "is required")
	}
	if err := h.runs.PutRangeSketch(ctx, k, run.SketchPart{Part: p.GetPart(), Sketch: p.GetSketch()}); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.PutRangeSketchResponse{}), nil
}

// PutRangeSketches stores every part of several ranges' leak sketches in
// one call.
func (h *WorkerHandler) PutRangeSketches(ctx context.Context, req *connect.Request[mgmtv1alpha1.PutRangeSketchesRequest]) (*connect.Response[mgmtv1alpha1.PutRangeSketchesResponse], error) {
	batch := make([]run.RangeSketches, len(req.Msg.GetSketches()))
	for i, r := range req.Msg.GetSketches() {
		k, err := rangeKeyFromProto(r.GetRange())
		if err != nil {
			return nil, domain.Within(fmt.Sprintf("sketches[%d]", i), err)
		}
		batch[i].Key = k
		for _, p := range r.GetParts() {
			batch[i].Parts = append(batch[i].Parts, run.SketchPart{Part: p.GetPart(), Sketch: p.GetSketch()})
		}
	}
	if err := h.runs.PutRangeSketches(ctx, batch); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.PutRangeSketchesResponse{}), nil
}

// DeleteRangeSketch forgets a key range's leak sketches.
func (h *WorkerHandler) DeleteRangeSketch(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteRangeSketchRequest]) (*connect.Response[mgmtv1alpha1.DeleteRangeSketchResponse], error) {
	k, err := rangeKeyFromProto(req.Msg.GetRange())
	if err != nil {
		return nil, err
	}
	if err := h.runs.DeleteRangeSketch(ctx, k); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteRangeSketchResponse{}), nil
}

// GetRangeSketch returns every stored part of a key range's leak sketches.
func (h *WorkerHandler) GetRangeSketch(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetRangeSketchRequest]) (*connect.Response[mgmtv1alpha1.GetRangeSketchResponse], error) {
	k, err := rangeKeyFromProto(req.Msg.GetRange())
	if err != nil {
		return nil, err
	}
	parts, err := h.runs.GetRangeSketch(ctx, k)
	if err != nil {
		return nil, err
	}
	out := &mgmtv1alpha1.GetRangeSketchResponse{}
	for _, p := range parts {
		out.Parts = append(out.Parts, &mgmtv1alpha1.RangeSketchPart{Part: p.Part, Sketch: p.Sketch})
	}
	return connect.NewResponse(out), nil
}
