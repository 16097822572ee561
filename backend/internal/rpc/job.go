package rpc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/jobplan"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// JobHandler serves JobService: job definitions here, runs in run.go.
type JobHandler struct {
	mgmtv1alpha1connect.UnimplementedJobServiceHandler
	jobs  *job.Service
	runs  *run.Service
	plans *jobplan.Service
	log   *slog.Logger
}

// NewJobHandler returns the handler.
func NewJobHandler(j *job.Service, runs *run.Service, plans *jobplan.Service, log *slog.Logger) *JobHandler {
	return &JobHandler{jobs: j, runs: runs, plans: plans, log: log}
}

// GetJobPlan computes the plan the job's next run would follow.
func (h *JobHandler) GetJobPlan(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobPlanRequest]) (*connect.Response[mgmtv1alpha1.GetJobPlanResponse], error) {
	var p jobplan.Plan
	err := h.withRun(ctx, "id", req.Msg.GetId(), func(pr *auth.Principal, id uuid.UUID) (err error) {
		p, err = h.plans.Plan(ctx, pr.Scope, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetJobPlanResponse{Text: p.Text, Warnings: p.Warnings}
	if b, err := json.Marshal(p.Value); err == nil {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			resp.Plan, _ = structpb.NewStruct(m)
		}
	}
	return connect.NewResponse(resp), nil
}

// jobResponse encodes a job or maps the error.
func (h *JobHandler) encode(ctx context.Context, j job.Job, err error) (*mgmtv1alpha1.Job, error) {
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	pj, err := jobToProto(j)
	return pj, toConnect(ctx, h.log, err)
}

// withJob runs fn for the job named by rawID (field "id") and encodes the job it returns.
func (h *JobHandler) withJob(ctx context.Context, rawID string, fn func(p *auth.Principal, id uuid.UUID) (job.Job, error)) (*mgmtv1alpha1.Job, error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	id, err := parseID("id", rawID)
	if err != nil {
		return nil, err
	}
	j, err := fn(p, id)
	return h.encode(ctx, j, err)
}

// GetJobs lists an account's jobs.
func (h *JobHandler) GetJobs(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobsRequest]) (*connect.Response[mgmtv1alpha1.GetJobsResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	accountID, err := parseID("account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	jobs, err := h.jobs.List(ctx, p.Scope, accountID)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	out := make([]*mgmtv1alpha1.Job, 0, len(jobs))
	for _, j := range jobs {
		pj, err := h.encode(ctx, j, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, pj)
	}
	return connect.NewResponse(&mgmtv1alpha1.GetJobsResponse{Jobs: out}), nil
}

// GetJob returns one job; a worker also receives the job's transformer key.
func (h *JobHandler) GetJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRequest]) (*connect.Response[mgmtv1alpha1.GetJobResponse], error) {
	var key []byte
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		j, err := h.jobs.Get(ctx, p.Scope, id)
		if err == nil && p.IsWorker() {
			key, err = h.jobs.Key(ctx, j)
		}
		return j, err
	})
	if err != nil {
		return nil, err
	}
	if key != nil {
		k := base64.StdEncoding.EncodeToString(key)
		pj.TransformerKey = &k
	}
	return connect.NewResponse(&mgmtv1alpha1.GetJobResponse{Job: pj}), nil
}

// CreateJob validates and saves a job.
func (h *JobHandler) CreateJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateJobRequest]) (*connect.Response[mgmtv1alpha1.CreateJobResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	m := req.Msg
	accountID, err := parseID("account_id", m.GetAccountId())
	if err != nil {
		return nil, err
	}
	def, err := sourceFromProto(m.GetSource(), m.GetMappings(), m.GetVirtualForeignKeys())
	if err != nil {
		return nil, err
	}
	def.WorkflowOptions = workflowOptionsFromProto(m.GetWorkflowOptions())
	def.ActivityOptions = activityOptionsFromProto(m.GetSyncOptions())
	dests, err := destinationsFromProto(m.GetDestinations())
	if err != nil {
		return nil, err
	}
	j, err := h.jobs.Create(ctx, p.Scope, p.UserID, job.CreateParams{
		AccountID: accountID, Name: m.GetJobName(), Definition: def, CronSchedule: m.CronSchedule, Destinations: dests,
	})
	if err == nil && m.GetInitiateJobRun() {
		if _, rerr := h.runs.Trigger(ctx, p.Scope, j.ID); rerr != nil {
			h.log.WarnContext(ctx, "job created but its first run did not start", slog.String("job_id", j.ID.String()), slog.String("error", rerr.Error()))
		}
	}
	pj, err := h.encode(ctx, j, err)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateJobResponse{Job: pj}), nil
}

