package sqlsync

import (
	"context"
	"errors"
	"io"

	"golang.org/x/sync/errgroup"
)

// chunkBufferSize is the size at which the relay hands an output buffer to
// the writer. It stays below pgconn's 64 KiB copy buffer so one buffer
// becomes one CopyData message.
const chunkBufferSize = 60 << 10

// chunkQueue is how many output buffers may wait between the relay and
// the writer: with chunkBufferSize it bounds a table's in-flight data.
const chunkQueue = 8

// chunkMsg is a piece of one lane's part of a destination batch: a buffer
// of encoded rows, or (end set) the end of that part with what it held.
type chunkMsg struct {
	data  []byte
	seq   int64 // the batch's number, from 1
	first int64 // the number of the batch's first row, from 1
	end   bool
	rows  int64    // rows in this lane's part of the batch (end only)
	parts int      // lanes holding a part of the batch (end only)
	key   []string // source key of the batch's last row (end only)
}

// chunkStream carries batches from the relay to the writers through
// bounded channels, one per lane (destination session), recycling buffers
// so memory stays flat. With one lane a batch is one destination
// transaction; with several, the batcher deals a batch's buffers out to
// the lanes in turn and each lane commits its part (see the package
// documentation on parallel writers).
type chunkStream struct {
	lanes []chan chunkMsg
	free  chan []byte
}

func newChunkStream(lanes int) *chunkStream {
	lanes = max(lanes, 1)
	s := &chunkStream{lanes: make([]chan chunkMsg, lanes), free: make(chan []byte, lanes*chunkQueue+2)}
	for i := range s.lanes {
		s.lanes[i] = make(chan chunkMsg, chunkQueue)
	}
	return s
}

// close ends every lane; the producer calls it when it stops.
func (s *chunkStream) close() {
	for _, ch := range s.lanes {
		close(ch)
	}
}

// buffer returns an empty buffer, reusing a returned one when possible.
func (s *chunkStream) buffer() []byte {
	select {
	case b := <-s.free:
		return b[:0]
	default:
		return make([]byte, 0, chunkBufferSize+chunkBufferSize/4)
	}
}

func (s *chunkStream) recycle(b []byte) {
	if cap(b) > 4*chunkBufferSize {
		return // a buffer grown by a huge row is not kept
	}
	select {
	case s.free <- b:
	default:
	}
}

// send queues m on lane, giving up when ctx ends.
func (s *chunkStream) send(ctx context.Context, lane int, m chunkMsg) error {
	select {
	case s.lanes[lane] <- m:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// next waits for lane's next message; ok is false when the producer
// closed the stream.
func (s *chunkStream) next(ctx context.Context, lane int) (chunkMsg, bool, error) {
	select {
	case m, ok := <-s.lanes[lane]:
		return m, ok, nil
	case <-ctx.Done():
		return chunkMsg{}, false, context.Cause(ctx)
	}
}

// writeFunc commits one lane's part of a batch, consuming the reader to
// its end.
type writeFunc func(ctx context.Context, lane int, r *batchReader) error

// deliver hands every lane's batch parts to write, one goroutine per lane,
// until the producer closes the stream; the first error stops them all.
func (s *chunkStream) deliver(ctx context.Context, write writeFunc) error {
	g, gctx := errgroup.WithContext(ctx)
	for lane := range s.lanes {
		g.Go(func() error {
			for {
				first, ok, err := s.next(gctx, lane)
				if err != nil || !ok {
					return err
				}
				r := newBatchReader(gctx, s, lane, first)
				if err := write(gctx, lane, r); err != nil {
					return err
				}
				if !r.ended() {
					return errTruncatedBatch
				}
			}
		})
	}
	return g.Wait()
}

// errTruncatedBatch reports a relay that stopped in the middle of a batch.
var errTruncatedBatch = errors.New("the source stream ended in the middle of a batch")

// batchReader is an io.Reader over one batch: it returns the batch's
// buffers and io.EOF at its end marker, whose contents it keeps.
type batchReader struct {
	ctx     context.Context
	s       *chunkStream
	lane    int
	cur     []byte
	pos     int
	started bool
	first   chunkMsg
	end     *chunkMsg
}

func newBatchReader(ctx context.Context, s *chunkStream, lane int, first chunkMsg) *batchReader {
	return &batchReader{ctx: ctx, s: s, lane: lane, first: first}
}

// batch returns the number of the batch this part belongs to and the
// number of the batch's first row.
func (r *batchReader) batch() (seq, first int64) { return r.first.seq, r.first.first }

// Read implements io.Reader for pgconn.CopyFrom and LOAD DATA.
func (r *batchReader) Read(p []byte) (int, error) {
	for r.pos >= len(r.cur) {
		if r.end != nil {
			return 0, io.EOF
		}
		if r.cur != nil {
			r.s.recycle(r.cur)
			r.cur, r.pos = nil, 0
		}
		var m chunkMsg
		if !r.started {
			m, r.started = r.first, true
		} else {
			var ok bool
			var err error
			m, ok, err = r.s.next(r.ctx, r.lane)
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
		r.cur = m.data
	}
	n := copy(p, r.cur[r.pos:])
	r.pos += n
	return n, nil
}

// ended reports whether the batch's end marker was read.
func (r *batchReader) ended() bool { return r.end != nil }
