// Package syncdriver is the contract between package sqlsync's engine and
// its dialect packages (pgsync for PostgreSQL, mysqlsync for
// MySQL/MariaDB), in the manner of river's riverdriver: the Driver
// interface a dialect implements, the values the engine hands it
// (TableJob, Source, Destination, Checkpoint, SourceSpec, FinalizeRun) and
// what both dialects share — the bounded chunk queue and batcher between
// a table's reading and writing goroutines, the progress Reporter, the
// identifier Quoter over sqlschema's quoting helpers, column transformers
// (ColumnTransform), the text rows of the RowSource path, session names,
// and the Finalize report types (FinalizeError, MissingConstraint).
//
// It sits below sqlsync and the dialect packages so that neither imports
// the other: sqlsync picks a Driver by the connection's driver, and a
// dialect package never sees the engine. Callers of the engine need only
// sqlsync, which names the public types again.
package syncdriver
