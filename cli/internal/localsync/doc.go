// Package localsync copies tables whose rows arrive as text — the source
// database's own text representation, as the Neosync API's
// ConnectionDataService streams them — into a local PostgreSQL or MySQL
// database that the caller opened directly. It is the engine behind
// `neosync sync`: the CLI holds only an API key and never sees the source's
// credentials, so it cannot use the worker's binary relay (backend/pkg/sqlsync)
// and reads through the API instead.
//
// The steps are those of a data sync job, simplified:
//
//  1. [NewPlan] orders the tables parents first (tableorder.Sort). A
//     foreign-key cycle is refused unless the schema is created by the sync
//     (InitSchema), because then foreign keys are added after the data and
//     order does not matter.
//  2. With InitSchema, schemas and tables are created from the introspected
//     columns (type as the source prints it, nullability, identity and
//     generated columns, defaults that are plain literals) with their
//     primary keys; unique constraints and foreign keys are added after the
//     data (Finalize).
//  3. With Truncate every planned table is emptied first (one TRUNCATE on
//     PostgreSQL, CASCADE on request; children first on MySQL with foreign
//     key checks off).
//  4. Every table is streamed: PostgreSQL gets one COPY … FROM STDIN in
//     TEXT format per table, whose input is the source's text values with
//     backslash, tab, newline and carriage return escaped and NULL as \N —
//     the PostgreSQL text output round-trips exactly (bytea hex, arrays,
//     json, numerics, 64-bit integers). MySQL gets multi-row INSERTs with
//     the values as parameters. OnConflictDoNothing loads PostgreSQL rows
//     through a temporary table and INSERT … ON CONFLICT DO NOTHING, and
//     uses ON DUPLICATE KEY UPDATE k = k on MySQL.
//  5. Finalize adds the deferred constraints and moves PostgreSQL sequences
//     behind serial and identity columns past the loaded maximum.
//
// Only same-dialect copies are supported (PostgreSQL → PostgreSQL, MySQL →
// MySQL). Every identifier goes through sqlschema's quoting helpers.
// Column types and literal defaults are taken as the source server printed
// them.
package localsync
