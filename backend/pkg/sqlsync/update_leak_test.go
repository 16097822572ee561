package sqlsync

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/XSAM/otelsql"
	"github.com/exaring/otelpgx"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// updateLeakColumn is the self-referencing column of the update-pass leak
// fixture: a name no catalog query spells, so the statement log below can
// look for it.
const updateLeakColumn = "referrer_code"

// updatePassLeakJob maps referrals(id, code, referrer_code) of schema:
// code and its self-reference referrer_code through one JavaScript
// transformer that returns its input for the codes ending in 7 (a planted
// leak: a tenth of the references keep their source value) and prefixes
// the others, so every reference still joins its transformed parent.
func updatePassLeakJob(schema string) []syncplan.Mapping {
	leaky := syncplan.Transformer{Source: "transform_javascript", Params: map[string]any{
		"code": "return value == null ? value : (value.endsWith('7') ? value : 'x' + value)", "timeout_ms": 10000}}
	return []syncplan.Mapping{
		{Schema: schema, Table: "referrals", Column: "id", Transformer: syncplan.Transformer{Source: syncplan.Passthrough}},
		{Schema: schema, Table: "referrals", Column: "code", Transformer: leaky},
		{Schema: schema, Table: "referrals", Column: updateLeakColumn, Transformer: leaky},
	}
}

// statementLog records the statements of the pools opened under its
// policy, through the tracers the worker uses (pgx's query tracer, the
// database/sql wrapper for MySQL): a log on the source's side of the
// driver, of every query and prepared statement sent.
type statementLog struct {
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	policy *sqlconnect.Policy
}

func newStatementLog() *statementLog {
	l := &statementLog{rec: tracetest.NewSpanRecorder()}
	l.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(l.rec))
	l.policy = &sqlconnect.Policy{
		Tracer: otelpgx.NewTracer(otelpgx.WithTracerProvider(l.tp)),
		OpenMySQL: func(c driver.Connector) *sql.DB {
			return otelsql.OpenDB(c, otelsql.WithTracerProvider(l.tp), otelsql.WithSpanOptions(otelsql.SpanOptions{OmitRows: true}))
		},
	}
	return l
}

// open opens cfg under the log's policy, in a context under a span (the
// MySQL wrapper records statements of traced calls).
func (l *statementLog) open(t *testing.T, ctx context.Context, cfg sqlconnect.Config) (context.Context, *sqlconnect.DB) {
	t.Helper()
	ctx, span := l.tp.Tracer("update-pass-leak-test").Start(sqlconnect.WithPolicy(ctx, l.policy), "verify")
	t.Cleanup(func() { span.End() })
	db, err := sqlconnect.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return ctx, db
}

// statements are the texts of every statement recorded so far.
func (l *statementLog) statements() []string {
	var out []string
	for _, s := range l.rec.Ended() {
		for _, a := range s.Attributes() {
			if v := a.Value.AsString(); v != "" && (strings.HasPrefix(string(a.Key), "db.statement") || strings.HasPrefix(string(a.Key), "db.query.text")) {
				out = append(out, v)
			}
		}
	}
	return out
}

