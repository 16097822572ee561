package syncplan

import (
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Plan is the write plan of a job: the tables to copy in dependency order,
// what happens to every column, which foreign keys are filled in by an
// update pass, and which rows each table keeps. It holds no connection
// configuration and no key, so it can be logged, printed (String), shown in
// the web app and carried in workflow payloads (it round-trips through
// encoding/json).
type Plan struct {
	// Dialect is the source's (and, for now, every destination's) dialect.
	Dialect sqlschema.Dialect `json:"dialect"`
	// Tables in write order: a table comes after every table it references
	// through a foreign key that is not deferred.
	Tables []Table `json:"tables"`
	// Cycles are the foreign-key cycles among copied tables (self
	// references included), each broken by its deferred foreign keys.
	Cycles []Cycle `json:"cycles,omitempty"`
	// Partitions are PostgreSQL partitions copied through their
	// partitioned table (see [Partition]), parents first.
	Partitions []Partition `json:"partitions,omitempty"`
	// Types are the schema objects that are not tables (PostgreSQL
	// extensions, enums, domains, composite types and sequences) of the
	// copied tables' schemas, for InitSchema.
	Types *sqlschema.Definitions `json:"types,omitempty"`
	// Consistent is true when the job has a key (consistent mode).
	Consistent bool `json:"consistent,omitempty"`
	// LeakPolicy echoes the job's leak thresholds, which the verification
	// report judges leak scans against.
	LeakPolicy leakscan.Policy `json:"leak_policy,omitzero"`
	// SubsetByForeignKeys echoes the job's setting.
	SubsetByForeignKeys bool `json:"subset_by_foreign_keys,omitempty"`
	// RangeRows echoes the job's rows per key range (0: the worker's).
	RangeRows int64 `json:"range_rows,omitempty"`
	// Source is the source's server and database as the server reported
	// them when the plan was built (nil for a plan computed without a
	// connection, see [NewPlan]); the engine refuses a destination that
	// resolves to it.
	Source *sqlconnect.Identity `json:"source,omitempty"`
	// Warnings are things a user should know before running the plan.
	Warnings []string `json:"warnings,omitempty"`
}

// Cycle is a set of tables that reference each other and the foreign keys
// that break it.
type Cycle struct {
	Tables   []sqlschema.TableName `json:"tables"`
	Deferred []string              `json:"deferred"` // "schema.table.constraint"
}

// ResumeMode says how a table's copy survives a crash.
type ResumeMode string

const (
	// ResumeKeyed tables are read in key order and committed in batches;
	// a resumed copy deletes what the interrupted attempt may have written
	// past its checkpoint and continues from there.
	ResumeKeyed ResumeMode = "keyed"
	// ResumeRedo tables are written in one transaction; a resumed copy
	// empties the table and starts again.
	ResumeRedo ResumeMode = "redo"
)

// Restarts reports whether a copy of t in one piece (not in key ranges,
// not fanned out to several destinations) into a destination with
// options o starts the table over after a crash instead of resuming from
// a key checkpoint: always for a table without a usable key
// (ResumeRedo), and for a keyed table into a PostgreSQL destination
// without an OnConflict merge — one the job empties before the copy
// (Truncate) or one it appends to.
//
// Such a copy reads the source unordered (a plain scan: no index walk or
// sort for key order) and writes the table in one destination
// transaction, so a crash leaves nothing behind. Into a table the job
// empties, that transaction empties it first — on PostgreSQL it
// truncates the table and loads it with COPY … FREEZE, so the rows need
// no hint-bit rewrite when Finalize and Verify first read them — and the
// retry simply starts over. Into a table the job appends to, a retry
// first deletes the rows the source's keys name (an earlier attempt may
// have committed and died before reporting it) — but only when all of
// them are there: an attempt commits all or none, so a partial match is
// the user's rows, which the copy then collides with — and copies the
// table again.
// The trade-off: a crash costs the rows of that table copied so far — at
// the worker, a table the run's row estimate puts under twice the job's
// range size (RangeRows, else the worker's NEOSYNC_RANGE_ROWS: under
// 10,000,000 rows by default on PostgreSQL); larger tables go in key ranges, which
// resume by key. Nothing else is lost: the table's rows are exact either
// way. MySQL keeps key order (a single LOAD DATA transaction of a large
// table builds a large undo log there).
func (p *Plan) Restarts(t *Table, o DestinationOptions) bool {
	if t.Resume != ResumeKeyed {
		return true
	}
	return o.OnConflict == ConflictError && p.Dialect == sqlschema.DialectPostgres
}

// Table is the plan of one table.
type Table struct {
	Name sqlschema.TableName `json:"name"`
	// Columns are all source columns in ordinal order.
	Columns []Column `json:"columns"`
	// PrimaryKey is the source's primary key (nil without one).
	PrimaryKey []string `json:"primary_key,omitempty"`
	// Key orders a keyed copy and identifies rows in update passes: the
	// primary key, or else a unique constraint over NOT NULL columns; nil
	// when the table has neither.
	Key []string `json:"key,omitempty"`
	// Resume is how the table's copy resumes after a crash.
	Resume ResumeMode `json:"resume"`
	// Where is the job's subset predicate for this table ("" for none).
	Where string `json:"where,omitempty"`
	// Filter is the complete source predicate: Where and, with subsetting
	// by foreign keys, one semi-join per followed foreign key, with every
	// identifier quoted. "" selects all rows.
	Filter string `json:"filter,omitempty"`
	// DependsOn are the tables that must be written first.
	DependsOn []sqlschema.TableName `json:"depends_on,omitempty"`
	// ForeignKeys are the foreign keys (declared and virtual) to other
	// copied tables.
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
	// Uniques are the source's unique constraints.
	Uniques []sqlschema.UniqueConstraint `json:"uniques,omitempty"`
	// Definition carries constraint and index definitions for InitSchema.
	Definition sqlschema.TableDefinition `json:"definition"`
}

// Action is what the copy does with a column.
type Action string

const (
	// ActionCopy copies the value unchanged (no decoding on PostgreSQL).
	ActionCopy Action = "copy"
	// ActionTransform replaces the value with the transformer's output.
	ActionTransform Action = "transform"
	// ActionNull writes NULL (generate_null) without reading the value.
	ActionNull Action = "null"
	// ActionOmit leaves the column out of the insert: generated columns,
	// and generate_default, so the destination's default applies.
	ActionOmit Action = "omit"
)

// Column is the plan of one column.
type Column struct {
	sqlschema.Column
	Action Action `json:"action"`
	// Transformer is set for ActionTransform.
	Transformer *Transformer `json:"transformer,omitempty"`
	// Unmapped is true when the job has no mapping for the column (it is
	// copied unchanged).
	Unmapped bool `json:"unmapped,omitempty"`
	// Deferred is true for a column of a deferred foreign key: the copy
	// writes NULL and the update pass writes the (transformed) value.
	Deferred bool `json:"deferred,omitempty"`
	// UsesRow is true when the transformer reads the whole row.
	UsesRow bool `json:"uses_row,omitempty"`
}

// Written reports whether the column is part of the insert.
func (c Column) Written() bool { return c.Action != ActionOmit }

// ForeignKey is a foreign key between two copied tables.
type ForeignKey struct {
	Name              string              `json:"name"`
	Columns           []string            `json:"columns"`
	Referenced        sqlschema.TableName `json:"referenced"`
	ReferencedColumns []string            `json:"referenced_columns"`
	// Nullable is true when every column accepts NULL.
	Nullable bool `json:"nullable,omitempty"`
	// Virtual is true for a job's virtual foreign key.
	Virtual bool `json:"virtual,omitempty"`
	// Deferred is true when the copy writes NULL and an update pass
	// fills the columns in.
	Deferred bool `json:"deferred,omitempty"`
	// Followed is true when the subset keeps only rows whose parent is
	// kept through this key.
	Followed bool `json:"followed,omitempty"`
}

// Table returns the plan of t, or nil.
func (p *Plan) Table(t sqlschema.TableName) *Table {
	for i := range p.Tables {
		if p.Tables[i].Name == t {
			return &p.Tables[i]
		}
	}
	return nil
}

// Deferred returns the table's deferred foreign keys.
func (t *Table) Deferred() []ForeignKey {
	var out []ForeignKey
	for _, fk := range t.ForeignKeys {
		if fk.Deferred {
			out = append(out, fk)
		}
	}
	return out
}

// Column returns the plan of the named column, or nil.
func (t *Table) Column(name string) *Column {
	i := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
	if i < 0 {
		return nil
	}
	return &t.Columns[i]
}

// Written returns the columns that are part of the insert, in order.
func (t *Table) Written() []Column {
	var out []Column
	for _, c := range t.Columns {
		if c.Written() {
			out = append(out, c)
		}
	}
	return out
}
