package leakscan

import (
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/benchcpu"
)

// fullCount is the re-read the sketch replaces: of the non-NULL outputs,
// how many equal some source value, and how many equal their own input.
func fullCount(in, out []string) (equal, self int64) {
	src := map[string]bool{}
	for _, v := range in {
		src[v] = true
	}
	for i, v := range out {
		if src[v] {
			equal++
		}
		if v == in[i] {
			self++
		}
	}
	return equal, self
}

// column builds n rows: inputs "user-i"; outputs mostly fresh values, but
// every 10th row passes its input through and every 7th takes another
// row's input (a small-domain generator hitting source values).
func column(n int) (in, out []string) {
	for i := range n {
		in = append(in, "user-"+strconv.Itoa(i))
		switch {
		case i%10 == 0:
			out = append(out, in[i])
		case i%7 == 0:
			out = append(out, "user-"+strconv.Itoa((i*31)%n))
		default:
			out = append(out, "fake-"+strconv.Itoa(i))
		}
	}
	return in, out
}

func sketchOf(capacity int, in, out []string) *Sketch {
	s := New(capacity)
	for i := range in {
		s.Add([]byte(in[i]), false, []byte(out[i]), false)
	}
	return s
}

func TestExactWhileTheValuesFit(t *testing.T) {
	t.Parallel()
	in, out := column(50_000)
	r := sketchOf(200_000, in, out).Result()
	equal, self := fullCount(in, out)
	if !r.Exact || r.Rate != 1 || r.Sampled != 50_000 || r.Equal != equal || r.SelfEqual != self || r.Rows != 50_000 {
		t.Fatalf("result %+v; want exact, sampled 50000, equal %d, self %d", r, equal, self)
	}
	if r.Margin95() != 0 {
		t.Fatalf("exact result has margin %v", r.Margin95())
	}
}

func TestSampledEstimateWithinItsMargin(t *testing.T) {
	t.Parallel()
	in, out := column(300_000)
	s := sketchOf(10_000, in, out)
	if s.out.len() > 10_000 || s.src.len() > 10_000 {
		t.Fatalf("sketch holds %d/%d hashes; capacity 10000", s.out.len(), s.src.len())
	}
	r := s.Result()
	equal, self := fullCount(in, out)
	if r.Exact || r.Sampled < 5_000 || r.SelfEqual != self {
		t.Fatalf("result %+v; want a sample of at least 5000 rows and self %d", r, self)
	}
	want := float64(equal) / float64(len(out))
	got := float64(r.Equal) / float64(r.Sampled)
	// 4.5 standard errors: a failure is a broken estimator, not bad luck.
	if math.Abs(got-want) > 4.5/1.96*r.Margin95() {
		t.Fatalf("estimated leak fraction %.4f ± %.4f, true %.4f", got, r.Margin95(), want)
	}
}

func TestNullsAreNeitherLeaksNorSourceValues(t *testing.T) {
	t.Parallel()
	s := New(0)
	s.Add(nil, true, []byte("x"), false)
	s.Add([]byte("x"), false, nil, true)
	s.Add(nil, true, nil, true)
	r := s.Result()
	if r.Rows != 1 || r.Sampled != 1 || r.Equal != 1 || r.SelfEqual != 0 {
		t.Fatalf("result %+v; want one output row equal to the other row's source value, no self-equal", r)
	}
}

func TestMergeEqualsOneSketch(t *testing.T) {
	t.Parallel()
	for _, capacity := range []int{1_000_000, 4_000} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			t.Parallel()
			in, out := column(100_000)
			whole := sketchOf(capacity, in, out)
			parts := []*Sketch{New(capacity), New(capacity), New(capacity)}
			for i := range in {
				parts[i%3].Add([]byte(in[i]), false, []byte(out[i]), false)
			}
			merged := New(capacity)
			for _, p := range parts {
				merged.Merge(p)
			}
			// Prune both to the lower threshold: the same rows are kept.
			th := min(whole.threshold, merged.threshold)
			whole.threshold, merged.threshold = th, th
			whole.prune()
			merged.prune()
			if w, m := whole.Result(), merged.Result(); w != m {
				t.Fatalf("merged %+v, whole %+v", m, w)
			}
		})
	}
}

// TestMergeOfKeyRanges merges the sketches of contiguous parts, as the
// worker merges those of a table copied in key ranges: an output of one
// part that equals a source value of another is a leak only the merged
// sketch can see, and the merged counts equal the re-read's.
func TestMergeOfKeyRanges(t *testing.T) {
	t.Parallel()
	in, out := column(30_000)
	wantEqual, wantSelf := fullCount(in, out)
	merged := New(1_000_000)
	for lo := 0; lo < len(in); lo += 7_000 {
		hi := min(lo+7_000, len(in))
		part := sketchOf(1_000_000, in[lo:hi], out[lo:hi])
		merged.Merge(part)
	}
	r := merged.Result()
	if !r.Exact || r.Equal != wantEqual || r.SelfEqual != wantSelf || r.Rows != int64(len(in)) {
		t.Fatalf("merged ranges %+v; want exact, equal %d, self-equal %d, rows %d", r, wantEqual, wantSelf, len(in))
	}
}

func BenchmarkAdd(b *testing.B) {
	in, out := column(1 << 16)
	inB := make([][]byte, len(in))
	outB := make([][]byte, len(out))
	for i := range in {
		inB[i], outB[i] = []byte(in[i]+"@example.com"), []byte(out[i]+"@example.org")
	}
	s := New(0)
	b.ReportAllocs()
	b.ResetTimer()
	stop := benchcpu.Start(b)
	for i := range b.N {
		j := i & (1<<16 - 1)
		s.Add(inB[j], false, outB[j], false)
	}
	stop()
}

// BenchmarkAddBatches records a column of distinct values (as a copy of
// a table sees its key or e-mail column) into a sketch per batch of
// 100,000 rows, each started from the committed sketch (Empty) and merged
// into it when the batch ends, as a copy's sketches are
// (sqlsync/syncdriver.Leaks): every halving, insert and merge of a real
// copy is in it. Run it with -benchtime 1000000x.
func BenchmarkAddBatches(b *testing.B) {
	const batch = 100_000
	val := func(buf []byte, prefix string, i int) []byte {
		return strconv.AppendInt(append(buf[:0], prefix...), int64(i), 10)
	}
	committed := New(0)
	cur := committed.Empty()
	var in, out []byte
	b.ReportAllocs()
	stop := benchcpu.Start(b)
	i := 0
	for b.Loop() {
		if i > 0 && i%batch == 0 {
			_ = committed.Merge(cur)
			cur = committed.Empty()
		}
		in, out = val(in, "user", i), val(out, "fake", i*7)
		cur.Add(in, false, out, false)
		i++
	}
	_ = committed.Merge(cur)
	stop()
	if r := committed.Result(); r.Rows != int64(i) {
		b.Fatalf("the sketch holds %d rows, want %d", r.Rows, i)
	}
}

// BenchmarkMergeFull merges a full default-capacity sketch into an empty
// one, as a copy's first batch is folded into the committed sketches.
func BenchmarkMergeFull(b *testing.B) {
	full := New(0)
	for i := range 200_000 {
		v := []byte("user" + strconv.Itoa(i))
		full.Add(v, false, v, false)
	}
	b.ReportAllocs()
	stop := benchcpu.Start(b)
	for b.Loop() {
		_ = New(0).Merge(full)
	}
	stop()
}
