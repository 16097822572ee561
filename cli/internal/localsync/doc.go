// Package localsync adapts what the Neosync API gives the CLI — a
// connection's columns and constraints (ConnectionDataService) and its
// rows as text (GetConnectionDataStream) — to the shared sync engine,
// backend/pkg/sqlsync, which writes them into a local database for
// `neosync sync`. The CLI holds only an API key, never the source's
// credentials, so it cannot open the source itself; it plans and writes
// exactly as the worker does otherwise:
//
//   - [Schema] turns the API's columns and constraints into a
//     syncplan.Schema, synthesizing the definitions InitSchema needs
//     (the API reports no DDL): PostgreSQL enums, the sequences behind
//     serial columns, primary keys, unique constraints and foreign keys;
//     a MySQL CREATE TABLE statement per table.
//   - [Job] chooses the tables (passthrough mappings for a connection, the
//     job's mappings for a job, both narrowed by a [Filter]);
//     syncplan.NewPlan orders them and breaks foreign-key cycles through
//     nullable keys, which the engine fills in with update passes.
//   - [Source] is the engine's sqlsync.RowSource: it streams a table
//     through a [Streamer] (the API), applies the column transforms the
//     caller built, and hands the engine the written columns.
//
// The engine then prepares the destination, loads every table (COPY in
// text format on PostgreSQL, LOAD DATA on MySQL), runs the update passes,
// adds the deferred constraints, moves sequences and verifies the result.
package localsync
