package activities

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/activity"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// A batch of small tables does not store each table's final sketches on
// its own (one API call per column and table: thousands for a schema of
// thousands of small tables): it queues them in a finalSketches and
// stores the queue with one WorkerService.PutRangeSketches call at most
// once per heartbeat interval, when the queue passes sketchCallBytes, and
// at the end of the batch. A table whose sketches are queued is not yet
// recorded as done in the batch's heartbeat: a worker lost before the
// store leaves it to be copied again by the retry, which the engine's
// resume rules make exact (the same as a loss between a table's last
// commit and its heartbeat), so its sketches are never lost with it.
// The one table whose copy cannot be redone exactly — appended without a
// key into a table the job does not own — has its queue stored at once.

// sketchCallBytes bounds the sketches of one PutRangeSketches call, well
// under the API's default request cap (4 MiB). A table's sketches larger
// than that are stored part by part (PutRangeSketch).
const sketchCallBytes = 2 << 20

// finalSketches is a batch's queue of final sketches (see above). It is
// used by the batch's goroutine only.
type finalSketches struct {
	a      *Activities
	ctx    context.Context
	runID  string
	every  time.Duration
	last   time.Time
	queue  []*mgmt.RangeSketches
	what   []string // the queued tables (destination: table), for a warning
	savers []*sketchSaver
	bytes  int
}

// newFinalSketches starts the queue of a batch activity of run runID.
func (a *Activities) newFinalSketches(ctx context.Context, runID string) *finalSketches {
	return &finalSketches{a: a, ctx: ctx, runID: runID, every: heartbeatEvery(activity.GetInfo(ctx).HeartbeatTimeout), last: time.Now()}
}

// add queues the final sketches of table, copied whole into destination
// dest.
func (f *finalSketches) add(dest string, table sqlschema.TableName, t *leakscan.Table) {
	header, columns := t.MarshalParts()
	r := &mgmt.RangeSketches{Range: rangeSketchKey(f.runID, dest, table, wholeTable, "")}
	for _, col := range slices.Sorted(maps.Keys(columns)) {
		r.Parts = append(r.Parts, &mgmt.RangeSketchPart{Part: col, Sketch: columns[col]})
		f.bytes += len(columns[col])
	}
	r.Parts = append(r.Parts, &mgmt.RangeSketchPart{Part: "", Sketch: header})
	f.bytes += len(header)
	f.queue = append(f.queue, r)
	f.what = append(f.what, dest+": "+table.String())
}

// forgetAfter has the checkpoints' sketches s stored forgotten once the
// queue is stored (s's copy is complete and its final sketches queued).
func (f *finalSketches) forgetAfter(s *sketchSaver) { f.savers = append(f.savers, s) }

// queued reports whether sketches wait to be stored.
func (f *finalSketches) queued() bool { return len(f.queue) > 0 }

// due reports whether the queue should be stored now: a heartbeat
// interval has passed since the last store, or it is large.
func (f *finalSketches) due() bool {
	return f.queued() && (time.Since(f.last) >= f.every || f.bytes >= sketchCallBytes || len(f.queue) >= maxSketchCall)
}

// maxSketchCall is the most ranges one PutRangeSketches call carries (the
// API takes up to 1,000).
const maxSketchCall = 500

// store stores the queue: in calls of at most sketchCallBytes and
// maxSketchCall ranges, a range larger than that part by part. What could
// not be stored is reported in one run event (those tables' leak scans
// re-read a sample) and returned as an error; the queue is empty
// afterwards either way.
func (f *finalSketches) store() error {
	if !f.queued() {
		return nil
	}
	var failed []string
	var firstErr error
	var call []*mgmt.RangeSketches
	var callWhat []string
	callBytes := 0
	send := func() {
		if len(call) == 0 {
			return
		}
		_, err := f.a.API.Worker.PutRangeSketches(f.ctx, connect.NewRequest(&mgmt.PutRangeSketchesRequest{Sketches: call}))
		if err != nil {
			failed, firstErr = append(failed, callWhat...), cmpErr(firstErr, err)
		}
		call, callWhat, callBytes = nil, nil, 0
	}
	for i, r := range f.queue {
		size := 0
		for _, p := range r.GetParts() {
			size += len(p.GetSketch())
		}
		if size > sketchCallBytes {
			columns := map[string][]byte{}
			var header []byte
			for _, p := range r.GetParts() {
				if p.GetPart() == "" {
					header = p.GetSketch()
				} else {
					columns[p.GetPart()] = p.GetSketch()
				}
			}
			if err := f.a.putSketch(f.ctx, r.GetRange(), header, columns); err != nil {
				failed, firstErr = append(failed, f.what[i]), cmpErr(firstErr, err)
			}
			continue
		}
		if callBytes+size > sketchCallBytes || len(call) == maxSketchCall {
			send()
		}
		call, callWhat, callBytes = append(call, r), append(callWhat, f.what[i]), callBytes+size
	}
	send()
	if firstErr == nil {
		for _, s := range f.savers {
			s.forgetStored()
		}
	} else {
		f.a.event(f.ctx, f.runID, "warn", fmt.Sprintf("the leak sketches of %d table(s) could not be stored (%v): %s; their leak scans will re-read a sample of the source",
			len(failed), firstErr, strings.Join(failed, ", ")), nil)
	}
	f.queue, f.what, f.savers, f.bytes, f.last = nil, nil, nil, 0, time.Now()
	return firstErr
}

// cmpErr is first, or err when first is nil.
func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
