package e2e_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// benchGate is the variable make bench-e2e sets; without it the benchmark
// is skipped.
const benchGate = "NEOSYNC_BENCH_E2E"

// benchColumns are the users table's columns, the same on both dialects.
var benchColumns = []string{"id", "email", "first_name", "last_name", "ssn", "phone", "age", "balance", "created_at", "active"}

// benchTransforms are the transformed runs' transformers by column (the
// others pass through).
var benchTransforms = map[string]string{
	"email": "transform_email", "first_name": "generate_first_name",
	"last_name": "generate_last_name", "ssn": "transform_hash",
}

// Issue targets, as ratios to the dialect's pipe and as a share of the run.
const (
	targetOwned     = 1.0
	targetAppending = 0.8
	targetVerify    = 0.10
)

// TestBenchE2E is the end-to-end benchmark (`make bench-e2e`, DESIGN.md
// §7): a job goes the way users run it — triggered through the API,
// scheduled by the Temporal dev server, copied by a neosync-worker process
// — beside the dialect's command-line pipe, in the same run, on a users
// table of 10 columns (NEOSYNC_BENCH_ROWS rows, default 1,000,000).
//
// Each round (NEOSYNC_BENCH_ROUNDS, default 3) measures, per dialect, the
// yardsticks and then four jobs — into a destination the job owns
// (init_schema + truncate) and appending into an existing indexed table,
// each with 4 columns transformed (transform_email, generate_first_name,
// generate_last_name, transform_hash) and with every column passed
// through — and prints one line per measurement: wall time from the
// trigger to the run's completion, rows/s, the ratio to each yardstick of
// the same round as N.NNx, the run's time split (runPhases) and the
// worker's peak RSS during that run. A summary states the issue targets
// (≥ 1.00x the pipe owned, ≥ 0.80x appending, verification < 10 % of the
// run) as met or not over the rounds' medians. NEOSYNC_BENCH_WORKERS
// (default 1) starts that many worker processes; with NEOSYNC_RANGE_ROWS
// below half the table they share its key ranges. NEOSYNC_BENCH_DIALECTS
// (default "postgres,mariadb") picks the dialects measured, and
// NEOSYNC_BENCH_JOBS the jobs (see picked).
//
// It is a test, gated by NEOSYNC_BENCH_E2E=1, so that it gets this
// package's harness (the built binaries and the Temporal dev server); it
// asserts that every run completes with every row, never a speed.
func TestBenchE2E(t *testing.T) {
	if os.Getenv(benchGate) != "1" {
		t.Skip("the end-to-end benchmark runs from make bench-e2e, which sets " + benchGate + "=1")
	}
	b := &e2eBench{t: t, rows: benchEnvInt(t, "NEOSYNC_BENCH_ROWS", 1_000_000), rounds: benchEnvInt(t, "NEOSYNC_BENCH_ROUNDS", 3)}
	b.s = startStack(t)
	b.workerPID = b.s.startWorker(t).Process.Pid
	if err := resetPeakRSS(b.workerPID); err != nil {
		t.Fatalf("cannot reset the worker's peak RSS: %v", err)
	}
	// More workers share the runs (a table over 2×NEOSYNC_RANGE_ROWS, which
	// the workers read from this environment, is copied in key ranges
	// they share); the peak RSS is the first one's.
	workers := benchEnvInt(t, "NEOSYNC_BENCH_WORKERS", 1)
	for range workers - 1 {
		b.s.startWorker(t)
	}
	b.printf("bench-e2e: %d rows of 10 columns, %d rounds, %d cores, load average %s at the start; %d worker process(es), NEOSYNC_RANGE_ROWS=%q; the first worker is a child process (pid %d): its peak RSS is its VmHWM, reset before each run",
		b.rows, b.rounds, runtime.NumCPU(), loadAverage(), workers, os.Getenv("NEOSYNC_RANGE_ROWS"), b.workerPID)
	dialects := os.Getenv("NEOSYNC_BENCH_DIALECTS")
	if dialects == "" {
		dialects = "postgres,mariadb"
	}
	type dialectBench interface{ round(*e2eBench, int) }
	var benches []dialectBench
	for _, d := range strings.Split(dialects, ",") {
		switch strings.TrimSpace(d) {
		case "postgres":
			benches = append(benches, b.setupPostgres())
		case "mariadb":
			benches = append(benches, b.setupMariaDB())
		default:
			t.Fatalf("NEOSYNC_BENCH_DIALECTS=%q: want a comma-separated list of postgres and mariadb", dialects)
		}
	}
	for round := 1; round <= b.rounds; round++ {
		for _, d := range benches {
			d.round(b, round)
		}
	}
	b.summary()
	b.printf("bench-e2e: load average %s at the end", loadAverage())
}

