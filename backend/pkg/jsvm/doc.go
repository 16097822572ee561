// Package jsvm is the JavaScript sandbox that user-written transformers run
// in: goja (a JavaScript interpreter in Go) with no host access, a
// wall-clock budget per call, a memory watchdog, and checks in front of the
// built-ins that could allocate or loop without bound.
//
// It knows nothing about transformers: Compile turns code into a Program
// (the body of a function with named parameters), New builds a VM for it,
// and VM.Call runs it on Go values. The embedder exposes Go functions to
// the code as methods of a global neosync object (Native). Package
// transformers registers transform_javascript and generate_javascript on
// top of it; package jsrunner runs those in a child process with operating
// system limits.
//
// # What a VM guarantees
//
//   - No host access: goja has no require, fetch, timers, console, file or
//     network API, and the sandbox deletes those names in case an embedder
//     added them. Binary buffers (ArrayBuffer, typed arrays, DataView) are
//     removed too. The parser never reads source maps, and eval and the
//     Function constructors (also as fn.constructor) throw.
//   - Isolation: every VM has its own runtime, so globals and prototype
//     changes made by one VM's code are invisible to every other VM. Within
//     one VM they persist across calls (until the runtime is discarded, see
//     below).
//   - Time: every call has a wall-clock budget (Config.Budget). At the budget
//     the runtime is interrupted, which stops JavaScript at its next
//     instruction (loops, recursion, callbacks), and the call fails with a
//     *TimeBudgetError. Built-in functions are Go code that an interrupt
//     cannot stop: if the call has not returned one grace period (as long as
//     the budget by default) later, Call returns the same error anyway, the
//     runtime is abandoned to its goroutine (which stops as soon as the
//     built-in returns to JavaScript) and a fresh runtime is built for the
//     next call. The caller therefore never waits much more than twice the
//     budget.
//   - Memory, when Config.MemoryLimit is set (no production process sets
//     it any more: the API, the worker and the CLI run user code in
//     jsrunner's child processes, whose kernel limit is exact; it serves
//     embedders that must run code in-process, and tests): while such
//     calls run, one watchdog
//     goroutine per process samples, every millisecond, the memory the Go
//     runtime holds (what it mapped less the heap pages it returned to the
//     OS: close to the resident size; read through runtime/metrics, which
//     does not stop the world), and interrupts every runtime whose call has
//     seen it grow by more than the limit (from the smallest size sampled
//     since the call started). A call only registers with it, with no timer
//     or read of its own, so watching costs a call a few tens of
//     nanoseconds. The call fails with a *MemoryLimitError and the runtime
//     is discarded, so whatever its globals held becomes garbage, which is
//     returned to the OS (debug.FreeOSMemory) as soon as the runtime is
//     unreachable, so that bomb after bomb the process does not ratchet up
//     (TestMemoryBombRepeated). The
//     watchdog sees allocations, not instructions: one instruction in
//     flight when the limit is crossed still completes, so memory can
//     overshoot by that instruction's allocation (and by what a starved
//     watchdog thread misses). For the string-doubling bomb
//     `for(;;){ s = s + s }` under the 64 MiB limit the process's peak
//     resident size grows by about 64 MiB in TestMemoryBomb, but the
//     doubling in flight when the watchdog wakes doubles what the string
//     holds: a worker on a loaded machine measured 100–250 MiB of growth
//     when it still ran JavaScript in-process.
//     This is a bound, not a quota; only a child process (jsrunner) gives
//     a hard one. The built-in checks below cap what a single built-in can
//     allocate.
//   - Built-ins that would allocate or loop in proportion to an argument are
//     refused with a RangeError beforehand: arrays and array-likes of more
//     than 2^20 elements for every Array.prototype method, Array.from,
//     spreading, apply and Reflect.apply/construct; strings of more than
//     2^24 characters built by repeat, padStart/padEnd, concat, join,
//     replace/replaceAll and JSON.stringify; split, global match and
//     Object.keys/values/entries/assign of very long strings; nesting
//     deeper than 100 levels for flat, join and JSON.stringify, 500 for
//     JSON.parse, regular expressions and the code itself (goja's parsers
//     recurse on the Go stack, whose overflow would kill the process). The
//     call stack is limited to 1000 frames.
//   - Regular expressions: a backtracking match gives up after one second
//     (regexpMatchTimeout) and the call fails with a RangeError, so a
//     pattern such as /(a+)+\1b/ neither hangs a call nor keeps running in
//     an abandoned runtime for more than that second.
//
// # What it does not guarantee
//
//   - It is not a security boundary against a hostile author. The memory
//     watchdog measures the whole process, not the runtime: memory other
//     goroutines make the process take during a call counts against it (a false
//     positive fails the call, it never lets one through), and it watches
//     one call at a time, so state kept in globals and grown a little by
//     every call is bounded only by the process. Some built-ins can build
//     large outputs from many references to one large value (a toString or
//     toJSON returning a large string), and sorting 2^20 elements takes
//     seconds of CPU after the call was abandoned. Code from untrusted
//     authors must run in a separate process with an OS memory limit:
//     package jsrunner does that, and the API, the worker and the CLI run
//     every evaluation through it.
//   - The budget is wall-clock time, so CPU starvation counts against it.
//   - Date and new Date() read the real clock, so code that uses them is not
//     deterministic; Math.random draws from the source the caller passes.
//   - eval and new Function are unavailable, and async code is not awaited (a
//     Promise result is an error).
package jsvm
