// Package leakscan measures, while a table is being copied, how many
// transformed values still equal a source value — without reading the
// source again afterwards.
//
// The copy holds each row's source value and its transformed value at the
// same moment, so a [Sketch] per transformed column records two things in
// bounded memory:
//
//   - SelfEqual, exact: the rows whose output equals their own input (a
//     transformer that passes some inputs through unchanged).
//   - Equal of Sampled, a coordinated hash sample: every value (source and
//     output) is hashed with one 64-bit seeded hash; the sketch keeps the
//     output hashes below a threshold with their row counts, and the source
//     hashes below the same threshold. When either set grows past its
//     capacity the threshold halves and the entries above it are dropped,
//     so memory stays under the capacity whatever the table's size. An
//     output value equal to some source value has the same hash, so it is
//     kept exactly when that source value is: within the sample, the check
//     "does the source hold this output value anywhere" is exact (up to
//     64-bit hash collisions, about one in 10^14 per sampled value at the
//     default capacity). The sample is the rows whose output value falls
//     in a uniformly random subset of the distinct output values, at rate
//     [Result.Rate]; while the distinct values fit the capacity it is every
//     row and the counts are exact ([Result.Exact]).
//
// This is the method of the "leak" lines of a sync's verification report
// for tables copied in one attempt; it replaces a re-read of every
// transformed source column (a full scan per column, 40 % of a Postgres
// run and 88 % of a MariaDB one at 1 M rows). Goroutines that record the
// same rows' column at once do so into parts of one [Shared] sketch, which
// fill one sample between them; sketches of one table built by several
// goroutines are combined with [Sketch.Merge]; so are those of
// a table's key ranges copied by several worker processes, when they were
// built with one [Seed] (a run's [RunSeed]) and carried in their compact
// binary form ([Sketch.MarshalBinary], [Table.MarshalParts]: at most
// [MaxEncodedSize] bytes per column whatever the rows).
//
// A [RowCounter] counts, in the same pass, the rows that keep every one of
// a table's quasi-identifiers (small-domain transformed columns) equal to
// their own source values: row-level re-identification.
//
// # Policy
//
// [Policy] judges what the copy measured against the expected leak level
// each transformer declares (transformers.LeakClass): a share of rows is
// "beyond expectation" when chance alone gives it with a probability under
// 1 in 200 — a binomial tail over the distinct values, because consistent
// mode maps equal inputs alike and a value's rows match or not together.
// [Policy.JudgeColumn] and [Policy.JudgeRows] return OK, WARN or FAIL with
// the reason for people; the job's thresholds (warn, fail and
// re-identification fail rates) decide between them.
package leakscan
