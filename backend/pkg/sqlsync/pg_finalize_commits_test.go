package sqlsync

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPostgresFinalizeCommits measures what Finalize costs the destination
// over many small tables (the bench-tables schema: 100 rows, a primary key
// each, and on every 10th table a foreign key to the previous one): the transactions it commits, from
// pg_stat_database, a figure the machine's load does not change, and its
// wall time. Run with NEOSYNC_FINALIZE_COMMITS=<tables> (e.g. 2000).
func TestPostgresFinalizeCommits(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("NEOSYNC_FINALIZE_COMMITS"))
	if n <= 0 {
		t.Skip("NEOSYNC_FINALIZE_COMMITS=<tables> runs it")
	}
	src, dst := newPGDB(t), newPGDB(t)
	var b strings.Builder
	b.WriteString("CREATE SCHEMA app;\n")
	var tables []string
	for i := range n {
		ref := ""
		if i%10 == 9 {
			ref = fmt.Sprintf(", ref int REFERENCES app.t%04d (id)", i-1)
		}
		fmt.Fprintf(&b, "CREATE TABLE app.t%04d (id int PRIMARY KEY, email text NOT NULL%s);\n", i, ref)
		fmt.Fprintf(&b, "INSERT INTO app.t%04d SELECT g, 'e' || g || '@example.com'%s FROM generate_series(1, 100) g;\n", i, map[bool]string{true: ", g", false: ""}[ref != ""])
		tables = append(tables, fmt.Sprintf("t%04d", i))
		if i%100 == 99 || i == n-1 {
			// A transaction of a few hundred tables' locks at most.
			src.exec(t, b.String())
			b.Reset()
		}
	}
	e, plan, d := pgLoadedTables(t, src, dst, tables)
	commits := func() int64 {
		// Sessions flush their counters when they end: end the pool's.
		dst.exec(t, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
		time.Sleep(time.Second)
		r := dst.rows(t, `SELECT pg_stat_clear_snapshot()::text || xact_commit::text FROM pg_stat_database WHERE datname = current_database()`)
		v, _ := strconv.ParseInt(r[0], 10, 64)
		return v
	}
	before := commits()
	start := time.Now()
	if err := e.Finalize(testCtx(t), plan, d); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	after := commits()
	t.Logf("FINALIZE %d tables, %d objects: %d commits on the destination, %s", n, n+n/10, after-before, took.Round(time.Millisecond))
}
