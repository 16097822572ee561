package sqlsync

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/brianvoe/gofakeit/v7/data"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// leakRows is the size of the planted-leak table: large enough that the
// default sketch samples, small enough for an exact sketch in a test.
const leakRows = 100_000

// plantedLeakJob maps the table leaky(id, secret, first) of schema with
// two planted leaks: a JavaScript transformer that returns its input for
// the ids ending in 7 (a pass-through for some rows: 10 % of the rows
// equal their own input) and generate_first_name over a source column
// whose values are names from the generator's own list (a small domain
// that hits source values).
func plantedLeakJob(schema string) []syncplan.Mapping {
	m := func(column, source string, params map[string]any) syncplan.Mapping {
		return syncplan.Mapping{Schema: schema, Table: "leaky", Column: column, Transformer: syncplan.Transformer{Source: source, Params: params}}
	}
	return []syncplan.Mapping{
		m("id", "passthrough", nil),
		// A generous time budget: this test counts leaks, and a loaded
		// machine must not fail it on a 100 ms default.
		m("secret", "transform_javascript", map[string]any{"code": "return value.endsWith('7') ? value : 'x' + value", "timeout_ms": 10000}),
		m("first", "generate_first_name", nil),
	}
}

// leakNames are the source's first names: 40 of the generator's own.
func leakNames() string {
	names := data.Person["first"][:40]
	return "'" + strings.Join(names, "','") + "'"
}

// leakTruth is the full re-read the sketch must agree with: for each
// column, the destination rows whose value the source column holds in any
// row, and those equal to their own row's source value (joined on id).
func leakTruth(src, dst map[string][2]string) (equal, self [2]int64) {
	var inSrc [2]map[string]bool
	for c := range 2 {
		inSrc[c] = map[string]bool{}
		for _, v := range src {
			inSrc[c][v[c]] = true
		}
	}
	for id, v := range dst {
		for c := range 2 {
			if inSrc[c][v[c]] {
				equal[c]++
			}
			if src[id][c] == v[c] {
				self[c]++
			}
		}
	}
	return equal, self
}

// checkPlantedLeaks runs the job twice — with a sketch large enough to be
// exact, then with the default sample — and compares the report's leak
// lines with the truth read from both databases.
func checkPlantedLeaks(t *testing.T, job syncplan.Job, src Source, dest Destination, read func(dst bool) map[string][2]string) {
	ctx := testCtx(t)
	exact := newTestEngine()
	exact.LeakSample = 2 * leakRows
	plan, res, err := exact.Run(ctx, job, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	equal, self := leakTruth(read(false), read(true))
	if equal[0] != leakRows/10 || self[0] != leakRows/10 || equal[1] == 0 {
		t.Fatalf("the planted leaks did not take: equal %v, self %v", equal, self)
	}
	leaks := res[0].Report.Leaks
	if len(leaks) != 2 {
		t.Fatalf("leak lines %+v", leaks)
	}
	for i, l := range leaks {
		if l.Method != LeakMethodCopy || !l.Exact || l.Sampled != leakRows || l.Equal != equal[i] || l.SelfEqual == nil || *l.SelfEqual != self[i] {
			t.Errorf("exact sketch of %s: %+v; want equal %d, self %d over %d rows", l.Column, l, equal[i], self[i], leakRows)
		}
	}
	t.Logf("exact:\n%s", res[0].Report)
	// The same destination verified by re-reading the source in full.
	reread, err := exact.Verify(ctx, plan, src, dest, VerifyOptions{Sample: 2 * leakRows})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	for i, l := range reread.Leaks {
		if l.Method != LeakMethodResample || l.Equal != equal[i] || l.Sampled != leakRows {
			t.Errorf("re-read of %s: %+v; want %d of %d", l.Column, l, equal[i], leakRows)
		}
	}

	_, res, err = newTestEngine().Run(ctx, job, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	equal, self = leakTruth(read(false), read(true))
	for i, l := range res[0].Report.Leaks {
		want := float64(equal[i]) / leakRows
		got := float64(l.Equal) / float64(l.Sampled)
		// secret has 100,000 distinct outputs, more than the sample: it is
		// estimated (4.5 standard errors: a failure is a broken estimator,
		// not luck). first has a few thousand: it stays exact.
		estimated := l.Column == "secret"
		if l.Method != LeakMethodCopy || l.Exact == estimated || l.Sampled < DefaultLeakSample || *l.SelfEqual != self[i] ||
			(estimated && math.Abs(got-want) > 4.5/1.96*l.Margin95) || (!estimated && l.Equal != equal[i]) {
			t.Errorf("sampled sketch of %s: %+v (%.4f ± %.4f); want %.4f, self %d", l.Column, l, got, l.Margin95, want, self[i])
		}
	}
	t.Logf("sampled:\n%s", res[0].Report)
}

// TestLeakScanFromTheCopyPostgres checks the copy's leak scan against a
// full re-read on a 100,000-row table with planted leaks (PostgreSQL).
func TestLeakScanFromTheCopyPostgres(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE SCHEMA app`,
		`CREATE TABLE app.leaky (id bigint PRIMARY KEY, secret text NOT NULL, first text NOT NULL)`,
		fmt.Sprintf(`INSERT INTO app.leaky SELECT g, 'secret-' || g, (ARRAY[%s])[1 + g %% 40] FROM generate_series(1, %d) g`, leakNames(), leakRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: plantedLeakJob("app"),
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}}
	read := func(fromDst bool) map[string][2]string {
		db := src
		if fromDst {
			db = dst
		}
		out := map[string][2]string{}
		for _, r := range db.rows(t, `SELECT id || '|' || secret || '|' || first FROM app.leaky`) {
			f := strings.SplitN(r, "|", 3)
			out[f[0]] = [2]string{f[1], f[2]}
		}
		return out
	}
	checkPlantedLeaks(t, job, Source{DB: src.db}, Destination{Name: "dst", DB: dst.db, Options: job.Destinations[0].Options}, read)
}

// TestLeakScanFromTheCopyMySQL is the same on MySQL/MariaDB.
func TestLeakScanFromTheCopyMySQL(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, "CREATE TABLE leaky (id bigint PRIMARY KEY, secret varchar(40) NOT NULL, first varchar(40) NOT NULL)",
		fmt.Sprintf("INSERT INTO leaky SELECT seq, concat('secret-', seq), ELT(1 + seq %% 40, %s) FROM seq_1_to_%d", leakNames(), leakRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: plantedLeakJob(src.name),
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
			InitSchema: true, Truncate: true, SchemaMap: map[string]string{src.name: dst.name}}}}}
	read := func(fromDst bool) map[string][2]string {
		db := src
		if fromDst {
			db = dst
		}
		out := map[string][2]string{}
		for _, r := range db.rows(t, "SELECT id, secret, first FROM leaky") {
			f := strings.SplitN(r, "|", 3)
			out[f[0]] = [2]string{f[1], f[2]}
		}
		return out
	}
	checkPlantedLeaks(t, job, Source{DB: src.db}, Destination{Name: "dst", DB: dst.db, Options: job.Destinations[0].Options}, read)
}
