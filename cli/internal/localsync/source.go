package localsync

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Streamer reads a source table's rows as text — the API's
// GetConnectionDataStream and GetTableRowCount.
type Streamer interface {
	// Stream calls fn with batches of t's rows matching where ("" for
	// all); columns names the values of every row (every column of the
	// table, in any order), a nil value is NULL.
	Stream(ctx context.Context, t sqlschema.TableName, where string, fn func(columns []string, rows [][]*string) error) error
	// Count returns the number of t's rows matching where.
	Count(ctx context.Context, t sqlschema.TableName, where string) (int64, error)
}

// ColumnTransform replaces one column's text value (nil is NULL) by
// another. row holds the source row's text values by column name.
type ColumnTransform func(value *string, row map[string]*string) (*string, error)

// Source is the sqlsync.RowSource of `neosync sync`: rows from a
// Streamer, selected by each table's plan filter (the job's subsets and,
// with subsetting by foreign keys, the semi-joins that follow them), with
// the transforms of the table's transformed columns applied.
type Source struct {
	Streamer Streamer
	// Transforms maps a table to its transformed columns (the plan's
	// ActionTransform columns); a column absent from it is passed as read.
	Transforms map[sqlschema.TableName]map[string]ColumnTransform
	// OnStart, when set, is called when a table's rows are first asked for.
	OnStart func(sqlschema.TableName)

	mu      sync.Mutex
	counts  map[sqlschema.TableName]int64
	started map[sqlschema.TableName]bool
}

var _ sqlsync.RowSource = (*Source)(nil)

// Rows implements sqlsync.RowSource.
func (s *Source) Rows(ctx context.Context, t *syncplan.Table, cols []string, fn func([][]*string) error) error {
	s.mu.Lock()
	first := !s.started[t.Name]
	if s.started == nil {
		s.started = map[sqlschema.TableName]bool{}
	}
	s.started[t.Name] = true
	s.mu.Unlock()
	if first && s.OnStart != nil {
		s.OnStart(t.Name)
	}
	transforms := s.Transforms[t.Name]
	var idx []int
	var seen []string
	return s.Streamer.Stream(ctx, t.Name, t.Filter, func(columns []string, rows [][]*string) error {
		if idx == nil || !slices.Equal(seen, columns) {
			seen = slices.Clone(columns)
			idx = make([]int, len(cols))
			for i, c := range cols {
				if idx[i] = slices.Index(columns, c); idx[i] < 0 {
					return fmt.Errorf("the source no longer has column %q", c)
				}
			}
		}
		out := make([][]*string, len(rows))
		for r, row := range rows {
			vals := make([]*string, len(cols))
			var rowMap map[string]*string
			for i, c := range cols {
				v := row[idx[i]]
				if tf := transforms[c]; tf != nil {
					if rowMap == nil {
						rowMap = make(map[string]*string, len(columns))
						for j, name := range columns {
							rowMap[name] = row[j]
						}
					}
					var err error
					if v, err = tf(v, rowMap); err != nil {
						return fmt.Errorf("column %q: %w", c, err)
					}
				}
				vals[i] = v
			}
			out[r] = vals
		}
		return fn(out)
	})
}

// Count implements sqlsync.RowSource. The first count of a table is kept:
// it is the expected row count the progress view shows and the one the
// verification compares with.
func (s *Source) Count(ctx context.Context, t *syncplan.Table) (int64, error) {
	s.mu.Lock()
	n, ok := s.counts[t.Name]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := s.Streamer.Count(ctx, t.Name, t.Filter)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[sqlschema.TableName]int64{}
	}
	s.counts[t.Name] = n
	return n, nil
}
