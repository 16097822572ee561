package mysqlsync

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlSide is the MySQL syncdriver.CopySide: one destination session (the source
// session is opened per stream).
type mysqlSide struct {
	j       *syncdriver.TableJob
	conn    *sql.Conn
	release func()
}

// openMySQL opens the destination session of a MySQL copy and checks that
// the destination table can take the written columns.
func openMySQL(ctx context.Context, j *syncdriver.TableJob, out []syncplan.Column) (syncdriver.CopySide, error) {
	if err := mysqlCheckDest(ctx, j.Dst.DB.MySQL, j.DestName(), out); err != nil {
		return nil, err
	}
	conn, release, err := mysqlSession(ctx, j.Dst.DB.MySQL)
	if err != nil {
		return nil, fmt.Errorf("connect to destination: %w", err)
	}
	return &mysqlSide{j: j, conn: conn, release: release}, nil
}

func (s *mysqlSide) Close() { s.release() }

// StreamLayout is the same for every MySQL destination: the stream is the
// source's values as LOAD DATA text, whatever the destination's types.
func (s *mysqlSide) StreamLayout() string { return "mysql" }

// ReleaseSource does nothing: the source session is opened per stream.
func (s *mysqlSide) ReleaseSource() {}

func (s *mysqlSide) Writer(ctx context.Context, out []syncplan.Column, clear bool) (syncdriver.BatchWriter, error) {
	return newMySQLWriter(ctx, s.conn, s.j, out, clear)
}

func (s *mysqlSide) Stream(ctx context.Context, spec syncdriver.SourceSpec, rep *syncdriver.Reporter, write func(context.Context, *syncdriver.BatchReader) error) error {
	return mysqlStream(ctx, s.j, spec, rep, write)
}

// mysqlCheckDest verifies that the destination table has every written
// column and that none of them is generated there.
func mysqlCheckDest(ctx context.Context, db *sql.DB, t sqlschema.TableName, out []syncplan.Column) error {
	rows, err := db.QueryContext(ctx, `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, EXTRA FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, t.Schema, t.Table)
	if err != nil {
		return fmt.Errorf("read destination columns: %w", err)
	}
	defer func() { _ = rows.Close() }()
	extra := map[string]string{}
	for rows.Next() {
		var s, tb, c, e string
		if err := rows.Scan(&s, &tb, &c, &e); err != nil {
			return err
		}
		if s == t.Schema && tb == t.Table {
			extra[c] = strings.ToUpper(e)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(extra) == 0 {
		return fmt.Errorf("%w: destination table %s", sqlschema.ErrTableNotFound, t)
	}
	var missing, generated []string
	for _, c := range out {
		e, ok := extra[c.Name]
		switch {
		case !ok:
			missing = append(missing, c.Name)
		case strings.Contains(e, "GENERATED") || strings.Contains(e, "VIRTUAL") || strings.Contains(e, "PERSISTENT"):
			generated = append(generated, c.Name)
		}
	}
	return syncdriver.ColumnsMismatch(missing, generated)
}

// loadColumns is the column part of a LOAD DATA statement writing cols:
// their quoted names in order, except that a column of a MariaDB type that
// takes a binary-charset value as its raw bytes (uuid, inet6, inet4; the
// statement reads CHARACTER SET binary) is read into a variable and set from
// it as text.
func loadColumns(q *syncdriver.Quoter, cols []syncplan.Column) string {
	parts := make([]string, len(cols))
	var set []string
	for i, c := range cols {
		switch strings.ToLower(c.DataType) {
		case "uuid", "inet6", "inet4":
			v := "@neosync_" + strconv.Itoa(i)
			parts[i] = v
			set = append(set, q.ID(c.Name)+" = CONVERT("+v+" USING utf8mb4)")
		default:
			parts[i] = q.ID(c.Name)
		}
	}
	s := "(" + strings.Join(parts, ", ") + ")"
	if len(set) > 0 {
		s += " SET " + strings.Join(set, ", ")
	}
	return s
}

// readerSeq names LOAD DATA readers uniquely within the process.
var readerSeq atomic.Int64

// mysqlLoad runs LOAD DATA LOCAL INFILE of r into target (a quoted table)
// with the column part cols (loadColumns) on x, then fails if the server reported any warning: with LOCAL the
// server turns errors (duplicate keys, bad values) into warnings rather
// than stop the transfer, so a warning means a row was not loaded as sent
// — or if it affected another number of rows than the batch holds.
func mysqlLoad(ctx context.Context, x interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, tag, target, cols string, r *syncdriver.BatchReader) error {
	name := "neosync_" + strconv.FormatInt(readerSeq.Add(1), 10) + "_" + rand.Text() // unguessable: no other session's server can ask for it
	mysql.RegisterReaderHandler(name, func() io.Reader { return r })
	defer mysql.DeregisterReaderHandler(name)
	stmt := tag + "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE " + target +
		" CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' " + cols
	res, err := x.ExecContext(ctx, stmt)
	if err != nil {
		return err
	}
	rows, err := x.QueryContext(ctx, "SHOW WARNINGS LIMIT 3")
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	var msgs []string
	first := 0
	for rows.Next() {
		var level, msg string
		var code int
		if err := rows.Scan(&level, &code, &msg); err != nil {
			return err
		}
		if first == 0 {
			first = code
		}
		msgs = append(msgs, fmt.Sprintf("%s %d: %s", level, code, msg))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(msgs) > 0 {
		// As the server's error of the first warning's number, so that
		// it is told apart (a duplicate key, a bad value) as the error
		// the same row would raise without LOCAL.
		return &mysql.MySQLError{Number: uint16(first), Message: "the server rejected rows: " + strings.Join(msgs, "; ")}
	}
	// The driver reports the rows LOAD DATA affected: every row of the
	// batch, unless the table dropped some silently.
	if took, err := res.RowsAffected(); err == nil {
		return syncdriver.CheckWritten("LOAD DATA", took, r)
	}
	return nil
}

// mysqlWriter writes batches into the destination table: LOAD DATA in a
// transaction (that first empties the table, for a redone copy), or into
// a temporary stage merged with INSERT ... ON DUPLICATE KEY UPDATE.
type mysqlWriter struct {
	conn   *sql.Conn
	tag    string // tag(Destination), leading every long statement
	target string
	cols   string
	load   string // the column part of its LOAD DATA (loadColumns)
	clear  string
	merge  string
	stage  bool
}

const mysqlStage = "`neosync_stage`"

func newMySQLWriter(ctx context.Context, conn *sql.Conn, j *syncdriver.TableJob, out []syncplan.Column, clear bool) (*mysqlWriter, error) {
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	tag := tag(j.Dst)
	w := &mysqlWriter{conn: conn, tag: tag, target: dest, cols: q.List("", syncdriver.WrittenNames(out)), load: loadColumns(q, out)}
	if clear {
		w.clear = tag + "DELETE FROM " + dest
	}
	if oc := j.Dst.Options.OnConflict; oc != syncplan.ConflictError {
		w.stage = true
		w.target = mysqlStage
		var sets []string
		for _, c := range out {
			if oc == syncplan.ConflictDoUpdate && !slices.Contains(j.Table.Key, c.Name) {
				sets = append(sets, dest+"."+q.ID(c.Name)+" = VALUES("+q.ID(c.Name)+")")
			}
		}
		if len(sets) == 0 {
			// Do nothing: a no-op assignment instead of INSERT IGNORE,
			// which would also hide errors other than duplicates.
			first := dest + "." + q.ID(out[0].Name)
			sets = append(sets, first+" = "+first)
		}
		w.merge = tag + "INSERT INTO " + dest + " (" + w.cols + ") SELECT " + w.cols + " FROM " + mysqlStage +
			" ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
		if err := q.Err(); err != nil {
			return nil, err
		}
		for _, s := range []string{"DROP TEMPORARY TABLE IF EXISTS " + mysqlStage,
			"CREATE TEMPORARY TABLE " + mysqlStage + " AS SELECT " + w.cols + " FROM " + dest + " LIMIT 0"} {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return nil, fmt.Errorf("create stage table: %w", err)
			}
		}
	}
	return w, q.Err()
}

func (w *mysqlWriter) Write(ctx context.Context, r *syncdriver.BatchReader) error {
	tx, err := w.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if w.clear != "" {
		if _, err := tx.ExecContext(ctx, w.clear); err != nil {
			return fmt.Errorf("empty the table: %w", err)
		}
	}
	if err := mysqlLoad(ctx, tx, w.tag, w.target, w.load, r); err != nil {
		return err
	}
	if w.merge != "" {
		if _, err := tx.ExecContext(ctx, w.merge); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+mysqlStage); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.clear = ""
	return nil
}

func (w *mysqlWriter) Finish(ctx context.Context) error {
	if w.clear == "" {
		return nil
	}
	if _, err := w.conn.ExecContext(ctx, w.clear); err != nil {
		return fmt.Errorf("empty the table: %w", err)
	}
	w.clear = ""
	return nil
}

func (w *mysqlWriter) Close(ctx context.Context) {
	if w.stage {
		_, _ = w.conn.ExecContext(context.WithoutCancel(ctx), "DROP TEMPORARY TABLE IF EXISTS "+mysqlStage)
	}
}

// Reconcile is pgSide.Reconcile for MySQL: the destination keys of the
// source rows past the checkpoint are loaded into a temporary table and
// deleted with one DELETE ... JOIN (within j.Range for a key range). In a
// table the job does not own, the keys are numbered by an AUTO_INCREMENT
// column as one LOAD DATA statement stores them (in input order) and only
// the rows of the interrupted attempt's complete leading batches go, as
// there: its batches were rw.Batch rows, each one LOAD DATA committed in
// its own transaction (mysqlWriter.Write), so all or none of a batch is
// there.
func (s *mysqlSide) Reconcile(ctx context.Context, cp syncdriver.Checkpoint, rw syncdriver.Rewind) error {
	j, conn := s.j, s.conn
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	if err := q.Err(); err != nil {
		return err
	}
	var nonEmpty bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+dest+")").Scan(&nonEmpty); err != nil {
		return fmt.Errorf("look at the destination table: %w", err)
	}
	if !nonEmpty {
		return nil
	}
	if len(cp.Key) == 0 && rw.Owned && j.Range == nil {
		_, err := conn.ExecContext(ctx, tag(j.Dst)+"DELETE FROM "+dest)
		return err
	}
	key := j.Table.Key
	var keyCols []syncplan.Column
	for _, k := range key {
		keyCols = append(keyCols, *j.Table.Column(k))
	}
	const keys = "`neosync_resume_keys`"
	list := q.List("", key)
	ord := q.ID(syncdriver.OrdinalColumn(key))
	load := loadColumns(q, keyCols)
	ordDef := ""
	if !rw.Owned {
		ordDef = " (" + ord + " BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY)"
	}
	for _, s := range []string{"DROP TEMPORARY TABLE IF EXISTS " + keys,
		"CREATE TEMPORARY TABLE " + keys + ordDef + " AS SELECT " + list + " FROM " + dest + " LIMIT 0"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("prepare key table: %w", err)
		}
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "DROP TEMPORARY TABLE IF EXISTS "+keys) }()
	err := mysqlStream(ctx, j, syncdriver.SourceSpec{Out: keyCols, After: cp.Key, Range: j.Range, Ordered: rw.Ordered()}, nil, func(ctx context.Context, r *syncdriver.BatchReader) error {
		return mysqlLoad(ctx, conn, tag(j.Dst), keys, load, r)
	})
	if err != nil {
		return fmt.Errorf("read source keys past the checkpoint: %w", err)
	}
	del := tag(j.Dst) + "DELETE d FROM " + dest + " AS d JOIN " + keys + " AS k ON " + q.Equal("d", "k", key)
	del, found, err := j.RewindDelete(ctx, rw, q, keys, dest, del, " WHERE ", func(ctx context.Context, sql string, into ...any) error {
		return conn.QueryRowContext(ctx, tag(j.Dst)+sql).Scan(into...)
	})
	if err != nil || del == "" {
		return err
	}
	res, err := conn.ExecContext(ctx, del)
	if err != nil {
		return fmt.Errorf("delete rows past the checkpoint: %w", err)
	}
	n, _ := res.RowsAffected()
	j.LogRewind(ctx, n, found)
	return q.Err()
}
