package syncdriver

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// streamSpec is what one RowSource stream reads and writes: the source
// columns asked for, and for every written field its position among them
// (-1: written NULL without asking — generate_null and deferred columns).
type streamSpec struct {
	cols   []string
	fields []int
}

func newStreamSpec(out []syncplan.Column) streamSpec {
	var s streamSpec
	for _, c := range out {
		if !Reads(c) {
			s.fields = append(s.fields, -1)
			continue
		}
		s.fields = append(s.fields, len(s.cols))
		s.cols = append(s.cols, c.Name)
	}
	return s
}

// EmptyOwned is the reconcile step of a stream, which has no checkpoint
// to reconcile with (it is never resumed): like a first SyncTable attempt,
// it empties the destination table when the job owns it, running the
// DELETE with exec on the writer's session.
func (j *TableJob) EmptyOwned(ctx context.Context, owned bool, exec func(context.Context, string) error) error {
	if !owned {
		return nil
	}
	q := NewQuoter(j.Plan.Dialect)
	stmt := "DELETE FROM " + q.Table(j.DestName())
	if err := q.Err(); err != nil {
		return err
	}
	if err := exec(ctx, stmt); err != nil {
		return fmt.Errorf("empty the destination table: %w", err)
	}
	return nil
}

// StreamRows reads t's rows for spec from src and hands them, encoded in
// the text format both PostgreSQL's COPY and MySQL's LOAD DATA read (tab
// separated, backslash escapes, \N for NULL), batch by batch to write.
// Reading and writing run concurrently, joined by the same bounded chunk
// queue as the database paths, so memory stays flat.
func StreamRows(ctx context.Context, t *syncplan.Table, src RowSource, spec SourceSpec, rep *Reporter, write func(context.Context, *BatchReader) error) error {
	ss := newStreamSpec(spec.Out)
	g, gctx := errgroup.WithContext(ctx)
	stream := NewChunkStream()
	b := &Batcher{Ctx: gctx, Stream: stream, Batch: spec.Batch, Buf: stream.Buffer()}
	if rep != nil {
		b.Progress = rep.Streamed
	}
	g.Go(func() error {
		defer stream.Close()
		err := src.Rows(gctx, t, ss.cols, func(rows [][]*string) error {
			for _, r := range rows {
				if len(r) != len(ss.cols) {
					return fmt.Errorf("row %d: the source sent %d values for %d columns", b.Rows+1, len(r), len(ss.cols))
				}
				b.Begin()
				for i, f := range ss.fields {
					if i > 0 {
						b.Buf = append(b.Buf, '\t')
					}
					if f < 0 || r[f] == nil {
						b.Buf = append(b.Buf, '\\', 'N')
						continue
					}
					rep.Read(len(*r[f]))
					b.Buf = appendTextField(b.Buf, *r[f])
				}
				b.Buf = append(b.Buf, '\n')
				if err := b.RowDone(1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read source: %w", err)
		}
		return b.Finish()
	})
	g.Go(func() error { return stream.Deliver(gctx, write) })
	return g.Wait()
}

// appendTextField appends a non-NULL value as one field of COPY's text
// format, which LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\'
// reads the same way: backslash, tab, newline and carriage return are
// escaped, and NUL as \0 (MySQL binary strings; PostgreSQL text never
// holds NUL).
func appendTextField(b []byte, v string) []byte { return AppendEscaped(b, v) }

// AppendEscaped appends v with backslash, tab, newline, carriage return
// and NUL escaped, as both COPY's text format and LOAD DATA (ESCAPED BY
// '\\') read them.
func AppendEscaped[T string | []byte](b []byte, v T) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case 0:
			b = append(b, '\\', '0')
		default:
			b = append(b, c)
		}
	}
	return b
}
