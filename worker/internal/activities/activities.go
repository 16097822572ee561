// Package activities holds the worker's Temporal activities: the side
// effects of a run (reading the job from the API, planning, preparing
// destinations, copying tables, update passes, finalizing, verifying and
// reporting). They are methods on one struct that holds their dependencies.
//
// Payloads carry ids, the plan and checkpoints only: every activity loads
// connection credentials and the job key from the API itself, so no secret
// is ever written into Temporal's history.
package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/telemetry"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/worker/internal/apiclient"
	"github.com/neosyncio/neosync/worker/internal/runlog"
)

// Non-retryable error types: retrying cannot fix them.
const (
	ErrTypeValidation     = "ValidationError"
	ErrTypeAuthentication = "AuthenticationError"
	ErrTypePermission     = "PermissionError"
	ErrTypeNotFound       = "NotFoundError"
	// ErrTypeData is a data or integrity error the database reported
	// (SQLSTATE classes 22 and 23): the same rows fail the same way again.
	ErrTypeData = "DataError"
)

// NonRetryable lists the error types activities never retry.
var NonRetryable = []string{ErrTypeValidation, ErrTypeAuthentication, ErrTypePermission, ErrTypeNotFound, ErrTypeData}

// Activities are the worker's activities.
type Activities struct {
	API      apiclient.Clients
	Engine   *sqlsync.Engine
	Registry *transformers.Registry
	Logger   *slog.Logger
	// Temporal, when set, lets a retried step say why its previous attempt
	// ended (it reads the pending activity's last failure).
	Temporal client.Client
	// LookupEnv reads the worker's environment for connections that name
	// their URL with url_from_env (os.LookupEnv in main; nil reads nothing,
	// so such a connection fails with the variable named).
	LookupEnv func(string) (string, bool)
	// RangeRows is the rows per key range of a large table (0:
	// sqlsync.DefaultRangeRowsFor the job's dialect and destinations); see
	// StartRun and SyncRange.
	RangeRows int64
	// Metrics records rows and bytes, copies, run outcomes and transformer errors
	// (nil records nothing).
	Metrics *telemetry.SyncMetrics

	runs      runCache
	pools     poolStash
	snapshots snapshotHolders
}

// TableRef is what the workflow knows of a table: its name and the tables
// that must be written first. The rest of the plan stays with the worker.
type TableRef struct {
	Name      sqlschema.TableName   `json:"n"`
	DependsOn []sqlschema.TableName `json:"d,omitempty"`
	// Rows is the source's row count at the start of the run (exact for
	// small or filtered tables, else the catalog's estimate; 0 unknown).
	Rows int64 `json:"r,omitempty"`
	// Ranges, when set, are the key ranges the table is copied in, each
	// by its own SyncRange activity (see sqlsync.Engine.SplitRanges).
	Ranges []sqlsync.KeyRange `json:"k,omitempty"`
}

// VerifyInput addresses a destination's verification with what the run
// observed, for the report's cross-checks: the rows each table's copy
// committed (Copied, in plan order; -1 for a table not copied) and the
// source's rows at the start (from RunInfo.Tables).
type VerifyInput struct {
	StepInput
	Copied []int64 `json:"copied,omitempty"`
	Before []int64 `json:"before,omitempty"`
	// Ranged are the tables copied in key ranges, whose leak scan merges
	// their ranges' sketches (see sketches.go).
	Ranged []RangedTable `json:"ranged,omitempty"`
	// Read are, in plan order, the source rows each table's copy read,
	// from the copy activities' results whichever worker ran them (-1
	// unknown): a table read whole in one attempt
	// (sqlsync.Checkpoint.WholeRead) gives its rows, a table of Ranged
	// the sum of its ranges read whole in one attempt, its other ranges
	// then listed in Recount. Verify takes the source's count from here
	// instead of counting the source (sqlsync.VerifyOptions.SourceRead
	// and RangesRead). Nil in runs started before it existed.
	Read []int64 `json:"read,omitempty"`
	// Recount are the key ranges of ranged tables that no attempt read
	// whole (resumed from a checkpoint): Verify counts only their key
	// intervals on the source. Empty unless a range was resumed.
	Recount []RangeRecount `json:"recount,omitempty"`
}

// RangeRecount lists the key ranges of one ranged table (its index in
// the plan) whose source rows Verify counts: those whose copy resumed.
type RangeRecount struct {
	Table  int                `json:"t"`
	Ranges []sqlsync.KeyRange `json:"r"`
}

