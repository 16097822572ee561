package sqlschema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// pgUserQueryOptions forces the extended protocol for statements that embed
// a user predicate: an unnamed prepared statement can hold only one SQL
// statement, so "1=1; COMMIT; DELETE ..." is rejected by the server even if
// the pool is configured for the simple protocol. It also keeps such
// statements out of the pool's statement cache.
var pgUserQueryOptions = []any{pgx.QueryExecModeDescribeExec, pgx.QueryResultFormats{pgx.TextFormatCode}}

// pgTableColumns checks that t is a base table and returns its column names
// in ordinal order. It returns an error wrapping ErrTableNotFound when the
// table does not exist.
func pgTableColumns(ctx context.Context, tx pgx.Tx, t TableName) ([]string, error) {
	const q = `SELECT ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND ` + pgBaseTable
	var cols []string
	err := tx.QueryRow(ctx, q, t.Schema, t.Table).Scan(&cols)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, t)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlschema: look up table %s: %w", t, err)
	}
	if cols == nil {
		cols = []string{}
	}
	return cols, nil
}

// RowCount implements [Inspector.RowCount].
func (p *pgInspector) RowCount(ctx context.Context, t TableName, where string) (int64, error) {
	qualified, err := DialectPostgres.QualifiedName(t)
	if err != nil {
		return 0, err
	}
	if err := ValidateWhere(DialectPostgres, where); err != nil {
		return 0, err
	}
	var n int64
	err = p.readTx(ctx, false, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", RowCountTimeout.Milliseconds())); err != nil {
			return fmt.Errorf("sqlschema: set statement_timeout: %w", err)
		}
		if _, err := pgTableColumns(ctx, tx, t); err != nil {
			return err
		}
		q := "SELECT pg_catalog.count(*) FROM " + qualified + wherePredicate(where)
		args := []any{pgx.QueryExecModeDescribeExec}
		if err := tx.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			return fmt.Errorf("sqlschema: count rows of %s: %w", t, err)
		}
		return nil
	})
	return n, err
}

// EstimatedRowCount implements [Inspector.EstimatedRowCount]: reltuples,
// or for a table never analyzed the planner's estimate from its size.
func (p *pgInspector) EstimatedRowCount(ctx context.Context, t TableName) (int64, error) {
	qualified, err := DialectPostgres.QualifiedName(t)
	if err != nil {
		return 0, err
	}
	// pg_partition_tree lists nothing for an ordinary table: count the
	// table itself then.
	const q = `WITH t AS (SELECT pg_catalog.to_regclass($1) AS oid),
leaves AS (
  SELECT pt.relid FROM t, pg_catalog.pg_partition_tree(t.oid) pt WHERE pt.isleaf
  UNION ALL
  SELECT t.oid FROM t JOIN pg_catalog.pg_class c ON c.oid = t.oid WHERE c.relkind = 'r' AND NOT c.relispartition)
SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM t JOIN pg_catalog.pg_class c ON c.oid = t.oid) THEN NULL
  WHEN pg_catalog.bool_or(c.reltuples < 0) THEN -1 ELSE COALESCE(pg_catalog.sum(c.reltuples), 0) END::int8
FROM leaves JOIN pg_catalog.pg_class c ON c.oid = leaves.relid`
	var n *int64
	if err := p.pool.QueryRow(ctx, q, qualified).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlschema: estimate rows of %s: %w", t, err)
	}
	if n == nil {
		return 0, fmt.Errorf("%w: %s", ErrTableNotFound, t)
	}
	if *n >= 0 {
		return *n, nil
	}
	// Never vacuumed nor analyzed (a table loaded since it was created,
	// before autovacuum got to it): the planner's own estimate, from the
	// table's current size in pages and its rows' width, without reading
	// it.
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	var raw []byte
	if err := p.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) SELECT 1 FROM "+qualified).Scan(&raw); err != nil {
		return -1, nil // the catalog's answer stands: unknown
	}
	if err := json.Unmarshal(raw, &plan); err != nil || len(plan) != 1 {
		return -1, nil
	}
	return int64(plan[0].Plan.Rows), nil
}

// pgStreamSettings make the text output of the stream unambiguous and
// independent of the session configuration. They are SET LOCAL, so they
// end with the transaction.
const pgStreamSettings = `SELECT pg_catalog.set_config('bytea_output', 'hex', true),
  pg_catalog.set_config('DateStyle', 'ISO, MDY', true),
  pg_catalog.set_config('IntervalStyle', 'postgres', true),
  pg_catalog.set_config('extra_float_digits', '3', true)`

// StreamRows implements [Inspector.StreamRows].
func (p *pgInspector) StreamRows(ctx context.Context, t TableName, where string, batchSize int, fn func(columns []string, batch [][]*string) error) error {
	if batchSize < 1 {
		return errBadBatchSize
	}
	qualified, err := DialectPostgres.QualifiedName(t)
	if err != nil {
		return err
	}
	if err := ValidateWhere(DialectPostgres, where); err != nil {
		return err
	}
	return p.readTx(ctx, false, func(tx pgx.Tx) error {
		cols, err := pgTableColumns(ctx, tx, t)
		if err != nil {
			return err
		}
		quoted, err := DialectPostgres.quoteAll(cols)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, pgStreamSettings); err != nil {
			return fmt.Errorf("sqlschema: configure text output: %w", err)
		}
		q := "SELECT " + strings.Join(quoted, ", ") + " FROM " + qualified + wherePredicate(where)
		// Cancelling qctx before closing makes an aborted stream drop the
		// connection instead of draining the rest of a possibly huge table.
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stall := watchStall(cancel, streamStallTimeout)
		defer stall.stop()
		rows, err := tx.Query(qctx, q, pgUserQueryOptions...)
		if err != nil {
			return fmt.Errorf("sqlschema: read rows of %s: %w", t, err)
		}
		defer func() { cancel(); rows.Close() }()
		s := newBatcher(cols, batchSize, fn)
		for rows.Next() {
			stall.progress()
			raw := rows.RawValues()
			row := make([]*string, len(raw))
			for i, v := range raw {
				if v != nil {
					s := string(v)
					row[i] = &s
				}
			}
			stall.away()
			if err := s.add(row); err != nil {
				return err
			}
			stall.progress()
		}
		if err := rows.Err(); err != nil {
			return stall.err(t, streamStallTimeout, fmt.Errorf("sqlschema: read rows of %s: %w", t, err))
		}
		stall.away()
		return s.flush()
	})
}
