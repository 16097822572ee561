package rpc

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
)

// CreateJobRun triggers a run now.
func (h *JobHandler) CreateJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateJobRunRequest]) (*connect.Response[mgmtv1alpha1.CreateJobRunResponse], error) {
	t, err := resolve(ctx, "job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	r, err := h.runs.Trigger(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateJobRunResponse{JobRun: runToProto(r)}), nil
}

// GetJobRuns lists runs of a job or of an account, newest first.
func (h *JobHandler) GetJobRuns(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunsRequest]) (*connect.Response[mgmtv1alpha1.GetJobRunsResponse], error) {
	lp, t, err := resolveRunList(ctx, req.Msg)
	if err != nil {
		return nil, err
	}
	runs, next, err := h.runs.List(ctx, t.Scope, lp)
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetJobRunsResponse{NextPageToken: next}
	for _, r := range runs {
		resp.JobRuns = append(resp.JobRuns, runToProto(r))
	}
	return connect.NewResponse(resp), nil
}

// resolveRunList resolves GetJobRuns, whose request names a job or an
// account, into the list parameters and the caller.
func resolveRunList(ctx context.Context, m *mgmtv1alpha1.GetJobRunsRequest) (run.ListParams, target, error) {
	lp := run.ListParams{PageSize: int(m.GetPageSize()), PageToken: m.GetPageToken()}
	var field, raw string
	switch id := m.GetId().(type) {
	case *mgmtv1alpha1.GetJobRunsRequest_JobId:
		field, raw = "job_id", id.JobId
	case *mgmtv1alpha1.GetJobRunsRequest_AccountId:
		field, raw = "account_id", id.AccountId
	default:
		return lp, target{}, invalid("id", "job_id or account_id is required")
	}
	t, err := resolve(ctx, field, raw)
	if err != nil {
		return lp, target{}, err
	}
	if field == "job_id" {
		lp.JobID = &t.ID
	} else {
		lp.AccountID = &t.ID
	}
	return lp, t, nil
}

// GetJobRun returns one run with per-table progress.
func (h *JobHandler) GetJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunRequest]) (*connect.Response[mgmtv1alpha1.GetJobRunResponse], error) {
	t, err := resolve(ctx, "job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	r, err := h.runs.Get(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetJobRunResponse{JobRun: runToProto(r)}), nil
}

// GetJobRunEvents returns a run's event log.
func (h *JobHandler) GetJobRunEvents(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunEventsRequest]) (*connect.Response[mgmtv1alpha1.GetJobRunEventsResponse], error) {
	t, err := resolve(ctx, "job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	events, done, err := h.runs.Events(ctx, t.Scope, t.ID)
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
	t, err := resolve(ctx, "job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	if err := h.runs.Cancel(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CancelJobRunResponse{}), nil
}

// TerminateJobRun stops a run immediately.
func (h *JobHandler) TerminateJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.TerminateJobRunRequest]) (*connect.Response[mgmtv1alpha1.TerminateJobRunResponse], error) {
	t, err := resolve(ctx, "job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	if err := h.runs.Terminate(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.TerminateJobRunResponse{}), nil
}

// DeleteJobRun removes a finished run.
func (h *JobHandler) DeleteJobRun(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteJobRunRequest]) (*connect.Response[mgmtv1alpha1.DeleteJobRunResponse], error) {
	t, err := resolve(ctx, "job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return nil, err
	}
	if err := h.runs.Delete(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteJobRunResponse{}), nil
}

// GetJobRecentRuns returns a job's latest runs.
func (h *JobHandler) GetJobRecentRuns(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRecentRunsRequest]) (*connect.Response[mgmtv1alpha1.GetJobRecentRunsResponse], error) {
	t, err := resolve(ctx, "job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	runs, err := h.runs.Recent(ctx, t.Scope, t.ID)
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
	t, err := resolve(ctx, "job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	times, err := h.runs.NextRuns(ctx, t.Scope, t.ID, 5)
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetJobNextRunsResponse{}
	for _, tm := range times {
		resp.NextRunTimes = append(resp.NextRunTimes, timestamppb.New(tm))
	}
	return connect.NewResponse(resp), nil
}

// PauseJob pauses or resumes the job's schedule.
func (h *JobHandler) PauseJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.PauseJobRequest]) (*connect.Response[mgmtv1alpha1.PauseJobResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	pj, err := encodeJob(h.jobs.SetPaused(ctx, t.Scope, t.ID, req.Msg.GetPause()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.PauseJobResponse{Job: pj}), nil
}

// GetUsage answers rows copied per day and job over a range of days.
func (h *JobHandler) GetUsage(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetUsageRequest]) (*connect.Response[mgmtv1alpha1.GetUsageResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	var jobID *uuid.UUID
	if req.Msg.JobId != nil {
		id, err := parseID("job_id", req.Msg.GetJobId())
		if err != nil {
			return nil, err
		}
		jobID = &id
	}
	days, err := h.runs.Usage(ctx, t.Scope, t.ID, jobID, req.Msg.GetStartDate(), req.Msg.GetEndDate())
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetUsageResponse{}
	for _, d := range days {
		resp.Days = append(resp.Days, &mgmtv1alpha1.DailyUsage{Date: d.Day.Format(time.DateOnly), JobId: d.JobID.String(), JobName: d.JobName, Rows: d.Rows, Runs: d.Runs})
		resp.TotalRows += d.Rows
	}
	return connect.NewResponse(resp), nil
}

// logPoll is how often a followed log looks for new lines.
const logPoll = time.Second

// GetJobRunLogs streams a run's log lines, following them on request.
func (h *JobHandler) GetJobRunLogs(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRunLogsRequest], stream *connect.ServerStream[mgmtv1alpha1.GetJobRunLogsResponse]) error {
	t, err := resolve(ctx, "job_run_id", req.Msg.GetJobRunId())
	if err != nil {
		return err
	}
	return h.runs.FollowLogs(ctx, t.Scope, t.ID, req.Msg.GetAfterId(), req.Msg.GetFollow(), logPoll, func(lines []run.LogLine) error {
		return stream.Send(&mgmtv1alpha1.GetJobRunLogsResponse{Lines: logLinesToProto(lines)})
	})
}
