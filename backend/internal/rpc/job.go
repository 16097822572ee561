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

// GetJobPlan computes the plan the job's next run would follow. Reading a
// job needs only the read permission; the plan's personal data check reads
// source rows, so it runs only for a caller who may read them.
func (h *JobHandler) GetJobPlan(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobPlanRequest]) (*connect.Response[mgmtv1alpha1.GetJobPlanResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	mayRead := func(accountID uuid.UUID) bool {
		return t.IsWorker() || t.RoleIn(accountID).Allows(auth.PermDataRead)
	}
	p, err := h.plans.Plan(ctx, t.Scope, t.ID, jobplan.Options{MayReadData: mayRead})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(planToProto(p)), nil
}

// encodeJob encodes the job a domain call returned, or returns that call's
// error as it is for the interceptor to map; a handler that changes a job
// passes the call's results straight in.
func encodeJob(j job.Job, err error) (*mgmtv1alpha1.Job, error) {
	if err != nil {
		return nil, err
	}
	return jobToProto(j)
}

// GetJobs lists an account's jobs.
func (h *JobHandler) GetJobs(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobsRequest]) (*connect.Response[mgmtv1alpha1.GetJobsResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	jobs, err := h.jobs.List(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.Job, 0, len(jobs))
	for _, j := range jobs {
		pj, err := jobToProto(j)
		if err != nil {
			return nil, err
		}
		out = append(out, pj)
	}
	return connect.NewResponse(&mgmtv1alpha1.GetJobsResponse{Jobs: out}), nil
}

// GetJob returns one job; a worker also receives the job's transformer key.
func (h *JobHandler) GetJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetJobRequest]) (*connect.Response[mgmtv1alpha1.GetJobResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	j, err := h.jobs.Get(ctx, t.Scope, t.ID)
	var key []byte
	if err == nil && t.IsWorker() {
		key, err = h.jobs.Key(ctx, j)
	}
	pj, err := encodeJob(j, err)
	if err != nil {
		return nil, err
	}
	if key != nil {
		k := base64.StdEncoding.EncodeToString(key)
		pj.TransformerKey = &k
	}
	return connect.NewResponse(&mgmtv1alpha1.GetJobResponse{Job: pj}), nil
}

// CreateJob validates and saves a job, and starts its first run when asked
// (a run that fails to start is logged; the job stays created).
func (h *JobHandler) CreateJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateJobRequest]) (*connect.Response[mgmtv1alpha1.CreateJobResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	params, err := createParamsFromProto(t.ID, req.Msg)
	if err != nil {
		return nil, err
	}
	j, err := h.jobs.Create(ctx, t.Scope, t.UserID, params)
	if err == nil && req.Msg.GetInitiateJobRun() {
		if _, rerr := h.runs.Trigger(ctx, t.Scope, j.ID); rerr != nil {
			h.log.WarnContext(ctx, "job created but its first run did not start", slog.String("job_id", j.ID.String()), slog.String("error", rerr.Error()))
		}
	}
	pj, err := encodeJob(j, err)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateJobResponse{Job: pj}), nil
}

// DeleteJob removes a job.
func (h *JobHandler) DeleteJob(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteJobRequest]) (*connect.Response[mgmtv1alpha1.DeleteJobResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := h.jobs.Delete(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteJobResponse{}), nil
}

// IsJobNameAvailable reports whether a name is free.
func (h *JobHandler) IsJobNameAvailable(ctx context.Context, req *connect.Request[mgmtv1alpha1.IsJobNameAvailableRequest]) (*connect.Response[mgmtv1alpha1.IsJobNameAvailableResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	ok, err := h.jobs.IsNameAvailable(ctx, t.Scope, t.ID, req.Msg.GetName())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.IsJobNameAvailableResponse{IsAvailable: ok}), nil
}

// UpdateJobSchedule sets the job's cron schedule, or clears it when the
// request has none or an empty one. The job's Temporal Schedule is created,
// updated or deleted to match before the job is saved, so the schedule a job
// shows is one Temporal holds; while Temporal cannot be reached the call is
// Unavailable and the job keeps its old schedule.
func (h *JobHandler) UpdateJobSchedule(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateJobScheduleRequest]) (*connect.Response[mgmtv1alpha1.UpdateJobScheduleResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	pj, err := encodeJob(h.jobs.UpdateSchedule(ctx, t.Scope, t.UserID, t.ID, req.Msg.CronSchedule))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateJobScheduleResponse{Job: pj}), nil
}

// UpdateJobSourceConnection replaces source, mappings and virtual foreign keys.
func (h *JobHandler) UpdateJobSourceConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateJobSourceConnectionRequest]) (*connect.Response[mgmtv1alpha1.UpdateJobSourceConnectionResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	def, err := sourceFromProto(req.Msg.GetSource(), req.Msg.GetMappings(), req.Msg.GetVirtualForeignKeys())
	if err != nil {
		return nil, err
	}
	pj, err := encodeJob(h.jobs.UpdateSource(ctx, t.Scope, t.UserID, t.ID, def))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateJobSourceConnectionResponse{Job: pj}), nil
}

