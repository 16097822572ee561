package syncdriver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// TestTeeBatch feeds batches through one stream to three writers: two
// receive every byte of every batch, one fails mid-batch and is drained
// without holding the others up.
func TestTeeBatch(t *testing.T) {
	ctx := context.Background()
	s := NewChunkStream()
	var want [][]byte
	go func() {
		b := Batcher{Ctx: ctx, Stream: s, Batch: 50, Buf: s.Buffer(), Key: func() ([]string, error) { return []string{"k"}, nil }}
		var all []byte
		for i := range 120 {
			row := bytes.Repeat([]byte{byte(i)}, 4000) // 50 rows: several buffers per batch
			b.Begin()
			b.Buf = append(b.Buf, row...)
			all = append(all, row...)
			if err := b.RowDone(1); err != nil {
				panic(err)
			}
			if b.Rows%50 == 0 {
				want = append(want, all)
				all = nil
			}
		}
		if err := b.Finish(); err != nil {
			panic(err)
		}
		want = append(want, all)
		s.Close()
	}()
	got := make([][][]byte, 3)
	failed := errors.New("destination down")
	batch := 0
	err := s.Deliver(ctx, func(ctx context.Context, r *BatchReader) error {
		writes := make([]func(context.Context, *BatchReader) error, 3)
		for i := range writes {
			writes[i] = func(_ context.Context, br *BatchReader) error {
				if i == 1 && batch == 1 {
					_, _ = io.ReadFull(br, make([]byte, 10000))
					return failed
				}
				data, err := io.ReadAll(br)
				got[i] = append(got[i], data)
				return err
			}
		}
		errs, err := TeeBatch(ctx, r, writes)
		if err != nil {
			return err
		}
		if rows, key := r.End(); rows == 0 || len(key) != 1 {
			t.Errorf("batch %d: end %d %v", batch, rows, key)
		}
		for i, e := range errs {
			if (i == 1 && batch == 1) != (e != nil) {
				t.Errorf("batch %d writer %d: error %v", batch, i, e)
			}
		}
		batch++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if batch != 3 {
		t.Fatalf("%d batches, want 3", batch)
	}
	for _, i := range []int{0, 2} {
		if len(got[i]) != 3 {
			t.Fatalf("writer %d got %d batches", i, len(got[i]))
		}
		for k := range got[i] {
			if !bytes.Equal(got[i][k], want[k]) {
				t.Errorf("writer %d batch %d: %d bytes, want %d identical", i, k, len(got[i][k]), len(want[k]))
			}
		}
	}
}
