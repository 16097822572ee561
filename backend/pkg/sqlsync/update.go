package sqlsync

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// RunUpdatePasses fills in the deferred foreign keys once every table is
// loaded: for each table with deferred keys it reads the table's key and
// those columns from the source (same filter, same transformers as the
// copy), and sets them on the destination rows with the same key — but
// only where the referenced row exists in the destination, so a subset
// never gains a dangling reference (the column stays NULL instead). It is
// idempotent, so a crashed pass is simply run again.
func (e *Engine) RunUpdatePasses(ctx context.Context, plan *syncplan.Plan, src Source, dst Destination) error {
	if err := sameDriver(src.DB, dst.DB); err != nil {
		return err
	}
	dst, err := e.resolve(ctx, plan, src.DB, dst)
	if err != nil {
		return err
	}
	for i := range plan.Tables {
		t := &plan.Tables[i]
		if len(t.Deferred()) == 0 {
			continue
		}
		j := &tableJob{engine: e, plan: plan, table: t, src: src, dst: dst, report: func(Progress) {}}
		var err error
		if dst.DB.Driver == sqlconnect.DriverPostgres {
			err = j.pgUpdatePass(ctx)
		} else {
			err = j.mysqlUpdatePass(ctx)
		}
		if err != nil {
			return fmt.Errorf("sqlsync: update pass of %s: %w", t.Name, err)
		}
	}
	return nil
}

// updateColumns are the columns an update pass reads: the key, then every
// deferred column, read (not nulled) and transformed as the copy would.
func updateColumns(t *syncplan.Table) (cols []syncplan.Column, deferred []syncplan.ForeignKey) {
	for _, k := range t.Key {
		cols = append(cols, *t.Column(k))
	}
	deferred = t.Deferred()
	seen := map[string]bool{}
	for _, fk := range deferred {
		for _, c := range fk.Columns {
			if seen[c] {
				continue
			}
			seen[c] = true
			col := *t.Column(c)
			col.Deferred = false
			cols = append(cols, col)
		}
	}
	return cols, deferred
}

func (j *tableJob) pgUpdatePass(ctx context.Context) error {
	q := newQuoter(j.plan.Dialect)
	dest := q.table(j.destName())
	cols, deferred := updateColumns(j.table)
	names := writtenNames(cols)
	dconn, err := j.dst.pgConn(ctx)
	if err != nil {
		return err
	}
	defer dconn.Release()
	sconn, err := j.src.DB.Postgres.Acquire(ctx)
	if err != nil {
		return err
	}
	defer sconn.Release()
	dcols, err := pgDestColumns(ctx, dconn.Conn(), j.destName())
	if err != nil {
		return err
	}
	list := q.list("", names)
	if err := q.err(); err != nil {
		return err
	}
	drop, err := pgUpdateStage(ctx, dconn, list, dest)
	if err != nil {
		return err
	}
	defer drop()
	const stage = pgUpdateStageName
	copySQL := "COPY " + stage + " (" + list + ") FROM STDIN (FORMAT binary)"
	err = pgStream(ctx, sconn, j, sourceSpec{out: cols}, dcols, nil, func(ctx context.Context, r *batchReader) error {
		_, err := dconn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	return j.pgApplyUpdates(ctx, dconn, stage, deferred)
}

// pgApplyUpdates sets the deferred foreign keys of the destination table
// from stage (the table's key and deferred columns, as the copy writes
// them), one UPDATE per key, only where the referenced row exists.
func (j *tableJob) pgApplyUpdates(ctx context.Context, dconn *pgxpool.Conn, stage string, deferred []syncplan.ForeignKey) error {
	q := newQuoter(j.plan.Dialect)
	opts := j.dst.Options
	dest := q.table(j.destName())
	for _, fk := range deferred {
		set := q.list("", fk.Columns)
		vals := q.list("s.", fk.Columns)
		if len(fk.Columns) > 1 {
			set, vals = "("+set+")", "ROW("+vals+")"
		}
		var anyNull, someSet []string
		for _, c := range fk.Columns {
			anyNull = append(anyNull, "s."+q.id(c)+" IS NULL")
			someSet = append(someSet, "s."+q.id(c)+" IS NOT NULL")
		}
		match := ""
		for i, c := range fk.Columns {
			if i > 0 {
				match += " AND "
			}
			match += "p." + q.id(fk.ReferencedColumns[i]) + " = s." + q.id(c)
		}
		parent := q.table(opts.DestTable(fk.Referenced))
		stmt := "UPDATE " + dest + " AS d SET " + set + " = " + vals + " FROM " + stage + " AS s WHERE " + q.equal("d", "s", j.table.Key) +
			" AND (" + joinOr(someSet) + ") AND (" + joinOr(anyNull) + " OR EXISTS (SELECT 1 FROM " + parent + " AS p WHERE " + match + "))"
		if err := q.err(); err != nil {
			return err
		}
		j.dst.step(fmt.Sprintf("update pass: set %s %s of %s", KindForeignKey, fk.Name, j.destName()))
		tag, err := dconn.Exec(ctx, stmt)
		if err != nil {
			return fmt.Errorf("foreign key %s: %w", fk.Name, err)
		}
		j.engine.Logger.InfoContext(ctx, "update pass", "table", j.table.Name.String(), "foreign_key", fk.Name, "rows", tag.RowsAffected())
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
