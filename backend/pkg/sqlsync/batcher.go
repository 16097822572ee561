package sqlsync

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

// batcher cuts the encoded rows of one stream into buffers and batches on
// a chunkStream. An encoder appends a row to buf, then calls rowDone.
type batcher struct {
	ctx      context.Context
	stream   *chunkStream
	batch    int64                    // rows per batch; 0 for one batch
	header   []byte                   // written at the start of every batch
	trailer  []byte                   // written at the end of every batch
	key      func() ([]string, error) // the last row's source key, or nil
	progress func(rows int64)

	buf      []byte
	inBatch  int64
	rows     int64
	lastTick time.Time
}

// begin starts a row: the batch header when the row opens a batch.
func (b *batcher) begin() {
	if b.inBatch == 0 {
		b.buf = append(b.buf, b.header...)
	}
}

// rowDone counts the n rows just appended and hands buffers and batches
// on. n rows never cross the end of a batch.
func (b *batcher) rowDone(n int64) error {
	before := b.rows
	b.inBatch += n
	b.rows += n
	if b.batch > 0 && b.inBatch >= b.batch {
		if err := b.endBatch(); err != nil {
			return err
		}
	} else if len(b.buf) >= chunkBufferSize {
		if err := b.flush(); err != nil {
			return err
		}
	}
	if b.rows/progressEvery != before/progressEvery && b.progress != nil && time.Since(b.lastTick) >= progressInterval {
		b.lastTick = time.Now()
		b.progress(b.rows)
	}
	return nil
}

// flush hands the current buffer to the writer.
func (b *batcher) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	if err := b.stream.send(b.ctx, chunkMsg{data: b.buf}); err != nil {
		return err
	}
	b.buf = b.stream.buffer()
	return nil
}

// endBatch closes the current batch: trailer, last buffer, end marker
// with the row count and the last key.
func (b *batcher) endBatch() error {
	b.buf = append(b.buf, b.trailer...)
	if err := b.flush(); err != nil {
		return err
	}
	var key []string
	if b.key != nil {
		var err error
		if key, err = b.key(); err != nil {
			return err
		}
	}
	if err := b.stream.send(b.ctx, chunkMsg{end: true, rows: b.inBatch, key: key}); err != nil {
		return err
	}
	b.inBatch = 0
	return nil
}

// finish closes the last batch, if any rows are in it.
func (b *batcher) finish() error {
	if b.inBatch > 0 {
		return b.endBatch()
	}
	return nil
}
