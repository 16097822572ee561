package sqlschema

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// mysqlTx runs fn in a READ ONLY transaction (START TRANSACTION READ ONLY),
// in which the server refuses writes to non-temporary tables.
func (m *mysqlInspector) mysqlTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := m.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlschema: begin read only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	// Rolled back, not committed: a read has nothing to keep.
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("sqlschema: end read only transaction: %w", err)
	}
	return nil
}

// mysqlStatementTimeout bounds every statement of tx's session to d
// (MariaDB's max_statement_time, else MySQL's max_execution_time, which
// covers SELECTs) and returns the function that lifts the bound again
// before the pooled session is reused.
func mysqlStatementTimeout(ctx context.Context, tx *sql.Tx, d time.Duration) (func(), error) {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET SESSION max_statement_time = %.3f", d.Seconds())); err == nil {
		return func() { _, _ = tx.ExecContext(context.WithoutCancel(ctx), "SET SESSION max_statement_time = DEFAULT") }, nil
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("SET SESSION max_execution_time = %d", d.Milliseconds())); err != nil {
		return nil, fmt.Errorf("sqlschema: set a statement timeout: %w", err)
	}
	return func() { _, _ = tx.ExecContext(context.WithoutCancel(ctx), "SET SESSION max_execution_time = DEFAULT") }, nil
}

// mysqlKillOnCancel makes a cancelled qctx stop tx's running statement on
// the server too: the driver only drops its connection, and the server
// goes on with a statement that sends nothing (a sleeping or
// non-matching scan) until it has finished. The statement is killed from
// another session with KILL QUERY. The returned function must be called
// before tx ends, and before qctx is cancelled when the statement has
// finished: it disarms the kill, or waits for one under way, so the kill
// never reaches a session that went back to the pool. It may be called
// more than once.
func mysqlKillOnCancel(ctx, qctx context.Context, db *sql.DB, tx *sql.Tx) (func(), error) {
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return nil, fmt.Errorf("sqlschema: read the session id: %w", err)
	}
	killed := make(chan struct{})
	stop := context.AfterFunc(qctx, func() {
		defer close(killed)
		kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = db.ExecContext(kctx, "KILL QUERY "+strconv.FormatInt(id, 10))
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			if !stop() {
				<-killed
			}
		})
	}, nil
}

// mysqlTableColumns checks that t is a base table and returns its column
// names in ordinal order (including MariaDB INVISIBLE columns, which
// SELECT * would skip). Tables and columns are read with two queries and
// names compared exactly in Go: information_schema joins and comparisons
// may be case-insensitive and would mix up tables "T" and "t".
func mysqlTableColumns(ctx context.Context, tx *sql.Tx, t TableName) ([]string, error) {
	const tablesQ = `SELECT TABLE_SCHEMA, TABLE_NAME, '' FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE IN ` + mysqlBaseTableTypes
	const columnsQ = `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`
	tables, err := mysqlExactRows(ctx, tx, tablesQ, t)
	if err != nil {
		return nil, err
	}
	if len(tables) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, t)
	}
	return mysqlExactRows(ctx, tx, columnsQ, t)
}

// mysqlExactRows runs q, which selects (schema, table, value) filtered by
// t's schema and name, and returns the values of the rows whose schema and
// table equal t exactly.
func mysqlExactRows(ctx context.Context, tx *sql.Tx, q string, t TableName) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, t.Schema, t.Table)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: look up table %s: %w", t, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var got TableName
		var v string
		if err := rows.Scan(&got.Schema, &got.Table, &v); err != nil {
			return nil, fmt.Errorf("sqlschema: look up table %s: %w", t, err)
		}
		if got == t {
			out = append(out, v)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: look up table %s: %w", t, err)
	}
	return out, nil
}

// EstimatedRowCount implements [Inspector.EstimatedRowCount].
func (m *mysqlInspector) EstimatedRowCount(ctx context.Context, t TableName) (int64, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, t.Schema, t.Table)
	if err != nil {
		return 0, fmt.Errorf("sqlschema: estimate rows of %s: %w", t, err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var got TableName
		var n sql.NullInt64
		if err := rows.Scan(&got.Schema, &got.Table, &n); err != nil {
			return 0, fmt.Errorf("sqlschema: estimate rows of %s: %w", t, err)
		}
		if got != t {
			continue // case-insensitive match of another table
		}
		if !n.Valid {
			return -1, nil
		}
		return n.Int64, nil
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlschema: estimate rows of %s: %w", t, err)
	}
	return 0, fmt.Errorf("%w: %s", ErrTableNotFound, t)
}

// RowCount implements [Inspector.RowCount]. The count runs as a server side
// prepared statement, which can hold only one statement, so a predicate
// like "1=1; COMMIT; DELETE ..." fails even if the DSN enables
// multiStatements.
func (m *mysqlInspector) RowCount(ctx context.Context, t TableName, where string) (int64, error) {
	qualified, err := DialectMySQL.QualifiedName(t)
	if err != nil {
		return 0, err
	}
	if err := ValidateWhere(DialectMySQL, where); err != nil {
		return 0, err
	}
	var n int64
	err = m.mysqlTx(ctx, func(tx *sql.Tx) error {
		undo, err := mysqlStatementTimeout(ctx, tx, RowCountTimeout)
		if err != nil {
			return err
		}
		defer undo()
		if _, err := mysqlTableColumns(ctx, tx, t); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, "SELECT COUNT(*) FROM "+qualified+wherePredicate(where))
		if err != nil {
			return fmt.Errorf("sqlschema: count rows of %s: %w", t, err)
		}
		defer stmt.Close()
		if err := stmt.QueryRowContext(ctx).Scan(&n); err != nil {
			return fmt.Errorf("sqlschema: count rows of %s: %w", t, err)
		}
		return nil
	})
	return n, err
}

