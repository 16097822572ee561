// Package jobresolve turns a job's definition into what the data plane
// runs: a [syncplan.Job] for a data sync, a [generate.Request] with its
// schema and destination connections for a data generation.
//
// It is the one place that does so. The worker and `neosync sync --job`
// convert the API's protobuf job (protoconv.Definition), the API's plan
// view and job validator convert the domain's job, and all of them call
// [Resolve], so a job means the same thing — the same mappings, subsets,
// virtual foreign keys, options and the same errors — wherever it is
// planned or run.
//
// # Decisions
//
//   - The package does no I/O. Callers fetch the job's connections and
//     user-defined transformers their own way (through the API's Connect
//     clients, or from the API's store) and pass them in [Resolved]; a
//     reference the caller did not resolve is an error naming it.
//   - [Definition] is a neutral struct, not the protobuf job: the package
//     imports neither backend/gen nor backend/internal, so the API's
//     domain, which must not see transport types, can use it.
//   - Callers that reach the databases another way (the CLI reads the
//     source through the API and writes its own destination; the API's
//     validator reads only the source's schema) pass no connections, and
//     the job comes back without its connection settings.
package jobresolve