// RunInfo is what StartRun hands the workflow: ids, the plan's digest and
// its table list, never the plan itself (see runcache.go).
type RunInfo struct {
	JobRunID   string `json:"job_run_id"`
	JobID      string `json:"job_id"`
	JobName    string `json:"job_name"`
	PlanDigest string `json:"plan_digest"`
	// Tables are the plan's tables in write order.
	Tables []TableRef `json:"tables"`
	// Destinations are the destinations' names, in job order.
	Destinations     []string `json:"destinations"`
	TableConcurrency int      `json:"table_concurrency"`
	// NoUpdatePasses is true when no table of the plan has a foreign key
	// deferred to an update pass (no cycle, no self-reference to break):
	// the workflow then skips the update-pass step instead of scheduling
	// an activity that would do nothing. False (the zero value, and what
	// a run started before the field existed carries) runs the step.
	NoUpdatePasses bool `json:"no_update_passes,omitempty"`
	// Buckets are the indexes of the destinations that are S3 buckets
	// (exported to, see ExportTable); empty for a job of databases only.
	Buckets []int `json:"buckets,omitempty"`
	// ImportRunID is set when the job's source is an S3 bucket: the run id
	// of the export every destination imports (see ImportExport); Tables
	// is then empty.
	ImportRunID string `json:"import_run_id,omitempty"`
	// SourceSnapshot is the snapshot of a PostgreSQL source every table
	// is read in (sqlsync.RunSnapshot, held by the worker that ran
	// StartRun); "" reads each table in its own.
	SourceSnapshot string `json:"source_snapshot,omitempty"`
	// Activity options from the job (seconds; 0 = the worker's default).
	StartToCloseSeconds    int64 `json:"start_to_close_seconds,omitempty"`
	ScheduleToCloseSeconds int64 `json:"schedule_to_close_seconds,omitempty"`
	HeartbeatSeconds       int64 `json:"heartbeat_seconds,omitempty"`
	MaxAttempts            int32 `json:"max_attempts,omitempty"`
}

// StepInput addresses one destination of a run. The plan is found by the
// run id and checked by its digest.
type StepInput struct {
	JobRunID    string `json:"job_run_id"`
	JobID       string `json:"job_id"`
	PlanDigest  string `json:"plan_digest"`
	Destination int    `json:"destination"`
	// DestinationName labels the destination's table progress.
	DestinationName string `json:"destination_name,omitempty"`
	// FanOut, on a copy step (FanOutTable, FanOutBatch, FanOutRange,
	// FinishRanges), lists every destination the step writes from one
	// read of the source, Destination first (see fanout.go).
	FanOut []int `json:"fan_out,omitempty"`
	// FanOutNames are the names of FanOut's destinations.
	FanOutNames []string `json:"fan_out_names,omitempty"`
	// ImportRunID is the export an import reads (RunInfo.ImportRunID).
	ImportRunID string `json:"import_run_id,omitempty"`
	// SourceSnapshot is the run's snapshot of the source
	// (RunInfo.SourceSnapshot) the step's reads import.
	SourceSnapshot string `json:"source_snapshot,omitempty"`
}

// TableInput addresses one table of one destination.
type TableInput struct {
	StepInput
	Table sqlschema.TableName `json:"table"`
}

// FinishInput records a run's outcome.
type FinishInput struct {
	JobRunID string `json:"job_run_id"`
	// JobID and StartedUnixMs (the workflow's start) label and time the
	// run's metrics; histories from before they were added lack them.
	JobID         string `json:"job_id,omitempty"`
	StartedUnixMs int64  `json:"started_ms,omitempty"`
	Status        string `json:"status"`
	Error         string `json:"error,omitempty"`
	// Reports are verification reports given as they are (tests, small
	// runs); Packed are the compressed ones Verify returns.
	Reports []*sqlsync.Report `json:"reports,omitempty"`
	Packed  []*PackedReport   `json:"packed,omitempty"`
}

// apiError classifies an API failure: a missing resource or a rejected key
// will not get better by retrying.
func apiError(what string, err error) error {
	msg := fmt.Sprintf("%s: %v", what, err)
	switch connect.CodeOf(err) {
	case connect.CodeNotFound:
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeNotFound, nil)
	case connect.CodeUnauthenticated:
		return temporal.NewNonRetryableApplicationError("the worker's API key was rejected by the API ("+what+"; check the worker's NEOSYNC_API_KEY)", ErrTypeAuthentication, nil)
	case connect.CodePermissionDenied:
		return temporal.NewNonRetryableApplicationError(msg, ErrTypePermission, nil)
	case connect.CodeInvalidArgument:
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeValidation, nil)
	}
	return errors.New(msg)
}

func (a *Activities) open(ctx context.Context, cfg sqlconnect.Config) (*sqlconnect.DB, error) {
	cfg, err := a.resolveConn(cfg)
	if err != nil {
		return nil, err
	}
	return openResolved(ctx, cfg)
}

// resolveConn reads a connection's URL from the worker's environment when
// it names one (url_from_env).
func (a *Activities) resolveConn(cfg sqlconnect.Config) (sqlconnect.Config, error) {
	lookup := a.LookupEnv
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	cfg, err := cfg.FromEnv(lookup)
	return cfg, dataError(err)
}

// openResolved opens connection settings resolveConn returned, within 30 s.
func openResolved(ctx context.Context, cfg sqlconnect.Config) (*sqlconnect.DB, error) {
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := sqlconnect.Open(octx, cfg)
	return db, dataError(err)
}

// MaxRunInfoBytes bounds the table list StartRun hands the workflow: a
// Temporal payload may carry at most 2 MiB by default, and the list is
// recorded once in the run's history.
const MaxRunInfoBytes = 1536 << 10

