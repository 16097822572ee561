package sqlsync

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"slices"
	"sync"
	"testing"
)

// TestBatcherDealsBatchesToLanes feeds rows bigger than a third of a
// buffer through a three-lane stream and checks what each writer sees:
// every part of a batch is a complete COPY stream of its own (header, whole
// rows, trailer), the parts of a batch hold each of its rows exactly once,
// every end marker counts its part's rows and the batch's parts, and
// batches start on successive lanes.
func TestBatcherDealsBatchesToLanes(t *testing.T) {
	const (
		lanes   = 3
		rowSize = 25 << 10 // three rows fill a buffer
		batch   = 10
		total   = 25
	)
	ctx := context.Background()
	stream := newChunkStream(lanes)
	b := &batcher{ctx: ctx, stream: stream, batch: batch, header: []byte("H"), trailer: []byte("T"), buf: stream.buffer()}
	b.key = func() ([]string, error) { return []string{"last"}, nil }

	type part struct {
		lane, seq   int
		first       int64
		rows        []uint64
		count       int64
		parts       int
		headAndTail string
	}
	var mu sync.Mutex
	var got []part
	done := make(chan error, 1)
	go func() {
		done <- stream.deliver(ctx, func(_ context.Context, lane int, r *batchReader) error {
			data, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			seq, first := r.batch()
			p := part{lane: lane, seq: int(seq), first: first, count: r.end.rows, parts: r.end.parts}
			if len(data) < 2 || (len(data)-2)%rowSize != 0 {
				t.Errorf("lane %d batch %d: %d bytes is not header + whole rows + trailer", lane, seq, len(data))
				return nil
			}
			p.headAndTail = string(data[:1]) + string(data[len(data)-1:])
			for body := data[1 : len(data)-1]; len(body) > 0; body = body[rowSize:] {
				p.rows = append(p.rows, binary.BigEndian.Uint64(body))
			}
			if !slices.Equal(r.end.key, []string{"last"}) {
				t.Errorf("lane %d batch %d: key %v", lane, seq, r.end.key)
			}
			mu.Lock()
			got = append(got, p)
			mu.Unlock()
			return nil
		})
	}()
	row := bytes.Repeat([]byte{'x'}, rowSize)
	for i := range uint64(total) {
		b.begin()
		binary.BigEndian.PutUint64(row, i+1)
		b.buf = append(b.buf, row...)
		if err := b.rowDone(1); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.finish(); err != nil {
		t.Fatal(err)
	}
	stream.close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	bySeq := map[int][]part{}
	for _, p := range got {
		bySeq[p.seq] = append(bySeq[p.seq], p)
	}
	if len(bySeq) != 3 {
		t.Fatalf("got batches %v, want 3", bySeq)
	}
	var startLanes []int
	for seq := 1; seq <= 3; seq++ {
		parts := bySeq[seq]
		var rows []uint64
		var counted int64
		lanesSeen := map[int]bool{}
		for _, p := range parts {
			if p.headAndTail != "HT" {
				t.Errorf("batch %d lane %d: part framed %q, want header and trailer", seq, p.lane, p.headAndTail)
			}
			if p.parts != len(parts) {
				t.Errorf("batch %d: end marker says %d parts, %d arrived", seq, p.parts, len(parts))
			}
			if p.count != int64(len(p.rows)) {
				t.Errorf("batch %d lane %d: end marker counts %d rows, part holds %d", seq, p.lane, p.count, len(p.rows))
			}
			if lanesSeen[p.lane] {
				t.Errorf("batch %d: two parts on lane %d", seq, p.lane)
			}
			lanesSeen[p.lane] = true
			if want := int64((seq-1)*batch + 1); p.first != want {
				t.Errorf("batch %d: first row %d, want %d", seq, p.first, want)
			}
			rows = append(rows, p.rows...)
			counted += p.count
		}
		slices.Sort(rows)
		var want []uint64
		for i := (seq-1)*batch + 1; i <= min(seq*batch, total); i++ {
			want = append(want, uint64(i))
		}
		if !slices.Equal(rows, want) || counted != int64(len(want)) {
			t.Errorf("batch %d: rows %v (counted %d), want %v", seq, rows, counted, want)
		}
		// The lane of the part holding the batch's first row.
		for _, p := range parts {
			if slices.Contains(p.rows, want[0]) {
				startLanes = append(startLanes, p.lane)
			}
		}
	}
	// 10 rows fill three buffers and a bit of a fourth: batch 1 starts on
	// lane 0 and ends on lane 0, so batch 2 starts on lane 1, ends on
	// lane 1 and batch 3 starts on lane 2.
	if !slices.Equal(startLanes, []int{0, 1, 2}) {
		t.Errorf("batches started on lanes %v, want [0 1 2]", startLanes)
	}
	// Every part of batches 1 and 2 is on its own lane (three parts).
	if len(bySeq[1]) != lanes || len(bySeq[2]) != lanes {
		t.Errorf("parts per batch: %d, %d; want %d", len(bySeq[1]), len(bySeq[2]), lanes)
	}
}

// TestCommitLogCountsCompleteBatchesInOrder commits batch parts out of
// order and checks that a batch counts only once all its parts are in and
// every batch before it has counted.
func TestCommitLogCountsCompleteBatchesInOrder(t *testing.T) {
	var l commitLog
	var counted []string
	count := func(rows int64, key []string) { counted = append(counted, key[0]) }
	commit := func(seq int64, parts int, rows int64, key string) {
		l.committed(&chunkMsg{end: true, seq: seq, parts: parts, rows: rows, key: []string{key}}, count)
	}
	commit(2, 2, 5, "b") // batch 2, first of two parts
	commit(1, 2, 5, "a") // batch 1, first of two
	commit(2, 2, 5, "b") // batch 2 complete, but batch 1 is not
	if len(counted) != 0 {
		t.Fatalf("counted %v before batch 1 was complete", counted)
	}
	commit(3, 1, 3, "c") // batch 3 complete (one part)
	if len(counted) != 0 {
		t.Fatalf("counted %v before batch 1 was complete", counted)
	}
	commit(1, 2, 5, "a") // batch 1 complete: 1, 2 and 3 count
	if !slices.Equal(counted, []string{"a", "b", "c"}) {
		t.Fatalf("counted %v, want [a b c]", counted)
	}
	commit(4, 2, 1, "d")
	if len(counted) != 3 {
		t.Fatalf("counted %v with batch 4 half committed", counted)
	}
	if len(l.parts) != 1 {
		t.Fatalf("commit log keeps %d batches, want only the open one", len(l.parts))
	}
}
