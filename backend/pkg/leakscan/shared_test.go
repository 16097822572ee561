package leakscan

import (
	"bytes"
	"sync"
	"testing"
)

// TestSharedEqualsOneSketch: goroutines recording rows into parts of one
// shared sketch at once (each its own runs of rows, as a copy's
// converters take raw batches), the parts and the shared sketch then
// merged, serialise to the same bytes as one sketch that recorded every
// row — at capacities that keep every hash and that sample — and so do
// the same rows recorded into separate sketches and merged (what the
// parts replace). A shared sketch lowered to a higher sketch's threshold
// (Lower) keeps what it would have kept anyway.
func TestSharedEqualsOneSketch(t *testing.T) {
	t.Parallel()
	in, out := column(60_000)
	for _, capacity := range []int{100_000, 2_000, 50} {
		for _, goroutines := range []int{1, 2, 4} {
			want, err := sketchOf(capacity, in, out).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			// The threshold a sketch of the first half reaches: above the
			// final one, as any part's is.
			lower := sketchOf(capacity, in[:len(in)/2], out[:len(out)/2]).Threshold()
			for _, lowered := range []bool{false, true} {
				sh := Share(New(capacity))
				if lowered {
					sh.Lower(lower)
				}
				parts := make([]*Sketch, goroutines)
				separate := make([]*Sketch, goroutines)
				var wg sync.WaitGroup
				for g := range goroutines {
					parts[g], separate[g] = sh.Part(), New(capacity)
					wg.Go(func() {
						for i := range in {
							if (i/25)%goroutines == g {
								parts[g].Add([]byte(in[i]), false, []byte(out[i]), false)
								separate[g].Add([]byte(in[i]), false, []byte(out[i]), false)
							}
						}
					})
				}
				wg.Wait()
				merged, apart := New(capacity), New(capacity)
				for g := range goroutines {
					if err := merged.Merge(parts[g]); err != nil {
						t.Fatal(err)
					}
					if err := apart.Merge(separate[g]); err != nil {
						t.Fatal(err)
					}
				}
				if err := sh.MergeInto(merged); err != nil {
					t.Fatal(err)
				}
				for name, s := range map[string]*Sketch{"shared": merged, "separate": apart} {
					got, err := s.MarshalBinary()
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Errorf("capacity %d, %d goroutines, lowered %v: %s sketches merged give %+v, one sketch %+v",
							capacity, goroutines, lowered, name, s.Result(), sketchOf(capacity, in, out).Result())
					}
				}
			}
		}
	}
}

// TestPartEmptyContinuesTheShare: a part's Empty (the next batch's
// sketch) flushes what the part held back into the shared sketch and
// starts at the shared threshold.
func TestPartEmptyContinuesTheShare(t *testing.T) {
	t.Parallel()
	in, out := column(20_000)
	sh := Share(New(100))
	p := sh.Part()
	for i := range in {
		p.Add([]byte(in[i]), false, []byte(out[i]), false)
	}
	next := p.Empty()
	merged := New(100)
	if err := merged.Merge(p); err != nil {
		t.Fatal(err)
	}
	if err := sh.MergeInto(merged); err != nil {
		t.Fatal(err)
	}
	one := sketchOf(100, in, out)
	if next.Threshold() != one.Threshold() || merged.Threshold() != one.Threshold() {
		t.Fatalf("thresholds: next %d, merged %d, one sketch %d", next.Threshold(), merged.Threshold(), one.Threshold())
	}
	if merged.Result() != one.Result() {
		t.Fatalf("merged %+v, one sketch %+v", merged.Result(), one.Result())
	}
}
