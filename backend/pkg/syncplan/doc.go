// Package syncplan computes the write plan of a data sync job: which
// tables are copied and in which order, what happens to each column, which
// foreign keys are written later by an update pass, which rows a subset
// keeps, and how each table's copy resumes after a crash.
//
// The plan is computed from the source's catalog alone (BuildPlan, or
// NewPlan over a [Schema] for tests and previews), before anything is
// written; every problem that can be known then — an unknown table or
// column, a bad transformer parameter, a transformer that does not fit the
// column's type, a foreign-key cycle without a nullable key, a NOT NULL
// column mapped to NULL — is reported at once in a [ValidationError].
// [Validate] runs the same rules and returns a [Report] of problems and
// warnings, each tied to its table and column: it is the one validation
// of a sync job, used by the API (ValidateJobMappings, job create and
// update), through it by the web app's wizard and `neosync apply`, and by
// every plan the worker builds. The [Plan] is a plain value: String prints it for
// the CLI and the web app, and it round-trips through JSON for workflow
// payloads. It never holds connection settings or the job key.
//
// # Decisions
//
//   - Only tables with at least one mapping are copied. A column of a
//     copied table without a mapping is copied unchanged and listed in the
//     plan's warnings, because the job's mappings are created with every
//     column (passthrough by default), so a missing one is a column added
//     to the source since, and dropping it could break NOT NULL and
//     foreign-key columns of the copy. HaltOnNewColumn turns it into a
//     validation error instead.
//   - Generated columns are never written (the destination computes them);
//     generate_default leaves the column out so its default applies;
//     generate_null writes NULL without reading the source value.
//   - Tables are ordered parents first (tableorder.Sort). Every cycle, self
//     references included, is broken by deferring nullable foreign keys
//     inside it: the copy writes NULL there and an update pass fills the
//     values in once all tables are loaded. The pass finds rows by the
//     table's key, so a table with a deferred key needs a primary key (or a
//     NOT NULL unique key) written deterministically.
//   - With SubsetByForeignKeys a child keeps only rows whose (non-NULL)
//     references point at kept parent rows: its filter is its own WHERE AND
//     a semi-join per followed foreign key on the parent's complete filter,
//     recursively. Deferred keys are not followed (that would recurse
//     forever); instead the update pass sets a deferred reference only when
//     the parent row is in the destination, and leaves NULL otherwise.
//     Either way the destination never holds a dangling reference.
//   - A destination that truncates is warned, by name, of every table
//     outside the job that references a copied table (directly or through
//     each other, [TruncateReach]) in the source's catalog: truncate_cascade
//     empties them in the destination, and without it the run refuses.
//     The engine decides from the destination's own catalog
//     (sqlsync.Engine.TruncateReach), which the API's plan shows instead.
//   - A transformer must take the column's values and write values the
//     column holds, judged by the column's type as the engine reads it
//     (integers as int64, text as string, binary as bytes handed over as
//     text…); types it cannot judge (arrays, enums, domains, JSON) are not
//     checked. transform_uuid is refused on binary columns (binary(16)
//     UUIDs), which the engine hands over as text it cannot parse. A
//     configuration that writes NULL (generate_null,
//     transformers.Definition.WritesNull) is refused on a NOT NULL column.
//   - BuildPlan records the source's server identity ([Plan.Source]) so
//     the engine can refuse a destination that is the source itself.
//   - A table whose key columns are copied deterministically (unchanged, or
//     by a consistent transformer with a job key) resumes by key
//     ([ResumeKeyed]); others are redone from scratch ([ResumeRedo]). A
//     keyed table copied whole into a PostgreSQL destination without an
//     OnConflict merge is redone too: one transaction is cheaper there
//     than key-order reads and per-batch commits ([Plan.Restarts]).
package syncplan