// SetJobSourceSqlConnectionSubsets replaces the subsets.
func (h *JobHandler) SetJobSourceSqlConnectionSubsets(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetJobSourceSqlConnectionSubsetsRequest]) (*connect.Response[mgmtv1alpha1.SetJobSourceSqlConnectionSubsetsResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	pj, err := encodeJob(h.jobs.SetSubsets(ctx, t.Scope, t.UserID, t.ID, subsetsFromProto(req.Msg.GetSubsets()), req.Msg.GetSubsetByForeignKeyConstraints()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetJobSourceSqlConnectionSubsetsResponse{Job: pj}), nil
}

// UpdateJobDestinationConnection changes one destination.
func (h *JobHandler) UpdateJobDestinationConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateJobDestinationConnectionRequest]) (*connect.Response[mgmtv1alpha1.UpdateJobDestinationConnectionResponse], error) {
	t, err := resolve(ctx, "job_id", req.Msg.GetJobId())
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
	dest := job.DestinationOptionsFor{ConnectionID: connID, Options: destinationOptionsFromProto(req.Msg.GetOptions())}
	pj, err := encodeJob(h.jobs.UpdateDestination(ctx, t.Scope, t.ID, destID, dest))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateJobDestinationConnectionResponse{Job: pj}), nil
}

// DeleteJobDestinationConnection removes one destination.
func (h *JobHandler) DeleteJobDestinationConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteJobDestinationConnectionRequest]) (*connect.Response[mgmtv1alpha1.DeleteJobDestinationConnectionResponse], error) {
	t, err := resolve(ctx, "job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	destID, err := parseID("destination_id", req.Msg.GetDestinationId())
	if err != nil {
		return nil, err
	}
	if err := h.jobs.DeleteDestination(ctx, t.Scope, t.ID, destID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteJobDestinationConnectionResponse{}), nil
}

// CreateJobDestinationConnections adds destinations.
func (h *JobHandler) CreateJobDestinationConnections(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateJobDestinationConnectionsRequest]) (*connect.Response[mgmtv1alpha1.CreateJobDestinationConnectionsResponse], error) {
	t, err := resolve(ctx, "job_id", req.Msg.GetJobId())
	if err != nil {
		return nil, err
	}
	add, err := destinationsFromProto(req.Msg.GetDestinations())
	if err != nil {
		return nil, err
	}
	dests, err := h.jobs.AddDestinations(ctx, t.Scope, t.ID, add)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.JobDestination, 0, len(dests))
	for _, d := range dests {
		out = append(out, destinationToProto(d))
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateJobDestinationConnectionsResponse{Destinations: out}), nil
}

// SetJobWorkflowOptions replaces the run options.
func (h *JobHandler) SetJobWorkflowOptions(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetJobWorkflowOptionsRequest]) (*connect.Response[mgmtv1alpha1.SetJobWorkflowOptionsResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	pj, err := encodeJob(h.jobs.SetWorkflowOptions(ctx, t.Scope, t.UserID, t.ID, workflowOptionsFromProto(req.Msg.GetWorkflowOptions())))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetJobWorkflowOptionsResponse{Job: pj}), nil
}

// SetJobSyncOptions replaces the per-table activity options.
func (h *JobHandler) SetJobSyncOptions(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetJobSyncOptionsRequest]) (*connect.Response[mgmtv1alpha1.SetJobSyncOptionsResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	pj, err := encodeJob(h.jobs.SetActivityOptions(ctx, t.Scope, t.UserID, t.ID, activityOptionsFromProto(req.Msg.GetSyncOptions())))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetJobSyncOptionsResponse{Job: pj}), nil
}

// ValidateJobMappings checks mappings against the source schema with the
// rules every run's plan applies.
func (h *JobHandler) ValidateJobMappings(ctx context.Context, req *connect.Request[mgmtv1alpha1.ValidateJobMappingsRequest]) (*connect.Response[mgmtv1alpha1.ValidateJobMappingsResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	def, cfg, err := validateMappingsFromProto(req.Msg)
	if err != nil {
		return nil, err
	}
	report, err := h.jobs.ValidateMappings(ctx, t.Scope, t.ID, def, cfg)
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.ValidateJobMappingsResponse{DatabaseErrors: &mgmtv1alpha1.DatabaseError{}}
	resp.ColumnErrors, resp.DatabaseErrors.Errors = findingsToProto(report.Problems)
	resp.ColumnWarnings, resp.Warnings = findingsToProto(report.Warnings)
	return connect.NewResponse(resp), nil
}

// validateMappingsFromProto decodes what ValidateJobMappings checks: the
// mappings and virtual foreign keys, and the source — a saved connection,
// or an unsaved config (which takes precedence).
func validateMappingsFromProto(m *mgmtv1alpha1.ValidateJobMappingsRequest) (job.Definition, *sqlconnect.Config, error) {
	var connID uuid.UUID
	var cfg *sqlconnect.Config
	if m.GetConnectionConfig() != nil {
		c, err := connectionConfigFromProto("connection_config", m.GetConnectionConfig())
		if err != nil {
			return job.Definition{}, nil, err
		}
		cfg = &c
	} else {
		id, err := parseID("connection_id", m.GetConnectionId())
		if err != nil {
			return job.Definition{}, nil, err
		}
		connID = id
	}
	mappings, err := mappingsFromProto(m.GetMappings())
	if err != nil {
		return job.Definition{}, nil, err
	}
	def := job.Definition{Mappings: mappings, VirtualForeignKeys: vfksFromProto(m.GetVirtualForeignKeys())}
	if m.GetJobType() == mgmtv1alpha1.JobType_JOB_TYPE_GENERATE {
		def.Generate = &job.GenerateSource{SchemaConnectionID: connID}
	} else {
		def.Sync = &job.SyncSource{ConnectionID: connID}
	}
	return def, cfg, nil
}

// planToProto encodes a plan: its text and warnings, and its value as a
// JSON object (left out if it does not encode as one).
func planToProto(p jobplan.Plan) *mgmtv1alpha1.GetJobPlanResponse {
	resp := &mgmtv1alpha1.GetJobPlanResponse{Text: p.Text, Warnings: p.Warnings}
	if b, err := json.Marshal(p.Value); err == nil {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			resp.Plan, _ = structpb.NewStruct(m)
		}
	}
	return resp
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
