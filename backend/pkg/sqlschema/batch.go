package sqlschema

import "fmt"

// batcher groups rows into batches of at most size rows and hands each full
// batch to fn. Each batch is a fresh slice so fn may retain it.
type batcher struct {
	cols  []string
	size  int
	fn    func(columns []string, batch [][]*string) error
	batch [][]*string
}

func newBatcher(cols []string, size int, fn func([]string, [][]*string) error) *batcher {
	return &batcher{cols: cols, size: size, fn: fn}
}

func (b *batcher) add(row []*string) error {
	if b.batch == nil {
		b.batch = make([][]*string, 0, min(b.size, 1024))
	}
	b.batch = append(b.batch, row)
	if len(b.batch) >= b.size {
		return b.flush()
	}
	return nil
}

// flush delivers the pending rows, if any.
func (b *batcher) flush() error {
	if len(b.batch) == 0 {
		return nil
	}
	batch := b.batch
	b.batch = nil
	if err := b.fn(b.cols, batch); err != nil {
		return fmt.Errorf("sqlschema: stream callback: %w", err)
	}
	return nil
}