// StartRun records the run, loads the job, builds the plan (kept in this
// worker's cache; the workflow gets its digest and table list) and records
// every table as pending.
func (a *Activities) StartRun(ctx context.Context, jobID string) (*RunInfo, error) {
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
	fail := func(prefix string, err error) (*RunInfo, error) {
		a.event(ctx, runID, "error", prefix+err.Error(), nil)
		return &RunInfo{JobRunID: runID, JobID: jobID}, err
	}
	l, err := a.load(ctx, jobID)
	if err != nil {
		return fail("", err)
	}
	if l.sync.Import != nil {
		out, err := a.startImport(ctx, runID, l)
		if err != nil {
			return fail("", err)
		}
		return out, nil
	}
	src, done, err := a.openRun(ctx, runID, l.sync.Source)
	if err != nil {
		return fail("source: ", err)
	}
	var startErr error
	defer func() { done(startErr) }()
	plan, err := syncplan.BuildPlan(ctx, src, l.sync, a.Registry)
	if err != nil {
		startErr = err
		return fail("plan: ", dataError(err))
	}
	digest, err := PlanDigest(plan)
	if err != nil {
		return fail("plan: ", err)
	}
	a.runs.put(runID, &cachedRun{digest: digest, job: l, plan: plan})
	out := &RunInfo{JobRunID: runID, JobID: jobID, JobName: l.job.GetName(), PlanDigest: digest, TableConcurrency: l.sync.TableConcurrency, NoUpdatePasses: true}
	for _, t := range plan.Tables {
		out.Tables = append(out.Tables, TableRef{Name: t.Name, DependsOn: t.DependsOn})
		if len(t.Deferred()) > 0 {
			out.NoUpdatePasses = false
		}
	}
	for i, d := range l.sync.Destinations {
		out.Destinations = append(out.Destinations, d.Name)
		if d.Conn.Driver == sqlconnect.DriverS3 {
			out.Buckets = append(out.Buckets, i)
		}
	}
	if len(l.sync.Destinations)-len(out.Buckets) > 1 {
		// Each destination is prepared (truncated) in turn: check them all
		// first, so that one refused empties no other.
		if err := a.checkDestinations(ctx, runID, plan, l.sync.Destinations); err != nil {
			startErr = err
			return fail("", dataError(err))
		}
	}
	if o := l.job.GetSyncOptions(); o != nil {
		out.StartToCloseSeconds, out.ScheduleToCloseSeconds = o.GetStartToCloseTimeoutSeconds(), o.GetScheduleToCloseTimeoutSeconds()
		out.HeartbeatSeconds, out.MaxAttempts = o.GetHeartbeatTimeoutSeconds(), o.GetMaxAttempts()
	}
	if b, err := json.Marshal(out); err == nil && len(b) > MaxRunInfoBytes {
		return fail("", temporal.NewNonRetryableApplicationError(fmt.Sprintf(
			"the job covers %d tables: their list (%d KiB) is over the %d KiB a run can hand to Temporal in one payload; split the job by schema",
			len(out.Tables), len(b)>>10, MaxRunInfoBytes>>10), ErrTypeValidation, nil))
	}
	h.set(StepBeat{Step: "start run", Attempt: info.Attempt, Doing: "counting rows"})
	counts := a.recordPending(ctx, runID, sqlschemaInspector(src), plan, out.Destinations)
	for i := range out.Tables {
		out.Tables[i].Rows = counts[i]
	}
	if err := a.splitTables(ctx, runID, plan, sqlsync.Source{DB: src, Key: l.sync.Key}, out.Tables, len(out.Destinations)-len(out.Buckets)); err != nil {
		startErr = err
		return fail("", err)
	}
	for _, w := range plan.Warnings {
		a.event(ctx, runID, "warn", w, nil)
	}
	out.SourceSnapshot = a.exportSnapshot(ctx, runID, l.sync.Source)
	a.event(ctx, runID, "info", fmt.Sprintf("planned %d tables for %d destination(s)", len(plan.Tables), len(out.Destinations)), nil)
	return out, nil
}

// recordPending records every table of the plan as pending with its
// expected row count and returns the counts in plan order. The counts are
// taken a few tables at a time; the tables are recorded with the API in
// calls of up to pendingPerCall (ReportPendingTables), not one call per
// table and destination.
func (a *Activities) recordPending(ctx context.Context, runID string, insp sqlschema.Inspector, plan *syncplan.Plan, dests []string) []int64 {
	const parallel = 4
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	counts := make([]int64, len(plan.Tables))
	for i, t := range plan.Tables {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			counts[i] = expectedRows(ctx, insp, t.Name, t.Filter)
		}()
	}
	wg.Wait()
	var pending []*mgmt.PendingTable
	for i, t := range plan.Tables {
		for _, d := range dests {
			pending = append(pending, &mgmt.PendingTable{Destination: d, Schema: t.Name.Schema, Table: t.Name.Table, RowsExpected: counts[i]})
		}
	}
	a.reportPending(ctx, runID, pending)
	return counts
}

