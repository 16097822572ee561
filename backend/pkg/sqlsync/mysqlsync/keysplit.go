package mysqlsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// KeyBoundaries cuts t's key into up to n ranges of about rows/n rows
// each. MariaDB has no TABLESAMPLE, so it steps through the key's index
// in key order: each bound is the key rows/n positions past the previous
// one (WHERE key > previous ORDER BY key LIMIT 1 OFFSET …), which reads
// the index once in all and sorts nothing. The database compares, under
// each column's collation; the bounds come back as the copy's checkpoint
// keys do (the binary protocol's values as text, in a UTC session).
func (v *mysqlVerifier) KeyBoundaries(ctx context.Context, t *syncplan.Table, n int, rows int64) ([][]string, error) {
	if n < 2 {
		return nil, nil
	}
	step := max(rows/int64(n), 1)
	quoted := make([]string, len(t.Key))
	kinds := make([]myKind, len(t.Key))
	for i, k := range t.Key {
		quoted[i] = v.q.ID(k)
		kinds[i] = myKindOf(t.Column(k).DataType)
	}
	conn, release, err := mysqlSession(ctx, v.src)
	if err != nil {
		return nil, err
	}
	defer release()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	var bounds [][]string
	for len(bounds) < n-1 {
		preds := []string{syncdriver.Parenthesize(t.Filter)}
		args := []any{}
		offset := step
		if len(bounds) > 0 {
			pred, a := syncdriver.KeyCompare(quoted, ">", bounds[len(bounds)-1])
			preds, args, offset = append(preds, pred), a, step-1
		}
		query := "SELECT " + v.q.List("", t.Key) + " FROM " + v.q.Table(t.Name) + syncdriver.Where(preds...) +
			" ORDER BY " + v.q.List("", t.Key) + " LIMIT 1 OFFSET " + fmt.Sprint(offset)
		if err := v.q.Err(); err != nil {
			return nil, err
		}
		key, err := mysqlKeyRow(ctx, tx, query, args, kinds)
		if err != nil {
			return nil, err
		}
		if key == nil {
			break // fewer rows than estimated: the last range takes the rest
		}
		bounds = append(bounds, key)
	}
	return bounds, tx.Commit()
}

// mysqlKeyRow runs query (a prepared statement: the binary protocol's
// exact values) and returns its one row's values as text, nil when it
// returns none.
func mysqlKeyRow(ctx context.Context, tx *sql.Tx, query string, args []any, kinds []myKind) ([]string, error) {
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer func() { _ = stmt.Close() }()
	vals := make([]any, len(kinds))
	ptrs := make([]any, len(kinds))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := stmt.QueryRowContext(ctx, args...).Scan(ptrs...); errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	key := make([]string, len(kinds))
	for i, v := range vals {
		s, err := appendMyText(nil, v, kinds[i])
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		key[i] = string(s)
	}
	return key, nil
}
