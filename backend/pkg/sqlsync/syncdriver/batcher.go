package syncdriver

import (
	"context"
	"time"
)

// progressEvery and progressInterval pace progress reports while rows
// stream: every progressEvery rows, if progressInterval has passed.
var (
	progressEvery    int64 = 4096
	progressInterval       = time.Second
)

// SetProgressPacing changes how often progress is reported while rows
// stream, for tests that interrupt a copy mid-table (every 64 rows,
// interval 0). It is not safe while a copy runs.
func SetProgressPacing(every int64, interval time.Duration) {
	progressEvery, progressInterval = every, interval
}

// Batcher cuts the encoded rows of one stream into buffers and batches on
// a ChunkStream. An encoder appends a row to buf, then calls RowDone.
type Batcher struct {
	Ctx      context.Context
	Stream   *ChunkStream
	Batch    int64                    // rows per batch; 0 for one batch
	Header   []byte                   // written at the start of every batch
	Trailer  []byte                   // written at the end of every batch
	Key      func() ([]string, error) // the last row's source key, or nil
	Progress func(rows int64)

	// Buf is the buffer an encoder appends the current row to.
	Buf []byte
	// Rows counts the rows done so far.
	Rows int64

	inBatch  int64
	lastTick time.Time
}

// Begin starts a row: the batch header when the row opens a batch.
func (b *Batcher) Begin() {
	if b.inBatch == 0 {
		b.Buf = append(b.Buf, b.Header...)
	}
}

// RowDone counts the n rows just appended and hands buffers and batches
// on. n rows never cross the end of a batch.
func (b *Batcher) RowDone(n int64) error {
	before := b.Rows
	b.inBatch += n
	b.Rows += n
	if b.Batch > 0 && b.inBatch >= b.Batch {
		if err := b.endBatch(); err != nil {
			return err
		}
	} else if len(b.Buf) >= chunkBufferSize {
		if err := b.flush(); err != nil {
			return err
		}
	}
	if b.Rows/progressEvery != before/progressEvery && b.Progress != nil && time.Since(b.lastTick) >= progressInterval {
		b.lastTick = time.Now()
		b.Progress(b.Rows)
	}
	return nil
}

// flush hands the current buffer to the writer.
func (b *Batcher) flush() error {
	if len(b.Buf) == 0 {
		return nil
	}
	if err := b.Stream.send(b.Ctx, chunkMsg{data: b.Buf}); err != nil {
		return err
	}
	b.Buf = b.Stream.Buffer()
	return nil
}

// endBatch closes the current batch: trailer, last buffer, end marker
// with the row count and the last key.
func (b *Batcher) endBatch() error {
	b.Buf = append(b.Buf, b.Trailer...)
	if err := b.flush(); err != nil {
		return err
	}
	var key []string
	if b.Key != nil {
		var err error
		if key, err = b.Key(); err != nil {
			return err
		}
	}
	if err := b.Stream.send(b.Ctx, chunkMsg{end: true, rows: b.inBatch, key: key}); err != nil {
		return err
	}
	b.inBatch = 0
	return nil
}

// Finish closes the last batch, if any rows are in it.
func (b *Batcher) Finish() error {
	if b.inBatch > 0 {
		return b.endBatch()
	}
	return nil
}
