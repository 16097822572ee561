package pgsync

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgKeySample is about how many source keys KeyBoundaries samples per
// range, and at least in all: enough for ranges within a few percent of
// each other's size.
const (
	pgKeySamplePerRange = 200
	pgKeySampleMin      = 10_000
)

// KeyBoundaries cuts t's key into up to n ranges of about equal rows: it
// reads a block sample of the keys (TABLESAMPLE SYSTEM, repeatable, about
// 200 keys per range — not a scan of the table) sorted by the database in
// the key's order, under each column's collation, and returns the sample's
// n-quantiles as text. Nothing is compared in Go.
func (v *pgVerifier) KeyBoundaries(ctx context.Context, t *syncplan.Table, n int, rows int64) ([][]string, error) {
	from := v.q.Table(t.Name)
	target := max(int64(n)*pgKeySamplePerRange, pgKeySampleMin)
	if rows > target {
		pct := min(100, float64(target)*100/float64(rows))
		from += " TABLESAMPLE SYSTEM (" + strconv.FormatFloat(pct, 'f', -1, 64) + ") REPEATABLE (15)"
	}
	texts := make([]string, len(t.Key))
	order := make([]string, len(t.Key))
	for i, k := range t.Key {
		// Qualified by the subquery's alias, ORDER BY names the column,
		// not the text output of the same name.
		order[i] = "s." + v.q.ID(k)
		texts[i] = order[i] + "::text"
	}
	query := "SELECT " + strings.Join(texts, ", ") + " FROM (SELECT " + v.q.List("", t.Key) + " FROM " + from +
		syncdriver.Where(syncdriver.Parenthesize(t.Filter)) + ") AS s ORDER BY " + strings.Join(order, ", ")
	if err := v.q.Err(); err != nil {
		return nil, err
	}
	var sample [][]string
	err := pgx.BeginTxFunc(ctx, v.src, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		r, err := tx.Query(ctx, query, pgx.QueryExecModeDescribeExec)
		if err != nil {
			return err
		}
		sample, err = pgx.CollectRows(r, func(row pgx.CollectableRow) ([]string, error) {
			key := make([]string, len(t.Key))
			ptrs := make([]any, len(key))
			for i := range key {
				ptrs[i] = &key[i]
			}
			return key, row.Scan(ptrs...)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return syncdriver.Quantiles(sample, n), nil
}