// e2eBench holds the platform under measurement and the results so far.
type e2eBench struct {
	t         *testing.T
	s         *stack
	workerPID int
	rows      int
	rounds    int
	results   []benchResult
}

// benchResult is one measurement: a yardstick (mode "") or a job run.
type benchResult struct {
	round   int
	dialect string // "postgres" or "mariadb"
	path    string // the yardstick's name, or "owned" / "appending"
	mode    string // "transformed" or "passthrough"; "" for a yardstick
	note    string // how the databases are laid out, when it matters
	wall    time.Duration
	phases  runPhases
	rss     string
	cpu     *runCPU // nil when not measured
	// tableBytes is the PostgreSQL destination table's size on disk
	// (pg_table_size, 0 when not measured): transformed values longer
	// than their sources (a 64-digit hash of a 9-digit SSN) make the
	// destination write, index and verify more than the pipe does.
	tableBytes int64
}

// pgTableBytes is the size on disk of the benchmark's table in the
// PostgreSQL database dbURL.
func pgTableBytes(t *testing.T, dbURL string) int64 {
	return queryInt(t, dbURL, "SELECT pg_catalog.pg_table_size('public.users')")
}

func (r benchResult) rate(rows int) float64 { return float64(rows) / r.wall.Seconds() }

// benchJob is a job created once and triggered every round.
type benchJob struct {
	dialect, path, mode, note string
	id                        string
	reset                     func()       // untimed, before the run: empties an appending destination
	count                     func() int64 // the destination's rows after the run
	// src and dsts are the PostgreSQL databases (URLs) whose server
	// processes' CPU seconds the run is charged (runCPU); empty for
	// MariaDB, whose server is one process for every database.
	src  string
	dsts []string
}

func (b *e2eBench) printf(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
}

// runJob triggers j, waits for its run to complete, checks the destination
// holds every row, and records the measurement.
func (b *e2eBench) runJob(round int, j benchJob) {
	t := b.t
	t.Helper()
	if !b.picked(j) {
		return
	}
	if j.reset != nil {
		j.reset()
	}
	if err := resetPeakRSS(b.workerPID); err != nil {
		t.Fatalf("reset the worker's peak RSS: %v", err)
	}
	var servers *serverCPU
	if j.src != "" {
		servers = startServerCPU(j.src, j.src, j.dsts...)
	}
	clients := []int{b.workerPID, b.s.apiPid, temporalPid}
	before := processesCPU(clients...)
	trigger := time.Now()
	run, err := b.s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: j.id}))
	if err != nil {
		t.Fatalf("%s %s %s: CreateJobRun: %v", j.dialect, j.path, j.mode, err)
	}
	r := b.s.waitRun(t, run.Msg.GetJobRun().GetId(), 10*time.Minute+time.Duration(b.rows/2000)*time.Second, final)
	rss := peakRSS(b.workerPID)
	after := processesCPU(clients...)
	var cpu *runCPU
	if servers != nil {
		cpu = &runCPU{Client: after[0] - before[0], API: after[1] - before[1], Temporal: after[2] - before[2]}
		if err := servers.stop(cpu); err != nil {
			t.Logf("%s %s %s: the servers' CPU seconds are incomplete: %v", j.dialect, j.path, j.mode, err)
		}
	}
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("%s %s %s: run ended %v: %s", j.dialect, j.path, j.mode, r.GetStatus(), r.GetError())
	}
	if n := j.count(); n != int64(b.rows) {
		t.Fatalf("%s %s %s: the destination holds %d rows, want %d", j.dialect, j.path, j.mode, n, b.rows)
	}
	res := benchResult{round: round, dialect: j.dialect, path: j.path, mode: j.mode, note: j.note,
		wall: r.GetCompletedAt().AsTime().Sub(trigger), phases: phasesOf(t, b.s, r, trigger), rss: rss, cpu: cpu}
	if j.src != "" {
		res.tableBytes = pgTableBytes(t, j.dsts[0])
	}
	b.record(res)
}