// DeleteJob removes a job.
func (h *JobHandler) DeleteJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteJobRequest]) (*connect.Response[mgmtv1alpha1.DeleteJobResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	id, err := parseID("id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := h.jobs.Delete(ctx, p.Scope, id); err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteJobResponse{}), nil
}

// IsJobNameAvailable reports whether a name is free.
func (h *JobHandler) IsJobNameAvailable(ctx context.Context, req *connect.Request[mgmtv1alpha1.IsJobNameAvailableRequest]) (*connect.Response[mgmtv1alpha1.IsJobNameAvailableResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	accountID, err := parseID("account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	ok, err := h.jobs.IsNameAvailable(ctx, p.Scope, accountID, req.Msg.GetName())
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	return connect.NewResponse(&mgmtv1alpha1.IsJobNameAvailableResponse{IsAvailable: ok}), nil
}

// UpdateJobSchedule stores the cron schedule. Executing it arrives with the worker.
func (h *JobHandler) UpdateJobSchedule(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateJobScheduleRequest]) (*connect.Response[mgmtv1alpha1.UpdateJobScheduleResponse], error) {
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		return h.jobs.UpdateSchedule(ctx, p.Scope, p.UserID, id, req.Msg.CronSchedule)
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateJobScheduleResponse{Job: pj}), nil
}

// UpdateJobSourceConnection replaces source, mappings and virtual foreign keys.
func (h *JobHandler) UpdateJobSourceConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateJobSourceConnectionRequest]) (*connect.Response[mgmtv1alpha1.UpdateJobSourceConnectionResponse], error) {
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		def, err := sourceFromProto(req.Msg.GetSource(), req.Msg.GetMappings(), req.Msg.GetVirtualForeignKeys())
		if err != nil {
			return job.Job{}, err
		}
		return h.jobs.UpdateSource(ctx, p.Scope, p.UserID, id, def)
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateJobSourceConnectionResponse{Job: pj}), nil
}

// SetJobSourceSqlConnectionSubsets replaces the subsets.
func (h *JobHandler) SetJobSourceSqlConnectionSubsets(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetJobSourceSqlConnectionSubsetsRequest]) (*connect.Response[mgmtv1alpha1.SetJobSourceSqlConnectionSubsetsResponse], error) {
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		return h.jobs.SetSubsets(ctx, p.Scope, p.UserID, id, subsetsFromProto(req.Msg.GetSubsets()), req.Msg.GetSubsetByForeignKeyConstraints())
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetJobSourceSqlConnectionSubsetsResponse{Job: pj}), nil
}

// UpdateJobDestinationConnection changes one destination.
func (h *JobHandler) UpdateJobDestinationConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateJobDestinationConnectionRequest]) (*connect.Response[mgmtv1alpha1.UpdateJobDestinationConnectionResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	jobID, err := parseID("job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	destID, err := parseID("destination_id", req.Msg.GetDestinationId())
	if err != nil {
		return nil, err
	}
	connID, err := parseID("connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	j, err := h.jobs.UpdateDestination(ctx, p.Scope, jobID, destID, job.DestinationOptionsFor{ConnectionID: connID, Options: destinationOptionsFromProto(req.Msg.GetOptions())})
	pj, err := h.encode(ctx, j, err)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateJobDestinationConnectionResponse{Job: pj}), nil
}

// DeleteJobDestinationConnection removes one destination.
func (h *JobHandler) DeleteJobDestinationConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteJobDestinationConnectionRequest]) (*connect.Response[mgmtv1alpha1.DeleteJobDestinationConnectionResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	jobID, err := parseID("job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	destID, err := parseID("destination_id", req.Msg.GetDestinationId())
	if err != nil {
		return nil, err
	}
	if err := h.jobs.DeleteDestination(ctx, p.Scope, jobID, destID); err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteJobDestinationConnectionResponse{}), nil
}

// CreateJobDestinationConnections adds destinations.
func (h *JobHandler) CreateJobDestinationConnections(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateJobDestinationConnectionsRequest]) (*connect.Response[mgmtv1alpha1.CreateJobDestinationConnectionsResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	jobID, err := parseID("job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	add, err := destinationsFromProto(req.Msg.GetDestinations())
	if err != nil {
		return nil, err
	}
	dests, err := h.jobs.AddDestinations(ctx, p.Scope, jobID, add)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	out := make([]*mgmtv1alpha1.JobDestination, 0, len(dests))
	for _, d := range dests {
		out = append(out, destinationToProto(d))
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateJobDestinationConnectionsResponse{Destinations: out}), nil
}

// SetJobWorkflowOptions replaces the run options.
func (h *JobHandler) SetJobWorkflowOptions(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetJobWorkflowOptionsRequest]) (*connect.Response[mgmtv1alpha1.SetJobWorkflowOptionsResponse], error) {
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		return h.jobs.SetWorkflowOptions(ctx, p.Scope, p.UserID, id, workflowOptionsFromProto(req.Msg.GetWorkflowOptions()))
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetJobWorkflowOptionsResponse{Job: pj}), nil
}

