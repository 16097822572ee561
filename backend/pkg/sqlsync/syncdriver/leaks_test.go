package syncdriver

import (
	"bytes"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// leakRow is row i of a synthetic table: column a leaks its input for
// every seventh row, b maps onto a small domain of source values, and
// both kept make a row re-identifiable.
func leakRow(i int) (in, out [2][]byte) {
	in[0] = fmt.Appendf(nil, "a%d", i)
	out[0] = fmt.Appendf(nil, "x%d", i)
	if i%7 == 0 {
		out[0] = in[0]
	}
	in[1] = fmt.Appendf(nil, "b%d", i%13)
	out[1] = fmt.Appendf(nil, "b%d", (i*5)%13)
	return in, out
}

// copyRows records rows from..to-1 into l as a copy would: two
// goroutines' converters (rows alternate between them in runs of 25),
// batches of batch rows counted from the attempt's first row, each batch
// committed once recorded; stop, when >= 0, ends the copy after that
// batch's commit and returns its committed sketches serialised.
func copyRows(t *testing.T, l *Leaks, from, to, batch int, stop int64) (cp Checkpoint, header []byte, columns map[string][]byte) {
	t.Helper()
	type conv struct {
		gen   int64
		a, b  *leakscan.Sketch
		rows  *leakscan.RowCounter
		begun bool
	}
	convs := []*conv{{}, {}}
	committed := Checkpoint{Table: sqlschema.TableName{Schema: "s", Table: "t"}, Rows: int64(from)}
	for n := from; n < to; n++ {
		g := int64(n-from) / int64(batch)
		c := convs[(n/25)%2]
		if !c.begun || c.gen != g {
			if !c.begun {
				c.a, c.b, c.rows = l.SketchOf("a", g, nil), l.SketchOf("b", g, nil), l.RowCounterOf(g)
			} else {
				c.a, c.b, c.rows = l.SketchOf("a", g, c.a), l.SketchOf("b", g, c.b), l.RowCounterOf(g)
			}
			c.gen, c.begun = g, true
		}
		in, out := leakRow(n)
		c.a.Add(in[0], false, out[0], false)
		c.b.Add(in[1], false, out[1], false)
		for k := range 2 {
			if string(in[k]) == string(out[k]) {
				c.rows.Hit()
			}
		}
		c.rows.EndRow()
		if (n-from+1)%batch == 0 || n == to-1 {
			committed.Rows = int64(n + 1)
			committed.Key = []string{fmt.Sprint(n)}
			l.Commit(g, committed)
			if g == stop {
				cp, header, columns, ok := l.Committed()
				if !ok {
					t.Fatal("no committed sketches after a commit")
				}
				return cp, header, columns
			}
		}
	}
	return committed, nil, nil
}

// TestLeaksResumeFromACheckpoint: the sketches committed at a checkpoint,
// serialised and restored with the run's seed, continued by a copy
// resumed there, measure what one uninterrupted copy measures — exactly,
// with a capacity small enough that every sketch samples.
func TestLeaksResumeFromACheckpoint(t *testing.T) {
	t.Parallel()
	const rows, batch, capacity = 5000, 300, 64
	seed := leakscan.RunSeed("run-1", []byte("job key"))
	quasi := []string{"a", "b"}

	whole := NewLeaks(capacity, seed, quasi)
	copyRows(t, whole, 0, rows, batch, -1)
	want := whole.Table()

	first := NewLeaks(capacity, seed, quasi)
	cp, header, columns := copyRows(t, first, 0, rows, batch, 6)
	if cp.Rows != 7*batch || !reflect.DeepEqual(cp.Key, []string{fmt.Sprint(7*batch - 1)}) {
		t.Fatalf("committed checkpoint %+v, want %d rows", cp, 7*batch)
	}
	prefix, err := leakscan.UnmarshalTableParts(header, columns, seed)
	if err != nil {
		t.Fatal(err)
	}
	if got := prefix.Reidentified(); got == nil || got.Rows != cp.Rows {
		t.Fatalf("the committed prefix counts %+v rows, want %d", got, cp.Rows)
	}
	resumed := NewLeaks(capacity, seed, quasi)
	if err := resumed.Resume(prefix, cp); err != nil {
		t.Fatal(err)
	}
	copyRows(t, resumed, int(cp.Rows), rows, batch, -1)
	got := resumed.Table()
	if !reflect.DeepEqual(got.Results(), want.Results()) {
		t.Errorf("resumed sketches %+v\nwant %+v", got.Results(), want.Results())
	}
	if !reflect.DeepEqual(got.Reidentified(), want.Reidentified()) {
		t.Errorf("resumed re-identification %+v, want %+v", got.Reidentified(), want.Reidentified())
	}
	if r := want.Results()["a"]; r.Exact || r.Rows != rows || r.SelfEqual != (rows+6)/7 {
		t.Errorf("the uninterrupted sketch of a: %+v; want sampled over %d rows, %d self-equal", r, rows, (rows+6)/7)
	}

	// A copy resumed without them keeps none: Resume refuses sketches
	// of other quasi-identifiers.
	if err := NewLeaks(capacity, seed, []string{"a", "c"}).Resume(prefix, cp); err == nil {
		t.Error("Resume took sketches of other quasi-identifiers")
	}
}

// TestLeaksCommittedOnlyCommittedRows: rows recorded for a batch not yet
// committed are not in the committed sketches, and nothing is committed
// before the first commit.
func TestLeaksCommittedOnlyCommittedRows(t *testing.T) {
	t.Parallel()
	l := NewLeaks(0, leakscan.Seed{}, nil)
	if _, _, _, ok := l.Committed(); ok {
		t.Fatal("committed sketches before any commit")
	}
	s0 := l.SketchOf("a", 0, nil)
	s0.Add([]byte("v1"), false, []byte("v1"), false)
	s1 := l.SketchOf("a", 1, s0)
	s1.Add([]byte("v2"), false, []byte("w2"), false)
	l.Commit(0, Checkpoint{Rows: 1})
	cp, header, columns, ok := l.Committed()
	if !ok || cp.Rows != 1 {
		t.Fatalf("committed checkpoint %+v ok=%v", cp, ok)
	}
	prefix, err := leakscan.UnmarshalTableParts(header, columns, leakscan.Seed{})
	if err != nil {
		t.Fatal(err)
	}
	if r := prefix.Results()["a"]; r.Rows != 1 || r.SelfEqual != 1 {
		t.Errorf("committed sketch of a: %+v; want the first batch's row only", r)
	}
	if r := l.Results()["a"]; r.Rows != 2 || r.SelfEqual != 1 {
		t.Errorf("the whole copy's sketch of a: %+v; want both rows", r)
	}
}

// TestLeaksOnly: a collector restricted to some columns (an update pass's
// deferred ones) gives no sketch of the others, so their values are not
// recorded and its results name only its own columns.
func TestLeaksOnly(t *testing.T) {
	t.Parallel()
	l := NewLeaks(0, leakscan.Seed{}, nil).Only("b")
	if s := l.Sketch("a"); s != nil {
		t.Fatalf("a sketch of a column the collector does not sketch: %v", s)
	}
	b := l.SketchOf("b", 0, nil)
	if b == nil {
		t.Fatal("no sketch of the column the collector sketches")
	}
	for i := range 100 {
		in, out := leakRow(i)
		b.Add(in[1], false, out[1], false)
	}
	res := l.Results()
	if len(res) != 1 || res["b"].Rows != 100 {
		t.Fatalf("results %+v; want column b alone, 100 rows", res)
	}
}

// TestLeaksGoroutinesMeasureWhatOneSketchDoes: goroutines recording the
// rows of each batch at once (runs of 25 rows dealt in turn, as a copy's
// converters take raw batches), every batch committed once recorded,
// leave per column the sketch one sketch of every row holds, byte for
// byte — whether the sample keeps every hash or not.
func TestLeaksGoroutinesMeasureWhatOneSketchDoes(t *testing.T) {
	t.Parallel()
	const rows, batch = 6000, 1000
	seed := leakscan.RunSeed("run-2", []byte("job key"))
	for _, capacity := range []int{100_000, 300, 40} {
		for _, goroutines := range []int{1, 3} {
			l := NewLeaks(capacity, seed, nil)
			prev := make([][2]*leakscan.Sketch, goroutines)
			for g := int64(0); g*batch < rows; g++ {
				var wg sync.WaitGroup
				for k := range goroutines {
					a, b := l.SketchOf("a", g, prev[k][0]), l.SketchOf("b", g, prev[k][1])
					prev[k] = [2]*leakscan.Sketch{a, b}
					wg.Go(func() {
						for n := int(g) * batch; n < int(g+1)*batch; n++ {
							if (n/25)%goroutines != k {
								continue
							}
							in, out := leakRow(n)
							a.Add(in[0], false, out[0], false)
							b.Add(in[1], false, out[1], false)
						}
					})
				}
				wg.Wait()
				l.Commit(g, Checkpoint{Rows: (g + 1) * batch})
			}
			_, columns := l.Table().MarshalParts()
			for c, col := range []string{"a", "b"} {
				one := leakscan.NewSeeded(capacity, seed)
				for n := range rows {
					in, out := leakRow(n)
					one.Add(in[c], false, out[c], false)
				}
				want, err := one.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(columns[col], want) {
					t.Errorf("capacity %d, %d goroutines: column %s measures %+v, one sketch %+v",
						capacity, goroutines, col, l.Results()[col], one.Result())
				}
			}
		}
	}
}
