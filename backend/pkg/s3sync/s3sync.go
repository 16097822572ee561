// Package s3sync exports the tables of a sync plan into an S3-compatible
// bucket: each table's rows are read from the source in text form (the
// plan's Filter applied, so subsets hold), its transformed columns are
// transformed with the job key exactly as a database copy does, columns
// the plan nulls are written NULL, and the rows go to an objectstore
// export as part files. The worker runs ExportTable as one activity per
// table and objectstore.Export.Finish once at the end; there is no schema
// to prepare, nothing to truncate and no foreign key to defer, so the
// database steps (prepare, update passes, finalize) do not apply.
package s3sync

import (
	"context"
	"fmt"
	"strconv"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// BatchSize is the rows read from the source per batch.
const BatchSize = 1000

// Exporter holds what every table's export shares.
type Exporter struct {
	// Registry builds the transformers of transformed columns.
	Registry *transformers.Registry
	// Key is the job key (nil outside consistent mode).
	Key []byte
	// PRF is how consistent mode derives values from Key (the job's).
	PRF transformers.PRFVersion
}

// Columns are the columns the plan writes for t, as the export records
// them (name and the source's declared type).
func Columns(t *syncplan.Table) []objectstore.Column {
	var out []objectstore.Column
	for _, c := range t.Columns {
		if c.Written() {
			out = append(out, objectstore.Column{Name: c.Name, Type: c.DataType})
		}
	}
	return out
}

// ExportTable writes table of plan, read through src, into exp; report
// (may be nil) is called with the rows written so far after each batch.
// It returns the table's description as the manifest lists it.
func (x *Exporter) ExportTable(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, src sqlschema.Inspector, exp *objectstore.Export, report func(rows int64)) (objectstore.TableManifest, error) {
	t := plan.Table(table)
	if t == nil {
		return objectstore.TableManifest{}, fmt.Errorf("s3sync: table %s is not in the plan", table)
	}
	cols, err := x.columnWriters(t)
	if err != nil {
		return objectstore.TableManifest{}, fmt.Errorf("s3sync: table %s: %w", table, err)
	}
	w := exp.Table(table.Schema, table.Table, Columns(t))
	var idx []int
	var rows int64
	out := make([]*string, len(cols))
	err = src.StreamRows(ctx, table, t.Filter, BatchSize, func(columns []string, batch [][]*string) error {
		if idx == nil {
			if idx, err = indexes(columns, cols); err != nil {
				return err
			}
		}
		for _, row := range batch {
			var rowMap map[string]any
			for i, c := range cols {
				v := row[idx[i]]
				if c.transform != nil {
					if c.usesRow && rowMap == nil {
						rowMap = textRow(columns, row)
					}
					if v, err = c.apply(v, rowMap); err != nil {
						return err
					}
				} else if c.null {
					v = nil
				}
				out[i] = v
			}
			if err := w.Write(ctx, out); err != nil {
				return err
			}
		}
		rows += int64(len(batch))
		if report != nil {
			report(rows)
		}
		return nil
	})
	if err != nil {
		return objectstore.TableManifest{}, fmt.Errorf("s3sync: table %s: %w", table, err)
	}
	return w.Close(ctx)
}

// column is how one written column's value is produced.
type column struct {
	name      string
	null      bool
	usesRow   bool
	transform *syncdriver.ColumnTransform
}

func (x *Exporter) columnWriters(t *syncplan.Table) ([]column, error) {
	var out []column
	for i := range t.Columns {
		c := &t.Columns[i]
		if !c.Written() {
			continue
		}
		col := column{name: c.Name, null: c.Action == syncplan.ActionNull, usesRow: c.UsesRow}
		if c.Action == syncplan.ActionTransform {
			ct, err := syncdriver.BuildTransform(x.Registry, c, x.Key, x.PRF)
			if err != nil {
				return nil, err
			}
			col.transform = ct
		}
		out = append(out, col)
	}
	return out, nil
}

// apply transforms one text value and renders the result as text.
func (c column) apply(v *string, row map[string]any) (*string, error) {
	var in any
	if v != nil {
		in = *v
	}
	res, err := c.transform.Apply(in, row)
	if err != nil {
		return nil, err
	}
	return text(res), nil
}

// text renders a transformer's output as the text an export holds.
func text(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		if conv, ok := syncdriver.Convert(v, transformers.TypeString); ok {
			if cs, ok := conv.(string); ok {
				return &cs
			}
		}
		s = fmt.Sprint(v)
	}
	return &s
}

func indexes(columns []string, cols []column) ([]int, error) {
	pos := make(map[string]int, len(columns))
	for i, c := range columns {
		pos[c] = i
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		p, ok := pos[c.name]
		if !ok {
			return nil, fmt.Errorf("the source no longer has column %q", c.name)
		}
		idx[i] = p
	}
	return idx, nil
}

func textRow(columns []string, row []*string) map[string]any {
	m := make(map[string]any, len(columns))
	for i, c := range columns {
		if row[i] != nil {
			m[c] = *row[i]
		}
	}
	return m
}
