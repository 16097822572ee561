package mysqlsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

type mysqlVerifier struct {
	src, dst *sql.DB
	q        *syncdriver.Quoter
	// tag leads the destination's count queries (tag(Destination)).
	tag string
}

// count runs a COUNT query as a prepared (single) statement in a READ
// ONLY transaction: it may embed the user's subset predicate.
func (v *mysqlVerifier) count(ctx context.Context, db *sql.DB, query string, args ...any) (int64, error) {
	if err := v.q.Err(); err != nil {
		return 0, err
	}
	if db == v.dst {
		query = v.tag + query
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer func() { _ = stmt.Close() }()
	var n int64
	if err := stmt.QueryRowContext(ctx, args...).Scan(&n); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

func (v *mysqlVerifier) SourceCount(ctx context.Context, t *syncplan.Table) (int64, error) {
	return v.count(ctx, v.src, "SELECT COUNT(*) FROM "+v.q.Table(t.Name)+syncdriver.Where(syncdriver.Parenthesize(t.Filter)))
}

// SourceRangeCount counts the rows of one key range as the range's copy
// reads them (mysqlSourceQuery): the filter, then the key's bounds —
// integer bounds as numbers, key bounds spelt out column by column
// (syncdriver.KeyCompare) with the values as parameters — so the key's
// index bounds the scan.
func (v *mysqlVerifier) SourceRangeCount(ctx context.Context, t *syncplan.Table, rng syncdriver.KeyRange) (int64, error) {
	var args []any
	quoted := make([]string, len(t.Key))
	for i, k := range t.Key {
		quoted[i] = v.q.ID(k)
	}
	conds, err := rng.Conditions(len(t.Key), quoted[0], func(op string, values []string) string {
		pred, a := syncdriver.KeyCompare(quoted, op, values)
		args = append(args, a...)
		return pred
	})
	if err != nil {
		return 0, fmt.Errorf("table %s: %w", t.Name, err)
	}
	preds := append([]string{syncdriver.Parenthesize(t.Filter)}, conds...)
	return v.count(ctx, v.src, "SELECT COUNT(*) FROM "+v.q.Table(t.Name)+syncdriver.Where(preds...), args...)
}

func (v *mysqlVerifier) KeyBounds(ctx context.Context, t *syncplan.Table) (lo, hi int64, err error) {
	where := syncdriver.Where(syncdriver.Parenthesize(t.Filter))
	k := v.q.ID(t.Key[0])
	if lo, err = v.count(ctx, v.src, "SELECT COALESCE(MIN("+k+"), 0) FROM "+v.q.Table(t.Name)+where); err != nil {
		return 0, 0, err
	}
	hi, err = v.count(ctx, v.src, "SELECT COALESCE(MAX("+k+"), 0) FROM "+v.q.Table(t.Name)+where)
	return lo, hi, err
}

// DestCount counts the destination table's rows. InnoDB counts by
// walking a whole index on one thread, and MariaDB has no parallel query:
// a large table keyed by one integer column is counted in key intervals
// on several sessions at once instead (see splitCount), which sums to the
// same exact number. expected, when known (≥ 0), sizes the table instead
// of the catalog's estimate: no catalog query for the small tables of a
// schema of thousands.
func (v *mysqlVerifier) DestCount(ctx context.Context, t sqlschema.TableName, expected int64) (int64, error) {
	if n, ok, err := v.splitCount(ctx, t, expected); ok || err != nil {
		return n, err
	}
	return v.count(ctx, v.dst, "SELECT COUNT(*) FROM "+v.q.Table(t))
}

// splitCountRows is the row count (the copy's, else information_schema's
// TABLE_ROWS estimate) from which DestCount splits a count; each further multiple
// adds a part, up to splitCountParts.
var splitCountRows int64 = 1_000_000

// splitCountParts is the most sessions one destination count uses. The
// verification runs up to sqlsync.VerifyConcurrency tables at once, so a
// job of many large tables gets no more than that in all per table.
const splitCountParts = 4

// splitCount counts t in parts when it is estimated at splitCountRows or
// more and its primary key is one integer column: the key's least and
// greatest values (two index dives) are cut into equal intervals, the
// first open below and the last open above so that every row falls in
// exactly one whatever was written meanwhile, and each is counted on its
// own session. ok is false when t is not counted so.
func (v *mysqlVerifier) splitCount(ctx context.Context, t sqlschema.TableName, expected int64) (n int64, ok bool, err error) {
	est := sql.NullInt64{Int64: expected, Valid: expected >= 0}
	if !est.Valid {
		err = v.dst.QueryRowContext(ctx, `SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, t.Schema, t.Table).Scan(&est)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
	}
	if !est.Valid || est.Int64 < splitCountRows {
		return 0, false, nil
	}
	rows, err := v.dst.QueryContext(ctx, `SELECT c.COLUMN_NAME, c.DATA_TYPE FROM information_schema.STATISTICS s
JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME
WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? AND s.INDEX_NAME = 'PRIMARY'`, t.Schema, t.Table)
	if err != nil {
		return 0, false, err
	}
	var key, typ string
	cols := 0
	for rows.Next() {
		cols++
		if err := rows.Scan(&key, &typ); err != nil {
			_ = rows.Close()
			return 0, false, err
		}
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	if cols != 1 || !slices.Contains([]string{"tinyint", "smallint", "mediumint", "int", "bigint"}, strings.ToLower(typ)) {
		return 0, false, nil
	}
	k, table := v.q.ID(key), v.q.Table(t)
	var lo, hi sql.NullInt64 // NULL on an empty table; an unsigned bigint past int64 does not scan
	if err := v.dst.QueryRowContext(ctx, v.tag+"SELECT MIN("+k+"), MAX("+k+") FROM "+table).Scan(&lo, &hi); err != nil || !lo.Valid || !hi.Valid ||
		lo.Int64 < math.MinInt64/2 || hi.Int64 > math.MaxInt64/2 { // keys so far apart that the bounds could overflow: count whole
		return 0, false, nil
	}
	parts := int(min(int64(splitCountParts), max(2, est.Int64/splitCountRows)))
	width := (hi.Int64-lo.Int64)/int64(parts) + 1
	if width <= 0 || hi.Int64-lo.Int64 < int64(parts) { // overflowed, or too few keys to split
		return 0, false, nil
	}
	counts := make([]int64, parts)
	g, gctx := errgroup.WithContext(ctx)
	for i := range parts {
		var preds []string
		var args []any
		if i > 0 {
			preds, args = append(preds, k+" >= ?"), append(args, lo.Int64+int64(i)*width)
		}
		if i < parts-1 {
			preds, args = append(preds, k+" < ?"), append(args, lo.Int64+int64(i+1)*width)
		}
		g.Go(func() (err error) {
			counts[i], err = v.count(gctx, v.dst, "SELECT COUNT(*) FROM "+table+syncdriver.Where(preds...), args...)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, false, err
	}
	for _, c := range counts {
		n += c
	}
	return n, true, nil
}

func (v *mysqlVerifier) Orphans(ctx context.Context, child sqlschema.TableName, fk syncplan.ForeignKey, parent sqlschema.TableName) (int64, error) {
	var notNull, match []string
	for i, c := range fk.Columns {
		notNull = append(notNull, "c."+v.q.ID(c)+" IS NOT NULL")
		match = append(match, "p."+v.q.ID(fk.ReferencedColumns[i])+" = c."+v.q.ID(c))
	}
	return v.count(ctx, v.dst, "SELECT COUNT(*) FROM "+v.q.Table(child)+" AS c WHERE "+strings.Join(notNull, " AND ")+
		" AND NOT EXISTS (SELECT 1 FROM "+v.q.Table(parent)+" AS p WHERE "+strings.Join(match, " AND ")+")")
}

func (v *mysqlVerifier) Duplicates(ctx context.Context, t sqlschema.TableName, cols []string) (int64, error) {
	var notNull []string
	for _, c := range cols {
		notNull = append(notNull, v.q.ID(c)+" IS NOT NULL")
	}
	return v.count(ctx, v.dst, "SELECT CAST(COALESCE(SUM(n - 1), 0) AS SIGNED) FROM (SELECT COUNT(*) AS n FROM "+v.q.Table(t)+
		" WHERE "+strings.Join(notNull, " AND ")+" GROUP BY "+v.q.List("", cols)+" HAVING COUNT(*) > 1) x")
}

// Leak samples destination values and counts those that exactly equal a
// value of the source column (looked up 500 at a time with IN, which uses
// the column's index and collation; matches are then compared byte-wise).
func (v *mysqlVerifier) Leak(ctx context.Context, t *syncplan.Table, dest sqlschema.TableName, col string, sample int) (int64, int64, error) {
	qc := v.q.ID(col)
	rows, err := v.dst.QueryContext(ctx, "SELECT CAST("+qc+" AS BINARY) FROM "+v.q.Table(dest)+" WHERE "+qc+" IS NOT NULL ORDER BY RAND() LIMIT ?", sample)
	if err != nil {
		return 0, 0, err
	}
	var values []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			_ = rows.Close()
			return 0, 0, err
		}
		values = append(values, s)
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	found := map[string]bool{}
	for start := 0; start < len(values); start += 500 {
		chunk := values[start:min(start+500, len(values))]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		q := "SELECT DISTINCT CAST(" + qc + " AS BINARY) FROM " + v.q.Table(t.Name) + syncdriver.Where(syncdriver.Parenthesize(t.Filter), qc+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+")")
		if err := v.q.Err(); err != nil {
			return 0, 0, err
		}
		r, err := v.src.QueryContext(ctx, q, args...)
		if err != nil {
			return 0, 0, err
		}
		for r.Next() {
			var s string
			if err := r.Scan(&s); err != nil {
				_ = r.Close()
				return 0, 0, err
			}
			found[s] = true
		}
		_ = r.Close()
		if err := r.Err(); err != nil {
			return 0, 0, err
		}
	}
	var equal int64
	for _, s := range values {
		if found[s] {
			equal++
		}
	}
	return int64(len(values)), equal, nil
}

// UniqueEnforcedBy finds a unique index (no prefix columns) whose columns
// are exactly cols; MySQL enforces unique indexes even with foreign key
// checks off.
func (v *mysqlVerifier) UniqueEnforcedBy(ctx context.Context, t sqlschema.TableName, cols []string) (string, error) {
	rows, err := v.dst.QueryContext(ctx, `SELECT INDEX_NAME, COLUMN_NAME, SUB_PART IS NOT NULL FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`, t.Schema, t.Table)
	if err != nil {
		return "", err
	}
	defer func() { _ = rows.Close() }()
	indexes := map[string][]string{}
	prefix := map[string]bool{}
	var names []string
	for rows.Next() {
		var ix, col string
		var sub bool
		if err := rows.Scan(&ix, &col, &sub); err != nil {
			return "", err
		}
		if _, ok := indexes[ix]; !ok {
			names = append(names, ix)
		}
		indexes[ix] = append(indexes[ix], col)
		prefix[ix] = prefix[ix] || sub
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	for _, ix := range names {
		if !prefix[ix] && sameSet(indexes[ix], cols) {
			return ix, nil
		}
	}
	return "", nil
}

// FKEnforcedBy never vouches for a MySQL foreign key: rows written with
// foreign_key_checks off are not checked, now or later, so orphans are
// always counted.
func (v *mysqlVerifier) FKEnforcedBy(context.Context, sqlschema.TableName, syncplan.ForeignKey, sqlschema.TableName) (string, error) {
	return "", nil
}

// sameSet reports whether a and b hold the same names.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