// reportPending records tables as pending in the run, pendingPerCall
// tables a call; failures are logged, never fatal.
func (a *Activities) reportPending(ctx context.Context, runID string, tables []*mgmt.PendingTable) {
	for len(tables) > 0 && runID != "" {
		call := tables[:min(len(tables), pendingPerCall)]
		tables = tables[len(call):]
		if _, err := a.API.Worker.ReportPendingTables(ctx, connect.NewRequest(&mgmt.ReportPendingTablesRequest{JobRunId: runID, Tables: call})); err != nil {
			a.Logger.WarnContext(ctx, "report pending tables", slog.String("job_run_id", runID), slog.Int("tables", len(call)), slog.String("error", err.Error()))
		}
	}
}

// pendingPerCall is the most tables one ReportPendingTables call records
// (the API takes up to 1,000).
const pendingPerCall = 1000

// ExactCountBelow is the catalog estimate under which StartRun counts a
// table's rows exactly for the progress bar (and the batching of small
// tables, SmallTableRows); larger tables show the estimate: an exact
// count is a scan of the table, which holds up the run's start for a
// number the bar does not need exactly (the report's counts come from the
// copy and the destination).
const ExactCountBelow = 100_000

// countTimeout bounds an exact count, which a subset predicate can make
// slow on a large table; the bar then has no total until the table ends.
const countTimeout = 10 * time.Second

// expectedRows is the total shown while table t is copied: an exact count
// for small or filtered tables (bounded by countTimeout), else the
// catalog's estimate; 0 when neither is known.
func expectedRows(ctx context.Context, insp sqlschema.Inspector, t sqlschema.TableName, filter string) int64 {
	est, err := insp.EstimatedRowCount(ctx, t)
	if err != nil {
		est = -1
	}
	if filter == "" && est >= ExactCountBelow {
		return est
	}
	cctx, cancel := context.WithTimeout(ctx, countTimeout)
	defer cancel()
	n, err := insp.RowCount(cctx, t, filter)
	switch {
	case err == nil:
		return n
	case filter == "" && est > 0:
		return est
	}
	return 0
}

func sqlschemaInspector(db *sqlconnect.DB) sqlschema.Inspector {
	if db.Driver == sqlconnect.DriverMySQL {
		return sqlschema.NewMySQLInspector(db.MySQL)
	}
	return sqlschema.NewPostgresInspector(db.Postgres)
}

// withDBs finds the run's job and plan and opens the source and one
// destination. The destination's sessions are tagged with the run and the
// activity (sqlsync.Destination.SessionTag); a retry first ends what its
// dead predecessor still runs there, so two attempts never contend for
// one lock. Each Finalize or update-pass statement is named in the
// activity's heartbeat.
func (a *Activities) withDBs(ctx context.Context, in StepInput, fn func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error) error {
	return a.withDatabases(ctx, in, true, fn)
}

// withDest is withDBs for the steps that never read the source (prepare,
// finalize, restore): the source is not opened, so the step costs no
// connection to it; fn's Source carries the job's key settings and no
// database.
func (a *Activities) withDest(ctx context.Context, in StepInput, fn func(plan *syncplan.Plan, dst sqlsync.Destination) error) error {
	return a.withDatabases(ctx, in, false, func(plan *syncplan.Plan, _ sqlsync.Source, dst sqlsync.Destination) error {
		return fn(plan, dst)
	})
}

func (a *Activities) withDatabases(ctx context.Context, in StepInput, openSource bool, fn func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error) error {
	l, plan, err := a.runPlan(ctx, in)
	if err != nil {
		return err
	}
	if in.Destination < 0 || in.Destination >= len(l.sync.Destinations) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("destination %d no longer exists in the job", in.Destination), ErrTypeValidation, nil)
	}
	d := l.sync.Destinations[in.Destination]
	// The step's outcome decides whether its pools wait for the run's
	// next step (openRun).
	var stepErr error
	var srcDB *sqlconnect.DB
	if openSource {
		db, done, err := a.openRun(ctx, in.JobRunID, l.sync.Source)
		if err != nil {
			return fmt.Errorf("source: %w", err)
		}
		defer func() { done(stepErr) }()
		srcDB = db
	}
	dstDB, done, err := a.openRun(ctx, in.JobRunID, d.Conn)
	if err != nil {
		return fmt.Errorf("destination %q: %w", d.Name, err)
	}
	defer func() { done(stepErr) }()
	dst := sqlsync.Destination{Name: d.Name, DB: dstDB, Options: d.Options, SessionTag: sessionTag(ctx, in.JobRunID)}
	if h := beaterFrom(ctx); h != nil {
		dst.OnStep = h.doing
	}
	a.endStaleSessions(ctx, in.JobRunID, dst)
	stepErr = fn(plan, sqlsync.Source{DB: srcDB, Key: l.sync.Key, PRF: l.sync.PRF, Seed: leakscan.RunSeed(in.JobRunID, l.sync.Key), Snapshot: in.SourceSnapshot}, dst)
	return dataError(stepErr)
}

