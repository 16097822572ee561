package mysqlsync

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// streamMySQLSide is the syncdriver.CopySide of LoadTable into MySQL/MariaDB: rows
// from a syncdriver.RowSource, written by mysqlWriter (LOAD DATA LOCAL INFILE, whose
// text input takes the source's text values as they are).
type streamMySQLSide struct {
	j       *syncdriver.TableJob
	src     syncdriver.RowSource
	conn    *sql.Conn
	release func()
}

func openStreamMySQL(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource, out []syncplan.Column) (syncdriver.CopySide, error) {
	if err := mysqlCheckDest(ctx, j.Dst.DB.MySQL, j.DestName(), out); err != nil {
		return nil, err
	}
	conn, release, err := mysqlSession(ctx, j.Dst.DB.MySQL)
	if err != nil {
		return nil, fmt.Errorf("connect to destination: %w", err)
	}
	return &streamMySQLSide{j: j, src: src, conn: conn, release: release}, nil
}

func (s *streamMySQLSide) Close() { s.release() }

// Reconcile empties a table the job owns (see syncdriver.TableJob.EmptyOwned).
func (s *streamMySQLSide) Reconcile(ctx context.Context, _ syncdriver.Checkpoint, rw syncdriver.Rewind) error {
	return s.j.EmptyOwned(ctx, rw.Owned, func(ctx context.Context, stmt string) error {
		_, err := s.conn.ExecContext(ctx, tag(s.j.Dst)+stmt)
		return err
	})
}

func (s *streamMySQLSide) Writer(ctx context.Context, out []syncplan.Column, clear bool) (syncdriver.BatchWriter, error) {
	return newMySQLWriter(ctx, s.conn, s.j, out, clear)
}

func (s *streamMySQLSide) Stream(ctx context.Context, spec syncdriver.SourceSpec, rep *syncdriver.Reporter, write func(context.Context, *syncdriver.BatchReader) error) error {
	return syncdriver.StreamRows(ctx, s.j.Table, s.src, spec, rep, write)
}

// mysqlStreamUpdatePass is mysqlUpdatePass with the key and deferred
// columns from a syncdriver.RowSource.
func mysqlStreamUpdatePass(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource) error {
	return mysqlApplyUpdates(ctx, j, func(ctx context.Context, spec syncdriver.SourceSpec, write func(context.Context, *syncdriver.BatchReader) error) error {
		return syncdriver.StreamRows(ctx, j.Table, src, spec, nil, write)
	})
}
