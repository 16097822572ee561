package sqlsync

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgPartitionFixture creates a partitioned schema: a range-partitioned
// table with a hash-partitioned partition and a default partition, a
// partitioned index and a partition's own index and check, foreign keys
// from and to the partitioned table, an extension type from another
// schema (citext), an extension in the schema itself (hstore), and a
// composite type holding an enum and an enum array, also as an array.
func pgPartitionFixture(t *testing.T, db *pgDB) {
	db.exec(t,
		`CREATE SCHEMA ext`,
		`CREATE EXTENSION citext WITH SCHEMA ext`,
		`CREATE SCHEMA "Sh op"`,
		`CREATE EXTENSION hstore WITH SCHEMA "Sh op"`,
		`CREATE TYPE "Sh op".mood AS ENUM ('sad', 'happy')`,
		`CREATE TYPE "Sh op"."Addr" AS (street text, zip integer, mood "Sh op".mood, moods "Sh op".mood[])`,
		`CREATE TABLE "Sh op".users (id integer PRIMARY KEY, email ext.citext UNIQUE NOT NULL)`,
		`CREATE TABLE "Sh op".events (
			id bigint NOT NULL, at date NOT NULL, user_id integer REFERENCES "Sh op".users (id),
			email ext.citext, home "Sh op"."Addr", homes "Sh op"."Addr"[], attrs "Sh op".hstore,
			PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
		`CREATE TABLE "Sh op".events_2024 PARTITION OF "Sh op".events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY HASH (id)`,
		`CREATE TABLE "Sh op".events_2024_0 PARTITION OF "Sh op".events_2024 FOR VALUES WITH (MODULUS 2, REMAINDER 0)`,
		`CREATE TABLE "Sh op".events_2024_1 PARTITION OF "Sh op".events_2024 FOR VALUES WITH (MODULUS 2, REMAINDER 1)`,
		`CREATE TABLE "Sh op".events_2025 PARTITION OF "Sh op".events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
		`CREATE TABLE "Sh op".events_other PARTITION OF "Sh op".events DEFAULT`,
		`CREATE INDEX events_email ON "Sh op".events (email)`,
		`CREATE INDEX events_2025_user ON "Sh op".events_2025 (user_id)`,
		`ALTER TABLE "Sh op".events_2025 ADD CONSTRAINT events_2025_positive CHECK (id > 0)`,
		`CREATE TABLE "Sh op".notes (id serial PRIMARY KEY, event_id bigint, event_at date, body text,
			FOREIGN KEY (event_id, event_at) REFERENCES "Sh op".events (id, at))`,
		`INSERT INTO "Sh op".users SELECT g, 'User' || g || '@Example.com' FROM generate_series(1, 20) g`,
		`INSERT INTO "Sh op".events
			SELECT g, DATE '2024-01-01' + (g * 3), 1 + g % 20, CASE WHEN g % 7 = 0 THEN NULL ELSE 'E' || g || '@x.org' END,
				CASE WHEN g % 5 = 0 THEN NULL ELSE ROW('Street ' || g, g, CASE WHEN g % 2 = 0 THEN 'sad' ELSE 'happy' END, ARRAY['sad', NULL, 'happy'])::"Sh op"."Addr" END,
				ARRAY[ROW('a', 1, 'sad', NULL)::"Sh op"."Addr", NULL, ROW(NULL, NULL, NULL, ARRAY['happy'])::"Sh op"."Addr"],
				('k' || g || '=>v, "x y"=>NULL')::"Sh op".hstore
			FROM generate_series(1, 400) g`,
		`INSERT INTO "Sh op".notes (event_id, event_at, body) SELECT id, at, 'note ' || id FROM "Sh op".events WHERE id % 3 = 0`,
	)
}

var partitionTables = []string{"users", "events", "events_2024", "events_2024_0", "events_2024_1", "events_2025", "events_other", "notes"}

