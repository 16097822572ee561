package sqlschema

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// errBadSampleSize is returned by SampleRows for a limit out of range.
var errBadSampleSize = fmt.Errorf("sqlschema: sample limit must be between 1 and %d", MaxSampleRows)

// SampleRows implements [Inspector.SampleRows].
func (p *pgInspector) SampleRows(ctx context.Context, t TableName, limit int) (cols []string, out [][]*string, err error) {
	if limit < 1 || limit > MaxSampleRows {
		return nil, nil, errBadSampleSize
	}
	qualified, err := DialectPostgres.QualifiedName(t)
	if err != nil {
		return nil, nil, err
	}
	err = p.readTx(ctx, false, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", SampleTimeout.Milliseconds())); err != nil {
			return fmt.Errorf("sqlschema: set statement_timeout: %w", err)
		}
		if cols, err = pgTableColumns(ctx, tx, t); err != nil {
			return err
		}
		quoted, err := DialectPostgres.quoteAll(cols)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, pgStreamSettings); err != nil {
			return fmt.Errorf("sqlschema: configure text output: %w", err)
		}
		q := "SELECT " + strings.Join(quoted, ", ") + " FROM " + qualified + " LIMIT " + strconv.Itoa(limit)
		rows, err := tx.Query(ctx, q, pgUserQueryOptions...)
		if err != nil {
			return fmt.Errorf("sqlschema: sample rows of %s: %w", t, err)
		}
		defer rows.Close()
		for rows.Next() {
			raw := rows.RawValues()
			row := make([]*string, len(raw))
			for i, v := range raw {
				if v != nil {
					s := string(v)
					row[i] = &s
				}
			}
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlschema: sample rows of %s: %w", t, err)
		}
		return nil
	})
	return cols, out, err
}

// SampleRows implements [Inspector.SampleRows].
func (m *mysqlInspector) SampleRows(ctx context.Context, t TableName, limit int) (cols []string, out [][]*string, err error) {
	if limit < 1 || limit > MaxSampleRows {
		return nil, nil, errBadSampleSize
	}
	qualified, err := DialectMySQL.QualifiedName(t)
	if err != nil {
		return nil, nil, err
	}
	err = m.mysqlTx(ctx, func(tx *sql.Tx) error {
		undo, err := mysqlStatementTimeout(ctx, tx, SampleTimeout)
		if err != nil {
			return err
		}
		defer undo()
		q, c, isFloat, err := mysqlRowsQuery(ctx, tx, t, qualified, "")
		if err != nil {
			return err
		}
		cols = c
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stall := watchStall(cancel, SampleTimeout)
		defer stall.stop()
		rows, err := tx.QueryContext(qctx, q+" LIMIT "+strconv.Itoa(limit)) // no args: text protocol
		if err != nil {
			return fmt.Errorf("sqlschema: sample rows of %s: %w", t, err)
		}
		defer func() { _ = rows.Close() }()
		b := newBatcher(cols, limit+1, func(_ []string, batch [][]*string) error {
			out = batch
			return nil
		})
		if err := mysqlScanRows(rows, t, cols, isFloat, b, stall); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return stall.err(t, SampleTimeout, fmt.Errorf("sqlschema: sample rows of %s: %w", t, err))
		}
		return b.flush()
	})
	return cols, out, err
}