// checkUpdatePassLeaks runs the steps of a sync of the fixture (prepare,
// copy, update passes, finalize) and verifies it twice over a source
// whose statements are logged: with the update pass's sketches, then as
// before they existed, re-reading the column in full. The cycle column's leak line must come from the sketch
// (LeakMethodCopy), with the counts of the truth read from both
// databases and of the re-read, and no statement of the first Verify may
// name the column. (Before, the update pass kept no sketch and Verify
// re-read the source column.) read returns each table's id → reference
// ("" for NULL).
func checkUpdatePassLeaks(t *testing.T, job syncplan.Job, src *sqlconnect.DB, dst Destination, read func(dst bool) map[string]string) {
	ctx := testCtx(t)
	e := newTestEngine()
	e.LeakSample = 2 * leakRows // exact, so the counts compare exactly
	plan, err := syncplan.BuildPlan(ctx, src, job, registry)
	if err != nil {
		t.Fatal(err)
	}
	table := plan.Tables[0]
	if c := table.Column(updateLeakColumn); len(plan.Tables) != 1 || c == nil || !c.Deferred {
		t.Fatalf("%s is not deferred to an update pass:\n%s", updateLeakColumn, plan)
	}
	source := Source{DB: src, Key: job.Key}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dst))
	cps := map[sqlschema.TableName]Checkpoint{}
	assertNoError(t, "copy", e.SyncTables(ctx, plan, source, dst, 2, cps, nil))
	updates, err := e.RunUpdatePasses(ctx, plan, source, dst)
	assertNoError(t, "update passes", err)
	assertNoError(t, "finalize", e.Finalize(ctx, plan, dst))

	// The truth: destination references the source column holds, and
	// those equal to their own row's source reference.
	srcRows, dstRows := read(false), read(true)
	inSrc := map[string]bool{}
	for _, v := range srcRows {
		inSrc[v] = v != ""
	}
	var rows, equal, self int64
	for id, v := range dstRows {
		if v == "" {
			continue
		}
		rows++
		if inSrc[v] {
			equal++
		}
		if srcRows[id] == v {
			self++
		}
	}
	if rows != leakRows-1 || equal == 0 || self != equal {
		t.Fatalf("the planted leak did not take: %d references, %d in the source, %d their own", rows, equal, self)
	}

	log := newStatementLog()
	tctx, traced := log.open(t, ctx, job.Source)
	probe := "SELECT 1 AS statement_log_probe"
	if traced.Postgres != nil {
		_, err = traced.Postgres.Exec(tctx, probe)
	} else {
		_, err = traced.MySQL.ExecContext(tctx, probe)
	}
	assertNoError(t, "probe", err)
	started := time.Now()
	rep, err := e.Verify(tctx, plan, Source{DB: traced, Key: job.Key}, dst, VerifyOptions{Sample: 2 * leakRows, PIIBudget: -1,
		Leaks: UpdateLeaksOf(LeaksOf(cps), updates), Copied: rowsOf(cps), SourceRead: SourceReadOf(cps)})
	assertNoError(t, "verify", err)
	took := time.Since(started)
	stmts := log.statements()
	if !strings.Contains(strings.Join(stmts, "\n"), "statement_log_probe") {
		t.Fatalf("the statement log recorded no statement: %q", stmts)
	}
	var over []string
	for _, s := range stmts {
		if strings.Contains(s, updateLeakColumn) {
			over = append(over, s)
		}
	}
	if len(over) > 0 {
		t.Errorf("Verify sent the source %d statements over the column %s, the first: %.200s", len(over), updateLeakColumn, over[0])
	}
	t.Logf("Verify from the sketches sent the source %d statements (the probe included) in %v", len(stmts), took)
	line := func(r *Report) ColumnLeak {
		for _, l := range r.Leaks {
			if l.Column == updateLeakColumn {
				return l
			}
		}
		t.Fatalf("no leak line for %s:\n%s", updateLeakColumn, r)
		return ColumnLeak{}
	}
	l := line(rep)
	if l.Method != LeakMethodCopy || !l.Exact || l.Sampled != rows || l.Rows != rows || l.Equal != equal || l.SelfEqual == nil || *l.SelfEqual != self {
		t.Errorf("update pass sketch of %s: %+v; want %d of %d rows, %d their own", updateLeakColumn, l, equal, rows, self)
	}
	t.Logf("from the update pass:\n%s", rep)

	// Verify as before the update pass sketched: the copy's sketches
	// alone, the update pass's column re-read in full.
	before := newStatementLog()
	bctx, btraced := before.open(t, ctx, job.Source)
	started = time.Now()
	reread, err := e.Verify(bctx, plan, Source{DB: btraced, Key: job.Key}, dst, VerifyOptions{Sample: 2 * leakRows, PIIBudget: -1,
		Leaks: LeaksOf(cps), Copied: rowsOf(cps), SourceRead: SourceReadOf(cps)})
	assertNoError(t, "verify by re-reading", err)
	named := 0
	for _, s := range before.statements() {
		if strings.Contains(s, updateLeakColumn) {
			named++
		}
	}
	t.Logf("Verify re-reading the column sent the source %d statements (%d over the column) in %v", len(before.statements()), named, time.Since(started))
	if l := line(reread); l.Method != LeakMethodResample || l.Sampled != rows || l.Equal != equal {
		t.Errorf("re-read of %s: %+v; want %d of %d rows", updateLeakColumn, l, equal, rows)
	}
}

// TestUpdatePassLeakScanPostgres: a self-referencing column transformed
// by a planted leak gets its leak scan from the update pass's sketch, with
// the counts of a full re-read, and Verify sends the source no statement
// over it (PostgreSQL).
func TestUpdatePassLeakScanPostgres(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE SCHEMA app`,
		`CREATE TABLE app.referrals (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, referrer_code text REFERENCES app.referrals (code))`,
		fmt.Sprintf(`INSERT INTO app.referrals SELECT g, 'c-' || g, CASE WHEN g > 1 THEN 'c-' || (g / 2) END FROM generate_series(1, %d) g`, leakRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: updatePassLeakJob("app"),
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}}
	read := func(fromDst bool) map[string]string {
		db := src
		if fromDst {
			db = dst
		}
		out := map[string]string{}
		for _, r := range db.rows(t, `SELECT id || '|' || coalesce(referrer_code, '') FROM app.referrals`) {
			id, v, _ := strings.Cut(r, "|")
			out[id] = v
		}
		return out
	}
	checkUpdatePassLeaks(t, job, src.db, Destination{Name: "dst", DB: dst.db, Options: job.Destinations[0].Options}, read)
}

// TestUpdatePassLeakScanMySQL is TestUpdatePassLeakScanPostgres on
// MySQL/MariaDB.
func TestUpdatePassLeakScanMySQL(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, "CREATE TABLE referrals (id bigint PRIMARY KEY, code varchar(40) NOT NULL UNIQUE, referrer_code varchar(40))",
		fmt.Sprintf("INSERT INTO referrals SELECT seq, concat('c-', seq), IF(seq > 1, concat('c-', seq DIV 2), NULL) FROM seq_1_to_%d", leakRows),
		"ALTER TABLE referrals ADD CONSTRAINT referrals_referrer FOREIGN KEY (referrer_code) REFERENCES referrals (code)")
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: updatePassLeakJob(src.name),
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
			InitSchema: true, Truncate: true, SchemaMap: map[string]string{src.name: dst.name}}}}}
	read := func(fromDst bool) map[string]string {
		db := src
		if fromDst {
			db = dst
		}
		out := map[string]string{}
		for _, r := range db.rows(t, "SELECT id, coalesce(referrer_code, '') FROM referrals") {
			id, v, _ := strings.Cut(r, "|") // each value quoted (%q)
			out[id] = strings.Trim(v, `"`)
		}
		return out
	}
	checkUpdatePassLeaks(t, job, src.db, Destination{Name: "dst", DB: dst.db, Options: job.Destinations[0].Options}, read)
}
