package pgsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgSide is the PostgreSQL syncdriver.CopySide: a source and a destination
// connection, and the destination table's columns.
type pgSide struct {
	j     *syncdriver.TableJob
	sconn *pgxpool.Conn
	dconn *pgxpool.Conn
	dcols map[string]pgDestColumn
	out   []syncplan.Column
}

// openPostgres opens the sessions of a PostgreSQL copy and checks that
// the destination table can take the written columns.
func openPostgres(ctx context.Context, j *syncdriver.TableJob, out []syncplan.Column) (syncdriver.CopySide, error) {
	s := &pgSide{j: j, out: out}
	var err error
	if s.dconn, err = destConn(ctx, j.Dst); err != nil {
		return nil, fmt.Errorf("connect to destination: %w", err)
	}
	if s.dcols, err = pgDestColumns(ctx, s.dconn.Conn(), j.DestName()); err == nil {
		err = checkDestColumns(out, s.dcols)
	}
	if err == nil {
		if s.sconn, err = j.Src.DB.Postgres.Acquire(ctx); err != nil {
			err = fmt.Errorf("connect to source: %w", err)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *pgSide) Close() {
	s.ReleaseSource()
	s.dconn.Release()
}

// StreamLayout is what the relay's output depends on in the destination:
// each written column's type there (casts, codecs) and, where values embed
// type OIDs (arrays and composites of user-defined types), the OID.
func (s *pgSide) StreamLayout() string {
	var b strings.Builder
	for _, c := range s.out {
		dc := s.dcols[c.Name]
		fmt.Fprintf(&b, "%q %q", c.Name, dc.dataType)
		if dc.patch != nil {
			fmt.Fprintf(&b, " oid %d", dc.typeOID)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// ReleaseSource gives the source session back to its pool.
func (s *pgSide) ReleaseSource() {
	if s.sconn != nil {
		s.sconn.Release()
		s.sconn = nil
	}
}

func (s *pgSide) Writer(ctx context.Context, out []syncplan.Column, clear bool) (syncdriver.BatchWriter, error) {
	return newPGWriter(ctx, s.dconn, s.j, out, clear, pgCopyBinary)
}

func (s *pgSide) Stream(ctx context.Context, spec syncdriver.SourceSpec, rep *syncdriver.Reporter, write func(context.Context, *syncdriver.BatchReader) error) error {
	return pgStream(ctx, s.sconn, s.j, spec, s.dcols, rep, write)
}

// pgStream reads the source per spec and hands every batch to write, which
// must consume the reader to its end and commit it. Reading and writing
// run concurrently, joined by a bounded buffer queue.
func pgStream(ctx context.Context, sconn *pgxpool.Conn, j *syncdriver.TableJob, spec syncdriver.SourceSpec, dcols map[string]pgDestColumn, rep *syncdriver.Reporter, write func(context.Context, *syncdriver.BatchReader) error) error {
	sc := sconn.Conn()
	if err := pgBeginSource(ctx, sc, j); err != nil {
		return err
	}
	defer func() {
		if !sc.PgConn().IsClosed() && sc.PgConn().TxStatus() != 'I' {
			_, _ = sc.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	src, err := pgPrepareSource(ctx, j, sc, spec, dcols)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	stream := syncdriver.NewChunkStream()
	relay := src.relay
	relay.Ctx, relay.Stream, relay.Buf = gctx, stream, stream.Buffer()
	if rep != nil {
		relay.Progress = rep.Streamed
	}
	// A converter whose transformers batch (JavaScript in a child process)
	// needs the pool's raw batches, even with one worker.
	if w := j.Workers; src.newConv != nil && (w > 1 || relay.conv.batches) {
		if err := relay.startPool(gctx, w, src.newConv); err != nil {
			return err
		}
	}
	g.Go(func() error {
		defer stream.Close()
		if relay.pool != nil {
			defer relay.pool.abort()
		}
		if _, err := sc.PgConn().CopyTo(gctx, readCounter{relay, rep}, src.copySQL); err != nil {
			if relay.pool != nil {
				if cause := relay.pool.failure(); cause != nil {
					return cause // a converter's error, not the read it stopped
				}
			}
			return fmt.Errorf("read source: %w", err)
		}
		return relay.finish()
	})
	g.Go(func() error { return stream.Deliver(gctx, write) })
	if err := g.Wait(); err != nil {
		return err
	}
	if _, err := sc.Exec(ctx, "ROLLBACK"); err != nil { // read only: nothing to keep, and a predicate's lo_import is undone
		return fmt.Errorf("end source transaction: %w", err)
	}
	return nil
}

// readCounter counts the source's COPY stream on its way to the relay.
type readCounter struct {
	w   io.Writer
	rep *syncdriver.Reporter
}

func (c readCounter) Write(p []byte) (int, error) {
	c.rep.Read(len(p))
	return c.w.Write(p)
}

// pgWriter writes batches into the destination table in the way the
// destination options ask: plain COPY, COPY in a transaction that first
// empties the table, or COPY into a temporary stage merged with
// INSERT ... ON CONFLICT.
type pgWriter struct {
	conn    *pgxpool.Conn
	copySQL string
	// clearCopySQL is the COPY of the batch that clears the table, in the
	// same transaction (COPY … FREEZE after a TRUNCATE).
	clearCopySQL string
	clear        string // TRUNCATE or DELETE run in the first batch's transaction, or ""
	merge        string // INSERT ... SELECT FROM stage ON CONFLICT, or ""
	stage        bool
}

// pgCopyBinary and pgCopyText are the COPY format options of the relay
// (binary tuples) and of the stream path (text rows).
const (
	pgCopyBinary = "FORMAT binary"
	pgCopyText   = ""
)

// copyOptions renders COPY's option list ("" for none).
func copyOptions(opts ...string) string {
	opts = slices.DeleteFunc(opts, func(o string) bool { return o == "" })
	if len(opts) == 0 {
		return ""
	}
	return " (" + strings.Join(opts, ", ") + ")"
}

// newPGWriter prepares the writes of j's rows; format is pgCopyBinary or
// pgCopyText. With clear, the first batch's transaction empties the table
// first: with TRUNCATE and COPY … FREEZE when the job truncates the
// destination (Truncate), without an OnConflict merge, and the table
// allows it (pgCanTruncateAndFreeze); else with DELETE. A frozen load
// writes its rows already marked visible to every transaction, so
// Finalize's index builds and Verify's counts do not rewrite every page
// to set hint bits; like TRUNCATE it is visible at once to transactions
// whose snapshot predates it, which the job's own emptied table allows.
func newPGWriter(ctx context.Context, conn *pgxpool.Conn, j *syncdriver.TableJob, out []syncplan.Column, clear bool, format string) (*pgWriter, error) {
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	cols := q.List("", syncdriver.WrittenNames(out))
	w := &pgWriter{conn: conn}
	target := dest
	freeze := false
	if clear {
		w.clear = "DELETE FROM " + dest
		if j.Dst.Options.Truncate && j.Dst.Options.OnConflict == syncplan.ConflictError {
			ok, err := pgCanTruncateAndFreeze(ctx, conn, j.DestName())
			if err != nil {
				return nil, err
			}
			if ok {
				w.clear, freeze = "TRUNCATE "+dest, true
			}
		}
	}
	if oc := j.Dst.Options.OnConflict; oc != syncplan.ConflictError {
		const stage = `"neosync_stage"`
		target = stage
		w.stage = true
		w.merge = "INSERT INTO " + dest + " (" + cols + ") OVERRIDING SYSTEM VALUE SELECT " + cols + " FROM " + stage + " ON CONFLICT"
		switch {
		case oc == syncplan.ConflictDoUpdate && len(j.Table.Key) > 0:
			var sets []string
			for _, c := range out {
				if !slices.Contains(j.Table.Key, c.Name) {
					sets = append(sets, q.ID(c.Name)+" = EXCLUDED."+q.ID(c.Name))
				}
			}
			if len(sets) == 0 {
				w.merge += " DO NOTHING"
			} else {
				w.merge += " (" + q.List("", j.Table.Key) + ") DO UPDATE SET " + strings.Join(sets, ", ")
			}
		case oc == syncplan.ConflictDoUpdate:
			return nil, fmt.Errorf("on_conflict do_update needs a primary key or a NOT NULL unique key")
		default:
			w.merge += " DO NOTHING"
		}
		if err := q.Err(); err != nil {
			return nil, err
		}
		create := "CREATE TEMPORARY TABLE IF NOT EXISTS " + stage + " AS SELECT " + cols + " FROM " + dest + " WITH NO DATA"
		if _, err := conn.Exec(ctx, create); err != nil {
			return nil, fmt.Errorf("create stage table: %w", err)
		}
		if _, err := conn.Exec(ctx, "TRUNCATE "+stage); err != nil {
			return nil, fmt.Errorf("empty stage table: %w", err)
		}
	}
	w.copySQL = "COPY " + target + " (" + cols + ") FROM STDIN" + copyOptions(format)
	w.clearCopySQL = w.copySQL
	if freeze {
		w.clearCopySQL = "COPY " + target + " (" + cols + ") FROM STDIN" + copyOptions(format, "FREEZE")
	}
	return w, q.Err()
}

// pgCanTruncateAndFreeze reports whether destination table t can be
// emptied with TRUNCATE and loaded with COPY … FREEZE in one transaction:
// an ordinary table (FREEZE refuses a partitioned one) that no other
// table's foreign key references (TRUNCATE refuses those; a job that owns
// its destination with InitSchema has dropped them until Finalize).
func pgCanTruncateAndFreeze(ctx context.Context, conn *pgxpool.Conn, t sqlschema.TableName) (bool, error) {
	const query = `SELECT c.relkind = 'r' AND NOT EXISTS (
  SELECT 1 FROM pg_catalog.pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.oid AND f.conrelid <> c.oid)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2`
	var ok bool
	err := conn.QueryRow(ctx, query, t.Schema, t.Table).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look at the destination table %s: %w", t, err)
	}
	return ok, nil
}

// Write commits one batch, in a transaction: a batch the destination
// took short (a trigger that skips rows: syncdriver.CheckWritten) leaves
// none of its rows.
func (w *pgWriter) Write(ctx context.Context, r *syncdriver.BatchReader) error {
	tx, err := w.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	copySQL := w.copySQL
	if w.clear != "" {
		if _, err := tx.Exec(ctx, w.clear); err != nil {
			return fmt.Errorf("empty the table: %w", err)
		}
		w.clear, copySQL = "", w.clearCopySQL
	}
	tag, err := w.conn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
	if err != nil {
		return err
	}
	if err := syncdriver.CheckWritten("COPY", tag.RowsAffected(), r); err != nil {
		return err
	}
	if w.merge != "" {
		if _, err := tx.Exec(ctx, w.merge); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if _, err := tx.Exec(ctx, `TRUNCATE "neosync_stage"`); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// Finish empties the table when no batch did (the source had no rows).
func (w *pgWriter) Finish(ctx context.Context) error {
	if w.clear == "" {
		return nil
	}
	if _, err := w.conn.Exec(ctx, w.clear); err != nil {
		return fmt.Errorf("empty the table: %w", err)
	}
	w.clear = ""
	return nil
}

// Close drops the stage table.
func (w *pgWriter) Close(ctx context.Context) {
	if w.stage && !w.conn.Conn().PgConn().IsClosed() {
		_, _ = w.conn.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS "neosync_stage"`)
	}
}
