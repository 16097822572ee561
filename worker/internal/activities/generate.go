package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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

// GenerateInfo is what StartGenerate hands the Generate workflow: the
// plan's tables and digest, never the plan itself — each activity fetches
// the plan by digest (genPlan), so the workflow's history grows with the
// tables' names, not with tables × plan.
type GenerateInfo struct {
	JobRunID string `json:"job_run_id"`
	JobID    string `json:"job_id"`
	// Plan is set only in the histories of runs started before plans
	// went by digest (their activities carry it); nil otherwise.
	Plan *generate.Plan `json:"plan,omitempty"`
	// PlanDigest identifies the plan (its digest, as a sync run's) the run
	// started with; Tables are its tables in generation order.
	PlanDigest   string             `json:"plan_digest,omitempty"`
	Tables       []GenerateTableRef `json:"tables,omitempty"`
	Destinations []string           `json:"destinations"`
	MaxAttempts  int32              `json:"max_attempts,omitempty"`
	// HeartbeatSeconds from the job's options (0 = default).
	HeartbeatSeconds int64 `json:"heartbeat_seconds,omitempty"`
}

// GenerateTableRef is one table of a generation plan, in the plan's
// order, with the rows it is to get.
type GenerateTableRef struct {
	Name sqlschema.TableName `json:"name"`
	Rows int64               `json:"rows"`
}

// GenerateStep addresses one destination (and optionally one table).
type GenerateStep struct {
	JobRunID string `json:"job_run_id"`
	JobID    string `json:"job_id"`
	// Plan is the whole plan in runs started before plans went by digest;
	// nil otherwise, and the activity fetches the plan PlanDigest names.
	Plan        *generate.Plan      `json:"plan,omitempty"`
	PlanDigest  string              `json:"plan_digest,omitempty"`
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
	g, s, plan, digest, err := a.buildGenerate(ctx, runID, jobID)
	if err != nil {
		return fail(err)
	}
	a.runs.put(runID, &cachedRun{digest: digest, gen: plan, genJob: g})
	out := &GenerateInfo{JobRunID: runID, JobID: jobID, PlanDigest: digest}
	for _, t := range plan.Tables {
		out.Tables = append(out.Tables, GenerateTableRef{Name: t.Name, Rows: t.Rows})
	}
	if b, err := json.Marshal(out.Tables); err == nil && len(b) > MaxRunInfoBytes {
		return fail(temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the job generates %d tables: their list (%d KiB) is over the %d KiB a run can hand to Temporal in one payload; split the job by schema",
			len(out.Tables), len(b)>>10, MaxRunInfoBytes>>10), ErrTypeValidation, nil))
	}
	if o := g.job.GetSyncOptions(); o != nil {
		out.MaxAttempts, out.HeartbeatSeconds = o.GetMaxAttempts(), o.GetHeartbeatTimeoutSeconds()
	}
	for _, d := range g.destinations {
		out.Destinations = append(out.Destinations, d.Name)
	}
	if err := a.prepareGenerate(ctx, runID, g, s, plan); err != nil {
		return fail(err)
	}
	var pending []*mgmt.PendingTable
	for _, t := range plan.Tables {
		for _, d := range out.Destinations {
			pending = append(pending, &mgmt.PendingTable{Destination: d, Schema: t.Name.Schema, Table: t.Name.Table, RowsExpected: t.Rows})
		}
	}
	a.reportPending(ctx, runID, pending)
	for _, w := range plan.Warnings {
		a.event(ctx, runID, "warn", w, nil)
	}
	a.event(ctx, runID, "info", fmt.Sprintf("planned %d tables to generate into %d destination(s)", len(plan.Tables), len(out.Destinations)), nil)
	return out, nil
}

