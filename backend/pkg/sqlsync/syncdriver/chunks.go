package syncdriver

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// chunkBufferSize is the size at which the relay hands an output buffer to
// the writer. It stays below pgconn's 64 KiB copy buffer so one buffer
// becomes one CopyData message.
const chunkBufferSize = 60 << 10

// chunkQueue is how many output buffers may wait between the relay and
// the writer: with chunkBufferSize it bounds a table's in-flight data.
const chunkQueue = 8

// chunkMsg is a piece of a destination batch: a buffer of encoded rows, or
// (end set) the end of the batch with what it contained.
type chunkMsg struct {
	data []byte
	end  bool
	rows int64    // rows in the batch (end only)
	key  []string // source key of the batch's last row (end only)
	// rel, when set, releases data instead of recycling it into the
	// reader's own stream: data is shared by the streams of a fan-out
	// (see TeeBatch).
	rel func()
}

// release gives m's buffer back once its reader is done with it.
func (m chunkMsg) release(s *ChunkStream) {
	if m.rel != nil {
		m.rel()
		return
	}
	s.recycle(m.data)
}

// ChunkStream carries batches from the relay to the writer through a
// bounded channel, recycling buffers so memory stays flat.
type ChunkStream struct {
	ch   chan chunkMsg
	free chan []byte
}

// NewChunkStream returns an empty stream with its bounded queue.
func NewChunkStream() *ChunkStream {
	return &ChunkStream{ch: make(chan chunkMsg, chunkQueue), free: make(chan []byte, chunkQueue+2)}
}

// Buffer returns an empty buffer, reusing a returned one when possible.
func (s *ChunkStream) Buffer() []byte {
	select {
	case b := <-s.free:
		return b[:0]
	default:
		return make([]byte, 0, chunkBufferSize+chunkBufferSize/4)
	}
}

func (s *ChunkStream) recycle(b []byte) {
	if cap(b) > 4*chunkBufferSize {
		return // a buffer grown by a huge row is not kept
	}
	select {
	case s.free <- b:
	default:
	}
}

// send queues m, giving up when ctx ends.
func (s *ChunkStream) send(ctx context.Context, m chunkMsg) error {
	select {
	case s.ch <- m:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// next waits for the first message of the next batch; ok is false when
// the relay closed the stream.
func (s *ChunkStream) next(ctx context.Context) (chunkMsg, bool, error) {
	select {
	case m, ok := <-s.ch:
		return m, ok, nil
	case <-ctx.Done():
		return chunkMsg{}, false, context.Cause(ctx)
	}
}

// Deliver hands every batch of the stream to write, which must consume
// the batch's reader to its end, until the relay closes the stream.
func (s *ChunkStream) Deliver(ctx context.Context, write func(context.Context, *BatchReader) error) error {
	for {
		first, ok, err := s.next(ctx)
		if err != nil || !ok {
			return err
		}
		r := newBatchReader(ctx, s, first)
		if err := write(ctx, r); err != nil {
			return err
		}
		if !r.ended() {
			return errTruncatedBatch
		}
	}
}

// errTruncatedBatch reports a relay that stopped in the middle of a batch.
var errTruncatedBatch = errors.New("the source stream ended in the middle of a batch")

// BatchReader is an io.Reader over one batch: it returns the batch's
// buffers and io.EOF at its end marker, whose contents it keeps.
type BatchReader struct {
	ctx     context.Context
	s       *ChunkStream
	cur     []byte
	curRel  func()
	pos     int
	started bool
	first   chunkMsg
	end     *chunkMsg
	n       int64 // bytes returned
}

func newBatchReader(ctx context.Context, s *ChunkStream, first chunkMsg) *BatchReader {
	return &BatchReader{ctx: ctx, s: s, first: first}
}

// Read implements io.Reader for pgconn.CopyFrom and LOAD DATA.
func (r *BatchReader) Read(p []byte) (int, error) {
	for r.pos >= len(r.cur) {
		if r.end != nil {
			return 0, io.EOF
		}
		if r.cur != nil {
			chunkMsg{data: r.cur, rel: r.curRel}.release(r.s)
			r.cur, r.curRel, r.pos = nil, nil, 0
		}
		var m chunkMsg
		if !r.started {
			m, r.started = r.first, true
		} else {
			var ok bool
			var err error
			m, ok, err = r.s.next(r.ctx)
			if err != nil {
				return 0, err
			}
			if !ok {
				return 0, errTruncatedBatch
			}
		}
		if m.end {
			r.end = &m
			return 0, io.EOF
		}
		r.cur, r.curRel = m.data, m.rel
	}
	n := copy(p, r.cur[r.pos:])
	r.pos += n
	r.n += int64(n)
	return n, nil
}

// Bytes returns the bytes the reader has returned so far: the batch's
// size once it has been read to its end.
func (r *BatchReader) Bytes() int64 { return r.n }

// ended reports whether the batch's end marker was read.
func (r *BatchReader) ended() bool { return r.end != nil }

// End returns what the batch's end marker holds: the batch's rows and the
// source key of its last row (zero until the reader has reached it).
func (r *BatchReader) End() (rows int64, key []string) {
	if r.end == nil {
		return 0, nil
	}
	return r.end.rows, r.end.key
}

// Close ends the stream after its last batch (the encoder's side): the
// writer's Deliver returns once every queued batch is written.
func (s *ChunkStream) Close() { close(s.ch) }

// WriteCountError is a batch the destination took fewer (or more) rows
// of than the batch sent, by the count its load statement returned (a
// PostgreSQL COPY's command tag, the rows a MySQL LOAD DATA affected):
// a trigger or rule on the destination table dropped rows, so the copy
// stops at that batch instead of leaving it for verification to find.
type WriteCountError struct {
	// Statement names the load statement ("COPY", "LOAD DATA").
	Statement string
	Sent      int64
	Took      int64
}

// Error says how many rows the destination took of how many, and why it
// matters.
func (e *WriteCountError) Error() string {
	return fmt.Sprintf("the destination took %d of the batch's %d rows (the count %s returned): a trigger or rule on the destination table may drop rows",
		e.Took, e.Sent, e.Statement)
}

// CollisionError is a copied row that the destination refused because a
// row already there — the user's, in a table the job does not empty —
// holds its key or unique columns, with the default on_conflict ("fail
// the table"). The rows already in the table are left as they were.
type CollisionError struct {
	// Err is the server's error (a *pgconn.PgError or *mysql.MySQLError).
	Err error
}

// Error gives the server's message and the options that would let the
// copy through.
func (e *CollisionError) Error() string {
	return e.Err.Error() + ": the destination table already holds a row with this key, which the job does not replace" +
		" (on_conflict is \"fail the table\"); empty the table first (truncate_before_insert), or choose on_conflict do_nothing (keep the destination's row) or do_update (overwrite it)"
}

// Unwrap returns the server's error.
func (e *CollisionError) Unwrap() error { return e.Err }

// CheckWritten compares the rows a load statement reports it wrote (took)
// with the rows of the batch r, which it read to its end: a
// *WriteCountError when they differ.
func CheckWritten(statement string, took int64, r *BatchReader) error {
	sent, _ := r.End()
	if !r.ended() || took == sent {
		return nil
	}
	return &WriteCountError{Statement: statement, Sent: sent, Took: took}
}
