// Package mysqlsync is the MySQL/MariaDB driver of package sqlsync (see
// syncdriver.Driver): every step's SQL for a MySQL or MariaDB source and
// destination.
//
//   - the copy: source.go (a streaming prepared SELECT in a REPEATABLE
//     READ, READ ONLY transaction, encoded as LOAD DATA text), copy.go
//     (LOAD DATA LOCAL INFILE writers, merges, resume), values.go (value
//     kinds and text);
//   - load.go: the copy of rows from a RowSource;
//   - schema.go: PrepareDestination and update passes; finalize.go:
//     Finalize and Restore (foreign keys); verify.go: the verification
//     queries; references.go and sessions.go: foreign keys a truncate
//     reaches, stale sessions; schemamap.go: where the source's database
//     is written.
//
// The engine (package sqlsync) decides what runs when; package sqlsync's
// documentation describes the behaviour.
package mysqlsync