// SetJobSyncOptions replaces the per-table activity options.
func (h *JobHandler) SetJobSyncOptions(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetJobSyncOptionsRequest]) (*connect.Response[mgmtv1alpha1.SetJobSyncOptionsResponse], error) {
	pj, err := h.withJob(ctx, req.Msg.GetId(), func(p *auth.Principal, id uuid.UUID) (job.Job, error) {
		return h.jobs.SetActivityOptions(ctx, p.Scope, p.UserID, id, activityOptionsFromProto(req.Msg.GetSyncOptions()))
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetJobSyncOptionsResponse{Job: pj}), nil
}

// ValidateJobMappings checks mappings against the source schema with the
// rules every run's plan applies.
func (h *JobHandler) ValidateJobMappings(ctx context.Context, req *connect.Request[mgmtv1alpha1.ValidateJobMappingsRequest]) (*connect.Response[mgmtv1alpha1.ValidateJobMappingsResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	accountID, err := parseID("account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	var connID uuid.UUID
	var cfg *sqlconnect.Config
	if req.Msg.GetConnectionConfig() != nil {
		c, err := connectionConfigFromProto("connection_config", req.Msg.GetConnectionConfig())
		if err != nil {
			return nil, err
		}
		cfg = &c
	} else if connID, err = parseID("connection_id", req.Msg.GetConnectionId()); err != nil {
		return nil, err
	}
	mappings, err := mappingsFromProto(req.Msg.GetMappings())
	if err != nil {
		return nil, err
	}
	def := job.Definition{Mappings: mappings, VirtualForeignKeys: vfksFromProto(req.Msg.GetVirtualForeignKeys())}
	if req.Msg.GetJobType() == mgmtv1alpha1.JobType_JOB_TYPE_GENERATE {
		def.Generate = &job.GenerateSource{SchemaConnectionID: connID}
	} else {
		def.Sync = &job.SyncSource{ConnectionID: connID}
	}
	report, err := h.jobs.ValidateMappings(ctx, p.Scope, accountID, def, cfg)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	resp := &mgmtv1alpha1.ValidateJobMappingsResponse{DatabaseErrors: &mgmtv1alpha1.DatabaseError{}}
	resp.ColumnErrors, resp.DatabaseErrors.Errors = findingsToProto(report.Problems)
	resp.ColumnWarnings, resp.Warnings = findingsToProto(report.Warnings)
	return connect.NewResponse(resp), nil
}

// findingsToProto splits findings into those about one column, grouped by
// column in order (the web app shows them in place), and the rest (about a
// table or the job), which it shows above the columns.
func findingsToProto(fs []syncplan.Finding) (columns []*mgmtv1alpha1.ColumnError, rest []string) {
	byColumn := map[syncplan.Finding]*mgmtv1alpha1.ColumnError{}
	for _, f := range fs {
		if f.Column == "" {
			rest = append(rest, f.Message)
			continue
		}
		k := syncplan.Finding{Table: f.Table, Column: f.Column}
		ce := byColumn[k]
		if ce == nil {
			ce = &mgmtv1alpha1.ColumnError{Schema: f.Table.Schema, Table: f.Table.Table, Column: f.Column}
			byColumn[k] = ce
			columns = append(columns, ce)
		}
		ce.Errors = append(ce.Errors, f.Message)
	}
	return columns, rest
}
