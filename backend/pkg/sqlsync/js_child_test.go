package sqlsync

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// childRegistry is a registry whose JavaScript transformers run in child
// processes (this test binary, see TestMain), as the worker's do.
func childRegistry(t testing.TB) *transformers.Registry {
	t.Helper()
	r, err := jsrunner.New(jsrunner.Config{Command: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	reg := transformers.NewRegistry()
	reg.RunJavaScriptIn(r.Host(ctx))
	return reg
}

// TestPostgresJavaScriptInChild copies a table whose column is transformed
// by JavaScript (reading the row, calling a neosync.* native and
// Math.random in consistent mode) with the JavaScript in child processes,
// batched per raw batch, on one converter (the pool is used anyway) and on
// three: the destination holds exactly what the in-process sandbox writes.
func TestPostgresJavaScriptInChild(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t,
		`CREATE TABLE public.users (id bigint PRIMARY KEY, email text, age integer)`,
		`INSERT INTO public.users SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'user' || g || '@example.com' END, g % 90 FROM generate_series(1, 3000) g`,
	)
	code := "return (value === null ? 'none' : neosync.transformEmail(value, {})) + ':' + input.age + ':' + Math.floor(Math.random() * 1000)"
	job := func(dst *pgDB) syncplan.Job {
		return syncplan.Job{
			Source: src.cfg,
			Key:    []byte("job key"),
			Mappings: []syncplan.Mapping{
				{Schema: "public", Table: "users", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
				{Schema: "public", Table: "users", Column: "age", Transformer: syncplan.Transformer{Source: "passthrough"}},
				{Schema: "public", Table: "users", Column: "email", Transformer: syncplan.Transformer{Source: "transform_javascript", Params: map[string]any{"code": code, "timeout_ms": 5000}}},
			},
			Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, BatchSize: 500}}},
		}
	}
	const rows = `SELECT id || ' ' || email FROM public.users ORDER BY id`
	local := newPGDB(t)
	if _, _, err := newTestEngine().Run(testCtx(t), job(local), nil); err != nil {
		t.Fatalf("in-process: %v", err)
	}
	want := local.rows(t, rows)
	reg := childRegistry(t)
	for _, workers := range []int{1, 3} {
		dst := newPGDB(t)
		e := NewEngine(reg, nil)
		e.Workers = workers
		_, res, err := e.Run(testCtx(t), job(dst), nil)
		if err != nil {
			t.Fatalf("%d workers: %v", workers, err)
		}
		if !res[0].Report.OK() {
			t.Fatalf("%d workers: report not OK:\n%s", workers, res[0].Report)
		}
		if got := dst.rows(t, rows); !reflect.DeepEqual(got, want) {
			t.Fatalf("%d workers: children wrote %.300q, in-process %.300q", workers, got, want)
		}
	}
}

// TestMySQLJavaScriptInChild copies a MySQL table whose column is
// transformed by JavaScript (a native, the row, Math.random in consistent
// mode) in child processes, row by row (the MySQL encoder does not batch):
// the destination holds exactly what the in-process sandbox writes.
func TestMySQLJavaScriptInChild(t *testing.T) {
	t.Parallel()
	src := newMySQLDB(t, "_src")
	src.exec(t, "CREATE TABLE users (id bigint PRIMARY KEY, nick varchar(200))",
		"INSERT INTO users SELECT seq, concat('nick', seq) FROM seq_1_to_300")
	code := "return neosync.transformFirstName(value, {}) + ':' + input.id + ':' + Math.floor(Math.random() * 1000)"
	run := func(reg *transformers.Registry) []string {
		dst := newMySQLDB(t, "_dst")
		job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: []syncplan.Mapping{
			{Schema: src.name, Table: "users", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
			{Schema: src.name, Table: "users", Column: "nick", Transformer: syncplan.Transformer{Source: "transform_javascript", Params: map[string]any{"code": code, "timeout_ms": 5000}}},
		}, Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
			InitSchema: true, BatchSize: 100, SchemaMap: map[string]string{src.name: dst.name}}}}}
		if _, _, err := NewEngine(reg, nil).Run(testCtx(t), job, nil); err != nil {
			t.Fatalf("Run: %v", err)
		}
		return dst.rows(t, "SELECT concat(id, ' ', nick) FROM users ORDER BY id")
	}
	want, got := run(registry), run(childRegistry(t))
	if len(want) != 300 || !reflect.DeepEqual(got, want) {
		t.Fatalf("children wrote %.300q, in-process %.300q", got, want)
	}
}

// BenchmarkPostgresJavaScript copies a table of 20,000 rows whose email
// column is transformed by JavaScript (a neosync.* native and the row),
// with the JavaScript in-process and in child processes (batched per raw
// batch), on the engine's default converters: rows/s of the whole copy
// (truncate and write into an existing table).
//
//	go test ./backend/pkg/sqlsync -run '^$' -bench PostgresJavaScript
func BenchmarkPostgresJavaScript(b *testing.B) {
	const rows = 20000
	ctx := context.Background()
	base := envOr("NEOSYNC_TEST_PG_URL", defaultPGURL)
	suffix := fmt.Sprintf("%08x", rand.Uint32())
	srcURL, dropSrc := benchDB(b, ctx, base, "sqlsync_benchjs_src_"+suffix)
	defer dropSrc()
	dstURL, dropDst := benchDB(b, ctx, base, "sqlsync_benchjs_dst_"+suffix)
	defer dropDst()
	for _, u := range []string{srcURL, dstURL} {
		c, err := pgx.Connect(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		_, err = c.Exec(ctx, `CREATE TABLE public.users (id bigint PRIMARY KEY, email text, age integer)`)
		if err == nil && u == srcURL {
			_, err = c.Exec(ctx, `INSERT INTO public.users SELECT g, 'user' || g || '@example.com', g % 90 FROM generate_series(1, $1) g`, rows)
		}
		_ = c.Close(ctx)
		if err != nil {
			b.Fatal(err)
		}
	}
	code := "return neosync.transformEmail(value, {}) + ':' + input.age"
	job := syncplan.Job{
		Source: sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: srcURL}, Key: []byte("job key"),
		Mappings: []syncplan.Mapping{
			{Schema: "public", Table: "users", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
			{Schema: "public", Table: "users", Column: "age", Transformer: syncplan.Transformer{Source: "passthrough"}},
			{Schema: "public", Table: "users", Column: "email", Transformer: syncplan.Transformer{Source: "transform_javascript", Params: map[string]any{"code": code, "timeout_ms": 5000}}},
		},
		Destinations: []syncplan.Destination{{Name: "dst", Conn: sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: dstURL},
			Options: syncplan.DestinationOptions{Truncate: true}}},
	}
	for _, c := range []struct {
		name string
		reg  *transformers.Registry
	}{{"in-process", registry}, {"child", childRegistry(b)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := NewEngine(c.reg, nil).Run(ctx, job, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
