// Package pgsync is the PostgreSQL driver of package sqlsync (see
// syncdriver.Driver): every step's SQL for a PostgreSQL source and
// destination.
//
//   - the copy: copy.go (sessions, COPY writers, merges), source.go (the
//     source query), relay.go (the binary COPY relay), convert.go and
//     pool.go (decoding and re-encoding only the transformed fields, on a
//     pool of converter goroutines), values.go (field codecs), oidpatch.go
//     (user-defined type OIDs inside values), catalog.go (destination
//     columns and types), reconcile.go (resume after a checkpoint);
//   - load.go: the copy of rows from a RowSource (COPY in text format);
//   - schema.go: PrepareDestination (InitSchema, Truncate, keys dropped
//     for the load); update.go: update passes; finalize.go: Finalize and
//     Restore; verify.go: the verification queries; references.go and
//     sessions.go: foreign keys a truncate reaches, stale sessions.
//
// The engine (package sqlsync) decides what runs when; package sqlsync's
// documentation describes the behaviour.
package pgsync