// runYardstick times a shell pipeline (bash, pipefail) after an untimed
// reset, checks the destination holds every row, and records it. With
// src and dst (PostgreSQL URLs, else "") it measures the CPU seconds of
// the pipeline and of those databases' server processes too (runCPU).
func (b *e2eBench) runYardstick(round int, dialect, name, note string, reset func(), script string, env []string, count func() int64, src, dst string) {
	t := b.t
	t.Helper()
	if reset != nil {
		reset()
	}
	cmd := exec.Command("bash", "-c", "set -o pipefail; "+script)
	cmd.Env = append(os.Environ(), env...)
	var servers *serverCPU
	if src != "" {
		servers = startServerCPU(src, src, dst)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", dialect, name, err, out)
	}
	var cpu *runCPU
	if servers != nil {
		// The shell's resource usage includes the processes it waited
		// for: the pipeline's clients.
		cpu = &runCPU{Client: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()}
		if err := servers.stop(cpu); err != nil {
			t.Logf("%s %s: the servers' CPU seconds are incomplete: %v", dialect, name, err)
		}
	}
	if n := count(); n != int64(b.rows) {
		t.Fatalf("%s %s: the destination holds %d rows, want %d", dialect, name, n, b.rows)
	}
	res := benchResult{round: round, dialect: dialect, path: name, note: note, wall: wall, cpu: cpu}
	if dst != "" {
		res.tableBytes = pgTableBytes(t, dst)
	}
	b.record(res)
}

// yardsticks are the yardstick results of a round and dialect, in the
// order they ran (the first is the dialect's pipe).
func (b *e2eBench) yardsticks(round int, dialect string) []benchResult {
	var out []benchResult
	for _, r := range b.results {
		if r.round == round && r.dialect == dialect && r.mode == "" {
			out = append(out, r)
		}
	}
	return out
}

// record keeps r and prints its line.
func (b *e2eBench) record(r benchResult) {
	var ratios []string
	for _, y := range b.yardsticks(r.round, r.dialect) {
		ratios = append(ratios, fmt.Sprintf("%.2fx %s", r.rate(b.rows)/y.rate(b.rows), y.path))
	}
	b.results = append(b.results, r)
	name := strings.TrimSpace(r.path + " " + r.mode)
	if r.note != "" {
		name += " (" + r.note + ")"
	}
	line := fmt.Sprintf("round %d %s %s: %d rows in %.2fs, %.0f rows/s", r.round, r.dialect, name, b.rows, r.wall.Seconds(), r.rate(b.rows))
	if len(ratios) > 0 {
		line += ", " + strings.Join(ratios, ", ")
	}
	if r.mode != "" {
		after := r.phases.Updates + r.phases.Finalize + r.phases.Verify
		line += fmt.Sprintf("; split %s; after the copy %.2fs (%.0f%%), verify %.0f%% of the run; worker peak RSS %s",
			r.phases, after.Seconds(), 100*after.Seconds()/r.wall.Seconds(), 100*r.phases.Verify.Seconds()/r.wall.Seconds(), r.rss)
	}
	if r.cpu != nil {
		client := "worker"
		if r.mode == "" {
			client = "psql clients"
		}
		line += "; " + r.cpu.String(client)
	}
	if r.tableBytes > 0 {
		line += fmt.Sprintf("; destination table %d MiB", r.tableBytes>>20)
	}
	b.printf("%s", line)
}