// checkDestinations makes, on every database destination of a run, the
// checks its prepare step makes before writing (sqlsync.Engine.CheckDestination).
func (a *Activities) checkDestinations(ctx context.Context, runID string, plan *syncplan.Plan, dests []syncplan.Destination) error {
	for _, d := range dests {
		if d.Conn.Driver == sqlconnect.DriverS3 {
			continue
		}
		db, done, err := a.openRun(ctx, runID, d.Conn)
		if err != nil {
			return fmt.Errorf("destination %q: %w", d.Name, err)
		}
		err = a.Engine.CheckDestination(ctx, plan, sqlsync.Destination{Name: d.Name, DB: db, Options: d.Options})
		done(err)
		if err != nil {
			return err
		}
	}
	return nil
}

// endStaleSessions ends, on a retried activity (attempt 2 on), the
// sessions its lost attempt still has on destination dst (tagged
// dst.SessionTag: sqlsync.EndStaleSessions), so that the two never contend
// for a lock and nothing of the lost attempt commits after this one
// started over. Ended sessions are a run event; a failure to look is
// logged, and the step goes on.
func (a *Activities) endStaleSessions(ctx context.Context, runID string, dst sqlsync.Destination) {
	if activity.GetInfo(ctx).Attempt <= 1 {
		return
	}
	n, err := sqlsync.EndStaleSessions(ctx, dst, sqlsync.SessionName(dst.SessionTag))
	if err != nil {
		a.Logger.WarnContext(ctx, "end the previous attempt's sessions", slog.String("job_run_id", runID), slog.String("error", err.Error()))
	} else if n > 0 {
		a.event(ctx, runID, "warn", fmt.Sprintf("ended %d session(s) of the previous attempt still running on destination %s", n, dst.Name), nil)
	}
}

// sessionTag names the destination sessions of the current activity: the
// run id and a short hash of the workflow and activity ids, the same for
// every attempt of the activity and different for every other activity.
func sessionTag(ctx context.Context, runID string) string {
	info := activity.GetInfo(ctx)
	sum := sha256.Sum256([]byte(info.WorkflowExecution.ID + "/" + info.ActivityID))
	return runID + ":" + hex.EncodeToString(sum[:4])
}

// PrepareDestination creates the schema and truncates, as the destination's options say.
func (a *Activities) PrepareDestination(ctx context.Context, in StepInput) error {
	step := "prepare destination " + in.DestinationName
	return a.runStep(ctx, in.JobRunID, step, func(ctx context.Context) error {
		return a.withDest(ctx, in, func(plan *syncplan.Plan, dst sqlsync.Destination) error {
			return a.Engine.PrepareDestination(ctx, plan, dst)
		})
	})
}

