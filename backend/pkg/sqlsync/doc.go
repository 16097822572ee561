// Package sqlsync is Neosync's data plane: it copies the tables of a
// [syncplan.Plan] from a source database into destination databases,
// transforming the mapped columns on the way, with memory that does not
// grow with table size. A sync into one destination is the run sequence
// ([Steps]) below. The worker runs each step as a Temporal activity
// (heartbeating the progress SyncTable reports); the CLI (`neosync sync`),
// which cannot open the source, runs them in-process from rows the API
// streams with [Engine.RunStream]; [Engine.Run] runs them in-process from a
// source database (tests, benchmarks). Run and RunStream walk the same
// step list, so the three callers cannot drift apart:
//
//  1. [Engine.PrepareDestination]: create what is missing (InitSchema:
//     extensions, enums, domains, composite types, sequences, tables,
//     partitioned tables and their partitions) and truncate (Truncate,
//     TruncateCascade). Tables outside the job that reference a truncated
//     one, directly or through each other ([Engine.TruncateReach], read
//     from the destination's catalog), are emptied too with
//     TruncateCascade — the plan warns by name, the report lists them —
//     and without it the step refuses with a *TruncateCascadeError naming
//     them, before anything is written (on MySQL, which has no TRUNCATE …
//     CASCADE, the engine empties them itself).
//     When the job owns the destination (InitSchema and Truncate) the
//     emptied tables' foreign keys, secondary indexes and (without
//     OnConflict) keys are dropped, for Finalize to build once after the
//     data: a repeated run then loads as fast as the first (1.5M rows
//     into two indexed tables with a foreign key: 3.7 s instead of 33 s).
//  2. [Engine.SyncTable] per table, parents first, independent tables in
//     parallel ([Engine.SyncTables] schedules them in-process).
//  3. [Engine.RunUpdatePasses]: fill in the foreign keys that break cycles,
//     sketching the transformed ones for the leak scan as the copy
//     sketches its columns (the copy writes them NULL).
//  4. [Engine.Finalize]: keys, indexes and foreign keys left for after the
//     data; sequences and identities moved past the loaded maximum. A run
//     that stops before it (failed, canceled, terminated) calls
//     [Engine.Restore], the same step in best-effort mode, so the
//     destination gets its keys back either way.
//  5. [Engine.Verify]: the [Report] — row counts, orphans, duplicates and
//     the leak scan, several tables at once. The destination's rows are
//     always counted there; the source's are the rows the copy read when
//     it read the table whole in one snapshot ([Checkpoint.WholeRead],
//     [VerifyOptions.SourceRead]) or, for a table copied in key ranges,
//     the sum of its ranges' reads, with only resumed ranges counted in
//     their key intervals ([VerifyOptions.RangesRead]); else counted (see
//     [TableCount]). A key or foreign key that a destination constraint
//     guarantees (a unique index over exactly its columns; a validated,
//     enabled PostgreSQL foreign key) is reported as enforced by that
//     constraint rather than recounted, which keeps verification of large
//     tables to a fraction of a second; without one, it is counted. Each
//     leak line is judged OK, WARN or FAIL against its transformer's
//     expected leak level under the plan's leak policy, the copy's
//     row-level re-identification counts are judged with them, and the
//     report's status and findings (worst first) sum it up
//     ([Report.Status], [Report.Findings]; see package leakscan).
//
// # Layout
//
// The engine is split like river's riverdriver, so the folder list shows
// the seam between what a sync does and each database's SQL:
//
//   - sqlsync (this package): the [Engine] and its steps — scheduling
//     tables in dependency order, the copy loop with its checkpoints,
//     resolving a destination and refusing the source itself, the run
//     sequence, the verification [Report] — and the public types the
//     worker and the CLI use.
//   - sqlsync/syncdriver: the contract below both sides — the Driver
//     interface a dialect implements, the values the engine hands it, and
//     what the dialects share (the bounded chunk queue and batcher, the
//     identifier quoter, column transformers, the RowSource text rows,
//     session names, the Finalize report types). The public types are
//     defined there and named again here.
//   - sqlsync/pgsync: PostgreSQL — the binary COPY relay (copy.go,
//     source.go, relay.go, convert.go, pool.go, values.go), the run's
//     snapshot imported by every read (snapshot.go; exported by
//     [ExportSnapshot]), InitSchema and truncate (initschema.go,
//     schema.go), update passes, Finalize, verification, resume.
//   - sqlsync/mysqlsync: MySQL/MariaDB — the streaming SELECT and LOAD
//     DATA LOCAL INFILE writers, schema, update passes, Finalize,
//     verification.
//
// The engine picks a driver by the connection's driver; a dialect package
// never imports the engine, and neither dialect imports the other.
//
// # Finalize: all or nothing, as far as the data allows
//
// Finalize builds in dependency order — primary keys, unique, exclusion
// and check constraints and unique indexes, then foreign keys, then the
// other indexes — one statement per object, each announced to
// Destination.OnStep first. An object the destination already has under
// its name with the source's definition is kept (PostgreSQL: compared as
// pg_get_constraintdef/pg_get_indexdef print them with search_path
// pg_catalog, as the source's were printed; MySQL: the foreign key's
// columns and referenced columns), one left NOT VALID is validated, an
// invalid index is rebuilt; when a statement fails because an earlier
// attempt still running added the same object meanwhile, that object is
// kept. So a retried Finalize never fails with "already exists". When an
// object cannot be built over the rows (duplicates under a unique key,
// NULLs under a primary key, orphans under a foreign key), Finalize
// builds every other one and then fails with a *FinalizeError listing the
// missing objects with the offending rows' count and an example key; a
// foreign key whose referenced key is among them says so. Errors worth a
// retry (lost connection, canceled statement, deadlock, lock timeout)
// stop it at once instead: a retry then adds only what is still missing.
//
// # Tagged sessions and stale attempts
//
// A step retried after its worker died may find the dead attempt's
// statement still running on the destination, holding the locks the
// retry needs. With Destination.SessionTag set, every destination session
// of a step is named (PostgreSQL application_name, MySQL a leading
// comment on long statements: SessionName) and [EndStaleSessions], called
// at the start of the retry with the run's prefix, ends the other
// sessions carrying it (pg_terminate_backend, KILL CONNECTION) and waits
// until they are gone.
//
// # Where a destination is written, and never into the source
//
// Every step that touches a destination first resolves it (one helper,
// resolve): a PostgreSQL destination is the database its URL names, its
// tables keep their schemas (or DestinationOptions.SchemaMap's); on MySQL,
// where a schema is a database of the server, the source's database is
// written into the database the destination's URL names (DATABASE()),
// unless SchemaMap says otherwise — never into a database that merely has
// the source's name. Then the destination's server identity
// (sqlconnect.Identity: PostgreSQL's system_identifier, MySQL's
// server_uuid, MariaDB's server_uid, and the database in use) is compared
// with the source's, which syncplan.BuildPlan records in the plan: when a
// copied table would be written onto itself the step fails with a
// *SameDatabaseError before anything is written — however the two URLs
// are spelled.
//
// # Partitions
//
// PostgreSQL reports a partitioned table and its partitions as tables; a
// job maps them all. Copying both would copy every row twice, so the plan
// copies a partitioned table (reading it returns its partitions' rows,
// COPY into it routes them) and lists the partitions apart
// (syncplan.Plan.Partitions), which InitSchema creates with PARTITION OF,
// their bounds and sub-partition keys, and Finalize completes with their
// own constraints and indexes (those inherited from the parent come with
// it; a partitioned index is created without ONLY so it cascades).
//
// # Streaming
//
// PostgreSQL to PostgreSQL relays the binary COPY stream: COPY (SELECT …)
// TO STDOUT (FORMAT binary) on the source, framed by package pgcopy, and
// COPY … FROM STDIN (FORMAT binary) on the destination. A field without a
// transformer is appended as the bytes it arrived as; only transformed
// fields are decoded (pgtype, by the field's type OID from the prepared
// query) and re-encoded; generate_null fields are written NULL without
// reading them and generators are not given their input. Consecutive
// unchanged fields are copied with one append. A text field whose
// transformer can append its output (transformers.Instance.AppendText:
// transform_email, transform_hash) gets it written straight into the
// tuple, its input passed as a string from the codec's arena, so such a
// row costs no allocation. A transformer that declares it reads the row
// (syncplan.Transformer.UsesRow, the JavaScript ones) makes the relay
// decode the row's other fields too, once per row and only for rows it
// transforms — the row context is built lazily. The reading goroutine (pgconn's CopyTo callback) splits the
// stream into tuples; rows that need converting go, in raw batches of a
// few hundred with each tuple's field layout (so they are not parsed
// twice), to a pool of converter goroutines (Engine.Workers, each
// with its own transformer instances and type map), and are reassembled
// in source order, so batch boundaries and checkpoints do not depend on
// the pool; a table whose fields all pass through unchanged skips all of
// that. The writing goroutine feeds CopyFrom. Every hand-over is a bounded
// channel (at most syncdriver's chunkQueue 60 KiB output buffers and a few raw batches
// per worker), so a table's memory stays flat whatever its size.
//
// MySQL/MariaDB reads with a prepared statement (binary protocol, so
// floating point values are exact) in a REPEATABLE READ, READ ONLY
// transaction, transforms on the reading goroutine, and writes each batch with LOAD DATA LOCAL INFILE from an
// in-memory reader (mysql.RegisterReaderHandler), checking SHOW WARNINGS
// afterwards because with LOCAL the server downgrades errors to warnings.
// Both sessions use UTC and strict mode.
//
// A PostgreSQL table is read in a REPEATABLE READ, READ ONLY transaction
// that imports the run's exported snapshot when there is one
// (Source.Snapshot, [ExportSnapshot]; Run exports one, the worker's
// StartRun too), so every table of the run is read as of one moment and
// rows a live application writes meanwhile are copied together or not at
// all; a snapshot that is gone (its exporting transaction ended) falls
// back to the table's own, with a warning.
//
// The source query is prepared (parsed as exactly one statement) before it
// runs, inside a READ ONLY transaction, so a subset predicate cannot
// smuggle in a second statement or a write. Every identifier is quoted by
// sqlschema's helpers.
//
// # Crash-safe resume
//
// A table's progress is a [Checkpoint]; SyncTable reports it after every
// commit, the worker heartbeats it, and a retried SyncTable gets the last
// one Temporal recorded — which may be older than the last commit, because
// heartbeats are throttled and a worker can die between a commit and its
// report. The mechanism is "keyed checkpoints with deterministic writes",
// with a per-table redo where no key allows it:
//
//   - Keyed tables (a primary key, or a NOT NULL unique key, written
//     unchanged or by a consistent transformer with a job key;
//     syncplan.ResumeKeyed) are read in key order and committed every
//     BatchSize rows, each batch its own transaction; the checkpoint holds
//     the source key of the last committed row. (Reading in key order
//     walks the key's index, which is cheap when the key follows the rows'
//     physical order; for a random key such as a UUID the source sorts a
//     sequential scan instead — see pgsync's pgSortForKeyOrder.) Before continuing from a
//     checkpoint, the copy deletes every destination row that came from a
//     source row past it: it reads those source keys, transforms them
//     exactly as the copy does (deterministic by construction), streams
//     them into a temporary table and deletes with one join. Whatever an
//     interrupted attempt committed after its last recorded checkpoint is
//     thus removed and copied again: nothing lost, nothing twice, and the
//     work kept is everything up to the checkpoint. (Skipped when the
//     destination table is empty; a plain DELETE when there is no
//     checkpoint and the job owns the table.) In a table the job does not
//     own, a key past the checkpoint may also name a row of the user's,
//     which must not be deleted: there the keys are numbered in key order
//     as they are stored (a serial / AUTO_INCREMENT column), cut into
//     batches of BatchSize from the checkpoint — the attempt committed
//     whole batches, in that order, each all or none — and only the rows
//     of the leading batches whose keys are all there are deleted
//     (syncdriver.Rewind); any later match is the user's, kept and
//     logged, and the copy fails on it with a CollisionError as a first
//     attempt would. This assumes the interrupted attempt's batch size:
//     the checkpoint records it (Checkpoint.Batch), and a retry whose
//     batches differ (a fan-out's are its destinations' least) deletes
//     only the contiguous run of matching keys after the checkpoint. Rows
//     of the user's that fill a whole batch right where the attempt
//     stopped cannot be told from its own. A first attempt has nothing
//     to clean up and does none: in a table the job does not own, the
//     rows already there are the user's, and a copied row that collides
//     with one fails the table (the default OnConflict), as the option
//     says, instead of replacing it. A retry that found no checkpoint
//     (every heartbeat lost) is given an empty one, and cleans up from the
//     start. With OnConflict the batches are idempotent merges and need no
//     cleanup.
//   - A keyed table copied whole (not in key ranges, one destination)
//     into a PostgreSQL destination without OnConflict restarts instead
//     (syncplan.Plan.Restarts): it is read unordered (a plain scan, no
//     index walk or sort for key order: 1.07–1.18 → 0.65–0.71 source
//     CPU-s per million rows in `make bench` owned, 0.73–0.85 →
//     0.50–0.69 appending in `make bench-e2e`) and written in one transaction;
//     its heartbeats carry no resumable key, and a retry starts over,
//     ignoring any checkpoint it is given. Into a table the job truncates,
//     that transaction truncates the table and loads it with COPY …
//     FREEZE (rows born frozen: Finalize's index build and Verify's count
//     do not rewrite the pages for hint bits); a table another table's
//     foreign key references (Truncate without InitSchema keeps them), or
//     a partitioned one, is emptied with DELETE in that transaction
//     instead, without FREEZE. Into a table the job appends to, a retry
//     first deletes every destination row whose key the source's keys
//     name (the reconcile above with no checkpoint and one batch of every
//     row: an earlier attempt may have committed and died before
//     reporting it, and did so only if every key is there); a first attempt
//     deletes nothing, and a row of the user's that collides fails the
//     table with nothing of it written. The cost: a crash loses the rows
//     of that one table copied so far — at the worker a table estimated
//     under twice the range size (the job's range_rows or
//     NEOSYNC_RANGE_ROWS: under 10,000,000 rows by default on
//     PostgreSQL, DefaultRangeRowsFor); larger ones
//     go in key ranges, which resume by key. Its leak sketches start
//     over with it.
//   - Other tables (no usable key: syncplan.ResumeRedo) are written in one
//     transaction, so an interrupted copy leaves nothing behind; when the
//     job owns the table (Truncate; see syncplan.DestinationOptions.Owns) the retry also deletes
//     the table's rows in that same transaction, which covers a copy that
//     committed but whose completion was never recorded. Appending
//     (no Truncate, with or without InitSchema) into a table without a key cannot tell the copy's
//     rows from the destination's own; there the only window for a
//     duplicate is between that single commit and its report.
//
// Why not staging tables or per-table truncate-and-redo for everything:
// both redo a billion-row table from scratch after a crash at 99%, and a
// swap needs privileges and locks the destination may not grant; keys make
// resume proportional to what is left, and the transactions make it exact.
// Update passes, Finalize and Verify are idempotent and simply rerun.
//
// # Key ranges
//
// A large keyed table can be copied in parts: [Engine.SplitRanges]
// divides its key into ranges of about a given number of rows (at most
// [MaxRanges]; the first open below, the last open above, each one's upper
// bound the next one's lower bound, so together they cover every key
// once). A key of one integer column is cut into ranges of equal width
// between its least and greatest value (one count of each); any other key
// — text, uuid, date, several columns — at key values the source
// database picks in its own key order (PostgreSQL: quantiles of a
// TABLESAMPLE SYSTEM sample of the keys; MariaDB, which cannot sample:
// steps of rows/n keys through the key's index), which travel as text
// and are compared in the database as a row, (a, b) >= (x, y), so a
// text key is ordered by its collation and Go compares nothing. A
// bound need not be a key the table still holds: each row is either
// below it or not. [Engine.SyncRange] copies one range exactly
// as SyncTable copies a table — the range's predicate added to the source
// query, its own checkpoints inside it, and a reconcile restricted to it:
// a retry deletes only destination rows that come from source rows of its
// own range past its checkpoint (or, with no checkpoint, of its whole
// range), found through the transformed keys as above. The first attempt
// of a range into a table the job owns skips that (the table was emptied,
// and no attempt wrote the range). So ranges run at once, in any order and
// on any workers, and the table's rows end exact whatever fails. Update
// passes, Finalize and Verify run once, after every range. A range read
// from its start (or resumed with the sketches of its checkpoint, see
// "Leak sketches across a resume" below) returns its leak sketches and
// re-identification count
// (Checkpoint.Sketches, a leakscan.Table) hashed with the seed the caller
// gives — a run's leakscan.RunSeed, so that ranges copied on several
// workers merge: the caller carries them serialised
// (leakscan.Table.MarshalParts) to the worker that verifies, which merges
// them with [Engine.MergeRanges] into the table's leak scan.
//
// # Leak sketches across a resume
//
// A copy's leak sketches (syncdriver.Leaks) are kept per destination
// batch and folded into the committed sketches when the destination
// commits the batch, so every progress report's Leaks can serialise the
// sketches of exactly the rows of a checkpoint (Leaks.Committed). A
// caller that stores them and later resumes from that checkpoint gives
// them back as the checkpoint's Sketches: the resumed copy continues
// them and ends with the sketches of the whole table (or range), as if
// it had not stopped. Without them a resumed copy keeps none. Whole
// tables hash with Source.Seed (a run's seed lets another worker merge
// them), ranges with the seed SyncRange is given.
//
// # Fan-out: several destinations from one read
//
// A job with several destinations of the source's dialect copies each
// table (or key range) once for all of them: [Engine.SyncTableFanOut] and
// [Engine.SyncRangeFanOut] read, transform and encode the rows once, and
// syncdriver.TeeBatch hands every batch's buffers (shared, not copied) to
// each destination's writer at once, each through its own bounded queue,
// so the slowest destination sets the pace and memory stays bounded by
// the number of destinations times a table's in-flight buffers. Each
// destination commits each batch in its own transaction and has its own
// checkpoint. A destination that fails drops out and the others go on;
// the call then returns a *FanOutError naming it, and its committed
// batches match its checkpoint. Retries resume each destination past its
// own checkpoint: the read starts at the least advanced one, and the
// destinations ahead of it are first reconciled back to it (the resume's
// delete of rows from source rows past a checkpoint). The leak sketches of
// the read describe the values every destination received, so each
// destination's checkpoint carries them. Destinations whose stream would
// differ (PostgreSQL: written columns of other types, or arrays and
// composites of user-defined types, whose values embed the destination's
// type OIDs) are copied one after the other with a read each. Update
// passes and verification still run per destination; each update pass
// reads the key and deferred columns from the source again.
//
// # Streaming from a RowSource
//
// The CLI (`neosync sync`) holds only an API key, so it cannot open the
// source: its rows arrive through the API as text values. For it the
// engine has a stream path that does the write side unchanged from a
// [RowSource] instead of a source database: [Engine.LoadTable] and
// [Engine.LoadTables] (the same copy loop, writers, batches, OnConflict
// merges and deferred columns written NULL as SyncTable),
// [Engine.StreamUpdatePasses] (the key and deferred columns re-streamed
// into the same stage table and UPDATE), PrepareDestination and Finalize
// as they are, and [Engine.VerifyStream] (counts against RowSource.Count,
// orphans and duplicates; no leak scan, which needs SQL on the source).
// [Engine.RunStream] runs all of them. Values are encoded once into the
// text format that PostgreSQL's COPY ... FROM STDIN (text) and MySQL's
// LOAD DATA LOCAL INFILE both read — the source's text output parses back
// exactly (bytea hex, arrays, json, numerics, 64-bit integers, special
// floats and timestamps) — and flow through the same bounded chunk queue,
// so memory stays flat. A RowSource hands over final values: the caller
// applies transformers (the CLI does, without the job key). A stream is
// never resumed from a checkpoint: keyed tables commit every BatchSize
// rows, others in one transaction, and a failed sync is run again.
package sqlsync
