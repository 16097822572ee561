package localsync

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Source streams a table's rows as text, in batches: columns names the
// values of every row (it may list more columns than are written, never
// fewer), a nil value is NULL.
type Source interface {
	Stream(ctx context.Context, t sqlschema.TableName, fn func(columns []string, rows [][]*string) error) error
}

// ColumnTransform replaces one column's text value (nil is NULL) by
// another. The row holds the source row's text values by column name.
type ColumnTransform func(value *string, row map[string]*string) (*string, error)

// Options are the destination options of a sync.
type Options struct {
	// InitSchema creates the schemas, tables and constraints that are
	// missing (it never alters an existing table).
	InitSchema bool
	// Truncate empties every planned table before copying.
	Truncate bool
	// TruncateCascade also empties the tables that reference them
	// (PostgreSQL TRUNCATE … CASCADE); requires Truncate.
	TruncateCascade bool
	// OnConflictDoNothing skips rows whose key already exists.
	OnConflictDoNothing bool
}

// Validate rejects contradictory options.
func (o Options) Validate() error {
	if o.TruncateCascade && !o.Truncate {
		return fmt.Errorf("--truncate-cascade needs --truncate-before-insert")
	}
	return nil
}

// TableResult is reported once per copied table.
type TableResult struct {
	Table    sqlschema.TableName
	Rows     int64
	Duration time.Duration
}

// Syncer copies a plan's tables from Source into Dest.
type Syncer struct {
	Source Source
	Dest   *sqlconnect.DB
	// DestSchema, when set, replaces every source schema in the
	// destination (MySQL: the destination URL's database).
	DestSchema string
	Options    Options
	// Transforms maps a table to its transformed columns; columns absent
	// from it are copied unchanged.
	Transforms map[sqlschema.TableName]map[string]ColumnTransform
	// OnTable is called after each table is copied (may be nil).
	OnTable func(TableResult)
}

// destination is what a dialect's writer implements.
type destination interface {
	createTables(ctx context.Context, p *Plan) error
	truncate(ctx context.Context, p *Plan, cascade bool) error
	copyTable(ctx context.Context, t *Table, rows func(emit func(row []*string) error) error) (int64, error)
	finalize(ctx context.Context, p *Plan) error
}

// destTable returns t renamed into the destination schema, if one is set.
func (s *Syncer) destPlan(p *Plan) *Plan {
	if s.DestSchema == "" {
		return p
	}
	out := *p
	out.Tables = make([]Table, len(p.Tables))
	for i, t := range p.Tables {
		t.Name.Schema = s.DestSchema
		t.Columns = slices.Clone(t.Columns)
		for j := range t.Columns {
			t.Columns[j].Schema = s.DestSchema
		}
		fks := make([]sqlschema.ForeignKey, len(t.ForeignKeys))
		for j, fk := range t.ForeignKeys {
			fk.Referenced.Schema = s.DestSchema
			fks[j] = fk
		}
		t.ForeignKeys = fks
		out.Tables[i] = t
	}
	return &out
}

// Run copies every table of p, in order, and returns the rows copied.
// The first failure stops it; the error names the table.
func (s *Syncer) Run(ctx context.Context, p *Plan) (int64, error) {
	if err := s.Options.Validate(); err != nil {
		return 0, err
	}
	var d destination
	switch s.Dest.Driver {
	case sqlconnect.DriverPostgres:
		if p.Dialect != sqlschema.DialectPostgres {
			return 0, fmt.Errorf("the source is %s and the destination PostgreSQL: only same-dialect syncs are supported", p.Dialect)
		}
		d = &pgDest{db: s.Dest.Postgres, opts: s.Options}
	case sqlconnect.DriverMySQL:
		if p.Dialect != sqlschema.DialectMySQL {
			return 0, fmt.Errorf("the source is %s and the destination MySQL: only same-dialect syncs are supported", p.Dialect)
		}
		d = &mysqlDest{db: s.Dest.MySQL, opts: s.Options}
	default:
		return 0, fmt.Errorf("unsupported destination driver %q", s.Dest.Driver)
	}
	dp := s.destPlan(p)
	if s.Options.InitSchema {
		if err := d.createTables(ctx, dp); err != nil {
			return 0, fmt.Errorf("create schema: %w", err)
		}
	}
	if s.Options.Truncate {
		if err := d.truncate(ctx, dp, s.Options.TruncateCascade); err != nil {
			return 0, fmt.Errorf("truncate: %w", err)
		}
	}
	var total int64
	for i := range p.Tables {
		src, dst := &p.Tables[i], &dp.Tables[i]
		start := time.Now()
		n, err := d.copyTable(ctx, dst, func(emit func([]*string) error) error {
			return s.stream(ctx, src, emit)
		})
		if err != nil {
			return total, fmt.Errorf("table %s: %w", src.Name, err)
		}
		total += n
		if s.OnTable != nil {
			s.OnTable(TableResult{Table: src.Name, Rows: n, Duration: time.Since(start)})
		}
	}
	if err := d.finalize(ctx, dp); err != nil {
		return total, fmt.Errorf("finalize: %w", err)
	}
	return total, nil
}

// stream reads t from the source and emits each row's written columns, in
// t.Written order, transformed.
func (s *Syncer) stream(ctx context.Context, t *Table, emit func([]*string) error) error {
	written := t.Written()
	transforms := s.Transforms[t.Name]
	var idx []int
	var cols []string
	return s.Source.Stream(ctx, t.Name, func(columns []string, rows [][]*string) error {
		if idx == nil || !slices.Equal(cols, columns) {
			cols = slices.Clone(columns)
			idx = make([]int, len(written))
			for i, c := range written {
				idx[i] = slices.Index(columns, c.Name)
				if idx[i] < 0 {
					return fmt.Errorf("the source no longer has column %q", c.Name)
				}
			}
		}
		for _, r := range rows {
			out := make([]*string, len(written))
			var rowMap map[string]*string
			for i, c := range written {
				v := r[idx[i]]
				if tf := transforms[c.Name]; tf != nil {
					if rowMap == nil {
						rowMap = make(map[string]*string, len(cols))
						for j, name := range cols {
							rowMap[name] = r[j]
						}
					}
					var err error
					if v, err = tf(v, rowMap); err != nil {
						return fmt.Errorf("column %q: %w", c.Name, err)
					}
				}
				out[i] = v
			}
			if err := emit(out); err != nil {
				return err
			}
		}
		return nil
	})
}
