package localsync

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/tableorder"
)

// Table is one table to copy with what recreating it needs.
type Table struct {
	Name sqlschema.TableName
	// Columns are every source column in ordinal order.
	Columns []sqlschema.Column
	// PrimaryKey lists the primary key columns (nil without one).
	PrimaryKey []string
	// Uniques are the table's unique constraints.
	Uniques []sqlschema.UniqueConstraint
	// ForeignKeys are the table's foreign keys to other planned tables.
	ForeignKeys []sqlschema.ForeignKey
}

// Written returns the columns the copy inserts: every column except
// generated ones, which the destination computes.
func (t *Table) Written() []sqlschema.Column {
	var out []sqlschema.Column
	for _, c := range t.Columns {
		if c.GeneratedKind == "" {
			out = append(out, c)
		}
	}
	return out
}

// Plan is the ordered list of tables a sync copies.
type Plan struct {
	// Dialect is the source's dialect; the destination must match it.
	Dialect sqlschema.Dialect
	// Tables in write order: parents before children.
	Tables []Table
	// Cycles describes the foreign-key cycles among planned tables, if any
	// (only possible with InitSchema).
	Cycles []string
}

// Filter selects tables by "schema.table" patterns. An empty Include keeps
// every table; Exclude wins over Include. A pattern "schema.*" matches
// every table of the schema.
type Filter struct {
	Include []string
	Exclude []string
}

func matches(patterns []string, t sqlschema.TableName) bool {
	for _, p := range patterns {
		schema, table, ok := strings.Cut(p, ".")
		if !ok {
			continue
		}
		if schema == t.Schema && (table == "*" || table == t.Table) {
			return true
		}
	}
	return false
}

// Validate reports a pattern that is not schema.table.
func (f Filter) Validate() error {
	for _, p := range append(slices.Clone(f.Include), f.Exclude...) {
		if s, t, ok := strings.Cut(p, "."); !ok || s == "" || t == "" {
			return fmt.Errorf("table filter %q: want schema.table or schema.*", p)
		}
	}
	return nil
}

// Keep reports whether the filter keeps t.
func (f Filter) Keep(t sqlschema.TableName) bool {
	if len(f.Include) > 0 && !matches(f.Include, t) {
		return false
	}
	return !matches(f.Exclude, t)
}

// NewPlan orders the tables of the given columns and constraints that the
// filter keeps. Without initSchema a foreign-key cycle is an error: the
// destination's constraints would reject the rows of whichever table came
// first.
func NewPlan(dialect sqlschema.Dialect, columns []sqlschema.Column, constraints []sqlschema.TableConstraints, f Filter, initSchema bool) (*Plan, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	byName := map[sqlschema.TableName]*Table{}
	var names []sqlschema.TableName
	for _, c := range columns {
		tn := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		if !f.Keep(tn) {
			continue
		}
		t := byName[tn]
		if t == nil {
			t = &Table{Name: tn}
			byName[tn] = t
			names = append(names, tn)
		}
		t.Columns = append(t.Columns, c)
	}
	if len(names) == 0 {
		if len(f.Include) > 0 || len(f.Exclude) > 0 {
			return nil, fmt.Errorf("no table of the source matches the table filters")
		}
		return nil, fmt.Errorf("the source has no tables")
	}
	for _, t := range byName {
		slices.SortFunc(t.Columns, func(a, b sqlschema.Column) int { return cmp.Compare(a.OrdinalPosition, b.OrdinalPosition) })
	}
	key := func(t sqlschema.TableName) string { return t.Schema + "\x00" + t.Table }
	var edges []tableorder.Edge
	for _, tc := range constraints {
		t := byName[tc.Table]
		if t == nil {
			continue
		}
		t.PrimaryKey = tc.PrimaryKey
		t.Uniques = tc.UniqueConstraints
		for _, fk := range tc.ForeignKeys {
			if byName[fk.Referenced] == nil {
				continue // the parent is filtered out: the destination keeps it or lacks it
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
			edges = append(edges, tableorder.Edge{Child: key(tc.Table), Parent: key(fk.Referenced), Name: fk.Name, Nullable: !slices.Contains(fk.ColumnsNullable, false)})
		}
	}
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = key(n)
	}
	p := &Plan{Dialect: dialect}
	cycles := tableorder.Cycles(keys, edges)
	for _, c := range cycles {
		tables := make([]string, len(c.Tables))
		for i, k := range c.Tables {
			s, t, _ := strings.Cut(k, "\x00")
			tables[i] = s + "." + t
		}
		p.Cycles = append(p.Cycles, strings.Join(append(tables, tables[0]), " → "))
	}
	var order []string
	if len(cycles) > 0 {
		if !initSchema {
			return nil, fmt.Errorf("foreign-key cycle %s: syncing cycles into an existing schema is not supported yet; use --init-schema into an empty database (foreign keys are then added after the data) or exclude a table of the cycle", p.Cycles[0])
		}
		order = slices.Clone(keys)
		slices.Sort(order)
	} else {
		o, err := tableorder.Sort(keys, edges)
		if err != nil {
			return nil, err
		}
		order = o.Tables
	}
	for _, k := range order {
		s, t, _ := strings.Cut(k, "\x00")
		p.Tables = append(p.Tables, *byName[sqlschema.TableName{Schema: s, Table: t}])
	}
	return p, nil
}
