package sqlsync

import (
	"sync"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// bytesRows and bytesDigits describe the table TestProgressCountsBytes copies:
// ids 1..1000 (2,893 decimal digits in all) and a 100-character string.
const (
	bytesRows   = 1000
	bytesDigits = 2893
)

// maxProgress keeps the largest byte counts reported per table.
type maxProgress struct {
	mu           sync.Mutex
	read, wrote  int64
	rows, copied int64
}

func (m *maxProgress) observe(p Progress) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read, m.wrote = max(m.read, p.BytesRead), max(m.wrote, p.BytesWritten)
	m.rows, m.copied = max(m.rows, p.Rows), max(m.copied, p.Checkpoint.Rows)
}

func (m *maxProgress) check(t *testing.T, read, wrote int64) {
	t.Helper()
	if m.rows != bytesRows || m.copied != bytesRows {
		t.Errorf("progress: %d rows read, %d committed; want %d", m.rows, m.copied, bytesRows)
	}
	if m.read != read || m.wrote != wrote {
		t.Errorf("progress: %d bytes read, %d written; want %d and %d", m.read, m.wrote, read, wrote)
	}
}

// TestProgressCountsBytes copies a table whose encoded size is known and
// checks the bytes the progress reports: PostgreSQL's binary COPY stream
// (19-byte header, 2-byte trailer, per row a 2-byte field count and a
// 4-byte length before each value), MySQL's values as received (8 bytes
// an integer) and LOAD DATA text, and a RowSource's text values.
func TestProgressCountsBytes(t *testing.T) {
	t.Parallel()
	const pad = 100
	// Per row: field count 2, id 4+4, s 4+pad.
	pgRow := int64(2 + 8 + 4 + pad)
	// One COPY stream out of the source; batches of 250 rows into the
	// destination, each with its own header and trailer.
	pgCopy := func(batches int64) int64 { return batches*(19+2) + bytesRows*pgRow }
	// LOAD DATA and COPY text: id, tab, s, newline.
	text := int64(bytesDigits + bytesRows*(1+pad+1))
	opts := func() syncplan.DestinationOptions {
		return syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 250}
	}

	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		src := newPGDB(t)
		src.exec(t, `CREATE SCHEMA bytes`, `CREATE TABLE bytes.t (id int PRIMARY KEY, s text NOT NULL)`,
			`INSERT INTO bytes.t SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g`)
		// A destination the job creates or truncates takes the table in
		// one transaction (Plan.Restarts); one it merges into
		// (on_conflict) takes four batches.
		created, merged := opts(), opts()
		created.Truncate, merged.Truncate, merged.OnConflict = false, false, syncplan.ConflictDoNothing
		for _, tc := range []struct {
			opts    syncplan.DestinationOptions
			batches int64
		}{{merged, 4}, {created, 1}, {opts(), 1}} {
			dst := newPGDB(t)
			job := passthroughJob(t, src, "bytes", []string{"t"})
			job.Source = src.cfg
			job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: tc.opts}}
			var m maxProgress
			if _, _, err := newTestEngine().Run(testCtx(t), job, func(_ string, p Progress) { m.observe(p) }); err != nil {
				t.Fatal(err)
			}
			m.check(t, pgCopy(1), pgCopy(tc.batches))
		}
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		src, dst := newMySQLDB(t, "_bytes_src"), newMySQLDB(t, "_bytes_dst")
		src.exec(t, "CREATE TABLE t (id bigint PRIMARY KEY, s varchar(200) NOT NULL)",
			"INSERT INTO t SELECT seq, REPEAT('x', 100) FROM seq_1_to_1000")
		job := mysqlPassthroughJob(t, src, []string{"t"})
		o := opts()
		o.SchemaMap = map[string]string{src.name: dst.name}
		job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: o}}
		var m maxProgress
		if _, _, err := newTestEngine().Run(testCtx(t), job, func(_ string, p Progress) { m.observe(p) }); err != nil {
			t.Fatal(err)
		}
		m.check(t, bytesRows*(8+pad), text)
	})
	t.Run("row source", func(t *testing.T) {
		t.Parallel()
		src, dst := newPGDB(t), newPGDB(t)
		src.exec(t, `CREATE SCHEMA bytes`, `CREATE TABLE bytes.t (id int PRIMARY KEY, s text NOT NULL)`,
			`INSERT INTO bytes.t SELECT g, repeat('x', 100) FROM generate_series(1, 1000) g`)
		job := passthroughJob(t, src, "bytes", []string{"t"})
		job.Source = src.cfg
		plan := streamPlan(t, src.db, job, []string{"bytes"})
		rs := &inspectorSource{insp: sqlschema.NewPostgresInspector(src.db.Postgres), batch: 64}
		var m maxProgress
		if _, err := newTestEngine().RunStream(testCtx(t), plan, rs, Destination{Name: "dst", DB: dst.db, Options: opts()}, 0, m.observe); err != nil {
			t.Fatal(err)
		}
		m.check(t, bytesDigits+bytesRows*pad, text)
	})
}
