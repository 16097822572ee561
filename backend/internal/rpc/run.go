package rpc

import (
	"context"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
)

// withRun authenticates, parses a run id field and calls fn.
func (h *JobHandler) withRun(ctx context.Context, field, raw string, fn func(p *auth.Principal, id uuid.UUID) error) error {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return toConnect(ctx, h.log, err)
	}
	id, err := parseID(field, raw)
	if err != nil {
		return err
	}
	return toConnect(ctx, h.log, fn(p, id))
}

// CreateJobRun triggers a run now.
func (h *JobHandler) CreateJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateJobRunRequest]) (*connect.Response[mgmtv1alpha1.CreateJobRunResponse], error) {
	var r run.Run
	err := h.withRun(ctx, "job_id", req.Msg.GetJobId(), func(p *auth.Principal, id uuid.UUID) (err error) {
		r, err = h.runs.Trigger(ctx, p.Scope, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateJobRunResponse{JobRun: runToProto(r)}), nil
}

// GetJobRuns lists runs of a job or of an account, newest first.
func (h *JobHandler) GetJobRuns(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunsRequest]) (*connect.Response[mgmtv1alpha1.GetJobRunsResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	lp := run.ListParams{PageSize: int(req.Msg.GetPageSize()), PageToken: req.Msg.GetPageToken()}
	switch id := req.Msg.GetId().(type) {
	case *mgmtv1alpha1.GetJobRunsRequest_JobId:
		v, err := parseID("job_id", id.JobId)
		if err != nil {
			return nil, err
		}
		lp.JobID = &v
	case *mgmtv1alpha1.GetJobRunsRequest_AccountId:
		v, err := parseID("account_id", id.AccountId)
		if err != nil {
			return nil, err
		}
		lp.AccountID = &v
	default:
		return nil, invalid("id", "job_id or account_id is required")
	}
	runs, next, err := h.runs.List(ctx, p.Scope, lp)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	resp := &mgmtv1alpha1.GetJobRunsResponse{NextPageToken: next}
	for _, r := range runs {
		resp.JobRuns = append(resp.JobRuns, runToProto(r))
	}
	return connect.NewResponse(resp), nil
}

// GetJobRun returns one run with per-table progress.
func (h *JobHandler) GetJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunRequest]) (*connect.Response[mgmtv1alpha1.GetJobRunResponse], error) {
	var r run.Run
	err := h.withRun(ctx, "job_run_id", req.Msg.GetJobRunId(), func(p *auth.Principal, id uuid.UUID) (err error) {
		r, err = h.runs.Get(ctx, p.Scope, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetJobRunResponse{JobRun: runToProto(r)}), nil
}

// GetJobRunEvents returns a run's event log.
func (h *JobHandler) GetJobRunEvents(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunEventsRequest]) (*connect.Response[mgmtv1alpha1.GetJobRunEventsResponse], error) {
	var events []run.Event
	var done bool
	err := h.withRun(ctx, "job_run_id", req.Msg.GetJobRunId(), func(p *auth.Principal, id uuid.UUID) (err error) {
		events, done, err = h.runs.Events(ctx, p.Scope, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetJobRunEventsResponse{IsRunComplete: done}
	for _, e := range events {
		resp.Events = append(resp.Events, &mgmtv1alpha1.JobRunEvent{Id: e.ID, Time: timestamppb.New(e.Time), Level: e.Level, Message: e.Message, Schema: e.Schema, Table: e.Table})
	}
	return connect.NewResponse(resp), nil
}

// CancelJobRun asks a run to stop gracefully.
func (h *JobHandler) CancelJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.CancelJobRunRequest]) (*connect.Response[mgmtv1alpha1.CancelJobRunResponse], error) {
	err := h.withRun(ctx, "job_run_id", req.Msg.GetJobRunId(), func(p *auth.Principal, id uuid.UUID) error {
		return h.runs.Cancel(ctx, p.Scope, id)
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CancelJobRunResponse{}), nil
}

// TerminateJobRun stops a run immediately.
func (h *JobHandler) TerminateJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.TerminateJobRunRequest]) (*connect.Response[mgmtv1alpha1.TerminateJobRunResponse], error) {
	err := h.withRun(ctx, "job_run_id", req.Msg.GetJobRunId(), func(p *auth.Principal, id uuid.UUID) error {
		return h.runs.Terminate(ctx, p.Scope, id)
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.TerminateJobRunResponse{}), nil
}

// DeleteJobRun removes a finished run.
func (h *JobHandler) DeleteJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteJobRunRequest]) (*connect.Response[mgmtv1alpha1.DeleteJobRunResponse], error) {
	err := h.withRun(ctx, "job_run_id", req.Msg.GetJobRunId(), func(p *auth.Principal, id uuid.UUID) error {
		return h.runs.Delete(ctx, p.Scope, id)
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteJobRunResponse{}), nil
}

// GetJobRecentRuns returns a job's latest runs.
func (h *JobHandler) GetJobRecentRuns(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRecentRunsRequest]) (*connect.Response[mgmtv1alpha1.GetJobRecentRunsResponse], error) {
	var runs []run.Run
	err := h.withRun(ctx, "job_id", req.Msg.GetJobId(), func(p *auth.Principal, id uuid.UUID) (err error) {
		runs, err = h.runs.Recent(ctx, p.Scope, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetJobRecentRunsResponse{}
	for _, r := range runs {
		resp.RecentRuns = append(resp.RecentRuns, runToProto(r))
	}
	return connect.NewResponse(resp), nil
}

// GetJobNextRuns returns the next scheduled times.
func (h *JobHandler) GetJobNextRuns(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobNextRunsRequest]) (*connect.Response[mgmtv1alpha1.GetJobNextRunsResponse], error) {
	resp := &mgmtv1alpha1.GetJobNextRunsResponse{}
	err := h.withRun(ctx, "job_id", req.Msg.GetJobId(), func(p *auth.Principal, id uuid.UUID) error {
		times, err := h.runs.NextRuns(ctx, p.Scope, id, 5)
		for _, t := range times {
			resp.NextRunTimes = append(resp.NextRunTimes, timestamppb.New(t))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(resp), nil
}

// PauseJob pauses or resumes the job's schedule.
func (h *JobHandler) PauseJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.PauseJobRequest]) (*connect.Response[mgmtv1alpha1.PauseJobResponse], error) {
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		return h.jobs.SetPaused(ctx, p.Scope, id, req.Msg.GetPause())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.PauseJobResponse{Job: pj}), nil
}
