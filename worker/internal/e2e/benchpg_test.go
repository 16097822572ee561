package e2e_test

import (
	"fmt"
	"strings"
)

// pgUsersTable is the benchmark's table on PostgreSQL: the layout of `make
// bench` (backend/pkg/sqlsync), keyed by id.
const pgUsersTable = `CREATE TABLE public.users (
	id bigint PRIMARY KEY, email text NOT NULL, first_name text, last_name text, ssn text,
	phone text, age integer, balance numeric(12,2), created_at timestamptz NOT NULL, active boolean)`

// pgUsersRows fills public.users with rows rows (no NULLs).
const pgUsersRows = `INSERT INTO public.users SELECT g, 'user' || g || '@example.com', 'first' || g, 'last' || g,
	lpad((g::bigint * 7919 %% 1000000000)::text, 9, '0'), '+1555' || lpad(g::text, 7, '0'), g %% 97,
	(g %% 100000) / 100.0, '2020-01-01'::timestamptz + g * interval '1 second', g %% 2 = 0
	FROM generate_series(1, %d) g`

// pgBench is the PostgreSQL side: one source database, the pipe's
// destination and one destination database per job, all on the local
// server.
type pgBench struct {
	src, pipe string
	jobs      []benchJob
}

// setupPostgres creates and fills the source, creates the destinations
// (an appending one gets the table with its key) and the four jobs.
func (b *e2eBench) setupPostgres() *pgBench {
	t := b.t
	p := &pgBench{src: newDatabase(t, "neosync_bench_src"), pipe: newDatabase(t, "neosync_bench_pipe")}
	execSQL(t, p.src, pgUsersTable)
	execSQL(t, p.src, fmt.Sprintf(pgUsersRows, b.rows))
	execSQL(t, p.src, "VACUUM ANALYZE public.users")
	execSQL(t, p.pipe, pgUsersTable)
	srcID := b.s.connection(t, "bench-pg-src", p.src)
	for _, path := range []string{"owned", "appending"} {
		for _, mode := range []string{"transformed", "passthrough"} {
			dst := newDatabase(t, "neosync_bench_"+path)
			reset := func() { execSQL(t, dst, "CHECKPOINT") }
			if path == "appending" {
				execSQL(t, dst, pgUsersTable)
				reset = func() { execSQL(t, dst, "TRUNCATE public.users; CHECKPOINT") }
			}
			p.jobs = append(p.jobs, benchJob{dialect: "postgres", path: path, mode: mode, reset: reset, src: p.src, dsts: []string{dst},
				id:    b.createBenchJob("postgres", path, mode, srcID, b.s.connection(t, "bench-pg-"+path+"-"+mode, dst), "public"),
				count: func() int64 { return queryInt(t, dst, "SELECT count(*) FROM public.users") }})
		}
	}
	// Two owned destinations fed from one read of the source (fan-out),
	// transformed: the same rows written twice.
	d1, d2 := newDatabase(t, "neosync_bench_fan1"), newDatabase(t, "neosync_bench_fan2")
	p.jobs = append(p.jobs, benchJob{dialect: "postgres", path: "owned", mode: "transformed", note: "2 destinations", src: p.src, dsts: []string{d1, d2},
		reset: func() { execSQL(t, d1, "CHECKPOINT"); execSQL(t, d2, "CHECKPOINT") },
		id:    b.createBenchJob("postgres", "owned-2", "transformed", srcID, b.s.connection(t, "bench-pg-fan1", d1), "public", b.s.connection(t, "bench-pg-fan2", d2)),
		count: func() int64 {
			n1, n2 := queryInt(t, d1, "SELECT count(*) FROM public.users"), queryInt(t, d2, "SELECT count(*) FROM public.users")
			if n1 != n2 {
				t.Fatalf("the two destinations hold %d and %d rows", n1, n2)
			}
			return n1
		}})
	return p
}

// round measures the psql pipe into the empty indexed copy, then the jobs.
func (p *pgBench) round(b *e2eBench, round int) {
	t := b.t
	cols := strings.Join(benchColumns, ", ")
	b.runYardstick(round, "postgres", "psql pipe", "",
		func() { execSQL(t, p.pipe, "TRUNCATE public.users; CHECKPOINT") },
		`psql -X -q "$SRC" -c "\copy (SELECT `+cols+` FROM public.users) TO STDOUT" | psql -X -q "$DST" -c "\copy public.users (`+cols+`) FROM STDIN"`,
		[]string{"SRC=" + p.src, "DST=" + p.pipe},
		func() int64 { return queryInt(t, p.pipe, "SELECT count(*) FROM public.users") }, p.src, p.pipe)
	for _, j := range p.jobs {
		b.runJob(round, j)
	}
}
