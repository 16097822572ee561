package sqlsync

import (
	"context"
	"database/sql"
	"fmt"

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

// reconcile empties a table the job owns (see tableJob.emptyOwned).
func (s *streamMySQLSide) reconcile(ctx context.Context, _ Checkpoint, owned bool) error {
	return s.j.emptyOwned(ctx, owned, func(ctx context.Context, stmt string) error {
		_, err := s.conn.ExecContext(ctx, s.j.dst.mysqlTag()+stmt)
		return err
	})
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
	return j.mysqlApplyUpdates(ctx, func(ctx context.Context, spec sourceSpec, write func(context.Context, *batchReader) error) error {
		return streamRows(ctx, j.table, src, spec, nil, write)
	})
}
