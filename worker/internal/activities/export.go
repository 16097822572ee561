package activities

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/s3sync"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/worker/internal/runlog"
)

// IsBucket reports whether destination d is an S3 bucket.
func (r *RunInfo) IsBucket(d int) bool { return slices.Contains(r.Buckets, d) }

// export opens the run's export into bucket destination in.Destination
// (objectstore keys <prefix>/<job name>/<run id>/…) and the source.
func (a *Activities) export(ctx context.Context, in StepInput) (*loaded, *syncplan.Plan, *objectstore.Export, *sqlconnect.DB, error) {
	l, plan, err := a.runPlan(ctx, in)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if in.Destination < 0 || in.Destination >= len(l.sync.Destinations) || l.sync.Destinations[in.Destination].Conn.S3 == nil {
		return nil, nil, nil, nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("destination %d is no longer an S3 bucket of the job", in.Destination), ErrTypeValidation, nil)
	}
	d := l.sync.Destinations[in.Destination]
	formats, codec, err := objectstore.ParseFormats(d.Options.ExportFormats, d.Options.ExportCompression)
	if err != nil {
		return nil, nil, nil, nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("destination %q: %v", d.Name, err), ErrTypeValidation, nil)
	}
	exp, err := objectstore.NewExport(ctx, *d.Conn.S3, l.job.GetName(), in.JobRunID, objectstore.ExportOptions{
		Formats: formats, Compression: codec, Dialect: string(l.sync.Source.Driver),
		RowsPerPart: d.Options.BatchSize, Network: sqlconnect.PolicyFrom(ctx).NetworkPolicy(),
	})
	if err != nil {
		return nil, nil, nil, nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("destination %q: %v", d.Name, err), ErrTypeValidation, nil)
	}
	src, err := a.open(ctx, l.sync.Source)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("source: %w", err)
	}
	return l, plan, exp, src, nil
}

// ExportTable writes one table of the plan into an S3 destination as part
// files (s3sync), heartbeating the rows written. A retry writes the table
// again from the start under the same keys, so the export never holds a
// table twice.
func (a *Activities) ExportTable(ctx context.Context, in TableInput) (*sqlsync.Checkpoint, error) {
	ctx = runlog.WithRun(ctx, in.JobRunID)
	h := keepAlive(ctx, nil)
	defer h.Stop()
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("exporting %s again (attempt %d); the previous attempt ended: %s", in.Table, info.Attempt, a.previousAttempt(ctx)), &in.Table)
	}
	l, plan, exp, src, err := a.export(ctx, in.StepInput)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	started := time.Now()
	report := func(state string, rows int64, errMsg *string) {
		p := &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: in.Table.Schema, Table: in.Table.Table, State: state, RowsDone: rows, Error: errMsg, StartedAt: ts(started)}
		if state == "complete" {
			p.RowsExpected, p.CompletedAt = rows, ts(time.Now())
		}
		a.progress(ctx, in.JobRunID, p)
	}
	report("running", 0, nil)
	logAttrs := []any{slog.String("table", in.Table.String()), slog.String("destination", in.DestinationName)}
	a.Logger.InfoContext(ctx, "export started", logAttrs...)
	ended := a.Metrics.CopyStarted(in.JobID, in.DestinationName)
	var mu sync.Mutex
	var last time.Time
	var seen int64 // rows already counted in the rows-written metric
	x := &s3sync.Exporter{Registry: a.Registry, Key: l.sync.Key, PRF: l.sync.PRF}
	tm, err := x.ExportTable(ctx, plan, in.Table, sqlschemaInspector(src), exp, func(rows int64) {
		h.set(sqlsync.Checkpoint{Table: in.Table, Rows: rows})
		mu.Lock()
		defer mu.Unlock()
		a.Metrics.RowsWritten(in.JobID, in.DestinationName, in.Table.String(), rows-seen)
		seen = rows
		if time.Since(last) >= time.Second {
			last = time.Now()
			report("running", rows, nil)
		}
	})
	if err != nil {
		err = dataError(err)
		msg := RootMessage(err)
		ended("failed")
		a.Logger.WarnContext(ctx, "export failed", append(logAttrs, slog.String("error", msg))...)
		report("failed", 0, &msg)
		return nil, err
	}
	ended("complete")
	a.Logger.InfoContext(ctx, "export complete", append(logAttrs, slog.Int64("rows", tm.Rows), slog.Duration("took", time.Since(started)))...)
	report("complete", tm.Rows, nil)
	return &sqlsync.Checkpoint{Table: in.Table, Rows: tm.Rows}, nil
}

// FinishExport writes the run's manifest.json into an S3 destination and
// returns the verification report: for each table, the source's rows (the
// plan's filter applied) against the rows the manifest lists, and the
// columns exported unchanged that hold personal data.
func (a *Activities) FinishExport(ctx context.Context, in VerifyInput) (*PackedReport, error) {
	var rep *sqlsync.Report
	err := a.runStep(ctx, in.JobRunID, "write the manifest of "+in.DestinationName, func(ctx context.Context) error {
		_, plan, exp, src, err := a.export(ctx, in.StepInput)
		if err != nil {
			return err
		}
		defer src.Close()
		m, err := exp.Finish(ctx)
		if err != nil {
			return dataError(err)
		}
		exported := map[sqlschema.TableName]int64{}
		for _, t := range m.Tables {
			exported[sqlschema.TableName{Schema: t.Schema, Table: t.Table}] = t.Rows
		}
		rep = &sqlsync.Report{Destination: in.DestinationName}
		insp := sqlschemaInspector(src)
		copied, before := map[sqlschema.TableName]int64{}, map[sqlschema.TableName]int64{}
		for i, t := range plan.Tables {
			n, err := insp.RowCount(ctx, t.Name, t.Filter)
			if err != nil {
				return dataError(fmt.Errorf("count %s in the source: %w", t.Name, err))
			}
			rep.Tables = append(rep.Tables, sqlsync.TableCount{Table: t.Name, SourceRows: n, DestRows: exported[t.Name]})
			if i < len(in.Copied) && in.Copied[i] >= 0 {
				copied[t.Name] = in.Copied[i]
			}
			if i < len(in.Before) && in.Before[i] > 0 {
				before[t.Name] = in.Before[i]
			}
		}
		rep.CrossCheck(copied, before)
		check := sqlsync.CheckPassthroughPII(ctx, insp, plan, sqlsync.DefaultPIIBudget)
		rep.PII = &check
		a.event(ctx, in.JobRunID, "info", fmt.Sprintf("wrote %s/%s for %d tables to destination %s", exp.Base(), objectstore.ManifestName, len(m.Tables), in.DestinationName), nil)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return PackReport(rep)
}
