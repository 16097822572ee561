package sqlsync

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// streamPGSide is the copySide of LoadTable into PostgreSQL: rows from a
// RowSource, written by pgWriter with COPY in text format (the values
// arrive as the source's text output, which COPY's text input parses back
// exactly).
type streamPGSide struct {
	j     *tableJob
	src   RowSource
	dconn *pgxpool.Conn
}

func openStreamPG(ctx context.Context, j *tableJob, src RowSource, out []syncplan.Column) (copySide, error) {
	dconn, err := j.dst.pgConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to destination: %w", err)
	}
	dcols, err := pgDestColumns(ctx, dconn.Conn(), j.destName())
	if err == nil {
		err = checkDestColumns(out, dcols)
	}
	if err != nil {
		dconn.Release()
		return nil, err
	}
	return &streamPGSide{j: j, src: src, dconn: dconn}, nil
}

func (s *streamPGSide) close() { s.dconn.Release() }

// reconcile empties a table the job owns (see tableJob.emptyOwned).
func (s *streamPGSide) reconcile(ctx context.Context, _ Checkpoint, owned bool) error {
	return s.j.emptyOwned(ctx, owned, func(ctx context.Context, stmt string) error {
		_, err := s.dconn.Exec(ctx, stmt)
		return err
	})
}

// writer is pgWriter with COPY's text format instead of binary.
func (s *streamPGSide) writer(ctx context.Context, out []syncplan.Column, clear bool) (batchWriter, error) {
	return newPGWriter(ctx, s.dconn, s.j, out, clear, pgCopyText)
}

func (s *streamPGSide) stream(ctx context.Context, spec sourceSpec, rep *reporter, write func(context.Context, *batchReader) error) error {
	return streamRows(ctx, s.j.table, s.src, spec, rep, write)
}

// pgStreamUpdatePass is pgUpdatePass with the key and deferred columns
// from a RowSource, loaded into the stage table with COPY in text format.
func (j *tableJob) pgStreamUpdatePass(ctx context.Context, src RowSource) error {
	q := newQuoter(j.plan.Dialect)
	dest := q.table(j.destName())
	cols, deferred := updateColumns(j.table)
	list := q.list("", writtenNames(cols))
	if err := q.err(); err != nil {
		return err
	}
	dconn, err := j.dst.pgConn(ctx)
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
	err = streamRows(ctx, j.table, src, sourceSpec{out: cols}, nil, func(ctx context.Context, r *batchReader) error {
		_, err := dconn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	return j.pgApplyUpdates(ctx, dconn, stage, deferred)
}
