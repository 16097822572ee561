package e2e_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// runPhases is where a finished sync run spent its time, read from its
// record: the step events the worker logs when a step starts ("prepare
// destination …", "update passes on …", "finalize …", "verify …") and the
// tables' start and end times. With several destinations each step is
// counted from its first start. A phase the run did not reach stays 0.
type runPhases struct {
	// Start runs from the trigger (or the run's start) to the first
	// destination's prepare step: the run record, the workflow start, the
	// plan and the source counts.
	Start time.Duration
	// Prepare is the prepare step (schema, truncate, dropped keys) up to the
	// first table's copy.
	Prepare time.Duration
	// Copy runs from the first table's copy to the update passes (to
	// finalize when the run has none).
	Copy time.Duration
	// Updates is the update passes (foreign keys that break cycles).
	Updates time.Duration
	// Finalize builds the keys, indexes and foreign keys left for after the
	// data and moves sequences.
	Finalize time.Duration
	// Verify is the verification report and the run's finish.
	Verify time.Duration
}

// phasesOf reads the phases of the finished run r, counted from `from`
// (the trigger when the caller knows it, else the run's start).
func phasesOf(t *testing.T, s *stack, r *mgmt.JobRun, from time.Time) runPhases {
	t.Helper()
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: r.GetId()}))
	if err != nil {
		t.Fatalf("GetJobRunEvents: %v", err)
	}
	steps := []string{"prepare destination ", "update passes on ", "finalize ", "verify "}
	at := map[string]time.Time{}
	if os.Getenv("NEOSYNC_BENCH_EVENTS") == "1" {
		// The run's event log as offsets from the trigger: where the time
		// between the phases' marks goes.
		for _, e := range events.Msg.GetEvents() {
			t.Logf("run %s event at +%.3fs: %s", r.GetId(), e.GetTime().AsTime().Sub(from).Seconds(), e.GetMessage())
		}
		for _, tp := range r.GetTables() {
			t.Logf("run %s table %s started +%.3fs completed +%.3fs", r.GetId(), tp.GetTable(), tp.GetStartedAt().AsTime().Sub(from).Seconds(), tp.GetCompletedAt().AsTime().Sub(from).Seconds())
		}
		t.Logf("run %s completed at +%.3fs", r.GetId(), r.GetCompletedAt().AsTime().Sub(from).Seconds())
		logHistoryTimeline(t, r.GetWorkflowId(), from)
	}
	for _, e := range events.Msg.GetEvents() {
		for _, p := range steps {
			if _, ok := at[p]; !ok && strings.HasPrefix(e.GetMessage(), p) {
				at[p] = e.GetTime().AsTime()
			}
		}
	}
	var copyStart time.Time
	for _, tp := range r.GetTables() {
		if s := tp.GetStartedAt(); s != nil && (copyStart.IsZero() || s.AsTime().Before(copyStart)) {
			copyStart = s.AsTime()
		}
	}
	marks := []time.Time{from, at[steps[0]], copyStart, at[steps[1]], at[steps[2]], at[steps[3]], r.GetCompletedAt().AsTime()}
	// Phase i runs from marks[i] to the next mark present: a step that did
	// not run (no update passes to do) leaves its phase at 0 and the time
	// to the phase before it (the copy ends when finalize starts).
	spans := make([]time.Duration, len(marks)-1)
	last := 0
	for i := 1; i < len(marks); i++ {
		if marks[i].IsZero() {
			continue
		}
		spans[last], last = marks[i].Sub(marks[last]), i
	}
	return runPhases{Start: spans[0], Prepare: spans[1], Copy: spans[2], Updates: spans[3], Finalize: spans[4], Verify: spans[5]}
}

// String lists the phases the run went through, e.g. "start 0.31s, prepare
// 0.05s, copy 3.05s, update passes 0.02s, finalize 0.80s, verify 0.92s".
func (p runPhases) String() string {
	var parts []string
	for _, ph := range []struct {
		name string
		d    time.Duration
	}{{"start", p.Start}, {"prepare", p.Prepare}, {"copy", p.Copy}, {"update passes", p.Updates}, {"finalize", p.Finalize}, {"verify", p.Verify}} {
		if ph.d > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2fs", ph.name, ph.d.Seconds()))
		}
	}
	return strings.Join(parts, ", ")
}

// resetPeakRSS starts a new peak resident set size (VmHWM) for a process
// this user may trace (Linux: /proc/<pid>/clear_refs), so that peakRSS then
// reports the peak since now.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}