// prepareGenerate readies the destinations of generate run runID before
// anything is written. Each is resolved and checked first
// (generate.Target: not the schema's own database). Then the ones that
// keep their rows, and only then the ones that truncate, get their tables
// created (init_schema) or truncated (truncate_before_insert) as the sync
// engine does, and without truncate_before_insert the run is refused when
// a planned table already holds rows (generate.CheckReplace): generating
// replaces a table's rows, and rows the job did not write are only
// replaced when the destination says so. A refused run has emptied
// nothing.
func (a *Activities) prepareGenerate(ctx context.Context, runID string, g *generateJob, s *syncplan.Schema, plan *generate.Plan) (err error) {
	type target struct {
		plan *generate.Plan      // as named in the destination
		dst  sqlsync.Destination // resolved
	}
	targets := make([]target, len(g.destinations))
	for i, d := range g.destinations {
		db, done, openErr := a.openRun(ctx, runID, d.Conn)
		if openErr != nil {
			return fmt.Errorf("destination %q: %w", d.Name, openErr)
		}
		// Every pool learns the step's outcome (the named result): a
		// failure anywhere closes them rather than handing them on.
		defer func() { done(err) }()
		dp, rd, targetErr := generate.Target(ctx, a.Engine, plan, sqlsync.Destination{Name: d.Name, DB: db, Options: d.Options})
		if targetErr != nil {
			return dataError(targetErr)
		}
		targets[i] = target{plan: dp, dst: rd}
	}
	var sp *syncplan.Plan // the sync engine's schema init: a plan copying every column
	for _, truncating := range []bool{false, true} {
		for i, d := range g.destinations {
			if d.Options.Truncate != truncating {
				continue
			}
			if d.Options.InitSchema || d.Options.Truncate {
				if sp == nil {
					if sp, err = a.passthroughPlan(g, s, plan); err != nil {
						return dataError(err)
					}
				}
				if prepErr := a.Engine.PrepareDestination(ctx, sp, sqlsync.Destination{Name: d.Name, DB: targets[i].dst.DB, Options: d.Options}); prepErr != nil {
					return dataError(prepErr)
				}
			}
			if replaceErr := generate.CheckReplace(ctx, targets[i].plan, targets[i].dst); replaceErr != nil {
				return dataError(replaceErr)
			}
		}
	}
	return nil
}

// passthroughPlan is the sync plan of generate job g's tables in schema s,
// every column passed through, for the sync engine's schema init and
// truncate, with plan's Source, so that the engine refuses the schema's own
// database too.
func (a *Activities) passthroughPlan(g *generateJob, s *syncplan.Schema, plan *generate.Plan) (*syncplan.Plan, error) {
	var mappings []syncplan.Mapping
	for _, c := range s.Columns {
		if _, ok := g.request.Tables[sqlschema.TableName{Schema: c.Schema, Table: c.Table}]; ok {
			mappings = append(mappings, syncplan.Mapping{Schema: c.Schema, Table: c.Table, Column: c.Name, Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
		}
	}
	sp, err := syncplan.NewPlan(s, syncplan.Job{Source: g.schema, Mappings: mappings}, a.Registry)
	if err != nil {
		return nil, err
	}
	sp.Source = plan.Source
	return sp, nil
}

// buildGenerate loads generate job jobID and plans it against its schema
// connection, for run runID: the job, the schema read, the plan and the
// plan's digest.
func (a *Activities) buildGenerate(ctx context.Context, runID, jobID string) (*generateJob, *syncplan.Schema, *generate.Plan, string, error) {
	g, err := a.loadGenerate(ctx, jobID)
	if err != nil {
		return nil, nil, nil, "", err
	}
	src, done, err := a.openRun(ctx, runID, g.schema)
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("schema connection: %w", err)
	}
	var schemas []string
	for t := range g.request.Tables {
		if !slices.Contains(schemas, t.Schema) {
			schemas = append(schemas, t.Schema)
		}
	}
	slices.Sort(schemas)
	s, err := syncplan.ReadSchema(ctx, src, schemas)
	defer func() { done(err) }()
	if err != nil {
		return nil, nil, nil, "", dataError(err)
	}
	plan, err := generate.NewPlan(s, g.request, a.Registry)
	if err != nil {
		return nil, nil, nil, "", temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeValidation, nil)
	}
	digest, err := digestOf(plan)
	if err != nil {
		return nil, nil, nil, "", err
	}
	// The schema's server and database, so that no destination writes
	// into them (generate.Target). It is left out of the digest: a run
	// started by a worker that did not record it still matches.
	switch id, err := src.Identity(ctx); {
	case err != nil:
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("the schema connection's server could not be identified (%v), so the run cannot check that no destination is the database the schema comes from", err))
	case id.Server == "":
		plan.Warnings = append(plan.Warnings, "the schema connection's server does not report its identity (pg_control_system), so the run cannot check that no destination is the database the schema comes from")
	default:
		plan.Source = &id
	}
	return g, s, plan, digest, nil
}