// SyncTable copies one table, heartbeating its checkpoint; a retry resumes
// from the last heartbeat without duplicating or losing rows.
func (a *Activities) SyncTable(ctx context.Context, in TableInput) (*sqlsync.Checkpoint, error) {
	var cp *sqlsync.Checkpoint
	if activity.HasHeartbeatDetails(ctx) {
		var last sqlsync.Checkpoint
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && last.Table == in.Table {
			cp = &last
		}
	}
	cp = retryFrom(ctx, cp, in.Table, nil)
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		// A copy that restarts (syncplan.Plan.Restarts) heartbeats no
		// rows until it is done: it starts over.
		resumed := "from the start"
		if cp.Rows > 0 || len(cp.Key) > 0 {
			resumed = fmt.Sprintf("after %d rows", cp.Rows)
		}
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming %s %s (attempt %d); the previous attempt ended: %s", in.Table, resumed, info.Attempt, a.previousAttempt(ctx)), &in.Table)
	}
	var beat any
	if cp != nil {
		beat = *cp
	}
	h := keepAlive(ctx, beat)
	defer h.Stop()
	var out sqlsync.Checkpoint
	err := a.withDBs(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
		a.restoreSketch(ctx, in.JobRunID, in.DestinationName, in.Table, nil, src.Seed, cp)
		var err error
		out, err = a.copyTable(ctx, in.StepInput, plan, in.Table, src, dst, cp, func(c sqlsync.Checkpoint) { h.set(c) }, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// retryFrom is the checkpoint a copy of table (or of its key range rng)
// starts from: cp, the last one heartbeated, or — on a retry that has none
// (the earlier attempt died before its first heartbeat reached Temporal)
// — an empty one, so that the engine cleans up whatever that attempt may
// have committed. Only a first attempt starts with none (nil), and only
// then does the engine treat the rows already in the destination as the
// user's (syncdriver.TableJob.Fresh).
func retryFrom(ctx context.Context, cp *sqlsync.Checkpoint, table sqlschema.TableName, rng *sqlsync.KeyRange) *sqlsync.Checkpoint {
	if cp != nil || activity.GetInfo(ctx).Attempt <= 1 {
		return cp
	}
	return &sqlsync.Checkpoint{Table: table, Range: rng}
}

// copyTable copies one table between open databases, resuming from cp when
// it is given (with the sketches of its rows, restoreSketch), and records
// the table's progress with the API; beat receives the checkpoints (once
// their sketches are stored, see sketchSaver). The table's final
// sketches go to the run cache and the API, for whichever worker
// verifies it: at once, or with finals set into that batch's queue (see
// finalSketches). Its error is classified (dataError).
func (a *Activities) copyTable(ctx context.Context, in StepInput, plan *syncplan.Plan, table sqlschema.TableName, src sqlsync.Source, dst sqlsync.Destination,
	cp *sqlsync.Checkpoint, beat func(sqlsync.Checkpoint), finals *finalSketches) (sqlsync.Checkpoint, error) {
	ctx = runlog.WithRun(ctx, in.JobRunID)
	started := time.Now()
	logAttrs := []any{slog.String("table", table.String()), slog.String("destination", in.DestinationName)}
	if cp != nil {
		a.Logger.InfoContext(ctx, "copy resumed", append(logAttrs, slog.Int64("from_row", cp.Rows), slog.Int("attempt", int(activity.GetInfo(ctx).Attempt)))...)
	} else {
		a.Logger.InfoContext(ctx, "copy started", logAttrs...)
	}
	report := func(state string, rows int64, errMsg *string) {
		p := &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: table.Schema, Table: table.Table, State: state, RowsDone: rows, Error: errMsg, StartedAt: ts(started)}
		if state == "complete" {
			p.RowsExpected, p.CompletedAt = rows, ts(time.Now())
		}
		a.progress(ctx, in.JobRunID, p)
	}
	// The table shows "running" at once and its rows once a second. In a
	// batch (finals set), whose small tables mostly finish within that
	// second, it shows "running" only from its first second on: such a
	// table goes from pending to complete in two reports, not four.
	if finals == nil {
		report("running", 0, nil)
	}
	ended := a.Metrics.CopyStarted(in.JobID, in.DestinationName)
	var mu sync.Mutex
	lastReport := started
	meter := a.meter(in, table, cp)
	saver := a.newSketchSaver(ctx, in.JobRunID, []string{in.DestinationName}, table, nil, beat)
	out, err := a.Engine.SyncTable(ctx, plan, table, src, dst, cp, func(p sqlsync.Progress) {
		saver.progress(p)
		mu.Lock()
		defer mu.Unlock()
		meter.Observe(copyCounts(p))
		if time.Since(lastReport) >= time.Second {
			lastReport = time.Now()
			report("running", p.Rows, nil)
		}
	})
	if err != nil {
		saver.stop(false)
		a.countTransformerError(in.JobID, err)
		err = dataError(err)
		msg := RootMessage(err)
		state := "running" // a retry may still succeed
		if ctx.Err() != nil || isNonRetryable(err) || activity.GetInfo(ctx).Attempt >= maxAttempts(ctx) {
			state = "failed"
			ended("failed")
		} else {
			ended("retry")
			a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("copy of %s failed (attempt %d), will retry: %s", table, activity.GetInfo(ctx).Attempt, msg), &table)
		}
		a.Logger.WarnContext(ctx, "copy failed", append(logAttrs, slog.String("state", state), slog.String("error", msg))...)
		report(state, 0, &msg)
		return out, err
	}
	mu.Lock()
	meter.Observe(telemetry.CopyCounts{RowsRead: out.Rows, RowsWritten: out.Rows})
	mu.Unlock()
	ended("complete")
	a.Logger.InfoContext(ctx, "copy complete", append(logAttrs, slog.Int64("rows", out.Rows), slog.Duration("took", time.Since(started)))...)
	switch {
	case out.Sketches != nil && finals != nil:
		saver.stop(false)
		finals.add(in.DestinationName, table, out.Sketches)
		finals.forgetAfter(saver)
	default:
		stored := out.Sketches != nil && a.storeRangeSketch(ctx, in.JobRunID, in.DestinationName, table, nil, out.Sketches) == nil // a failure is a run event
		saver.stop(stored)
	}
	out.Sketches = nil
	report("complete", out.Rows, nil)
	a.runs.setLeaks(in.JobRunID, in.Destination, table, out.Leaks, out.Reidentified)
	a.runs.setRead(in.JobRunID, in.Destination, table, out)
	return out, nil
}

// meter starts the metrics of one copy of table; the engine's progress
// counts rows from the checkpoint it resumed at, which are not counted
// again.
func (a *Activities) meter(in StepInput, table sqlschema.TableName, cp *sqlsync.Checkpoint) *telemetry.CopyMeter {
	var from telemetry.CopyCounts
	if cp != nil {
		from.RowsRead, from.RowsWritten = cp.Rows, cp.Rows
	}
	return a.Metrics.Meter(in.JobID, in.DestinationName, table.String(), from)
}

// copyCounts is what a copy's progress report says it has moved.
func copyCounts(p sqlsync.Progress) telemetry.CopyCounts {
	return telemetry.CopyCounts{RowsRead: p.Rows, RowsWritten: p.Checkpoint.Rows, BytesRead: p.BytesRead, BytesWritten: p.BytesWritten}
}

func isNonRetryable(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.NonRetryable()
}

