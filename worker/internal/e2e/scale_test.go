package e2e_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// manyTablesSchema is tables t<from>…t<to-1> of rowsEach rows: an id, an email and, on
// every 10th table, a foreign key to the table before it.
func manyTablesSchema(from, to, rowsEach int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		ref := ""
		if i%10 == 9 {
			ref = fmt.Sprintf(", ref int REFERENCES t%04d (id)", i-1)
		}
		fmt.Fprintf(&b, "CREATE TABLE t%04d (id int PRIMARY KEY, email text NOT NULL%s);\n", i, ref)
		if ref != "" {
			fmt.Fprintf(&b, "INSERT INTO t%04d SELECT g, 'user' || g || '@example.com', g FROM generate_series(1, %d) g;\n", i, rowsEach)
		} else {
			fmt.Fprintf(&b, "INSERT INTO t%04d SELECT g, 'user' || g || '@example.com' FROM generate_series(1, %d) g;\n", i, rowsEach)
		}
	}
	return b.String()
}

func manyTablesMappings(n int, transform bool) []*mgmt.JobMapping {
	email := "passthrough"
	if transform {
		email = "transform_email"
	}
	var out []*mgmt.JobMapping
	for i := range n {
		table := fmt.Sprintf("t%04d", i)
		out = append(out, mapping(table, "id", "passthrough", nil), mapping(table, "email", email, nil))
		if i%10 == 9 {
			out = append(out, mapping(table, "ref", "passthrough", nil))
		}
	}
	return out
}

// historySize sums a workflow's history and its child workflows'
// histories: events and bytes.
func historySize(t *testing.T, c client.Client, workflowID string) (events int, bytes int, workflows int, largest int) {
	t.Helper()
	iter := c.GetWorkflowHistory(testCtx(t, time.Minute), workflowID, "", false, 0)
	own := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", workflowID, err)
		}
		events++
		own++
		bytes += proto.Size(e)
		if a := e.GetChildWorkflowExecutionStartedEventAttributes(); a != nil {
			ce, cb, cw, cl := historySize(t, c, a.GetWorkflowExecution().GetWorkflowId())
			events, bytes, workflows, largest = events+ce, bytes+cb, workflows+cw, max(largest, cl)
		}
	}
	return events, bytes, workflows + 1, max(largest, own)
}

// rpcCalls is the API's count of calls per procedure (its
// neosync_rpc_requests_total, every status code), the procedure named
// without its package ("WorkerService/PutRangeSketch").
func rpcCalls(t *testing.T, metricsAddr string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, l := range scrape(t, "http://"+metricsAddr+"/metrics").lines {
		if !strings.HasPrefix(l, "neosync_rpc_requests_total{") {
			continue
		}
		_, proc, ok := strings.Cut(l, `procedure="/mgmt.v1alpha1.`)
		if !ok {
			continue
		}
		proc = proc[:strings.IndexByte(proc, '"')]
		v, err := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", l, err)
		}
		out[proc] += v
	}
	return out
}