func TestPostgresInitSchemaPartitionsExtensionsComposites(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgPartitionFixture(t, src)
	job := passthroughJob(t, src, "Sh op", partitionTables)
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 50}}}
	plan, res := runJob(t, job)

	// Partitions are created, not copied: their rows come through events.
	var names []string
	for _, tb := range plan.Tables {
		names = append(names, tb.Name.Table)
	}
	if want := []string{"users", "events", "notes"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("plan tables %v, want %v\n%s", names, want, plan)
	}
	if len(plan.Partitions) != 5 || plan.Partitions[4].Parent.Table != "events_2024" {
		t.Fatalf("plan partitions %+v", plan.Partitions)
	}
	if !strings.Contains(plan.String(), "Sh op.events_2024_0: partition of Sh op.events_2024 FOR VALUES WITH (modulus 2, remainder 0)") {
		t.Fatalf("plan does not list partitions:\n%s", plan)
	}
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	assertSameRows(t, src, dst, "Sh op", partitionTables)
	if got := dst.count(t, `"Sh op".events`); got != 400 {
		t.Fatalf("events rows = %d, want 400 (each once)", got)
	}

	// The destination has the same structure: partitioning, bounds,
	// constraints (inherited ones included, by the same names), indexes
	// and the extensions.
	sameStructure := func() {
		t.Helper()
		for _, q := range []string{
			`SELECT c.relname || ':' || c.relkind::text || ':' || coalesce(pg_get_partkeydef(c.oid), '') || ':' || coalesce(pg_get_expr(c.relpartbound, c.oid), '')
				FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'Sh op' AND c.relkind IN ('r', 'p') ORDER BY 1`,
			`SELECT c.relname || '.' || con.conname || ':' || pg_get_constraintdef(con.oid) || ':' || con.convalidated::text FROM pg_constraint con
				JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'Sh op' ORDER BY 1`,
			`SELECT tablename || ':' || indexdef FROM pg_indexes WHERE schemaname = 'Sh op' AND indexname NOT LIKE '%email_idx%' ORDER BY 1`,
			`SELECT extname || ':' || extnamespace::regnamespace::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`,
		} {
			if want, got := src.rows(t, q), dst.rows(t, q); !reflect.DeepEqual(want, got) {
				t.Errorf("destination differs for %s:\n%q\nwant\n%q", q, got, want)
			}
		}
	}
	sameStructure()
	// The partitioned index reached every partition.
	if got := dst.rows(t, `SELECT count(*)::text FROM pg_indexes WHERE schemaname = 'Sh op' AND indexdef LIKE '%(email)%'`); got[0] != "7" {
		t.Errorf("email indexes = %s, want 7 (users unique + events and its 5 partitions)", got[0])
	}

	// A second run into the filled destination (whose keys, indexes and
	// foreign keys are dropped for the load and rebuilt after it) gives
	// the same rows and the same structure.
	_, res = runJob(t, job)
	assertSameRows(t, src, dst, "Sh op", partitionTables)
	sameStructure()
	if !res[0].Report.OK() {
		t.Fatalf("second report not OK:\n%s", res[0].Report)
	}
}

func TestPostgresPartitionSubsetRefused(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	pgPartitionFixture(t, src)
	job := passthroughJob(t, src, "Sh op", partitionTables)
	job.Source = src.cfg
	job.Subsets = []syncplan.Subset{{Schema: "Sh op", Table: "events_2025", Where: "id > 3"}}
	_, err := syncplan.BuildPlan(testCtx(t), src.db, job, registry)
	var ve *syncplan.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "put the subset on Sh op.events") {
		t.Fatalf("BuildPlan error = %v, want a validation error naming the partitioned table", err)
	}
}

// TestPostgresInitSchemaInTransactions creates 250 tables, one of which the
// destination already has: the others are created in transactions of 100
// (their catalog rows share a creating transaction, xmin: 3 transactions,
// where one per table made 249) and the existing one is kept as it is.
func TestPostgresInitSchemaInTransactions(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	var names []string
	stmts := []string{"CREATE SCHEMA many"}
	for i := range 250 {
		names = append(names, fmt.Sprintf("t%03d", i))
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE many.t%03d (id int PRIMARY KEY, v text)", i))
	}
	src.exec(t, stmts...)
	dst.exec(t, "CREATE SCHEMA many", "CREATE TABLE many.t007 (id int PRIMARY KEY, v text, kept int)")
	job := passthroughJob(t, src, "many", names)
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	e := newTestEngine()
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true}}))
	created := `FROM pg_class WHERE relnamespace = 'many'::regnamespace AND relkind = 'r' AND relname <> 't007'`
	if got := dst.rows(t, "SELECT count(*)::text || ' tables in ' || count(DISTINCT xmin::text)::text || ' transactions' "+created); got[0] != "249 tables in 3 transactions" {
		t.Fatalf("created %s, want 249 tables in 3 transactions", got[0])
	}
	if got := dst.rows(t, "SELECT count(*)::text FROM information_schema.columns WHERE table_schema = 'many' AND table_name = 't007' AND column_name = 'kept'"); got[0] != "1" {
		t.Fatal("the existing table was replaced")
	}
}
