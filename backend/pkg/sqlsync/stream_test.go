package sqlsync

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// inspectorSource is a RowSource over sqlschema's StreamRows and RowCount:
// the text rows the API's ConnectionDataService streams to the CLI come
// from exactly these calls.
type inspectorSource struct {
	insp  sqlschema.Inspector
	batch int
}

func (s *inspectorSource) Rows(ctx context.Context, t *syncplan.Table, cols []string, fn func([][]*string) error) error {
	var idx []int
	return s.insp.StreamRows(ctx, t.Name, t.Filter, s.batch, func(columns []string, batch [][]*string) error {
		if idx == nil {
			for _, c := range cols {
				i := slices.Index(columns, c)
				if i < 0 {
					return fmt.Errorf("no column %q", c)
				}
				idx = append(idx, i)
			}
		}
		out := make([][]*string, len(batch))
		for r, row := range batch {
			vals := make([]*string, len(idx))
			for k, i := range idx {
				vals[k] = row[i]
			}
			out[r] = vals
		}
		return fn(out)
	})
}

func (s *inspectorSource) Count(ctx context.Context, t *syncplan.Table) (int64, error) {
	return s.insp.RowCount(ctx, t.Name, t.Filter)
}

// streamPlan builds the plan of job over the source the way the CLI does:
// from an already-read schema (syncplan.NewPlan).
func streamPlan(t *testing.T, srcDB *sqlconnect.DB, job syncplan.Job, schemas []string) *syncplan.Plan {
	t.Helper()
	s, err := syncplan.ReadSchema(testCtx(t), srcDB, schemas)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := syncplan.NewPlan(s, job, registry)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return plan
}

func TestStreamPostgresEveryType(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgFixture(t, src)
	job := passthroughJob(t, src, pgSchema, pgTables)
	job.Source = src.cfg
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 7}
	plan := streamPlan(t, src.db, job, []string{pgSchema})
	rs := &inspectorSource{insp: sqlschema.NewPostgresInspector(src.db.Postgres), batch: 5}
	d := Destination{Name: "dst", DB: dst.db, Options: opts}
	var progressed int64
	rep, err := newTestEngine().RunStream(testCtx(t), plan, rs, d, 0, func(p Progress) { progressed = max(progressed, p.Rows) })
	if err != nil {
		t.Fatalf("RunStream: %v", err)
	}
	assertSameRows(t, src, dst, pgSchema, pgTables)
	if !rep.OK() || len(rep.Tables) != len(pgTables) || len(rep.Leaks) != 0 {
		t.Fatalf("report:\n%s", rep)
	}
	if progressed == 0 {
		t.Fatal("no progress reported")
	}
	var id int64
	dst.exec(t, `INSERT INTO `+qs+`."Employee" (name) VALUES ('new')`)
	if err := dst.db.Postgres.QueryRow(testCtx(t), `SELECT max(id) FROM `+qs+`."Employee"`).Scan(&id); err != nil || id != 32 {
		t.Fatalf("serial after load: id %d, %v", id, err)
	}
	// Running again into the same (owned) tables replaces their rows.
	if _, err := newTestEngine().RunStream(testCtx(t), plan, rs, d, 1, nil); err != nil {
		t.Fatalf("second RunStream: %v", err)
	}
	assertSameRows(t, src, dst, pgSchema, pgTables)
}

// TestStreamPostgresCycleIntoExistingSchema loads the three-table cycle
// and the self reference into tables that already exist with their
// foreign keys enforced: the nullable keys go in NULL and the update pass
// fills them in.
func TestStreamPostgresCycleIntoExistingSchema(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgFixture(t, src)
	tables := []string{"a", "b", "c", "Employee"}
	job := passthroughJob(t, src, pgSchema, tables)
	job.Source = src.cfg
	plan := streamPlan(t, src.db, job, []string{pgSchema})
	e := newTestEngine()
	// The existing schema: tables, keys and foreign keys, no rows.
	schema := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true}}
	assertNoError(t, "create schema", e.PrepareDestination(testCtx(t), plan, schema))
	assertNoError(t, "create constraints", e.Finalize(testCtx(t), plan, schema))
	var fks int64
	if err := dst.db.Postgres.QueryRow(testCtx(t), `SELECT count(*) FROM pg_constraint WHERE contype = 'f'`).Scan(&fks); err != nil || fks != 4 {
		t.Fatalf("foreign keys before the load: %d, %v", fks, err)
	}
	if len(plan.Cycles) != 2 {
		t.Fatalf("cycles: %+v", plan.Cycles)
	}
	rs := &inspectorSource{insp: sqlschema.NewPostgresInspector(src.db.Postgres), batch: 3}
	rep, err := e.RunStream(testCtx(t), plan, rs, Destination{Name: "dst", DB: dst.db}, 2, nil)
	if err != nil {
		t.Fatalf("RunStream: %v", err)
	}
	assertSameRows(t, src, dst, pgSchema, tables)
	if !rep.OK() {
		t.Fatalf("report:\n%s", rep)
	}
}

