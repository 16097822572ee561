// Package jsrunner evaluates JavaScript transformers in a child process with
// operating-system limits, so that hostile or broken code cannot take the
// process that asked for the evaluation down with it.
//
// # Why a child process
//
// Package jsvm runs JavaScript in goja with a wall-clock budget, checks in
// front of built-ins and an optional heap watchdog, but it cannot bound
// memory exactly: the string concatenation in `var s='x'; for(;;){ s = s + s; }` is an opcode of the
// interpreter, not a built-in that can be refused, and each doubling is one
// uninterruptible Go allocation. Go offers no per-goroutine memory quota
// (runtime/debug.SetMemoryLimit only makes the collector work harder), a
// watchdog that samples the heap is late by one allocation, and the heap is
// the whole process's. The API used to die with "fatal error: out of
// memory" in five seconds. Only the kernel can refuse an allocation, and it
// does that per process.
//
// # What a child guarantees
//
// A Runner starts children by re-executing its own binary (Config.Command:
// `neosync-api js-runner`, `neosync-worker js-runner`, `neosync js-runner`,
// or a test binary whose TestMain calls Main). The child, before it reads
// any code:
//
//   - sets RLIMIT_DATA to its data size at start plus Config.MemoryLimit
//     (64 MiB by default), and the Go memory limit to the same amount, so
//     the code can use at most that much memory: an allocation past it fails
//     in the kernel and the child dies ("fatal error: out of memory"). The
//     runner's resident size therefore stays below the limit plus its
//     start-up size (the string-doubling bomb peaks at about 93 MiB with
//     the 64 MiB default; Runner.PeakRSS reports it);
//   - sets RLIMIT_CPU to Config.CPULimit (none when it is negative, as on
//     the data plane) and lowers its scheduling priority,
//     and runs with GOMAXPROCS=1, so its CPU use is at most one core and
//     cannot starve the API's own requests;
//   - gets a minimal environment (no database URL, no encryption key) and
//     dies with its parent (PR_SET_PDEATHSIG).
//
// In the child a call's budget counts the child's own CPU time (jsvm
// Config.Clock), not wall time: the child runs at a lower priority, and on a
// busy machine a loop-free row could wait past its budget for a core. The
// parent (Transformer) bounds wall time: every call must answer within
// twice the transformer's budget plus a generous margin (10 s, for a child
// that stopped answering), or the child is killed; and
// the caller's context (the RPC's, which ends when the client goes away)
// kills it too. Killing a process stops everything in it, including a
// regular expression that backtracks forever or a built-in that ignores
// goja's interrupt. At most Config.MaxProcesses children run at once
// (further Builds wait for a slot or for their context), so the memory all
// evaluations can hold is bounded by MaxProcesses × (MemoryLimit + the
// child's own few MiB), whatever the code does.
//
// After a child dies the next call starts a fresh one (global state is lost,
// as when the in-process sandbox abandons a runtime); the failed call
// returns a *transformers.ValueError saying which limit was hit.
//
// # Who uses it
//
// Everything that evaluates user JavaScript in a long-lived process does
// it through a child: the API for what it evaluates on a user's behalf
// (PreviewTransformer, AnonymizeJSON; Build, a request holds one child for
// its duration, at most Config.MaxProcesses at once), and the worker and
// the CLI's `neosync sync` for the data plane (Host, given to
// transformers.Registry.RunJavaScriptIn: every JavaScript column of every
// converter gets its own child, started on its first row, killed when the
// instance is garbage or the process's context ends). The in-process
// sandbox (package jsvm) runs inside the child.
//
// A child killed by its memory limit fails its call with a
// *transformers.ValueError whose cause is a *MemoryLimitError naming the
// table, column and limit ("JavaScript transformer for public.users.email
// exceeded its 64 MiB memory limit"); the caller's process is untouched.
// A child that dies otherwise (a crash, a signal) fails its call at once
// with "the JavaScript runner stopped unexpectedly" and the exit status:
// the parent reads the pipe, so a dead child is an EOF, never a hang.
//
// # Cost: batches
//
// Starting a child costs a few milliseconds, and a call one round trip over
// a pipe with gob-encoded values. Row by row that is about three times the
// in-process cost of a small transformer (BenchmarkHost: 21 µs against
// 7 µs per row on a loaded two-core machine). Transformer.TransformBatch
// (transformers.Instance.TransformBatch) sends many rows in one round trip;
// the PostgreSQL relay's convert pool uses it for every raw batch (up to
// 256 rows), so the pipe's cost is paid once per batch. Paths that still
// call row by row (MySQL sources, update passes for deferred foreign keys,
// data generation, the CLI's row source) pay the round trip per row.
package jsrunner