// genPlan returns the job and plan of a generate step: the plan the step
// carries (runs started before plans went by digest), else the cached
// one, else one rebuilt from the API and the schema connection and checked
// against the digest the run started with.
func (a *Activities) genPlan(ctx context.Context, in GenerateStep) (*generateJob, *generate.Plan, error) {
	if in.Plan != nil {
		g, err := a.loadGenerate(ctx, in.JobID)
		return g, in.Plan, err
	}
	if r := a.runs.get(in.JobRunID, in.PlanDigest); r != nil && r.gen != nil {
		return r.genJob, r.gen, nil
	}
	m := a.runs.builder(in.JobRunID)
	m.Lock()
	defer m.Unlock()
	if r := a.runs.get(in.JobRunID, in.PlanDigest); r != nil && r.gen != nil {
		return r.genJob, r.gen, nil
	}
	g, _, plan, digest, err := a.buildGenerate(ctx, in.JobRunID, in.JobID)
	if err != nil {
		return nil, nil, err
	}
	if digest != in.PlanDigest {
		return nil, nil, temporal.NewNonRetryableApplicationError(
			"the job's tables or generators, or the schema it generates into, changed while the run was in progress (its plan no longer matches the one the run started with); start a new run",
			ErrTypePlanChanged, nil)
	}
	a.runs.put(in.JobRunID, &cachedRun{digest: digest, gen: plan, genJob: g})
	return g, plan, nil
}

// genDest is one destination of a generate step, opened for the run.
type genDest struct {
	db *sqlconnect.DB
	// plan is the run's plan as named in the destination (generate.Target), and
	// name a planned table's name there.
	plan *generate.Plan
	name func(sqlschema.TableName) sqlschema.TableName
	// session names the step's destination sessions (generate.Options.Session),
	// which a retry of the step ends first.
	session string
	// done reports the step's outcome: the pool is handed on to the run's
	// next step (openRun).
	done func(error)
}

// generateDestination opens the step's destination for the run and
// resolves plan for it (generate.Target: a destination that is the
// schema's own database is refused). A retried step first ends the
// sessions its lost attempt still has there, as the sync steps do.
func (a *Activities) generateDestination(ctx context.Context, g *generateJob, in GenerateStep, plan *generate.Plan) (*genDest, error) {
	if in.Destination < 0 || in.Destination >= len(g.destinations) {
		return nil, temporal.NewNonRetryableApplicationError("destination no longer exists in the job", ErrTypeValidation, nil)
	}
	d := g.destinations[in.Destination]
	db, done, err := a.openRun(ctx, in.JobRunID, d.Conn)
	if err != nil {
		return nil, fmt.Errorf("destination %q: %w", d.Name, err)
	}
	dplan, rd, err := generate.Target(ctx, a.Engine, plan, sqlsync.Destination{Name: d.Name, DB: db, Options: d.Options, SessionTag: sessionTag(ctx, in.JobRunID)})
	if err != nil {
		done(err)
		return nil, dataError(err)
	}
	// What the lost attempt still runs there would otherwise commit rows
	// after this attempt empties their tables.
	a.endStaleSessions(ctx, in.JobRunID, rd)
	return &genDest{db: db, plan: dplan, name: rd.Options.DestTable, session: sqlsync.SessionName(rd.SessionTag), done: done}, nil
}

// GenerateTable writes one table's rows; a retry redoes the table. Runs
// started before plans went by digest call it per table; later ones
// call GenerateTables.
func (a *Activities) GenerateTable(ctx context.Context, in GenerateStep) (int64, error) {
	g, plan, err := a.genPlan(ctx, in)
	if err != nil {
		return 0, err
	}
	dst, err := a.generateDestination(ctx, g, in, plan)
	if err != nil {
		return 0, err
	}
	n, err := a.generateOne(ctx, in, dst, in.Table, generate.Options{}, func(rows int64) { activity.RecordHeartbeat(ctx, rows) })
	dst.done(err)
	return n, err
}

// GenerateBatch is the input of GenerateTables: tables of one destination,
// in the plan's order.
type GenerateBatch struct {
	GenerateStep
	Tables []sqlschema.TableName `json:"tables"`
}

// GenerateBatchBeat is GenerateTables' heartbeat: the rows of each table
// of the batch written and committed (-1: not yet), which a retry skips.
type GenerateBatchBeat struct {
	Done []int64 `json:"done"`
}

