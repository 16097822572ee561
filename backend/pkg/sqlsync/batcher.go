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
//
// With several lanes, each full buffer goes to the next lane in turn, so
// every lane carries a part of each large batch: a part opens with the
// header when its lane first gets a buffer of the batch and closes with
// the trailer and an end marker when the batch ends. A batch smaller than
// one buffer goes to one lane, and the next batch starts on the next.
type batcher struct {
	ctx      context.Context
	stream   *chunkStream
	batch    int64                    // rows per batch; 0 for one batch
	header   []byte                   // written at the start of every part
	trailer  []byte                   // written at the end of every part
	key      func() ([]string, error) // the last row's source key, or nil
	progress func(rows int64)

	buf      []byte
	inBatch  int64
	rows     int64
	lastTick time.Time

	seq      int64   // the current batch's number
	lane     int     // the lane buf goes to
	open     []bool  // per lane: it holds a part of the current batch
	laneRows []int64 // per lane: rows of the current batch it holds
}

// begin starts a row: the part's header when the row opens the current
// lane's part of a batch.
func (b *batcher) begin() {
	if b.open == nil {
		n := len(b.stream.lanes)
		b.open, b.laneRows = make([]bool, n), make([]int64, n)
	}
	if b.inBatch == 0 && !b.anyOpen() {
		b.seq++
	}
	if !b.open[b.lane] {
		b.buf = append(b.buf, b.header...)
		b.open[b.lane] = true
	}
}

func (b *batcher) anyOpen() bool {
	for _, o := range b.open {
		if o {
			return true
		}
	}
	return false
}

// rowDone counts the n rows just appended and hands buffers and batches
// on. n rows never cross the end of a batch.
func (b *batcher) rowDone(n int64) error {
	before := b.rows
	b.inBatch += n
	b.rows += n
	b.laneRows[b.lane] += n
	if b.batch > 0 && b.inBatch >= b.batch {
		if err := b.endBatch(); err != nil {
			return err
		}
	} else if len(b.buf) >= chunkBufferSize {
		if err := b.flush(); err != nil {
			return err
		}
		b.lane = (b.lane + 1) % len(b.open)
	}
	if b.rows/progressEvery != before/progressEvery && b.progress != nil && time.Since(b.lastTick) >= progressInterval {
		b.lastTick = time.Now()
		b.progress(b.rows)
	}
	return nil
}

// msg is a data message of the current batch.
func (b *batcher) msg(data []byte) chunkMsg {
	return chunkMsg{data: data, seq: b.seq, first: b.rows - b.inBatch + 1}
}

// flush hands the current buffer to its lane.
func (b *batcher) flush() error {
	if len(b.buf) == 0 {
		return nil
	}
	if err := b.stream.send(b.ctx, b.lane, b.msg(b.buf)); err != nil {
		return err
	}
	b.buf = b.stream.buffer()
	return nil
}

// endBatch closes the current batch: in every lane holding a part of it,
// the trailer, the last buffer and an end marker with the part's row
// count, the number of parts and the batch's last key.
func (b *batcher) endBatch() error {
	var key []string
	if b.key != nil {
		var err error
		if key, err = b.key(); err != nil {
			return err
		}
	}
	parts := 0
	for _, o := range b.open {
		if o {
			parts++
		}
	}
	for lane, o := range b.open {
		if !o {
			continue
		}
		if lane == b.lane {
			b.buf = append(b.buf, b.trailer...)
			if err := b.flush(); err != nil {
				return err
			}
		} else if len(b.trailer) > 0 {
			if err := b.stream.send(b.ctx, lane, b.msg(append(b.stream.buffer(), b.trailer...))); err != nil {
				return err
			}
		}
		end := b.msg(nil)
		end.end, end.rows, end.parts, end.key = true, b.laneRows[lane], parts, key
		if err := b.stream.send(b.ctx, lane, end); err != nil {
			return err
		}
		b.open[lane], b.laneRows[lane] = false, 0
	}
	// The next batch starts on the next lane, so batches smaller than a
	// buffer still alternate between the writers.
	b.inBatch, b.lane = 0, (b.lane+1)%len(b.open)
	return nil
}

// finish closes the last batch, if any rows are in it.
func (b *batcher) finish() error {
	if b.inBatch > 0 {
		return b.endBatch()
	}
	return nil
}
