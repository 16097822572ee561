package sqlsync

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

type pgVerifier struct {
	src, dst *pgxpool.Pool
	q        *quoter
}

func (v *pgVerifier) count(ctx context.Context, pool *pgxpool.Pool, query string) (int64, error) {
	if err := v.q.err(); err != nil {
		return 0, err
	}
	var n int64
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, query, pgx.QueryExecModeDescribeExec).Scan(&n)
	})
	return n, err
}

func (v *pgVerifier) sourceCount(ctx context.Context, t *syncplan.Table) (int64, error) {
	return v.count(ctx, v.src, "SELECT pg_catalog.count(*) FROM "+v.q.table(t.Name)+where(parenthesize(t.Filter)))
}

func (v *pgVerifier) destCount(ctx context.Context, t sqlschema.TableName) (int64, error) {
	return v.count(ctx, v.dst, "SELECT pg_catalog.count(*) FROM "+v.q.table(t))
}

func (v *pgVerifier) orphans(ctx context.Context, child sqlschema.TableName, fk syncplan.ForeignKey, parent sqlschema.TableName) (int64, error) {
	var notNull, match []string
	for i, c := range fk.Columns {
		notNull = append(notNull, "c."+v.q.id(c)+" IS NOT NULL")
		match = append(match, "p."+v.q.id(fk.ReferencedColumns[i])+" = c."+v.q.id(c))
	}
	query := "SELECT pg_catalog.count(*) FROM " + v.q.table(child) + " AS c WHERE " + strings.Join(notNull, " AND ") +
		" AND NOT EXISTS (SELECT 1 FROM " + v.q.table(parent) + " AS p WHERE " + strings.Join(match, " AND ") + ")"
	return v.count(ctx, v.dst, query)
}

func (v *pgVerifier) duplicates(ctx context.Context, t sqlschema.TableName, cols []string) (int64, error) {
	var notNull []string
	for _, c := range cols {
		notNull = append(notNull, v.q.id(c)+" IS NOT NULL")
	}
	list := v.q.list("", cols)
	query := "SELECT COALESCE(pg_catalog.sum(n - 1), 0)::int8 FROM (SELECT pg_catalog.count(*) AS n FROM " + v.q.table(t) +
		" WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + list + " HAVING pg_catalog.count(*) > 1) x"
	return v.count(ctx, v.dst, query)
}

// leak samples destination values as text and counts those the source
// column also holds (compared as text, so every type works; the source
// side is one hashed semi-join over the column).
func (v *pgVerifier) leak(ctx context.Context, t *syncplan.Table, dest sqlschema.TableName, col string, sample int) (int64, int64, error) {
	qc := v.q.id(col)
	var rows int64
	if err := v.dst.QueryRow(ctx, "SELECT pg_catalog.count(*) FROM "+v.q.table(dest)).Scan(&rows); err != nil {
		return 0, 0, err
	}
	from := v.q.table(dest)
	if rows > int64(sample) {
		pct := min(100, float64(sample)*150/float64(rows))
		from += " TABLESAMPLE BERNOULLI (" + strconv.FormatFloat(pct, 'f', -1, 64) + ")"
	}
	if err := v.q.err(); err != nil {
		return 0, 0, err
	}
	var values []string
	r, err := v.dst.Query(ctx, "SELECT "+qc+"::text FROM "+from+" WHERE "+qc+" IS NOT NULL LIMIT $1", sample)
	if err != nil {
		return 0, 0, err
	}
	values, err = pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		return 0, 0, err
	}
	if len(values) == 0 {
		return 0, 0, nil
	}
	query := "SELECT pg_catalog.count(*) FROM pg_catalog.unnest($1::text[]) AS v(x) WHERE x IN (SELECT " + qc + "::text FROM " +
		v.q.table(t.Name) + where(parenthesize(t.Filter)) + ")"
	var equal int64
	err = pgx.BeginTxFunc(ctx, v.src, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, query, pgx.QueryExecModeDescribeExec, values).Scan(&equal)
	})
	return int64(len(values)), equal, err
}
