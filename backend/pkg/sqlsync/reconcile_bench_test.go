package sqlsync

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// BenchmarkReconcile measures a retry's cleanup on PostgreSQL: the
// Reconcile of the 1,000,000 source keys past a checkpoint (the table's
// start) into a destination that holds the first 500,000 of them (the
// interrupted attempt's batches), with the user's own row far ahead. It
// reports CPU seconds per Reconcile — this process and the source's and
// destination's server processes, which the machine's load does not
// change as it does wall time — for the delete of every row a key names
// (an owned table, and what every table got before) and for the delete of
// the complete leading batches only (a table the job does not own).
// BENCH_RECONCILE_ROWS changes the number of keys.
func BenchmarkReconcile(b *testing.B) {
	rows := 1_000_000
	if n, err := strconv.Atoi(envOr("BENCH_RECONCILE_ROWS", "")); err == nil && n > 0 {
		rows = n
	}
	src, dst := newPGDB(b), newPGDB(b)
	items := `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL)`
	src.exec(b, items, `INSERT INTO public.items SELECT g, 'item' || g FROM generate_series(1, `+strconv.Itoa(rows)+`) g`, `VACUUM ANALYZE public.items`)
	dst.exec(b, items)
	ctx := testCtx(b)
	e := NewEngine(registry, nil)
	job := passthroughJob(b, src, "public", []string{"items"})
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	if err != nil {
		b.Fatal(err)
	}
	table := plan.Table(sqlschema.TableName{Schema: "public", Table: "items"})
	for _, mode := range []struct {
		name string
		rw   syncdriver.Rewind
	}{
		{"every-match", syncdriver.Rewind{Owned: true}},
		{"complete-batches", syncdriver.Rewind{Batch: 100_000}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var cpu time.Duration
			for range b.N {
				b.StopTimer()
				dst.exec(b, `TRUNCATE public.items`,
					`INSERT INTO public.items SELECT g, 'item' || g FROM generate_series(1, `+strconv.Itoa(rows/2)+`) g`,
					`INSERT INTO public.items VALUES (`+strconv.Itoa(rows-10)+`, 'mine')`, `VACUUM ANALYZE public.items`)
				d := Destination{Name: "dst", DB: dst.db}
				d, err := e.resolve(ctx, plan, src.db, d)
				if err != nil {
					b.Fatal(err)
				}
				j := e.tableJob(plan, table, Source{DB: src.db}, d, nil)
				side, err := driverOf(dst.db).OpenCopy(ctx, j, table.Written())
				if err != nil {
					b.Fatal(err)
				}
				before := reconcileCPU(ctx, b, src, dst)
				b.StartTimer()
				err = side.Reconcile(ctx, Checkpoint{Table: table.Name, Key: []string{"0"}}, mode.rw)
				b.StopTimer()
				cpu += reconcileCPU(ctx, b, src, dst) - before
				side.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "CPU-s/op")
		})
	}
}

// reconcileCPU is the CPU time so far of this process and of the server
// processes of src's and dst's databases (backendCPU).
func reconcileCPU(ctx context.Context, b *testing.B, src, dst *pgDB) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	total := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	for _, db := range []*pgDB{src, dst} {
		c, err := backendCPU(ctx, db.db)
		if err != nil {
			b.Skipf("no CPU seconds of the servers: %v", err)
		}
		total += c
	}
	return total
}
