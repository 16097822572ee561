package activities

import (
	"context"
	"fmt"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// GenerateInfo is what StartGenerate hands the Generate workflow.
type GenerateInfo struct {
	JobRunID     string         `json:"job_run_id"`
	JobID        string         `json:"job_id"`
	Plan         *generate.Plan `json:"plan"`
	Destinations []string       `json:"destinations"`
	MaxAttempts  int32          `json:"max_attempts,omitempty"`
	// HeartbeatSeconds from the job's options (0 = default).
	HeartbeatSeconds int64 `json:"heartbeat_seconds,omitempty"`
}

// GenerateStep addresses one destination (and optionally one table).
type GenerateStep struct {
	JobRunID    string              `json:"job_run_id"`
	JobID       string              `json:"job_id"`
	Plan        *generate.Plan      `json:"plan"`
	Destination int                 `json:"destination"`
	Table       sqlschema.TableName `json:"table"`
	// DestinationName labels the destination's table progress.
	DestinationName string `json:"destination_name,omitempty"`
}

// StartGenerate records the run and plans the generation from the schema
// connection; destinations with InitSchema get the tables created.
func (a *Activities) StartGenerate(ctx context.Context, jobID string) (*GenerateInfo, error) {
	info := activity.GetInfo(ctx)
	started, err := a.API.Worker.StartJobRun(ctx, connect.NewRequest(&mgmt.StartJobRunRequest{
		JobId: jobID, WorkflowId: info.WorkflowExecution.ID, TemporalRunId: info.WorkflowExecution.RunID,
	}))
	if err != nil {
		return nil, apiError("record run", err)
	}
	runID := started.Msg.GetJobRunId()
	a.announceAttempt(ctx, runID, "start run")
	h := keepAlive(ctx, StepBeat{Step: "start run", Attempt: info.Attempt})
	defer h.Stop()
	fail := func(err error) (*GenerateInfo, error) {
		a.event(ctx, runID, "error", err.Error(), nil)
		return &GenerateInfo{JobRunID: runID, JobID: jobID}, err
	}
	g, err := a.loadGenerate(ctx, jobID)
	if err != nil {
		return fail(err)
	}
	src, err := a.open(ctx, g.schema)
	if err != nil {
		return fail(fmt.Errorf("schema connection: %w", err))
	}
	defer src.Close()
	var schemas []string
	for t := range g.request.Tables {
		schemas = append(schemas, t.Schema)
	}
	s, err := syncplan.ReadSchema(ctx, src, schemas)
	if err != nil {
		return fail(dataError(err))
	}
	plan, err := generate.NewPlan(s, g.request, a.Registry)
	if err != nil {
		return fail(temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeValidation, nil))
	}
	out := &GenerateInfo{JobRunID: runID, JobID: jobID, Plan: plan}
	if o := g.job.GetSyncOptions(); o != nil {
		out.MaxAttempts, out.HeartbeatSeconds = o.GetMaxAttempts(), o.GetHeartbeatTimeoutSeconds()
	}
	for _, d := range g.destinations {
		out.Destinations = append(out.Destinations, d.Name)
		if !d.Options.InitSchema && !d.Options.Truncate {
			continue
		}
		// Reuse the sync engine's schema init: a plan copying every column.
		var mappings []syncplan.Mapping
		for _, c := range s.Columns {
			if _, ok := g.request.Tables[sqlschema.TableName{Schema: c.Schema, Table: c.Table}]; ok {
				mappings = append(mappings, syncplan.Mapping{Schema: c.Schema, Table: c.Table, Column: c.Name, Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
			}
		}
		sp, err := syncplan.NewPlan(s, syncplan.Job{Source: g.schema, Mappings: mappings}, a.Registry)
		if err != nil {
			return fail(dataError(err))
		}
		dst, err := a.open(ctx, d.Conn)
		if err != nil {
			return fail(fmt.Errorf("destination %q: %w", d.Name, err))
		}
		err = a.Engine.PrepareDestination(ctx, sp, sqlsync.Destination{Name: d.Name, DB: dst, Options: d.Options})
		dst.Close()
		if err != nil {
			return fail(dataError(err))
		}
	}
	for _, t := range plan.Tables {
		for _, d := range out.Destinations {
			a.progress(ctx, runID, &mgmt.JobRunTableProgress{Destination: d, Schema: t.Name.Schema, Table: t.Name.Table, State: "pending", RowsExpected: t.Rows})
		}
	}
	for _, w := range plan.Warnings {
		a.event(ctx, runID, "warn", w, nil)
	}
	a.event(ctx, runID, "info", fmt.Sprintf("planned %d tables to generate into %d destination(s)", len(plan.Tables), len(out.Destinations)), nil)
	return out, nil
}

func (a *Activities) generateDestination(ctx context.Context, in GenerateStep) (*sqlconnect.DB, error) {
	g, err := a.loadGenerate(ctx, in.JobID)
	if err != nil {
		return nil, err
	}
	if in.Destination < 0 || in.Destination >= len(g.destinations) {
		return nil, temporal.NewNonRetryableApplicationError("destination no longer exists in the job", ErrTypeValidation, nil)
	}
	return a.open(ctx, g.destinations[in.Destination].Conn)
}

// GenerateTable writes one table's rows; a retry redoes the table.
func (a *Activities) GenerateTable(ctx context.Context, in GenerateStep) (int64, error) {
	dst, err := a.generateDestination(ctx, in)
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	started := time.Now()
	var expected int64
	for _, t := range in.Plan.Tables {
		if t.Name == in.Table {
			expected = t.Rows
		}
	}
	p := func(state string, rows int64, errMsg *string) {
		pr := &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: in.Table.Schema, Table: in.Table.Table, State: state, RowsDone: rows, RowsExpected: expected, StartedAt: ts(started), Error: errMsg}
		if state == "complete" {
			pr.CompletedAt = ts(time.Now())
		}
		a.progress(ctx, in.JobRunID, pr)
	}
	p("running", 0, nil)
	last := time.Time{}
	gen := &generate.Generator{Registry: a.Registry}
	n, err := gen.GenerateTable(ctx, in.Plan, in.Table, dst, generate.Options{}, func(rows int64) {
		activity.RecordHeartbeat(ctx, rows)
		if time.Since(last) >= time.Second {
			last = time.Now()
			p("running", rows, nil)
		}
	})
	if err != nil {
		err = dataError(err)
		msg := err.Error()
		p("failed", n, &msg)
		return n, err
	}
	a.Metrics.RowsWritten(in.JobID, in.DestinationName, in.Table.String(), n)
	p("complete", n, nil)
	return n, nil
}

// GenerateFinalize moves sequences past the generated keys.
func (a *Activities) GenerateFinalize(ctx context.Context, in GenerateStep) error {
	a.announceAttempt(ctx, in.JobRunID, "finalize "+in.DestinationName)
	h := keepAlive(ctx, StepBeat{Step: "finalize", Attempt: activity.GetInfo(ctx).Attempt})
	defer h.Stop()
	dst, err := a.generateDestination(ctx, in)
	if err != nil {
		return err
	}
	defer dst.Close()
	return dataError(generate.Finalize(ctx, in.Plan, dst))
}
