package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/s3sync"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/worker/internal/runlog"
)

// ImportResult is what ImportExport hands the workflow: the destination's
// verification report and the rows written.
type ImportResult struct {
	Report *PackedReport `json:"report"`
	Rows   int64         `json:"rows"`
	Tables int           `json:"tables"`
}

// startImport is StartRun for a job whose source is an S3 bucket (the
// round trip): it picks the export (the job's run id, or the latest
// finished one), checks its manifest can be read and records every table
// it lists as pending in every destination. The export's run id goes to
// the workflow, so every destination reads the same export even when a
// newer one finishes meanwhile.
func (a *Activities) startImport(ctx context.Context, runID string, l *loaded) (*RunInfo, error) {
	im := l.sync.Import
	if l.sync.Source.S3 == nil {
		return nil, invalidJob("the job's source is not an S3 bucket but the job imports an export")
	}
	np := sqlconnect.PolicyFrom(ctx).NetworkPolicy()
	exportRun := im.RunID
	if exportRun == "" {
		var err error
		if exportRun, err = objectstore.LatestRun(ctx, *l.sync.Source.S3, np, im.Job); err != nil {
			if errors.Is(err, objectstore.ErrNoExport) {
				return nil, invalidJob(err.Error())
			}
			return nil, dataError(err)
		}
	}
	r, err := objectstore.OpenExport(ctx, *l.sync.Source.S3, np, im.Job, exportRun)
	if err != nil {
		return nil, dataError(err)
	}
	out := &RunInfo{JobRunID: runID, JobID: l.job.GetId(), JobName: l.job.GetName(), ImportRunID: exportRun}
	for _, d := range l.sync.Destinations {
		if d.Conn.Driver == sqlconnect.DriverS3 {
			return nil, invalidJob("destination " + d.Name + " is an S3 bucket: an import writes into databases")
		}
		out.Destinations = append(out.Destinations, d.Name)
	}
	if o := l.job.GetSyncOptions(); o != nil {
		out.StartToCloseSeconds, out.ScheduleToCloseSeconds = o.GetStartToCloseTimeoutSeconds(), o.GetScheduleToCloseTimeoutSeconds()
		out.HeartbeatSeconds, out.MaxAttempts = o.GetHeartbeatTimeoutSeconds(), o.GetMaxAttempts()
	}
	for _, t := range r.Manifest.Tables {
		for _, d := range out.Destinations {
			a.progress(ctx, runID, &mgmt.JobRunTableProgress{Destination: d, Schema: t.Schema, Table: t.Table, State: "pending", RowsExpected: t.Rows})
		}
	}
	a.event(ctx, runID, "info", fmt.Sprintf("importing export %s/%s (%d tables) into %d destination(s)", im.Job, exportRun, len(r.Manifest.Tables), len(out.Destinations)), nil)
	return out, nil
}

// ImportExport loads the run's export (RunInfo.ImportRunID, in
// StepInput.ImportRunID) into one database destination: every table of the
// manifest, in foreign key order, through the engine's stream path
// (s3sync.Import), each part file checked against the manifest's SHA-256
// and row count as it is read. It returns the destination's verification
// report (the manifest's counts against the destination's). A retry runs
// the whole import again, so a destination should truncate (or use
// on_conflict) to be re-runnable.
func (a *Activities) ImportExport(ctx context.Context, in StepInput) (*ImportResult, error) {
	ctx = runlog.WithRun(ctx, in.JobRunID)
	var out *ImportResult
	err := a.runStep(ctx, in.JobRunID, "import into "+in.DestinationName, func(ctx context.Context) error {
		l, err := a.load(ctx, in.JobID)
		if err != nil {
			return err
		}
		if l.sync.Import == nil || l.sync.Source.S3 == nil {
			return invalidJob("the job no longer imports from an S3 bucket")
		}
		if in.Destination < 0 || in.Destination >= len(l.sync.Destinations) {
			return invalidJob(fmt.Sprintf("destination %d no longer exists in the job", in.Destination))
		}
		d := l.sync.Destinations[in.Destination]
		r, err := objectstore.OpenExport(ctx, *l.sync.Source.S3, sqlconnect.PolicyFrom(ctx).NetworkPolicy(), l.sync.Import.Job, in.ImportRunID)
		if err != nil {
			return dataError(err)
		}
		dstDB, err := a.open(ctx, d.Conn)
		if err != nil {
			return fmt.Errorf("destination %q: %w", d.Name, err)
		}
		defer dstDB.Close()
		dst := sqlsync.Destination{Name: in.DestinationName, DB: dstDB, Options: d.Options, SessionTag: sessionTag(ctx, in.JobRunID)}
		a.endStaleSessions(ctx, in.JobRunID, dst)
		started := time.Now()
		var mu sync.Mutex
		last := map[sqlschema.TableName]time.Time{}
		rep, err := s3sync.Import(ctx, a.Engine, r, d.Conn, dst, func(p sqlsync.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(last[p.Table]) < time.Second {
				return
			}
			last[p.Table] = time.Now()
			a.progress(ctx, in.JobRunID, &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: p.Table.Schema, Table: p.Table.Table, State: "running", RowsDone: p.Rows, StartedAt: ts(started)})
		})
		if err != nil {
			return dataError(err)
		}
		out = &ImportResult{Tables: len(r.Manifest.Tables)}
		for _, t := range r.Manifest.Tables {
			out.Rows += t.Rows
			a.progress(ctx, in.JobRunID, &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: t.Schema, Table: t.Table, State: "complete",
				RowsDone: t.Rows, RowsExpected: t.Rows, StartedAt: ts(started), CompletedAt: ts(time.Now())})
		}
		if out.Report, err = PackReport(rep); err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeValidation, nil)
		}
		return nil
	})
	return out, err
}
