package syncdriver

import (
	"context"
	"sync"
	"sync/atomic"
)

// TeeBatch hands one batch of a stream to several writers at once — the
// fan-out of one source read to several destinations. Each write gets its
// own BatchReader over the same buffers (encoded once, never copied) and
// must consume it to its end and commit it, as a Deliver callback does;
// the writers run concurrently, each through its own bounded queue of
// chunkQueue buffers, so the slowest destination sets the pace and memory
// stays bounded by (destinations + 1) × chunkQueue buffers. A write that
// fails does not stop the others: its reader is drained and its error
// returned at its index. TeeBatch returns once every write has returned;
// err is set when the batch itself could not be read to its end (the
// source failed or ctx ended), and every write then failed too. A nil
// write is a destination left out of this batch.
func TeeBatch(ctx context.Context, r *BatchReader, writes []func(context.Context, *BatchReader) error) (errs []error, err error) {
	errs = make([]error, len(writes))
	type dest struct {
		i int
		s *ChunkStream
	}
	var dests []dest
	var wg sync.WaitGroup
	for i, write := range writes {
		if write == nil {
			continue
		}
		s := &ChunkStream{ch: make(chan chunkMsg, chunkQueue)}
		dests = append(dests, dest{i: i, s: s})
		wg.Add(1)
		go func() {
			defer wg.Done()
			first, ok, err := s.next(ctx)
			if err != nil || !ok {
				if err == nil {
					err = errTruncatedBatch
				}
				errs[i] = err
				drain(s)
				return
			}
			br := newBatchReader(ctx, s, first)
			err = write(ctx, br)
			if err == nil && !br.ended() {
				err = errTruncatedBatch
			}
			if err != nil {
				errs[i] = err
				if !br.ended() {
					drain(s)
				}
			}
		}()
	}
	streams := make([]*ChunkStream, len(dests))
	for k, d := range dests {
		streams[k] = d.s
	}
	err = pump(ctx, r, streams)
	for _, d := range dests {
		close(d.s.ch)
	}
	wg.Wait()
	if err != nil {
		for _, d := range dests {
			if errs[d.i] == nil {
				errs[d.i] = err
			}
		}
	}
	return errs, err
}

// pump forwards the messages of batch r to every destination stream, up to
// and including its end marker. A buffer is shared: the last reader to be
// done with it recycles it into r's stream.
func pump(ctx context.Context, r *BatchReader, dests []*ChunkStream) error {
	for {
		m, err := r.nextMsg()
		if err != nil {
			return err
		}
		if !m.end {
			refs := new(atomic.Int32)
			refs.Store(int32(len(dests)))
			data, origin := m.data, r.s
			m.rel = func() {
				if refs.Add(-1) == 0 {
					origin.recycle(data)
				}
			}
		}
		for _, d := range dests {
			if err := d.send(ctx, m); err != nil {
				return err
			}
		}
		if m.end {
			return nil
		}
	}
}

// drain discards what is left of a batch on s (a writer that failed), so
// the pump never waits on it; it stops at the end marker or when the pump
// closes s.
func drain(s *ChunkStream) {
	for m := range s.ch {
		if m.end {
			return
		}
		m.release(s)
	}
}

// nextMsg returns the batch's next message, the end marker included
// (which it records, as Read does), for a caller that forwards the
// buffers instead of reading them.
func (r *BatchReader) nextMsg() (chunkMsg, error) {
	var m chunkMsg
	if !r.started {
		m, r.started = r.first, true
	} else {
		var ok bool
		var err error
		m, ok, err = r.s.next(r.ctx)
		if err != nil {
			return m, err
		}
		if !ok {
			return m, errTruncatedBatch
		}
	}
	if m.end {
		r.end = &m
	}
	return m, nil
}
