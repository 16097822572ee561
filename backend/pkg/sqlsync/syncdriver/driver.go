package syncdriver

import (
	"context"
	"log/slog"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Driver is what a dialect package provides to the engine: every step's
// SQL for one kind of database. The engine resolves the destination,
// checks its options and schedules the work; a Driver only runs it. Its
// methods are safe for concurrent use (implementations hold no state).
type Driver interface {
	// Prepare readies the resolved dst for the copy per its options
	// (InitSchema, Truncate); reach are the foreign keys through which a
	// truncate reaches tables outside the job (TruncateCascade let them
	// through).
	Prepare(ctx context.Context, plan *syncplan.Plan, dst Destination, reach []syncplan.Reference) error
	// OpenCopy opens the source and destination sessions of one table's
	// copy from a source database and checks that the destination table
	// can take the written columns out.
	OpenCopy(ctx context.Context, j *TableJob, out []syncplan.Column) (CopySide, error)
	// OpenLoad is OpenCopy for rows from a RowSource.
	OpenLoad(ctx context.Context, j *TableJob, src RowSource, out []syncplan.Column) (CopySide, error)
	// UpdatePass fills in j's deferred foreign keys from the source
	// database.
	UpdatePass(ctx context.Context, j *TableJob) error
	// LoadUpdatePass is UpdatePass with the key and deferred columns from
	// a RowSource.
	LoadUpdatePass(ctx context.Context, j *TableJob, src RowSource) error
	// Finalize builds what run's destination lacks (Finalize, or Restore
	// when run.Restore), recording what it could not build in run.
	Finalize(ctx context.Context, plan *syncplan.Plan, run *FinalizeRun) error
	// Verifier returns the verification queries over src and dst; either
	// may be nil when only the other side's queries are asked for.
	Verifier(plan *syncplan.Plan, src *sqlconnect.DB, dst *Destination) Verifier
	// References reads every foreign key of db (on PostgreSQL the
	// declared ones, not their copies on partitions).
	References(ctx context.Context, db *sqlconnect.DB) ([]syncplan.Reference, error)
	// EndSessions ends db's other sessions whose name (SessionName)
	// starts with prefix, already sanitized, and waits until they are
	// gone; it returns how many it ended.
	EndSessions(ctx context.Context, db *sqlconnect.DB, prefix string) (int, error)
	// Duplicate reports whether err is the server refusing a row whose
	// key or unique columns another row already holds.
	Duplicate(err error) bool
}

// Source is the database a sync reads and the job key its transformers
// use. Neither travels in the plan.
type Source struct {
	DB *sqlconnect.DB
	// Key enables consistent mode (see syncplan.Job.Key).
	Key []byte
	// PRF is the job's consistent-mode PRF version (syncplan.Job.PRF).
	PRF transformers.PRFVersion
	// Seed hashes a whole table's leak sketches (the zero Seed: this
	// process's, so they merge only here); a run's leakscan.RunSeed lets
	// another worker restore and merge them. Key ranges take theirs as an
	// argument.
	Seed leakscan.Seed
	// Snapshot is a PostgreSQL snapshot the run exported
	// (sqlsync.ExportSnapshot) that every table's read imports, so that
	// all tables are read as of one moment: rows written to a live source
	// during the run, a child row with its new parent, are then in the
	// copy together or not at all. "" reads each table in its own
	// snapshot, as MySQL/MariaDB always does.
	Snapshot string
}

// Destination is one database a sync writes, with its options.
type Destination struct {
	// Name identifies the destination in errors and reports.
	Name    string
	DB      *sqlconnect.DB
	Options syncplan.DestinationOptions
	// SessionTag, when set, names the destination sessions the engine
	// opens: PostgreSQL sessions get application_name SessionName(tag),
	// and long MySQL statements (the copy's loads and deletes, truncates,
	// foreign keys added, update passes) start with the comment
	// "/* " + SessionName(tag) + " */".
	// The worker tags each step with its run and step (e.g.
	// "<run id>:<destination>:finalize"), so that a retried step can end
	// its dead predecessor's sessions with EndStaleSessions. It holds no
	// secret: it is visible to every user of the destination server.
	SessionTag string
	// OnStep, when set, is called before each statement of Finalize and
	// Restore and each foreign key of the update passes, with what is
	// about to run ("add primary key orders_pkey on public.orders"), so
	// the caller can record it; a long statement (an index build, a
	// foreign key validation) then shows what it is while the caller
	// heartbeats on its own timer. It is called from the step's goroutine.
	OnStep func(what string)
	// Logger receives the warnings of a step that goes on despite them
	// (a function "create missing tables" could not create); the engine
	// sets its own when the caller leaves it nil.
	Logger *slog.Logger
}

// Checkpoint is how far a table's copy has durably got. The worker
// heartbeats it; a retried SyncTable given the last one it saw continues
// from there (see package sqlsync's documentation). It is
// JSON-serialisable and holds no secret, but Key holds source key values.
type Checkpoint struct {
	Table sqlschema.TableName `json:"table"`
	// Rows is the number of rows committed in the destination.
	Rows int64 `json:"rows"`
	// Key is the source key of the last committed row (keyed tables), as
	// text in the source's representation.
	Key []string `json:"key,omitempty"`
	// Batch is the number of rows per destination commit of the attempt
	// that reported the checkpoint (0: one commit of every row, or a
	// checkpoint from a worker that did not say). A retry whose batches
	// are of another size cannot tell that attempt's batches past the
	// checkpoint, and deletes only the contiguous run of them there
	// (Rewind.Batch 1).
	Batch int64 `json:"batch,omitempty"`
	// Range is the key range this checkpoint belongs to, for a table
	// copied in ranges (nil: the whole table).
	Range *KeyRange `json:"range,omitempty"`
	// Done is true once the whole table (or Range) is committed.
	Done bool `json:"done,omitempty"`
	// WholeRead is true on the final checkpoint of a copy that read the
	// whole table (its filter applied) in this one attempt, with one
	// statement in one repeatable-read snapshot of the source: Rows (the
	// rows it read, committed batch by batch) is then also the source's
	// row count in that snapshot, which verification takes instead of
	// counting the source again (VerifyOptions.SourceRead). On a key
	// range's final checkpoint it says the same of the range: read from
	// the range's start in this one attempt, in its own snapshot
	// (VerifyOptions.RangesRead sums the ranges). False for a resumed
	// copy.
	WholeRead bool `json:"whole_read,omitempty"`
	// Leaks are the leak sketches' results of the table's transformed
	// columns, by column, on the final checkpoint of a copy that read the
	// whole table in one attempt or resumed with the sketches of its
	// checkpoint (Sketches; a copy resumed without them saw only part of
	// the table, and has none): what verification reports instead of
	// re-reading the source.
	Leaks map[string]leakscan.Result `json:"leaks,omitempty"`
	// Reidentified is the row-level re-identification count of that same
	// copy (see Leaks.Reidentified), when the table has two or more
	// quasi-identifier columns.
	Reidentified *leakscan.RowCount `json:"reidentified,omitempty"`
	// Sketches are the sketches and re-identification counter of a key
	// range's copy on its final checkpoint (when it read the range in one
	// attempt, or resumed with them): the caller merges those of a table's ranges
	// (leakscan.Table.Merge) into the table's leak scan, after carrying
	// them to the worker that verifies in their serialised form
	// (leakscan.Table.MarshalParts). On a whole table's final checkpoint
	// too, when the copy's sketches are seeded (Source.Seed). Given with
	// the checkpoint a copy resumes from, they are what the copy of the
	// rows up to it measured (Leaks.Committed, stored by the caller): the
	// resumed copy continues them and ends with the sketches of the whole
	// table or range. Not part of the checkpoint's JSON, which is
	// heartbeated.
	Sketches *leakscan.Table `json:"-"`
}

// Progress is reported while a table is copied.
type Progress struct {
	Table sqlschema.TableName
	// Rows is the number of rows streamed so far, committed or not.
	Rows int64
	// Checkpoint is the last durable point.
	Checkpoint Checkpoint
	// BytesRead is what this attempt read from the source so far: the
	// COPY stream's bytes from PostgreSQL; from MySQL and a RowSource the
	// values' lengths as received (text and binary strings their length,
	// numbers and times 8, NULL nothing).
	BytesRead int64
	// BytesWritten is the size of the batches this attempt committed to
	// the destination: the COPY (binary or text) or LOAD DATA stream.
	BytesWritten int64
	// Leaks, when the copy keeps leak sketches, are they: their
	// committed part (Leaks.Committed) describes the rows of Checkpoint
	// or of a later one, for a caller that stores it so that a copy
	// resumed from that checkpoint keeps its sketches.
	Leaks *Leaks
}

// RowSource is where the stream path reads rows when the engine cannot
// open the source database itself — the CLI, which holds only an API key
// and receives rows through the API's ConnectionDataService. The engine
// does the write side exactly as for a database source (same writers,
// update passes, Finalize and verification); see package sqlsync's
// documentation, "Streaming from a RowSource".
type RowSource interface {
	// Rows calls fn with successive batches of table t's rows — the rows
	// t.Filter (the plan's complete predicate) selects — each row holding
	// the values of cols, in that order. A value is the source database's
	// text representation of the column (PostgreSQL's text output format,
	// MySQL's text protocol), nil for NULL, and final: a source that
	// applies transformers applies those of t's ActionTransform columns
	// before handing the row over; the engine writes the values as they
	// are. Rows must stop and return fn's error when fn fails. fn may keep
	// nothing of a batch after it returns.
	Rows(ctx context.Context, t *syncplan.Table, cols []string, fn func(rows [][]*string) error) error
	// Count returns the number of rows Rows would stream for t (t.Filter
	// applied); VerifyStream compares it with the destination.
	Count(ctx context.Context, t *syncplan.Table) (int64, error)
}

// TableJob is one table's step (a copy, a load, an update pass) as the
// engine hands it to a Driver: the plan's table, the resolved
// destination, and what the engine shares with every job.
type TableJob struct {
	// Registry builds the transformers of the table's columns.
	Registry *transformers.Registry
	Logger   *slog.Logger
	// Workers is the number of goroutines that transform the rows of one
	// PostgreSQL table (at least 1).
	Workers int
	Plan    *syncplan.Plan
	Table   *syncplan.Table
	// Src is the source database (nil DB for a RowSource).
	Src Source
	// Dst is the destination, resolved (see sqlsync's resolve).
	Dst Destination
	// Start is where the copy starts (a checkpoint to resume from).
	Start Checkpoint
	// Range, when set, limits the copy (and its reconcile) to one key
	// range of the table (see KeyRange).
	Range *KeyRange
	// Fresh says the caller knows nothing of this copy's rows was
	// written by the run yet (its first attempt: the engine's SyncTable
	// and SyncRange set it when given no checkpoint, so a retry that has
	// none passes an empty one). Then nothing is reconciled before the
	// copy: a row already in a table the job does not own is the user's,
	// and one the copy collides with fails the table (the default
	// on_conflict) instead of being deleted. A whole table the job owns
	// is still emptied if it is not (one EXISTS when it is empty).
	Fresh bool
	// Report receives progress; never nil.
	Report func(Progress)
	// Leaks, when set, receives a sketch of every transformed column's
	// source and output values (see Leaks); the verification's leak scan
	// then needs no re-read of the source.
	Leaks *Leaks
}

// DestName is the table's name in the destination.
func (j *TableJob) DestName() sqlschema.TableName { return j.Dst.Options.DestTable(j.Table.Name) }

// BuildTransform builds the transformer of c (ActionTransform) with the
// source's job key. Every goroutine that transforms builds its own.
func (j *TableJob) BuildTransform(c *syncplan.Column) (*ColumnTransform, error) {
	return buildTransform(j.Registry, c, j.Src.Key, j.Src.PRF, j.Table.Name.String())
}

// CopySide is what a dialect provides to the copy loop: the open source
// and destination sessions of one table.
type CopySide interface {
	// Reconcile deletes what an interrupted keyed copy may have committed
	// past cp (see pgsync's pgSide.Reconcile) — in a table the job does
	// not own, only what rw says it provably committed.
	Reconcile(ctx context.Context, cp Checkpoint, rw Rewind) error
	// Writer returns the batch writer for the destination table; clear
	// empties the table in the first batch's transaction.
	Writer(ctx context.Context, out []syncplan.Column, clear bool) (BatchWriter, error)
	// Stream reads the source per spec and calls write for every batch.
	Stream(ctx context.Context, spec SourceSpec, rep *Reporter, write func(context.Context, *BatchReader) error) error
	Close()
}

// BatchWriter commits batches into the destination table.
type BatchWriter interface {
	// Write commits one batch, consuming r to its end.
	Write(ctx context.Context, r *BatchReader) error
	// Finish does what no batch did (empties the table when the source
	// had no rows).
	Finish(ctx context.Context) error
	Close(ctx context.Context)
}

// SourceSpec says what to read from the source for one stream.
type SourceSpec struct {
	// Out are the destination fields, in order.
	Out []syncplan.Column
	// After, when set, reads only rows whose key is greater (a resumed
	// keyed copy).
	After []string
	// Ordered reads in key order and tracks the last key.
	Ordered bool
	// Batch is the number of rows per destination batch (0: one batch).
	Batch int64
	// Range, when set, reads only the rows of one key range.
	Range *KeyRange
}

// Verifier runs the verification report's queries for one dialect.
type Verifier interface {
	SourceCount(ctx context.Context, t *syncplan.Table) (int64, error)
	// SourceRangeCount counts the source rows t.Filter selects within
	// one key range of t, with a count the key's index can bound: what
	// verification counts of a range whose copy was resumed.
	SourceRangeCount(ctx context.Context, t *syncplan.Table, rng KeyRange) (int64, error)
	// KeyBounds returns the least and greatest value of t's first key
	// column among the source rows t.Filter selects (0, 0 when none), for
	// splitting t into key ranges; the key must be an integer column.
	KeyBounds(ctx context.Context, t *syncplan.Table) (lo, hi int64, err error)
	// KeyBoundaries returns up to n-1 keys of t (one text value per key
	// column, in the source's representation, strictly increasing in the
	// database's key order) that cut the source rows t.Filter selects
	// into up to n ranges of about equal rows, given about rows rows;
	// fewer or none when the table has fewer rows. For keys other than
	// one integer column (see KeyRange).
	KeyBoundaries(ctx context.Context, t *syncplan.Table, n int, rows int64) ([][]string, error)
	// DestCount counts the rows of destination table t; expected is how
	// many the caller knows the copy read (-1 when it does not), which a
	// driver may use to plan the count — never in place of it.
	DestCount(ctx context.Context, t sqlschema.TableName, expected int64) (int64, error)
	Orphans(ctx context.Context, child sqlschema.TableName, fk syncplan.ForeignKey, parent sqlschema.TableName) (int64, error)
	Duplicates(ctx context.Context, t sqlschema.TableName, cols []string) (int64, error)
	Leak(ctx context.Context, t *syncplan.Table, dest sqlschema.TableName, col string, sample int) (sampled, equal int64, err error)
	// UniqueEnforcedBy names a destination unique index over exactly
	// cols of t, or returns "".
	UniqueEnforcedBy(ctx context.Context, t sqlschema.TableName, cols []string) (string, error)
	// FKEnforcedBy names a destination foreign key constraint that
	// guarantees fk (validated, enforced), or returns "".
	FKEnforcedBy(ctx context.Context, child sqlschema.TableName, fk syncplan.ForeignKey, parent sqlschema.TableName) (string, error)
}

// ReadFields returns the source columns a stream reads, in order, and
// each one's position: what is written (except NULL and deferred
// columns), then the key when reading in key order, then, when a
// transformer reads the row, every other column.
func ReadFields(t *syncplan.Table, spec SourceSpec) ([]string, map[string]int) {
	var sel []string
	index := map[string]int{}
	add := func(name string) {
		if _, ok := index[name]; !ok {
			index[name] = len(sel)
			sel = append(sel, name)
		}
	}
	usesRow := false
	for _, c := range spec.Out {
		if Reads(c) {
			add(c.Name)
		}
		usesRow = usesRow || (c.Action == syncplan.ActionTransform && c.UsesRow)
	}
	if spec.Ordered {
		for _, k := range t.Key {
			add(k)
		}
	}
	if usesRow {
		for _, c := range t.Columns {
			add(c.Name)
		}
	}
	return sel, index
}

// Reads reports whether the copy reads c from the source: copied and
// transformed columns, except deferred ones (written NULL for now).
func Reads(c syncplan.Column) bool {
	return (c.Action == syncplan.ActionCopy || c.Action == syncplan.ActionTransform) && !c.Deferred
}

// UpdateColumns are the columns an update pass reads: the key, then every
// deferred column, read (not nulled) and transformed as the copy would.
func UpdateColumns(t *syncplan.Table) (cols []syncplan.Column, deferred []syncplan.ForeignKey) {
	for _, k := range t.Key {
		cols = append(cols, *t.Column(k))
	}
	deferred = t.Deferred()
	seen := map[string]bool{}
	for _, fk := range deferred {
		for _, c := range fk.Columns {
			if seen[c] {
				continue
			}
			seen[c] = true
			col := *t.Column(c)
			col.Deferred = false
			cols = append(cols, col)
		}
	}
	return cols, deferred
}

// WrittenNames returns the names of the columns.
func WrittenNames(cols []syncplan.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// SharedStream is implemented by a CopySide whose source stream can feed
// the writers of other destinations' sides (a fan-out: one read of the
// source, several destinations; see TeeBatch).
type SharedStream interface {
	// StreamLayout describes how the side's stream encodes rows for its
	// destination (for PostgreSQL the written columns' destination
	// types); sides with equal layouts can share one stream.
	StreamLayout() string
	// ReleaseSource gives back the side's own source session, once it is
	// known that another side streams (after Reconcile, which reads the
	// source).
	ReleaseSource()
}
