package activities

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
)

// A run of a PostgreSQL source reads every table in one snapshot of it
// (sqlsync.RunSnapshot), exported by StartRun on the worker that starts
// the run and passed to every copy, on any worker, as
// RunInfo.SourceSnapshot. The exporting transaction lives on that
// worker, on a connection of its own, until the run is over: FinishRun
// releases it when it runs there; otherwise a watcher sees the run's
// workflow closed (at most snapshotWatchEvery later) and releases it; a
// worker that cannot ask Temporal releases it after snapshotMaxAge. A
// worker that dies takes the snapshot with it: the copies after that read
// each table in its own snapshot, and say so in the run's logs.

// snapshotWatchEvery is how often a held snapshot's run is checked.
const snapshotWatchEvery = 15 * time.Second

// snapshotMaxAge bounds how long a snapshot is held when its run's state
// cannot be read from Temporal.
const snapshotMaxAge = 24 * time.Hour

// snapshotHolders are the snapshots this worker holds, by run.
type snapshotHolders struct {
	mu    sync.Mutex
	byRun map[string]*sqlsync.RunSnapshot
}

// put holds s for run, releasing the one an earlier attempt of StartRun
// exported here.
func (h *snapshotHolders) put(run string, s *sqlsync.RunSnapshot) {
	h.mu.Lock()
	if h.byRun == nil {
		h.byRun = map[string]*sqlsync.RunSnapshot{}
	}
	old := h.byRun[run]
	h.byRun[run] = s
	h.mu.Unlock()
	old.Close()
}

// release closes run's snapshot, when s is nil or still the one held.
func (h *snapshotHolders) release(run string, s *sqlsync.RunSnapshot) {
	h.mu.Lock()
	held := h.byRun[run]
	if held == nil || (s != nil && held != s) {
		h.mu.Unlock()
		return
	}
	delete(h.byRun, run)
	h.mu.Unlock()
	held.Close()
}

// holds reports whether s is still run's snapshot.
func (h *snapshotHolders) holds(run string, s *sqlsync.RunSnapshot) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.byRun[run] == s
}

// exportSnapshot exports and holds a snapshot of the run's source (see
// the comment above) and returns its identifier: "" for a MySQL/MariaDB
// source, or when the export failed, which a warning event explains (the
// tables are then read each in its own snapshot, as before).
func (a *Activities) exportSnapshot(ctx context.Context, runID string, cfg sqlconnect.Config) string {
	resolved, err := a.resolveConn(cfg)
	if err != nil {
		return ""
	}
	snap, err := sqlsync.ExportSnapshot(ctx, resolved, "neosync:snapshot:"+runID)
	if err != nil {
		a.event(ctx, runID, "warn", "the source's tables are read each in its own snapshot, so rows written to it during the run may be copied with some tables and not with the tables they reference: "+err.Error(), nil)
		return ""
	}
	if snap == nil {
		return ""
	}
	a.snapshots.put(runID, snap)
	info := activity.GetInfo(ctx)
	go a.watchSnapshot(runID, snap, info.WorkflowExecution.ID)
	return snap.ID
}

// watchSnapshot releases run's snapshot once the run's workflow is no
// longer running (or cannot be found), or after snapshotMaxAge.
func (a *Activities) watchSnapshot(run string, snap *sqlsync.RunSnapshot, workflowID string) {
	deadline := time.Now().Add(snapshotMaxAge)
	t := time.NewTicker(snapshotWatchEvery)
	defer t.Stop()
	for range t.C {
		if !a.snapshots.holds(run, snap) {
			return
		}
		if time.Now().After(deadline) {
			a.snapshots.release(run, snap)
			return
		}
		if a.Temporal == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		d, err := a.Temporal.DescribeWorkflowExecution(ctx, workflowID, "")
		cancel()
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) || (err == nil && d.GetWorkflowExecutionInfo().GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING) {
			a.snapshots.release(run, snap)
			return
		}
	}
}
