package pgsync

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/pgcopy"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// pgRelay turns the source's binary COPY stream into the destination's,
// batch by batch. It is the io.Writer pgconn's CopyTo writes into, so it
// runs on the goroutine that reads the source. Rows are converted there
// (one converter) or, with a pool, by several converter goroutines whose
// results are reassembled in source order; a table whose fields are all
// copied unchanged skips conversion altogether.
type pgRelay struct {
	syncdriver.Batcher
	identity bool // every source field is copied as is, in order
	conv     *pgConverter
	pool     *convertPool
	names    []string        // source fields
	keyIdx   []int           // source fields of the key (keyed copies)
	keyCodec []*pgValueCodec // per key field, to print the checkpoint

	split   pgcopy.Splitter
	read    int64  // rows read (the reading goroutine's count)
	readKey []byte // key fields of the last row read, length-prefixed
	keyRaw  []byte // key fields of the last row output
	pending *rawBatch
	inBatch int64 // rows dispatched to the pool in the current batch
}

// Write consumes a piece of the source's COPY stream.
func (r *pgRelay) Write(p []byte) (int, error) {
	if err := r.split.Feed(p, r.tuple); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (r *pgRelay) tuple(t *pgcopy.Tuple) error {
	r.read++
	if len(r.keyIdx) > 0 {
		r.readKey = r.readKey[:0]
		for _, i := range r.keyIdx {
			r.readKey = append(r.readKey, t.RawField(i)...)
		}
	}
	if r.pool != nil {
		return r.dispatch(t)
	}
	r.keyRaw = r.readKey
	r.Begin()
	if r.identity {
		r.Buf = append(r.Buf, t.Raw...)
	} else {
		r.conv.onBatch(r.batchOf(r.read))
		var err error
		if r.Buf, err = r.conv.convert(t, r.Buf); err != nil {
			return fmt.Errorf("row %d: %w", r.read, err)
		}
	}
	return r.RowDone(1)
}

// dispatch adds t to the pending raw batch and hands the batch to the pool
// when it is full or ends a destination batch (raw batches never straddle
// one, so the reassembled stream splits where the inline one would).
func (r *pgRelay) dispatch(t *pgcopy.Tuple) error {
	if r.pending == nil {
		r.pending = r.pool.newBatch(r.read)
		r.pending.batch = r.batchOf(r.read)
	}
	b := r.pending
	b.data = append(b.data, t.Raw...)
	b.layout = t.AppendLayout(b.layout)
	b.rows++
	r.inBatch++
	if r.Batch > 0 && r.inBatch >= r.Batch {
		r.inBatch = 0
		return r.send()
	}
	if b.rows >= rawBatchRows || len(b.data) >= rawBatchBytes {
		return r.send()
	}
	return nil
}

func (r *pgRelay) send() error {
	b := r.pending
	r.pending = nil
	b.key = append(b.key[:0], r.readKey...)
	return r.pool.submit(b)
}

// batchOf is the destination batch of the attempt's row n (from 1): the
// batches are Batch rows each (one batch when Batch is 0).
func (r *pgRelay) batchOf(n int64) int64 {
	if r.Batch <= 0 {
		return 0
	}
	return (n - 1) / r.Batch
}

// finish ends the stream once the source's trailer has been read.
func (r *pgRelay) finish() error {
	if err := r.split.Close(); err != nil {
		return err
	}
	if r.pool != nil {
		if r.pending != nil {
			if err := r.send(); err != nil {
				return err
			}
		}
		return r.pool.close()
	}
	return r.Batcher.Finish()
}

// keyText prints the last row's key fields in the source's text format.
func (r *pgRelay) keyText() ([]string, error) {
	out := make([]string, len(r.keyIdx))
	b := r.keyRaw
	for i, idx := range r.keyIdx {
		n := int32(binary.BigEndian.Uint32(b))
		if n < 0 {
			return nil, fmt.Errorf("key column %s is NULL", r.names[idx])
		}
		v, err := r.keyCodec[i].text(b[4 : 4+n])
		if err != nil {
			return nil, fmt.Errorf("key column %s: %w", r.names[idx], err)
		}
		out[i] = v.(string)
		b = b[4+n:]
	}
	return out, nil
}

// startPool converts rows on workers goroutines from now on; it must be
// called before the first Write. newConv builds one converter per worker.
func (r *pgRelay) startPool(ctx context.Context, workers int, newConv func() (*pgConverter, error)) error {
	convs := make([]*pgConverter, workers)
	for i := range convs {
		var err error
		if convs[i], err = newConv(); err != nil {
			return err
		}
	}
	r.pool = newConvertPool(ctx, convs, r.assemble, r.Batcher.Finish)
	r.Ctx = r.pool.ctx // the assembler stops with the pool
	return nil
}

// assemble appends one converted raw batch to the output, in order; it
// runs on the pool's assembling goroutine.
func (r *pgRelay) assemble(b *rawBatch) error {
	r.Begin()
	r.Buf = append(r.Buf, b.out...)
	r.keyRaw = b.key
	return r.RowDone(int64(b.rows))
}