// RunUpdatePasses fills the foreign keys that broke cycles, and stores
// the leak sketches of the transformed ones for Verify (updatesketches.go).
func (a *Activities) RunUpdatePasses(ctx context.Context, in StepInput) error {
	return a.runStep(ctx, in.JobRunID, "update passes on "+in.DestinationName, func(ctx context.Context) error {
		return a.withDBs(ctx, in, func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
			return a.runUpdatePasses(ctx, in, plan, src, dst)
		})
	})
}

// Finalize resets sequences and adds deferred constraints.
func (a *Activities) Finalize(ctx context.Context, in StepInput) error {
	return a.runStep(ctx, in.JobRunID, "finalize "+in.DestinationName, func(ctx context.Context) error {
		return a.withDest(ctx, in, func(plan *syncplan.Plan, dst sqlsync.Destination) error {
			return a.Engine.Finalize(ctx, plan, dst)
		})
	})
}

// Verify builds the destination's verification report, compressed: its
// size grows with the number of tables and it passes through Temporal.
func (a *Activities) Verify(ctx context.Context, in VerifyInput) (*PackedReport, error) {
	var rep *sqlsync.Report
	err := a.runStep(ctx, in.JobRunID, "verify "+in.DestinationName, func(ctx context.Context) error {
		return a.withDBs(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
			var o sqlsync.VerifyOptions
			if len(in.Copied) == len(plan.Tables) {
				o.Copied = map[sqlschema.TableName]int64{}
				for i, t := range plan.Tables {
					if in.Copied[i] >= 0 {
						o.Copied[t.Name] = in.Copied[i]
					}
				}
			}
			if len(in.Before) == len(plan.Tables) {
				o.SourceRowsBefore = map[sqlschema.TableName]int64{}
				for i, t := range plan.Tables {
					if in.Before[i] > 0 {
						o.SourceRowsBefore[t.Name] = in.Before[i]
					}
				}
			}
			// The source counts the copies read, whole tables' and key
			// ranges'; Verify uses a whole table's only where it equals
			// the rows the workflow recorded for its final copy (o.Copied).
			o.SourceRead, o.RangesRead = sourceReads(in, plan, a.runs.readOf(in.JobRunID, in.Destination))
			if err := a.copyLeaks(ctx, in, plan, runSeed(in.JobRunID, src), &o); err != nil {
				return err
			}
			if err := a.updateLeaks(ctx, in, plan, runSeed(in.JobRunID, src), &o); err != nil {
				return err
			}
			var err error
			rep, err = a.Engine.Verify(ctx, plan, src, dst, o)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return PackReport(rep)
}

// sourceReads returns, for VerifyOptions, the source rows read by the
// copies of in's tables: those of the whole tables (in.Read, else
// cached, the rows this worker's copies of tables in a batch read whole)
// and those of the ranged tables (in.Read and in.Recount).
func sourceReads(in VerifyInput, plan *syncplan.Plan, cached map[sqlschema.TableName]int64) (map[sqlschema.TableName]int64, map[sqlschema.TableName]sqlsync.RangesRead) {
	whole := cached
	if whole == nil {
		whole = map[sqlschema.TableName]int64{}
	}
	if len(in.Read) != len(plan.Tables) {
		return whole, nil
	}
	ranged := map[sqlschema.TableName]bool{}
	for _, r := range in.Ranged {
		ranged[r.Name] = true
	}
	recount := map[int][]sqlsync.KeyRange{}
	for _, r := range in.Recount {
		recount[r.Table] = r.Ranges
	}
	ranges := map[sqlschema.TableName]sqlsync.RangesRead{}
	for i, t := range plan.Tables {
		switch {
		case in.Read[i] < 0:
		case ranged[t.Name]:
			ranges[t.Name] = sqlsync.RangesRead{Rows: in.Read[i], Recount: recount[i]}
		default:
			whole[t.Name] = in.Read[i]
		}
	}
	return whole, ranges
}

// RestoreDestination puts back the constraints and indexes a stopped run
// had dropped in one destination (the run failed, was canceled, or was
// terminated). It builds every one that can be built and returns a
// description of those that cannot ("" when none is missing); it fails
// only when it cannot reach the destination.
func (a *Activities) RestoreDestination(ctx context.Context, in StepInput) (string, error) {
	var missing string
	var err error
	err = a.runStep(ctx, in.JobRunID, "restore constraints of "+in.DestinationName, func(ctx context.Context) error {
		missing, err = a.restoreOne(ctx, in)
		return err
	})
	return missing, err
}

// restoreOne restores one destination; see RestoreDestination.
func (a *Activities) restoreOne(ctx context.Context, in StepInput) (string, error) {
	var missing string
	err := a.withDest(ctx, in, func(plan *syncplan.Plan, dst sqlsync.Destination) error {
		err := a.Engine.Restore(ctx, plan, dst)
		var same *sqlsync.SameDatabaseError
		if errors.As(err, &same) {
			return nil // the run never wrote there: nothing to restore
		}
		if err != nil {
			missing = fmt.Sprintf("destination %s is missing constraints: %v", dst.Name, err)
			a.event(ctx, in.JobRunID, "error", missing, nil)
			return nil
		}
		a.event(ctx, in.JobRunID, "info", "restored the constraints and indexes of destination "+dst.Name, nil)
		return nil
	})
	return missing, err
}

// FinishRun records the outcome with the API.
func (a *Activities) FinishRun(ctx context.Context, in FinishInput) error {
	h := keepAlive(ctx, nil)
	defer h.Stop()
	req := &mgmt.FinishJobRunRequest{JobRunId: in.JobRunID, Status: statusProto(in.Status)}
	if in.Error != "" {
		req.Error = &in.Error
	}
	reports := in.Reports
	for _, p := range in.Packed {
		r, err := p.Unpack()
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	a.runs.drop(in.JobRunID)
	a.pools.closeRun(in.JobRunID)
	a.snapshots.release(in.JobRunID, nil)
	var took time.Duration
	if in.StartedUnixMs > 0 {
		took = time.Since(time.UnixMilli(in.StartedUnixMs))
	}
	a.Metrics.RunFinished(in.JobID, in.Status, took)
	if len(reports) > 0 {
		rep, err := reportStruct(reports)
		if err != nil {
			return err
		}
		req.Report = rep
	}
	level, msg := "info", "run "+in.Status
	if in.Error != "" {
		level, msg = "error", "run "+in.Status+": "+in.Error
	}
	a.event(ctx, in.JobRunID, level, msg, nil)
	if _, err := a.API.Worker.FinishJobRun(ctx, connect.NewRequest(req)); err != nil {
		return apiError("record run outcome", err)
	}
	return nil
}

// progress reports table progress; failures are logged, never fatal.
func (a *Activities) progress(ctx context.Context, runID string, p *mgmt.JobRunTableProgress) {
	if runID == "" {
		return
	}
	if _, err := a.API.Worker.ReportTableProgress(ctx, connect.NewRequest(&mgmt.ReportTableProgressRequest{JobRunId: runID, Progress: p})); err != nil {
		a.Logger.WarnContext(ctx, "report progress", slog.String("job_run_id", runID), slog.String("error", err.Error()))
	}
}

// event appends to the run's log; failures are logged, never fatal.
func (a *Activities) event(ctx context.Context, runID, level, msg string, table *sqlschema.TableName) {
	if runID == "" {
		return
	}
	req := &mgmt.AddJobRunEventRequest{JobRunId: runID, Level: level, Message: msg}
	lvl := slog.LevelInfo
	if l, ok := map[string]slog.Level{"warn": slog.LevelWarn, "error": slog.LevelError}[level]; ok {
		lvl = l
	}
	var attrs []any
	if table != nil {
		req.Schema, req.Table = &table.Schema, &table.Table
		attrs = append(attrs, slog.String("table", table.String()))
	}
	a.Logger.Log(runlog.WithRun(ctx, runID), lvl, msg, attrs...)
	if _, err := a.API.Worker.AddJobRunEvent(ctx, connect.NewRequest(req)); err != nil {
		a.Logger.WarnContext(ctx, "record run event", slog.String("job_run_id", runID), slog.String("error", err.Error()))
	}
}

// RestoreAfterStop puts back the constraints and indexes of every
// destination of a sync run that was stopped without its own cleanup
// (terminated or timed out; the API starts it). The plan is built afresh
// from the job. What cannot be restored is recorded in the run's events
// and returned as the activity's error.
func (a *Activities) RestoreAfterStop(ctx context.Context, in jobcontract.WorkflowInput) error {
	h := keepAlive(ctx, StepBeat{Step: "restore", Attempt: activity.GetInfo(ctx).Attempt})
	defer h.Stop()
	if l, err := a.load(ctx, in.JobID); err == nil && l.sync.Import != nil {
		// An import's plan comes from its destination and the export
		// (s3sync.Import), not from a source this activity can read.
		a.event(ctx, in.JobRunID, "warn", "the import was stopped before it finished: keys and indexes it had set aside in the destinations are not restored automatically; run the import again (with truncate_before_insert) to complete them", nil)
		return nil
	}
	l, plan, _, err := a.buildPlan(ctx, in.JobRunID, in.JobID)
	if err != nil {
		a.event(ctx, in.JobRunID, "error", "restoring the destinations after the run stopped: "+err.Error(), nil)
		return err
	}
	a.runs.put(in.JobRunID, &cachedRun{job: l, plan: plan})
	var missing []string
	for i, d := range l.sync.Destinations {
		step := StepInput{JobRunID: in.JobRunID, JobID: in.JobID, Destination: i, DestinationName: d.Name}
		msg, err := a.restoreOne(ctx, step)
		if err != nil {
			msg = fmt.Sprintf("destination %s: %v", d.Name, err)
		}
		if msg != "" {
			missing = append(missing, msg)
		}
	}
	a.runs.drop(in.JobRunID)
	a.pools.closeRun(in.JobRunID)
	if len(missing) > 0 {
		return temporal.NewNonRetryableApplicationError(strings.Join(missing, "; "), ErrTypeData, nil)
	}
	return nil
}