// StreamRows implements [Inspector.StreamRows]. The statement is first
// prepared server side (and the prepared statement discarded) to prove it
// is a single statement, then executed with the text protocol. The driver
// decodes integer and floating point columns; they are re-formatted with
// strconv (integers exactly as the server prints them, FLOAT/DOUBLE as the
// shortest text that parses back to the same value, which can differ from
// the server's rounded output, e.g. 1.2345678 instead of 1.23457).
func (m *mysqlInspector) StreamRows(ctx context.Context, t TableName, where string, batchSize int, fn func(columns []string, batch [][]*string) error) error {
	if batchSize < 1 {
		return errBadBatchSize
	}
	qualified, err := DialectMySQL.QualifiedName(t)
	if err != nil {
		return err
	}
	if err := ValidateWhere(DialectMySQL, where); err != nil {
		return err
	}
	return m.mysqlTx(ctx, func(tx *sql.Tx) error {
		q, cols, isFloat, err := mysqlRowsQuery(ctx, tx, t, qualified, where)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlschema: read rows of %s: %w", t, err)
		}
		if err := stmt.Close(); err != nil {
			return fmt.Errorf("sqlschema: read rows of %s: %w", t, err)
		}
		// Cancelling qctx before closing makes an aborted stream drop the
		// connection instead of draining the rest of a possibly huge table.
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		disarm, err := mysqlKillOnCancel(ctx, qctx, m.db, tx)
		if err != nil {
			return err
		}
		defer disarm()
		stall := watchStall(cancel, streamStallTimeout)
		defer stall.stop()
		rows, err := tx.QueryContext(qctx, q) // no args: text protocol
		if err != nil {
			return stall.err(t, streamStallTimeout, fmt.Errorf("sqlschema: read rows of %s: %w", t, err))
		}
		finished := false
		defer func() {
			if finished {
				disarm() // read to the end: nothing to kill
			}
			cancel()
			_ = rows.Close()
		}()
		b := newBatcher(cols, batchSize, fn)
		if err := mysqlScanRows(rows, t, cols, isFloat, b, stall); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return stall.err(t, streamStallTimeout, fmt.Errorf("sqlschema: read rows of %s: %w", t, err))
		}
		finished = true
		stall.away()
		return b.flush()
	})
}

// mysqlScanRows reads rows as text into b, FLOAT columns (isFloat) printed
// back as float32; the time b's callback takes does not count as a stall.
func mysqlScanRows(rows *sql.Rows, t TableName, cols []string, isFloat []bool, b *batcher, stall *stallWatch) error {
	types, err := rows.ColumnTypes()
	if err != nil {
		return fmt.Errorf("sqlschema: read rows of %s: %w", t, err)
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		stall.progress()
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("sqlschema: read rows of %s: %w", t, err)
		}
		row := make([]*string, len(vals))
		for i, v := range vals {
			row[i], err = mysqlText(v, types[i].DatabaseTypeName())
			if err == nil && isFloat[i] && row[i] != nil {
				row[i], err = mysqlFloat(*row[i])
			}
			if err != nil {
				return fmt.Errorf("sqlschema: read rows of %s column %q: %w", t, cols[i], err)
			}
		}
		stall.away()
		if err := b.add(row); err != nil {
			return err
		}
		stall.progress()
	}
	return nil
}

// mysqlRowsQuery is the SELECT of StreamRows: every column of t in order
// (cols), FLOAT columns (isFloat) read as DOUBLE.
func mysqlRowsQuery(ctx context.Context, tx *sql.Tx, t TableName, qualified, where string) (q string, cols []string, isFloat []bool, err error) {
	cols, err = mysqlTableColumns(ctx, tx, t)
	if err != nil {
		return "", nil, nil, err
	}
	quoted, err := DialectMySQL.quoteAll(cols)
	if err != nil {
		return "", nil, nil, err
	}
	// The text protocol prints FLOAT with 6 significant digits
	// (16777216 comes out as 16777200); as DOUBLE it is exact, and
	// mysqlFloat prints it back as the shortest float32 text.
	floats, err := mysqlExactRows(ctx, tx, `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND DATA_TYPE = 'float'`, t)
	if err != nil {
		return "", nil, nil, err
	}
	isFloat = make([]bool, len(cols))
	exprs := slices.Clone(quoted)
	for i, c := range cols {
		if slices.Contains(floats, c) {
			isFloat[i] = true
			exprs[i] = "CAST(" + quoted[i] + " AS DOUBLE) AS " + quoted[i]
		}
	}
	return "SELECT " + strings.Join(exprs, ", ") + " FROM " + qualified + wherePredicate(where), cols, isFloat, nil
}

// mysqlFloat prints a FLOAT value read as DOUBLE as the shortest text
// that parses back to the same float32.
func mysqlFloat(s string) (*string, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("float value %q: %w", s, err)
	}
	out := strconv.FormatFloat(float64(float32(f)), 'g', -1, 32)
	return &out, nil
}

// mysqlText converts a value decoded by the driver back to text.
func mysqlText(v any, dbType string) (*string, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		s = string(x)
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	case float32:
		s = strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time: // only with parseTime=true in the DSN
		if dbType == "DATE" {
			s = x.Format(time.DateOnly)
		} else {
			s = x.Format("2006-01-02 15:04:05.999999")
		}
	default:
		return nil, fmt.Errorf("unexpected driver value type %T", v)
	}
	return &s, nil
}
