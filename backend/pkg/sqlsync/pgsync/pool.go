package pgsync

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/neosyncio/neosync/backend/pkg/pgcopy"
)

// Raw batches are the unit of work of a convert pool: big enough that
// handing one over costs little per row, small enough that a batch and
// its conversion stay in a core's L2 cache and the pool's memory a few
// MiB. At 1 M rows of the benchmark's users table (sqlsync's
// BenchmarkPostgresSync), 1,024 rows or 128 KiB took 8-15 % less worker
// CPU than 256 rows or 32 KiB (a quarter of the hand-overs, each a
// goroutine wake-up), and less than 512 rows or 2,048.
const (
	rawBatchRows  = 1024
	rawBatchBytes = 128 << 10
)

// rawBatch is a run of consecutive source tuples and, once a worker is
// done, their conversion.
type rawBatch struct {
	first int64  // stream number of the first row, for errors
	batch int64  // the destination batch the rows belong to (syncdriver.Leaks)
	data  []byte // complete tuples as read
	// layout holds each tuple's layout (pgcopy.Tuple.AppendLayout), so
	// the workers need not parse the tuples the reader has already split.
	layout []int32
	rows   int
	key    []byte // key fields of the last row (keyed copies)
	out    []byte
	err    error
	done   chan struct{}
}

// convertPool converts raw batches on several goroutines, each with its
// own converter (transformer instances and type map are not shared), and
// hands the results to assemble in source order. Work and results wait in
// channels bounded by the number of workers, so memory does not grow with
// the table.
type convertPool struct {
	ctx      context.Context
	cancel   context.CancelCauseFunc
	work     chan *rawBatch
	order    chan *rawBatch
	free     chan *rawBatch
	workers  sync.WaitGroup
	result   chan error
	closing  sync.Once
	assemble func(*rawBatch) error
	finish   func() error
}

func newConvertPool(ctx context.Context, convs []*pgConverter, assemble func(*rawBatch) error, finish func() error) *convertPool {
	ctx, cancel := context.WithCancelCause(ctx)
	n := len(convs)
	p := &convertPool{ctx: ctx, cancel: cancel, work: make(chan *rawBatch, n), order: make(chan *rawBatch, 2*n),
		free: make(chan *rawBatch, 3*n+1), result: make(chan error, 1), assemble: assemble, finish: finish}
	for _, c := range convs {
		p.workers.Go(func() { p.convert(c) })
	}
	go func() { p.result <- p.assembleAll() }()
	return p
}

// newBatch returns an empty raw batch whose first row is row number first.
func (p *convertPool) newBatch(first int64) *rawBatch {
	select {
	case b := <-p.free:
		b.first, b.data, b.layout, b.rows, b.out, b.err = first, b.data[:0], b.layout[:0], 0, b.out[:0], nil
		return b
	default:
		return &rawBatch{first: first}
	}
}

// submit queues b for conversion and for assembly, in this order.
func (p *convertPool) submit(b *rawBatch) error {
	b.done = make(chan struct{})
	select {
	case p.order <- b:
	case <-p.ctx.Done():
		return context.Cause(p.ctx)
	}
	select {
	case p.work <- b:
		return nil
	case <-p.ctx.Done():
		return context.Cause(p.ctx)
	}
}

func (p *convertPool) convert(c *pgConverter) {
	var t pgcopy.Tuple
	for b := range p.work {
		if p.ctx.Err() == nil {
			b.err = convertAll(c, &t, b)
		}
		close(b.done)
	}
}

// convertAll converts every tuple of b into b.out.
func convertAll(c *pgConverter, t *pgcopy.Tuple, b *rawBatch) error {
	if c.batches {
		if err := c.prefetch(t, b); err != nil {
			return err
		}
	}
	c.onBatch(b.batch)
	data, layout := b.data, b.layout
	stride := len(c.names) + 1 // a layout: one offset per field, then the length
	for i := range b.rows {
		n := t.SetLayout(data, layout[i*stride:(i+1)*stride])
		var err error
		if b.out, err = c.convert(t, b.out); err != nil {
			return fmt.Errorf("row %d: %w", b.first+int64(i), err)
		}
		data = data[n:]
	}
	return nil
}

// assembleAll hands converted batches on in order, then finishes.
func (p *convertPool) assembleAll() error {
	for b := range p.order {
		select {
		case <-b.done:
		case <-p.ctx.Done():
			return context.Cause(p.ctx)
		}
		if b.err != nil {
			p.cancel(b.err)
			return b.err
		}
		if err := p.assemble(b); err != nil {
			p.cancel(err)
			return err
		}
		select {
		case p.free <- b:
		default:
		}
	}
	return p.finish()
}

// close waits for every submitted batch to be assembled and returns the
// first error.
func (p *convertPool) close() error {
	p.closing.Do(func() {
		close(p.work)
		close(p.order)
	})
	err := <-p.result
	p.result <- err // close and abort may both wait
	p.workers.Wait()
	return err
}

// abort stops the pool without finishing (after a failure elsewhere).
func (p *convertPool) abort() {
	p.cancel(nil)
	_ = p.close()
}

// failure is the error that stopped the pool (a row a transformer
// refused, a failed write), nil when none did: the reader then sees only
// its writes refused, and the cause must be reported instead.
func (p *convertPool) failure() error {
	c := context.Cause(p.ctx)
	if c == nil || errors.Is(c, context.Canceled) || errors.Is(c, context.DeadlineExceeded) {
		return nil
	}
	return c
}