// callsPerTable says which procedures were called between two rpcCalls
// counts, as calls per table, most called first, and returns the calls
// per table.
func callsPerTable(before, after map[string]float64, tables int) (string, float64) {
	diff := map[string]float64{}
	total := 0.0
	for p, n := range after {
		if d := n - before[p]; d > 0 {
			diff[p] = d
			total += d
		}
	}
	procs := slices.SortedFunc(maps.Keys(diff), func(a, b string) int {
		if diff[a] != diff[b] {
			if diff[a] > diff[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	parts := []string{fmt.Sprintf("%.0f calls, %.2f per table", total, total/float64(tables))}
	for _, p := range procs {
		parts = append(parts, fmt.Sprintf("%s %.0f (%.2f)", strings.TrimPrefix(p, "WorkerService/"), diff[p], diff[p]/float64(tables)))
	}
	return strings.Join(parts, ", "), total / float64(tables)
}

// cpuTime is the CPU time (user + system) a process has used so far, 0
// when unknown.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// utime and stime are the 14th and 15th fields, the 12th and 13th
	// after the command's closing parenthesis; in ticks of USER_HZ (100).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / 100
}

// TestManyTables copies schemas of 20, 200 and 2,000 tables, passthrough
// and with an email transformed in each, through the whole platform: every
// table's rows exact, every key and foreign key present, no table left
// pending, and the workflow history bounded per workflow. It reports,
// per job, the API calls the run made (per procedure and per table) and
// the CPU time of the worker, the API and the Temporal dev server.
func TestManyTables(t *testing.T) {
	t.Parallel()
	apiMetrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s := startStack(t, "NEOSYNC_METRICS_ADDR="+apiMetrics)
	worker := s.startWorker(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	const rowsEach = 100
	sources := map[int]string{} // one source per size, shared by its jobs
	for _, c := range []struct {
		tables    int
		transform bool
	}{{20, false}, {200, false}, {200, true}, {2000, true}, {2000, false}} {
		src, ok := sources[c.tables]
		if !ok {
			src = newDatabase(t, "neosync_e2e_many")
			// In transactions of 100 tables: one transaction creating
			// 2,000 would need more locks than a default server's lock
			// table holds (max_locks_per_transaction 64 × connections).
			for from := 0; from < c.tables; from += 100 {
				execSQL(t, src, manyTablesSchema(from, min(from+100, c.tables), rowsEach))
			}
			sources[c.tables] = src
		}
		dst := newDatabase(t, "neosync_e2e_many")
		ctx := testCtx(t, 10*time.Minute)
		job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
			AccountId: s.accountID, JobName: fmt.Sprintf("many-%d-%v", c.tables, c.transform),
			Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, fmt.Sprintf("msrc-%d-%v", c.tables, c.transform), src)}}},
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, fmt.Sprintf("mdst-%d-%v", c.tables, c.transform), dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}},
			Mappings:     manyTablesMappings(c.tables, c.transform),
		}))
		if err != nil {
			t.Fatalf("%d tables: CreateJob: %v", c.tables, err)
		}
		calls := rpcCalls(t, apiMetrics)
		cpu := []time.Duration{cpuTime(worker.Process.Pid), cpuTime(s.apiPid), cpuTime(temporalPid)}
		started := time.Now()
		run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
		if err != nil {
			t.Fatal(err)
		}
		r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 10*time.Minute, final)
		took := time.Since(started)
		cpu = []time.Duration{cpuTime(worker.Process.Pid) - cpu[0], cpuTime(s.apiPid) - cpu[1], cpuTime(temporalPid) - cpu[2]}
		after := rpcCalls(t, apiMetrics)
		for _, p := range []string{"JobService/CreateJobRun", "JobService/GetJobRun"} { // the test's: the trigger and waitRun's polls
			delete(calls, p)
			delete(after, p)
		}
		if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
			t.Fatalf("%d tables: run ended %v: %s", c.tables, r.GetStatus(), r.GetError())
		}
		if len(r.GetTables()) != c.tables {
			t.Fatalf("%d tables: the run records %d tables", c.tables, len(r.GetTables()))
		}
		for _, tp := range r.GetTables() {
			if tp.GetState() != "complete" || tp.GetRowsDone() != rowsEach {
				t.Fatalf("%d tables: %s.%s %s with %d rows", c.tables, tp.GetSchema(), tp.GetTable(), tp.GetState(), tp.GetRowsDone())
			}
		}
		// Counted 100 tables per statement: one statement over 2,000
		// tables locks each table and its key's index, more than a
		// default server's shared lock table holds while other tests run
		// ("out of shared memory").
		var wrong int64
		for lo := 0; lo < c.tables; lo += 100 {
			var counts []string
			for i := lo; i < min(lo+100, c.tables); i++ {
				counts = append(counts, fmt.Sprintf("SELECT count(*) AS n FROM t%04d", i))
			}
			wrong += queryInt(t, dst, "SELECT count(*) FROM ("+strings.Join(counts, " UNION ALL ")+fmt.Sprintf(") c WHERE n <> %d", rowsEach))
		}
		if wrong != 0 {
			t.Fatalf("%d tables: %d destination tables do not hold %d rows", c.tables, wrong, rowsEach)
		}
		constraints := "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'f') AND convalidated"
		if got, want := queryInt(t, dst, constraints), queryInt(t, src, constraints); got != want {
			t.Fatalf("%d tables: destination has %d keys and foreign keys, source %d", c.tables, got, want)
		}
		if c.transform {
			if leaked := queryInt(t, dst, "SELECT count(*) FROM t0005 WHERE email LIKE 'user%@example.com'"); leaked != 0 {
				t.Fatalf("%d emails were copied unchanged", leaked)
			}
		}
		t.Logf("%d tables: %s", c.tables, phaseSplit(t, s, r))
		said, perTable := callsPerTable(calls, after, c.tables)
		t.Logf("%d tables (transform=%v): API calls: %s", c.tables, c.transform, said)
		// A small table costs its run one API call (its completion);
		// pending rows and leak sketches go many tables a call. (Before,
		// 4 calls per table, 6 with a transformed column.)
		if c.tables >= 200 && perTable > 1.5 {
			t.Errorf("%d tables: %.2f API calls per table", c.tables, perTable)
		}
		t.Logf("%d tables (transform=%v): CPU worker %.2fs, API %.2fs, Temporal %.2fs; load average %s", c.tables, c.transform,
			cpu[0].Seconds(), cpu[1].Seconds(), cpu[2].Seconds(), loadAverage())
		events, bytes, workflows, largest := historySize(t, tc, r.GetWorkflowId())
		t.Logf("%d tables (transform=%v): complete in %v (%.1f ms per table); history %d events, %.1f KiB in %d workflows (largest %d events)",
			c.tables, c.transform, took.Round(time.Millisecond), float64(took.Milliseconds())/float64(c.tables), events, float64(bytes)/1024, workflows, largest)
		// Bounded by design: no workflow holds more than a chunk's events,
		// and the bytes per table stay small (no plan in the history).
		if largest > 4000 {
			t.Errorf("%d tables: one workflow has %d history events", c.tables, largest)
		}
		if perTable := bytes / c.tables; perTable > 4096 {
			t.Errorf("%d tables: %d history bytes per table", c.tables, perTable)
		}
		t.Logf("%d tables: peak RSS so far: worker %s, API %s", c.tables, peakRSS(worker.Process.Pid), peakRSS(s.apiPid))
	}
}

// phaseSplit says how long each phase of a finished run took (see
// runPhases), counted from the run's start.
func phaseSplit(t *testing.T, s *stack, r *mgmt.JobRun) string {
	t.Helper()
	return phasesOf(t, s, r, r.GetStartedAt().AsTime()).String()
}

// peakRSS is a process's peak resident set size (VmHWM), "?" when unknown.
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
			}
		}
	}
	return "?"
}
