package sqlsync

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// streamMySQLSide is the copySide of LoadTable into MySQL/MariaDB: rows
// from a RowSource, written by mysqlWriter (LOAD DATA LOCAL INFILE, whose
// text input takes the source's text values as they are).
type streamMySQLSide struct {
	j       *tableJob
	src     RowSource
	conn    *sql.Conn
	release func()
}

func openStreamMySQL(ctx context.Context, j *tableJob, src RowSource, out []syncplan.Column) (copySide, error) {
	if err := mysqlCheckDest(ctx, j.dst.DB.MySQL, j.destName(), out); err != nil {
		return nil, err
	}
	conn, release, err := mysqlSession(ctx, j.dst.DB.MySQL)
	if err != nil {
		return nil, fmt.Errorf("connect to destination: %w", err)
	}
	return &streamMySQLSide{j: j, src: src, conn: conn, release: release}, nil
}

func (s *streamMySQLSide) close() { s.release() }

// reconcile empties a table the job owns (see streamPGSide.reconcile).
func (s *streamMySQLSide) reconcile(ctx context.Context, _ Checkpoint, owned bool) error {
	if !owned {
		return nil
	}
	q := newQuoter(s.j.plan.Dialect)
	stmt := "DELETE FROM " + q.table(s.j.destName())
	if err := q.err(); err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("empty the destination table: %w", err)
	}
	return nil
}

func (s *streamMySQLSide) writer(ctx context.Context, out []syncplan.Column, clear bool) (batchWriter, error) {
	return newMySQLWriter(ctx, s.conn, s.j, out, clear)
}

func (s *streamMySQLSide) stream(ctx context.Context, spec sourceSpec, rep *reporter, write func(context.Context, *batchReader) error) error {
	return streamRows(ctx, s.j.table, s.src, spec, rep, write)
}

// mysqlStreamUpdatePass is mysqlUpdatePass with the key and deferred
// columns from a RowSource.
func (j *tableJob) mysqlStreamUpdatePass(ctx context.Context, src RowSource) error {
	q := newQuoter(j.plan.Dialect)
	dest := q.table(j.destName())
	cols, deferred := updateColumns(j.table)
	list := q.list("", writtenNames(cols))
	if err := q.err(); err != nil {
		return err
	}
	conn, release, err := mysqlSession(ctx, j.dst.DB.MySQL)
	if err != nil {
		return err
	}
	defer release()
	const stage = "`neosync_update`"
	for _, s := range []string{"DROP TEMPORARY TABLE IF EXISTS " + stage,
		"CREATE TEMPORARY TABLE " + stage + " AS SELECT " + list + " FROM " + dest + " LIMIT 0"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	err = streamRows(ctx, j.table, src, sourceSpec{out: cols}, nil, func(ctx context.Context, r *batchReader) error {
		return mysqlLoad(ctx, conn, stage, list, r)
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	for _, fk := range deferred {
		stmt := mysqlUpdateStatement(q, j, fk, dest, stage)
		if err := q.err(); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("foreign key %s: %w", fk.Name, err)
		}
	}
	return nil
}

// mysqlUpdateStatement sets foreign key fk of dest from stage: a
// multi-table UPDATE joined to the parent, so only references to rows
// present are set. (It is the statement mysqlUpdatePass builds inline.)
func mysqlUpdateStatement(q *quoter, j *tableJob, fk syncplan.ForeignKey, dest, stage string) string {
	var sets, on, anyNull, someSet []string
	for i, c := range fk.Columns {
		sets = append(sets, "d."+q.id(c)+" = s."+q.id(c))
		on = append(on, "p."+q.id(fk.ReferencedColumns[i])+" = s."+q.id(c))
		anyNull = append(anyNull, "s."+q.id(c)+" IS NULL")
		someSet = append(someSet, "s."+q.id(c)+" IS NOT NULL")
	}
	parent := q.table(j.dst.Options.DestTable(fk.Referenced))
	return "UPDATE " + dest + " AS d JOIN " + stage + " AS s ON " + q.equal("d", "s", j.table.Key) +
		" LEFT JOIN " + parent + " AS p ON " + strings.Join(on, " AND ") +
		" SET " + strings.Join(sets, ", ") +
		" WHERE (" + strings.Join(someSet, " OR ") + ") AND (" + strings.Join(anyNull, " OR ") + " OR p." + q.id(fk.ReferencedColumns[0]) + " IS NOT NULL)"
}
