package pgsync

import (
	"context"
	"fmt"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

func pgUpdatePass(ctx context.Context, j *syncdriver.TableJob) error {
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	cols, deferred := syncdriver.UpdateColumns(j.Table)
	names := syncdriver.WrittenNames(cols)
	dconn, err := destConn(ctx, j.Dst)
	if err != nil {
		return err
	}
	defer dconn.Release()
	sconn, err := j.Src.DB.Postgres.Acquire(ctx)
	if err != nil {
		return err
	}
	defer sconn.Release()
	dcols, err := pgDestColumns(ctx, dconn.Conn(), j.DestName())
	if err != nil {
		return err
	}
	list := q.List("", names)
	if err := q.Err(); err != nil {
		return err
	}
	drop, err := pgUpdateStage(ctx, dconn, list, dest)
	if err != nil {
		return err
	}
	defer drop()
	const stage = pgUpdateStageName
	copySQL := "COPY " + stage + " (" + list + ") FROM STDIN (FORMAT binary)"
	err = pgStream(ctx, sconn, j, syncdriver.SourceSpec{Out: cols}, dcols, nil, func(ctx context.Context, r *syncdriver.BatchReader) error {
		_, err := dconn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	return pgApplyUpdates(ctx, j, dconn, stage, deferred)
}

// pgApplyUpdates sets the deferred foreign keys of the destination table
// from stage (the table's key and deferred columns, as the copy writes
// them), one UPDATE per key, only where the referenced row exists.
func pgApplyUpdates(ctx context.Context, j *syncdriver.TableJob, dconn *pgxpool.Conn, stage string, deferred []syncplan.ForeignKey) error {
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	opts := j.Dst.Options
	dest := q.Table(j.DestName())
	for _, fk := range deferred {
		set := q.List("", fk.Columns)
		vals := q.List("s.", fk.Columns)
		if len(fk.Columns) > 1 {
			set, vals = "("+set+")", "ROW("+vals+")"
		}
		var anyNull, someSet []string
		for _, c := range fk.Columns {
			anyNull = append(anyNull, "s."+q.ID(c)+" IS NULL")
			someSet = append(someSet, "s."+q.ID(c)+" IS NOT NULL")
		}
		match := ""
		for i, c := range fk.Columns {
			if i > 0 {
				match += " AND "
			}
			match += "p." + q.ID(fk.ReferencedColumns[i]) + " = s." + q.ID(c)
		}
		parent := q.Table(opts.DestTable(fk.Referenced))
		stmt := "UPDATE " + dest + " AS d SET " + set + " = " + vals + " FROM " + stage + " AS s WHERE " + q.Equal("d", "s", j.Table.Key) +
			" AND (" + joinOr(someSet) + ") AND (" + joinOr(anyNull) + " OR EXISTS (SELECT 1 FROM " + parent + " AS p WHERE " + match + "))"
		if err := q.Err(); err != nil {
			return err
		}
		j.Dst.Step(fmt.Sprintf("update pass: set %s %s of %s", syncdriver.KindForeignKey, fk.Name, j.DestName()))
		tag, err := dconn.Exec(ctx, stmt)
		if err != nil {
			return fmt.Errorf("foreign key %s: %w", fk.Name, err)
		}
		j.Logger.InfoContext(ctx, "update pass", "table", j.Table.Name.String(), "foreign_key", fk.Name, "rows", tag.RowsAffected())
	}
	return nil
}

func joinOr(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += " OR "
		}
		out += p
	}
	return out
}

// pgUpdateStageName is the temporary table update passes load the key and
// deferred columns into.
const pgUpdateStageName = `"neosync_update"`

// pgUpdateStage creates the stage, empty, with the columns list typed as
// in dest; drop removes it.
func pgUpdateStage(ctx context.Context, dconn *pgxpool.Conn, list, dest string) (drop func(), err error) {
	for _, s := range []string{
		"CREATE TEMPORARY TABLE IF NOT EXISTS " + pgUpdateStageName + " AS SELECT " + list + " FROM " + dest + " WITH NO DATA",
		"TRUNCATE " + pgUpdateStageName,
	} {
		if _, err := dconn.Exec(ctx, s); err != nil {
			return nil, err
		}
	}
	return func() { _, _ = dconn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+pgUpdateStageName) }, nil
}
