package run

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// RangeKey names one key range of one table of one destination of a run
// (RangeIndex WholeTable: a table copied in one piece; UpdatePass: the
// columns of its update pass), whose leak
// sketches a worker stores for the worker that verifies the table (see
// package leakscan: sketches of one run share a hash seed and merge on
// any worker). Checkpoint, when set, names the sketches of the rows up to
// one checkpoint of the copy, which a copy resumed there continues;
// empty, those of the finished copy.
type RangeKey struct {
	RunID       uuid.UUID
	Destination string
	Schema      string
	Table       string
	RangeIndex  int32
	Checkpoint  string
}

// WholeTable is the RangeIndex of a table copied in one piece.
const WholeTable = -1

// UpdatePass is the RangeIndex of the sketches of a table's update pass:
// those of the columns it writes (the foreign keys that break a cycle),
// which the copy writes NULL and so cannot sketch. Their own index keeps
// them apart from the copy's sketches of the same table.
const UpdatePass = -2

// maxCheckpointName bounds RangeKey.Checkpoint.
const maxCheckpointName = 200

// SketchPart is one serialised part of a range's leak sketches: a
// column's sketch (Part is the column's name) or the range's header
// (Part is empty). The API stores it as opaque bytes.
type SketchPart struct {
	Part   string
	Sketch []byte
}

// MaxSketchPartBytes bounds one stored part: a column's sketch at the
// default capacity is under 600 KiB (leakscan.MaxEncodedSize), so this
// leaves room for jobs that raise the leak sample.
const MaxSketchPartBytes = 16 << 20

func (k RangeKey) validate() error {
	switch {
	case k.Schema == "" || k.Table == "":
		return domain.Invalid("range", "schema and table are required")
	case k.RangeIndex < UpdatePass || k.RangeIndex >= MaxRanges:
		return domain.Invalid("range.range_index", "must be %d (an update pass), %d (the whole table) or a key range from 0 to %d", UpdatePass, WholeTable, MaxRanges-1)
	case len(k.Checkpoint) > maxCheckpointName:
		return domain.Invalid("range.checkpoint", "must be at most %d characters", maxCheckpointName)
	}
	return nil
}

// PutRangeSketch stores (or replaces) one part of a range's sketches.
func (s *Service) PutRangeSketch(ctx context.Context, k RangeKey, p SketchPart) error {
	if err := k.validate(); err != nil {
		return err
	}
	if len(p.Sketch) == 0 || len(p.Sketch) > MaxSketchPartBytes {
		return domain.Invalid("part.sketch", "must hold 1 to %d bytes", MaxSketchPartBytes)
	}
	err := s.store.PutJobRunRangeSketch(ctx, store.PutJobRunRangeSketchParams{JobRunID: k.RunID, Destination: k.Destination,
		SchemaName: k.Schema, TableName: k.Table, RangeIndex: k.RangeIndex, Checkpoint: k.Checkpoint, Part: p.Part, Sketch: p.Sketch})
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", k.RunID)
	}
	return err
}

// RangeSketches are the parts of one range's sketches (its columns' and
// its header), stored together by PutRangeSketches.
type RangeSketches struct {
	Key   RangeKey
	Parts []SketchPart
}

// MaxSketchBatch bounds the ranges of one PutRangeSketches call, and the
// parts of each range. The request body cap (MaxRequestBytes) bounds its
// bytes.
const MaxSketchBatch = 1000

// PutRangeSketches stores (or replaces) every part of several ranges'
// sketches of one run in one statement, so either all of them are stored
// or none: a worker that copies a batch of small tables stores its
// tables' final sketches with one call. Errors name the range
// ("sketches[3].range.range_index").
func (s *Service) PutRangeSketches(ctx context.Context, batch []RangeSketches) error {
	if len(batch) == 0 || len(batch) > MaxSketchBatch {
		return domain.Invalid("sketches", "must hold 1 to %d ranges", MaxSketchBatch)
	}
	type partKey struct {
		k    RangeKey
		part string
	}
	seen := map[partKey]bool{}
	p := store.PutJobRunRangeSketchesParams{JobRunID: batch[0].Key.RunID}
	for i, r := range batch {
		at := fmt.Sprintf("sketches[%d]", i)
		if err := r.Key.validate(); err != nil {
			return domain.Within(at, err)
		}
		switch {
		case r.Key.RunID != p.JobRunID:
			return domain.Invalid(at+".range.job_run_id", "must be the run of sketches[0]: one call stores one run's sketches")
		case len(r.Parts) == 0 || len(r.Parts) > MaxSketchBatch:
			return domain.Invalid(at+".parts", "must hold 1 to %d parts", MaxSketchBatch)
		}
		for j, part := range r.Parts {
			if len(part.Sketch) == 0 || len(part.Sketch) > MaxSketchPartBytes {
				return domain.Invalid(fmt.Sprintf("%s.parts[%d].sketch", at, j), "must hold 1 to %d bytes", MaxSketchPartBytes)
			}
			if seen[partKey{r.Key, part.Part}] {
				return domain.Invalid(fmt.Sprintf("%s.parts[%d].part", at, j), "names part %q of this range a second time in the call", part.Part)
			}
			seen[partKey{r.Key, part.Part}] = true
			p.Destinations = append(p.Destinations, r.Key.Destination)
			p.SchemaNames = append(p.SchemaNames, r.Key.Schema)
			p.TableNames = append(p.TableNames, r.Key.Table)
			p.RangeIndexes = append(p.RangeIndexes, r.Key.RangeIndex)
			p.Checkpoints = append(p.Checkpoints, r.Key.Checkpoint)
			p.Parts = append(p.Parts, part.Part)
			p.Sketches = append(p.Sketches, part.Sketch)
		}
	}
	err := s.store.PutJobRunRangeSketches(ctx, p)
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", p.JobRunID)
	}
	return err
}

// DeleteRangeSketch forgets every part stored for a range, or only those
// of k.Checkpoint when it is set.
func (s *Service) DeleteRangeSketch(ctx context.Context, k RangeKey) error {
	if err := k.validate(); err != nil {
		return err
	}
	if k.Checkpoint != "" {
		return s.store.DeleteJobRunRangeSketchCheckpoint(ctx, store.DeleteJobRunRangeSketchCheckpointParams{JobRunID: k.RunID, Destination: k.Destination,
			SchemaName: k.Schema, TableName: k.Table, RangeIndex: k.RangeIndex, Checkpoint: k.Checkpoint})
	}
	return s.store.DeleteJobRunRangeSketch(ctx, store.DeleteJobRunRangeSketchParams{JobRunID: k.RunID, Destination: k.Destination,
		SchemaName: k.Schema, TableName: k.Table, RangeIndex: k.RangeIndex})
}

// GetRangeSketch returns every part stored for a range's finished copy, or
// for k.Checkpoint when it is set (none when nothing was stored).
func (s *Service) GetRangeSketch(ctx context.Context, k RangeKey) ([]SketchPart, error) {
	if err := k.validate(); err != nil {
		return nil, err
	}
	rows, err := s.store.GetJobRunRangeSketch(ctx, store.GetJobRunRangeSketchParams{JobRunID: k.RunID, Destination: k.Destination,
		SchemaName: k.Schema, TableName: k.Table, RangeIndex: k.RangeIndex, Checkpoint: k.Checkpoint})
	if err != nil {
		return nil, err
	}
	out := make([]SketchPart, len(rows))
	for i, r := range rows {
		out[i] = SketchPart{Part: r.Part, Sketch: r.Sketch}
	}
	return out, nil
}