// GenerateTables writes the rows of a batch of tables one after another on
// one destination pool, heartbeating the tables done: a retry skips them
// and redoes the table that was in progress (GenerateTable empties it
// first). It returns the rows written per table.
func (a *Activities) GenerateTables(ctx context.Context, in GenerateBatch) ([]int64, error) {
	beat := GenerateBatchBeat{Done: make([]int64, len(in.Tables))}
	for i := range beat.Done {
		beat.Done[i] = -1
	}
	if activity.HasHeartbeatDetails(ctx) {
		var last GenerateBatchBeat
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && len(last.Done) == len(in.Tables) {
			beat = last
		}
	}
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("generating %d tables into %s again (attempt %d; %d of them were done); the previous attempt ended: %s",
			len(in.Tables), in.DestinationName, info.Attempt, doneCount(beat.Done), a.previousAttempt(ctx)), nil)
	}
	h := keepAlive(ctx, beat)
	defer h.Stop()
	g, plan, err := a.genPlan(ctx, in.GenerateStep)
	if err != nil {
		return nil, err
	}
	dst, err := a.generateDestination(ctx, g, in.GenerateStep, plan)
	if err != nil {
		return nil, err
	}
	// The batch's tables are written in plan order by this call alone: a
	// table its parent's emptying already emptied is not emptied again.
	opts := generate.Options{Emptied: map[sqlschema.TableName]bool{}}
	for i, t := range in.Tables {
		if beat.Done[i] >= 0 {
			continue
		}
		var n int64
		n, err = a.generateOne(ctx, in.GenerateStep, dst, t, opts, func(int64) {})
		if err != nil {
			err = batchError(t, err) // names the table, non-retryable when err is
			break
		}
		beat.Done[i] = n
		h.set(GenerateBatchBeat{Done: slices.Clone(beat.Done)})
	}
	dst.done(err)
	if err != nil {
		return nil, err
	}
	return beat.Done, nil
}

// doneCount counts the tables of a batch heartbeat (GenerateBatchBeat,
// BatchBeat) that are done.
func doneCount(done []int64) int {
	n := 0
	for _, d := range done {
		if d >= 0 {
			n++
		}
	}
	return n
}

// generateOne writes planned table t (its name in the schema) into dst
// for step in with options o, reporting its progress (running, complete
// or failed) to the API under t; beat is called with the rows written so
// far.
func (a *Activities) generateOne(ctx context.Context, in GenerateStep, dst *genDest, t sqlschema.TableName, o generate.Options, beat func(int64)) (int64, error) {
	started := time.Now()
	dt := dst.name(t)
	var expected int64
	for _, pt := range dst.plan.Tables {
		if pt.Name == dt {
			expected = pt.Rows
		}
	}
	p := func(state string, rows int64, errMsg *string) {
		pr := &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: t.Schema, Table: t.Table, State: state, RowsDone: rows, RowsExpected: expected, StartedAt: ts(started), Error: errMsg}
		if state == "complete" {
			pr.CompletedAt = ts(time.Now())
		}
		a.progress(ctx, in.JobRunID, pr)
	}
	// A table reports its end, and while it runs its rows every second
	// (not its start: a schema of small tables costs one call a table).
	last := time.Now()
	o.Session = dst.session
	gen := &generate.Generator{Registry: a.Registry}
	n, err := gen.GenerateTable(ctx, dst.plan, dt, dst.db, o, func(rows int64) {
		beat(rows)
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
	a.Metrics.RowsWritten(in.JobID, in.DestinationName, t.String(), n)
	p("complete", n, nil)
	return n, nil
}

// GenerateFinalize moves sequences past the generated keys.
func (a *Activities) GenerateFinalize(ctx context.Context, in GenerateStep) error {
	a.announceAttempt(ctx, in.JobRunID, "finalize "+in.DestinationName)
	h := keepAlive(ctx, StepBeat{Step: "finalize", Attempt: activity.GetInfo(ctx).Attempt})
	defer h.Stop()
	g, plan, err := a.genPlan(ctx, in)
	if err != nil {
		return err
	}
	dst, err := a.generateDestination(ctx, g, in, plan)
	if err != nil {
		return err
	}
	err = dataError(generate.Finalize(ctx, dst.plan, dst.db))
	dst.done(err)
	return err
}
