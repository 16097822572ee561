package activities

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
)

// The key ranges of one table may be copied by several workers, and the
// table is verified by one of them. Each range's copy measures its leak
// sketches and re-identification count with the run's hash seed
// (leakscan.RunSeed of the run id and the job key: every worker derives
// the same one) and stores them, serialised, with the API
// (WorkerService.PutRangeSketch: one part per column, bounded by
// leakscan.MaxEncodedSize — under 600 KiB at the default sample — then a
// header naming the columns, written last). Verify fetches every range's
// parts, merges them (leakscan.Table.Merge) and reports the merge as the
// table's leak scan: what one copy of the whole table would have
// measured, without re-reading the source. Nothing of it passes through
// Temporal's history. A retried range first forgets what an earlier
// attempt stored; an attempt resumed from a checkpoint read only part of
// its range and stores nothing, so the table's leak scan falls back to a
// re-read sample (a run event says so). The API deletes a run's range
// sketches when the run finishes.

// RangedTable names a table copied in key ranges, for Verify.
type RangedTable struct {
	Name   sqlschema.TableName `json:"n"`
	Ranges int                 `json:"r"`
}

// runSeed is the hash seed of a run's range sketches.
func runSeed(runID string, src sqlsync.Source) leakscan.Seed {
	return leakscan.RunSeed(runID, src.Key)
}

// rangeSketchKey addresses one range's sketches in destination dest
// (its name, as the table progress names it) with the API.
func rangeSketchKey(runID, dest string, table sqlschema.TableName, index int) *mgmt.RangeSketchKey {
	return &mgmt.RangeSketchKey{JobRunId: runID, Destination: dest, Schema: table.Schema, Table: table.Table, RangeIndex: int32(index)}
}

// forgetRangeSketch deletes what an earlier attempt of a range stored for
// destination dest.
func (a *Activities) forgetRangeSketch(ctx context.Context, runID, dest string, table sqlschema.TableName, rng sqlsync.KeyRange) error {
	_, err := a.API.Worker.DeleteRangeSketch(ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: rangeSketchKey(runID, dest, table, rng.Index)}))
	if err != nil {
		return fmt.Errorf("forget the leak sketches of %s %s's earlier attempt: %w", table, rng, err)
	}
	return nil
}

// storeRangeSketch stores a range's sketches for destination dest with
// the API: every column's, then the header that makes them count. A
// failure is reported as a run event (the table's leak scan then re-reads
// a sample) and returned.
func (a *Activities) storeRangeSketch(ctx context.Context, runID, dest string, table sqlschema.TableName, rng sqlsync.KeyRange, t *leakscan.Table) error {
	key := rangeSketchKey(runID, dest, table, rng.Index)
	header, columns := t.MarshalParts()
	put := func(part string, b []byte) error {
		_, err := a.API.Worker.PutRangeSketch(ctx, connect.NewRequest(&mgmt.PutRangeSketchRequest{Range: key, Part: &mgmt.RangeSketchPart{Part: part, Sketch: b}}))
		return err
	}
	for col, b := range columns {
		if err := put(col, b); err != nil {
			a.event(ctx, runID, "warn", fmt.Sprintf("the leak sketch of %s %s column %s could not be stored (%v); the table's leak scan will re-read a sample of the source", table, rng, col, err), &table)
			return err
		}
	}
	if err := put("", header); err != nil {
		a.event(ctx, runID, "warn", fmt.Sprintf("the leak sketches of %s %s could not be stored (%v); the table's leak scan will re-read a sample of the source", table, rng, err), &table)
		return err
	}
	return nil
}

// errNoRangeSketch marks a range whose sketches were not (all) stored.
var errNoRangeSketch = errors.New("no complete leak sketch stored")

// rangeLeaks fetches and merges the sketches of every range of table. It
// returns errNoRangeSketch (wrapped) when a range has none.
func (a *Activities) rangeLeaks(ctx context.Context, in VerifyInput, seed leakscan.Seed, rt RangedTable) (map[string]leakscan.Result, *leakscan.RowCount, error) {
	merged := &leakscan.Table{}
	missing := 0
	for i := range rt.Ranges {
		resp, err := a.API.Worker.GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: rangeSketchKey(in.JobRunID, in.DestinationName, rt.Name, i)}))
		if err != nil {
			return nil, nil, fmt.Errorf("read the leak sketches of %s range %d: %w", rt.Name, i, err)
		}
		var header []byte
		columns := map[string][]byte{}
		for _, p := range resp.Msg.GetParts() {
			if p.GetPart() == "" {
				header = p.GetSketch()
			} else {
				columns[p.GetPart()] = p.GetSketch()
			}
		}
		if header == nil {
			missing++
			continue
		}
		t, err := leakscan.UnmarshalTableParts(header, columns, seed)
		if errors.Is(err, leakscan.ErrMissingPart) {
			missing++
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("the leak sketches of %s range %d: %w", rt.Name, i, err)
		}
		if err := merged.Merge(t); err != nil {
			return nil, nil, fmt.Errorf("the leak sketches of %s range %d: %w", rt.Name, i, err)
		}
	}
	if missing > 0 {
		return nil, nil, fmt.Errorf("%w for %d of %d key ranges of %s", errNoRangeSketch, missing, rt.Ranges, rt.Name)
	}
	return merged.Results(), merged.Reidentified(), nil
}