// summary prints, per dialect, destination and mode, the median ratio to
// each yardstick and the median verification share over the rounds,
// against the issue targets (the ratio to the dialect's pipe, the first
// yardstick).
func (b *e2eBench) summary() {
	type key struct{ dialect, path, mode, note string }
	ratios, shares := map[key]map[string][]float64{}, map[key][]float64{}
	cpuRatios := map[key][]float64{} // the pipe's CPU seconds over the run's, per round
	var order []key
	for _, r := range b.results {
		if r.mode == "" {
			continue
		}
		k := key{r.dialect, r.path, r.mode, r.note}
		if _, ok := ratios[k]; !ok {
			order, ratios[k] = append(order, k), map[string][]float64{}
		}
		for i, y := range b.yardsticks(r.round, r.dialect) {
			ratios[k][y.path] = append(ratios[k][y.path], r.rate(b.rows)/y.rate(b.rows))
			if i == 0 && y.cpu != nil && r.cpu != nil && r.cpu.Total() > 0 {
				cpuRatios[k] = append(cpuRatios[k], y.cpu.Total()/r.cpu.Total())
			}
		}
		shares[k] = append(shares[k], r.phases.Verify.Seconds()/r.wall.Seconds())
	}
	for _, k := range order {
		target := targetOwned
		if k.path == "appending" {
			target = targetAppending
		}
		var parts []string
		var pipe float64
		for i, y := range b.yardsticks(1, k.dialect) {
			rs := ratios[k][y.path]
			if i == 0 {
				pipe = median(rs)
			}
			parts = append(parts, fmt.Sprintf("%.2fx %s (%.2fx-%.2fx)", median(rs), y.path, slices.Min(rs), slices.Max(rs)))
		}
		name := k.path + " " + k.mode
		if k.note != "" {
			name += " (" + k.note + ")"
		}
		cpu := ""
		if rs := cpuRatios[k]; len(rs) > 0 {
			cpu = fmt.Sprintf("; in CPU seconds (every side, servers included) %.2fx the pipe (%.2fx-%.2fx)", median(rs), slices.Min(rs), slices.Max(rs))
		}
		b.printf("summary %s %s, median of %d round(s): %s; target >= %.2fx the pipe %s; verify %.0f%% of the run, target < %.0f%% %s%s",
			k.dialect, name, len(shares[k]), strings.Join(parts, ", "), target, metOrNot(pipe >= target),
			100*median(shares[k]), 100*targetVerify, metOrNot(median(shares[k]) < targetVerify), cpu)
	}
}

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchEnvInt reads a positive integer setting, def when unset.
func benchEnvInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// picked reports whether NEOSYNC_BENCH_JOBS (a comma-separated list of
// path-mode names: owned-transformed, owned-passthrough,
// appending-transformed, appending-passthrough, and fanout-transformed for
// the job with two destinations) names job j; every job when it is unset.
// The dialect's pipe runs in every round either way.
func (b *e2eBench) picked(j benchJob) bool {
	list := os.Getenv("NEOSYNC_BENCH_JOBS")
	if list == "" {
		return true
	}
	name := j.path + "-" + j.mode
	if len(j.dsts) > 1 {
		name = "fanout-" + j.mode
	}
	for _, n := range strings.Split(list, ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

// loadAverage is the 1-minute load average, "?" when unknown: the machine
// is shared, and the figures only mean something beside it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// benchMappings maps every column of table schema.users: the benchmark's
// transformers when transformed, else passthrough.
func benchMappings(schema string, transformed bool) []*mgmt.JobMapping {
	var out []*mgmt.JobMapping
	for _, c := range benchColumns {
		source := "passthrough"
		if tr, ok := benchTransforms[c]; ok && transformed {
			source = tr
		}
		out = append(out, &mgmt.JobMapping{Schema: schema, Table: "users", Column: c, Transformer: &mgmt.JobMappingTransformer{Source: source}})
	}
	return out
}

// createBenchJob creates the job of one (dialect, destination, mode) from
// connection srcID to dstID: owned is init_schema + truncate, else the job
// appends into the table already there.
func (b *e2eBench) createBenchJob(dialect, path, mode, srcID, dstID, schema string, moreDstIDs ...string) string {
	t := b.t
	t.Helper()
	owned := strings.HasPrefix(path, "owned")
	var dests []*mgmt.JobDestinationCreate
	for _, id := range append([]string{dstID}, moreDstIDs...) {
		dests = append(dests, &mgmt.JobDestinationCreate{ConnectionId: id, Options: &mgmt.JobDestinationOptions{InitTableSchema: owned, TruncateBeforeInsert: owned}})
	}
	job, err := b.s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: b.s.accountID, JobName: fmt.Sprintf("bench-%s-%s-%s", dialect, path, mode),
		Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: srcID}}},
		Destinations: dests,
		Mappings:     benchMappings(schema, mode == "transformed"),
	}))
	if err != nil {
		t.Fatalf("CreateJob %s %s %s: %v", dialect, path, mode, err)
	}
	return job.Msg.GetJob().GetId()
}
