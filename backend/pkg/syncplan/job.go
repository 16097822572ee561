package syncplan

import (
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Job is one data sync as the data plane sees it: where to read, what to
// do with every column, which rows to keep and where to write. It holds
// connection configurations and the job key, so it is never put in a
// workflow payload as a whole: the worker builds it from the API's job and
// passes only the [Plan] around.
type Job struct {
	// Source is the database read from.
	Source sqlconnect.Config
	// Destinations are written one after the other, each with its options.
	Destinations []Destination
	// Mappings choose a transformer per column. Only tables with at least
	// one mapping are copied; see the package documentation for columns of
	// a mapped table that have no mapping.
	Mappings []Mapping
	// Subsets restrict the rows of some tables with a WHERE predicate.
	Subsets []Subset
	// SubsetByForeignKeys keeps in each child table only the rows whose
	// parents are kept, so a subset never holds a dangling reference.
	SubsetByForeignKeys bool
	// VirtualForeignKeys are relationships the database does not declare
	// but the data has; they order, subset and verify like real ones.
	VirtualForeignKeys []VirtualForeignKey
	// HaltOnNewColumn makes a source column without a mapping (in a mapped
	// table) a validation error instead of a passthrough copy.
	HaltOnNewColumn bool
	// Key is the job key of consistent mode: with it, transformers that
	// support consistent mode map equal inputs to equal outputs, in every
	// table and run. It is a secret.
	Key []byte
	// PRF is how consistent mode derives values from Key (the zero value
	// is transformers.PRFv1, the version of jobs saved before versions).
	PRF transformers.PRFVersion
	// LeakPolicy holds the thresholds the verification report judges
	// leak scans against (zero values are the defaults).
	LeakPolicy leakscan.Policy
	// TableConcurrency bounds how many tables are copied at once (tables
	// that do not depend on each other); 0 means 2.
	TableConcurrency int
	// RangeRows is the job's rows per key range: a table of at least
	// twice as many rows is copied in key ranges that several workers
	// share. 0 leaves it to the worker (NEOSYNC_RANGE_ROWS); otherwise it
	// is between MinRangeRows and MaxRangeRows.
	RangeRows int64
	// Import is set when Source is an S3 bucket: the export read back
	// (the round trip) instead of a database.
	Import *Import
}

// Import chooses the export an S3 source reads: run RunID of the job named
// Job under the bucket's prefix ("" RunID: the latest).
type Import struct {
	Job   string
	RunID string
}

// MinRangeRows and MaxRangeRows bound a key range's rows (Job.RangeRows,
// a worker's NEOSYNC_RANGE_ROWS): smaller ranges cost more in activities
// and reconciles than they share out.
const (
	MinRangeRows = 5_000
	MaxRangeRows = 1_000_000_000
)

// Destination is one database written to.
type Destination struct {
	// Name identifies the destination in progress and reports (the API's
	// destination id, or a name the CLI chose).
	Name    string
	Conn    sqlconnect.Config
	Options DestinationOptions
}

// OnConflict says what happens when a copied row collides with a row
// already in the destination on its primary key or a unique constraint.
type OnConflict string

const (
	// ConflictError (the default) makes a collision fail the table.
	ConflictError OnConflict = ""
	// ConflictDoNothing keeps the destination's row.
	ConflictDoNothing OnConflict = "do_nothing"
	// ConflictDoUpdate overwrites the destination's row with the copy.
	ConflictDoUpdate OnConflict = "do_update"
)

// DestinationOptions tune how one destination is written. They contain no
// secret and travel in the plan.
type DestinationOptions struct {
	// InitSchema creates the schemas, types, sequences and tables that do
	// not exist yet, and their keys, indexes and foreign keys.
	InitSchema bool `json:"init_schema,omitempty"`
	// Truncate empties every copied table before writing.
	Truncate bool `json:"truncate,omitempty"`
	// TruncateCascade also empties tables that reference a truncated table
	// (PostgreSQL TRUNCATE ... CASCADE; on MySQL the engine finds them).
	// Without it a destination table outside the job that references a
	// truncated table makes the truncate fail, on both databases.
	TruncateCascade bool `json:"truncate_cascade,omitempty"`
	// OnConflict selects the collision behaviour.
	OnConflict OnConflict `json:"on_conflict,omitempty"`
	// BatchSize is the number of rows per destination commit, i.e. the
	// granularity of resume for tables copied by key; 0 means 100,000.
	// A copy that restarts (Plan.Restarts) commits once and ignores it.
	BatchSize int `json:"batch_size,omitempty"`
	// SchemaMap renames source schemas in the destination (a source schema
	// not listed keeps its name). On MySQL a schema is a database, so this
	// is how two databases of one server are synced. It is not supported
	// together with InitSchema on PostgreSQL, whose printed definitions
	// (defaults, types, constraints) name their schemas.
	SchemaMap map[string]string `json:"schema_map,omitempty"`
	// ExportFormats ("jsonl", "parquet") and ExportCompression ("gzip",
	// "zstd") choose the files of an S3 destination
	// (objectstore.ParseFormats); unused by databases.
	ExportFormats     []string `json:"export_formats,omitempty"`
	ExportCompression string   `json:"export_compression,omitempty"`
}

// Owns reports whether the job owns the destination's copied tables —
// may delete every row they hold, which makes a retry of a table without
// a key (or without a checkpoint) exact: only when the destination is
// emptied before writing (Truncate). Creating missing tables (InitSchema)
// alone does not: a table that already exists keeps the rows it had, and
// the copy is added beside them.
func (o DestinationOptions) Owns() bool { return o.Truncate }

// DefaultBatchSize is the number of rows per destination commit when
// DestinationOptions.BatchSize is 0.
const DefaultBatchSize = 100_000

// Rows returns the effective batch size.
func (o DestinationOptions) Rows() int {
	if o.BatchSize > 0 {
		return o.BatchSize
	}
	return DefaultBatchSize
}

// DestTable returns the destination name of source table t.
func (o DestinationOptions) DestTable(t sqlschema.TableName) sqlschema.TableName {
	if s, ok := o.SchemaMap[t.Schema]; ok && s != "" {
		t.Schema = s
	}
	return t
}

// DestSchema returns the destination name of source schema s.
func (o DestinationOptions) DestSchema(s string) string {
	return o.DestTable(sqlschema.TableName{Schema: s}).Schema
}

// Validate checks the options alone.
func (o DestinationOptions) Validate() error {
	switch o.OnConflict {
	case ConflictError, ConflictDoNothing, ConflictDoUpdate:
	default:
		return fmt.Errorf("on_conflict: %q is not one of do_nothing, do_update", o.OnConflict)
	}
	if o.BatchSize < 0 {
		return fmt.Errorf("batch_size: must not be negative")
	}
	if o.TruncateCascade && !o.Truncate {
		return fmt.Errorf("truncate_cascade: requires truncate")
	}
	return nil
}

// Mapping assigns a transformer to one source column.
type Mapping struct {
	Schema      string
	Table       string
	Column      string
	Transformer Transformer
}

// Transformer names a system transformer and its parameters, as the
// transformers registry builds it.
type Transformer struct {
	Source string         `json:"source"`
	Params map[string]any `json:"params,omitempty"`
	// UsesRow declares that the transformer reads the whole source row
	// (Call.Row), so the copy decodes every column of the rows it
	// transforms. JavaScript transformers always do; see [RowTransformers].
	UsesRow bool `json:"uses_row,omitempty"`
}

// RowTransformers are the sources that read the whole row whether or not
// a mapping sets UsesRow.
var RowTransformers = []string{"transform_javascript", "generate_javascript"}

// Passthrough is the transformer that copies a value unchanged.
const Passthrough = "passthrough"

// Subset restricts the rows copied from one table.
type Subset struct {
	Schema string
	Table  string
	// Where is a SQL predicate in the source's dialect, e.g.
	// "created_at > now() - interval '30 days'". It is run read-only as part
	// of a single statement.
	Where string
}

// VirtualForeignKey is a foreign key the source does not declare.
type VirtualForeignKey struct {
	Table             sqlschema.TableName
	Columns           []string
	Referenced        sqlschema.TableName
	ReferencedColumns []string
}