func TestStreamMySQLEveryType(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, " Src`☕"), newMySQLDB(t, "_dst")
	mysqlFixture(t, src)
	job := mysqlPassthroughJob(t, src, mysqlTables)
	plan := streamPlan(t, src.db, job, []string{src.name})
	rs := &inspectorSource{insp: sqlschema.NewMySQLInspector(src.db.MySQL), batch: 2}
	d := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{
		InitSchema: true, Truncate: true, BatchSize: 2, SchemaMap: map[string]string{src.name: dst.name}}}
	rep, err := newTestEngine().RunStream(testCtx(t), plan, rs, d, 0, nil)
	if err != nil {
		t.Fatalf("RunStream: %v", err)
	}
	assertSameMySQLRows(t, src, dst, mysqlTables)
	// DOUBLE is exact through the text stream; single precision FLOAT
	// arrives as the server displays it (six significant digits), which
	// the comparison above (SELECT *, also displayed) cannot tell apart.
	exact := "SELECT id, CAST(d AS CHAR) FROM `All Types`"
	if want, got := src.rows(t, exact), dst.rows(t, exact); !reflect.DeepEqual(want, got) {
		t.Fatalf("floating point values differ: %q vs %q", want, got)
	}
	if !rep.OK() {
		t.Fatalf("report:\n%s", rep)
	}
	fks := dst.rows(t, "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()")
	if len(fks) != 5 {
		t.Fatalf("destination foreign keys: %v", fks)
	}
}

func TestStreamMySQLCycleIntoExistingSchema(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlFixture(t, src)
	tables := []string{"a", "b", "c", "Employee"}
	job := mysqlPassthroughJob(t, src, tables)
	plan := streamPlan(t, src.db, job, []string{src.name})
	e := newTestEngine()
	opts := syncplan.DestinationOptions{SchemaMap: map[string]string{src.name: dst.name}}
	schema := Destination{Name: "dst", DB: dst.db, Options: opts}
	schema.Options.InitSchema = true
	assertNoError(t, "create schema", e.PrepareDestination(testCtx(t), plan, schema))
	assertNoError(t, "create constraints", e.Finalize(testCtx(t), plan, schema))
	if fks := dst.rows(t, "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"); len(fks) != 4 {
		t.Fatalf("foreign keys before the load: %v", fks)
	}
	rs := &inspectorSource{insp: sqlschema.NewMySQLInspector(src.db.MySQL), batch: 3}
	rep, err := e.RunStream(testCtx(t), plan, rs, Destination{Name: "dst", DB: dst.db, Options: opts}, 2, nil)
	if err != nil {
		t.Fatalf("RunStream: %v", err)
	}
	assertSameMySQLRows(t, src, dst, tables)
	if !rep.OK() {
		t.Fatalf("report:\n%s", rep)
	}
}

// TestStreamRejectsShortRows checks that a source sending the wrong
// number of values fails the table with a message saying so.
func TestStreamRejectsShortRows(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE TABLE public.t (id int PRIMARY KEY, v text)`)
	dst.exec(t, `CREATE TABLE public.t (id int PRIMARY KEY, v text)`)
	job := passthroughJob(t, src, "public", []string{"t"})
	job.Source = src.cfg
	plan := streamPlan(t, src.db, job, []string{"public"})
	_, err := newTestEngine().LoadTable(testCtx(t), plan, sqlschema.TableName{Schema: "public", Table: "t"}, shortSource{}, Destination{Name: "dst", DB: dst.db}, nil)
	if err == nil || !strings.Contains(err.Error(), "sent 1 values for 2 columns") {
		t.Fatalf("err = %v", err)
	}
}

type shortSource struct{}

func (shortSource) Rows(_ context.Context, _ *syncplan.Table, _ []string, fn func([][]*string) error) error {
	v := "1"
	return fn([][]*string{{&v}})
}

func (shortSource) Count(context.Context, *syncplan.Table) (int64, error) { return 1, nil }
