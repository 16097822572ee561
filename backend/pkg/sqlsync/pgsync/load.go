package pgsync

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// streamPGSide is the syncdriver.CopySide of LoadTable into PostgreSQL: rows from a
// syncdriver.RowSource, written by pgWriter with COPY in text format (the values
// arrive as the source's text output, which COPY's text input parses back
// exactly).
type streamPGSide struct {
	j     *syncdriver.TableJob
	src   syncdriver.RowSource
	dconn *pgxpool.Conn
}

func openStreamPG(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource, out []syncplan.Column) (syncdriver.CopySide, error) {
	dconn, err := destConn(ctx, j.Dst)
	if err != nil {
		return nil, fmt.Errorf("connect to destination: %w", err)
	}
	dcols, err := pgDestColumns(ctx, dconn.Conn(), j.DestName())
	if err == nil {
		err = checkDestColumns(out, dcols)
	}
	if err != nil {
		dconn.Release()
		return nil, err
	}
	return &streamPGSide{j: j, src: src, dconn: dconn}, nil
}

func (s *streamPGSide) Close() { s.dconn.Release() }

// Reconcile empties a table the job owns (see syncdriver.TableJob.EmptyOwned).
func (s *streamPGSide) Reconcile(ctx context.Context, _ syncdriver.Checkpoint, rw syncdriver.Rewind) error {
	return s.j.EmptyOwned(ctx, rw.Owned, func(ctx context.Context, stmt string) error {
		_, err := s.dconn.Exec(ctx, stmt)
		return err
	})
}

// Writer is pgWriter with COPY's text format instead of binary.
func (s *streamPGSide) Writer(ctx context.Context, out []syncplan.Column, clear bool) (syncdriver.BatchWriter, error) {
	return newPGWriter(ctx, s.dconn, s.j, out, clear, pgCopyText)
}

func (s *streamPGSide) Stream(ctx context.Context, spec syncdriver.SourceSpec, rep *syncdriver.Reporter, write func(context.Context, *syncdriver.BatchReader) error) error {
	return syncdriver.StreamRows(ctx, s.j.Table, s.src, spec, rep, write)
}

// pgStreamUpdatePass is pgUpdatePass with the key and deferred columns
// from a syncdriver.RowSource, loaded into the stage table with COPY in text format.
func pgStreamUpdatePass(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource) error {
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	cols, deferred := syncdriver.UpdateColumns(j.Table)
	list := q.List("", syncdriver.WrittenNames(cols))
	if err := q.Err(); err != nil {
		return err
	}
	dconn, err := destConn(ctx, j.Dst)
	if err != nil {
		return err
	}
	defer dconn.Release()
	drop, err := pgUpdateStage(ctx, dconn, list, dest)
	if err != nil {
		return err
	}
	defer drop()
	const stage = pgUpdateStageName
	copySQL := "COPY " + stage + " (" + list + ") FROM STDIN"
	err = syncdriver.StreamRows(ctx, j.Table, src, syncdriver.SourceSpec{Out: cols}, nil, func(ctx context.Context, r *syncdriver.BatchReader) error {
		_, err := dconn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	return pgApplyUpdates(ctx, j, dconn, stage, deferred)
}
