package leakscan

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
)

// sketchSeeded builds a sketch of in/out under seed.
func sketchSeeded(capacity int, seed Seed, in, out []string) *Sketch {
	s := NewSeeded(capacity, seed)
	for i := range in {
		s.Add([]byte(in[i]), false, []byte(out[i]), false)
	}
	return s
}

func roundTrip(t *testing.T, s *Sketch, seed Seed) *Sketch {
	t.Helper()
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxEncodedSize(s.capacity) {
		t.Fatalf("encoded %d bytes, above the stated bound %d", len(b), MaxEncodedSize(s.capacity))
	}
	got, err := UnmarshalSketch(b, seed)
	if err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return got
}

func TestSketchRoundTrip(t *testing.T) {
	t.Parallel()
	seed := RunSeed("run-1", []byte("job key"))
	for _, capacity := range []int{1_000_000, 2_000} {
		in, out := column(30_000)
		s := sketchSeeded(capacity, seed, in, out)
		got := roundTrip(t, s, seed)
		if got.threshold != s.threshold || got.rows != s.rows || got.selfEqual != s.selfEqual || got.capacity != s.capacity ||
			!got.out.equal(&s.out) || !got.src.equal(&s.src) {
			t.Fatalf("capacity %d: round trip changed the sketch", capacity)
		}
		if got.Result() != s.Result() {
			t.Fatalf("capacity %d: result %+v after the round trip, %+v before", capacity, got.Result(), s.Result())
		}
		// The restored sketch keeps working: adding rows goes on as before.
		got.Add([]byte("user-1"), false, []byte("user-1"), false)
		s.Add([]byte("user-1"), false, []byte("user-1"), false)
		if got.Result() != s.Result() {
			t.Fatalf("capacity %d: a restored sketch diverged after one more row", capacity)
		}
	}
}

// TestRangesMergeAcrossProcesses builds the key ranges' sketches as
// separate workers would — each its own Sketch under the run's seed,
// serialised — and merges the decoded ones: the counts equal a full
// re-read's, exactly while the values fit the capacity, and a full
// default-capacity sketch stays within its stated size.
func TestRangesMergeAcrossProcesses(t *testing.T) {
	t.Parallel()
	in, out := column(120_000)
	wantEqual, wantSelf := fullCount(in, out)
	seed := RunSeed("run-2", nil)
	merged := &Table{}
	for lo := 0; lo < len(in); lo += 15_000 {
		hi := min(lo+15_000, len(in))
		// A worker: its own seed value, derived from the same run id.
		part := &Table{Columns: map[string]*Sketch{"email": sketchSeeded(1_000_000, RunSeed("run-2", nil), in[lo:hi], out[lo:hi])}}
		header, cols := part.MarshalParts()
		got, err := UnmarshalTableParts(header, cols, seed)
		if err != nil {
			t.Fatalf("unmarshal range %d: %v", lo, err)
		}
		if err := merged.Merge(got); err != nil {
			t.Fatal(err)
		}
	}
	r := merged.Results()["email"]
	if !r.Exact || r.Equal != wantEqual || r.SelfEqual != wantSelf || r.Rows != int64(len(in)) {
		t.Fatalf("merged %+v; want exact, equal %d, self-equal %d, rows %d", r, wantEqual, wantSelf, len(in))
	}

	// Sampled: ranges of a default-capacity sketch, merged from bytes,
	// equal the merge of the same sketches in memory.
	var direct, decoded *Sketch
	for lo := 0; lo < len(in); lo += 40_000 {
		part := sketchSeeded(0, seed, in[lo:lo+40_000], out[lo:lo+40_000])
		b, _ := part.MarshalBinary()
		if len(b) > MaxEncodedSize(0) {
			t.Fatalf("a full sketch is %d bytes, above the stated bound %d", len(b), MaxEncodedSize(0))
		}
		t.Logf("range sketch of 40000 distinct values: %d bytes", len(b))
		back, err := UnmarshalSketch(b, seed)
		if err != nil {
			t.Fatal(err)
		}
		if direct == nil {
			direct, decoded = NewSeeded(0, seed), NewSeeded(0, seed)
		}
		if err := direct.Merge(part); err != nil {
			t.Fatal(err)
		}
		if err := decoded.Merge(back); err != nil {
			t.Fatal(err)
		}
	}
	if direct.Result() != decoded.Result() || decoded.Result().Exact {
		t.Fatalf("decoded merge %+v, in-memory merge %+v (want equal and sampled)", decoded.Result(), direct.Result())
	}
	want := float64(wantEqual) / float64(len(out))
	r = decoded.Result()
	if got := float64(r.Equal) / float64(r.Sampled); math.Abs(got-want) > 4.5/1.96*r.Margin95() {
		t.Fatalf("estimated leak fraction %.4f ± %.4f, true %.4f", got, r.Margin95(), want)
	}
}

func TestSeedsDoNotMix(t *testing.T) {
	t.Parallel()
	in, out := column(1_000)
	a := sketchSeeded(0, RunSeed("run-a", nil), in, out)
	b := sketchSeeded(0, RunSeed("run-b", nil), in, out)
	if err := a.Merge(b); err == nil {
		t.Fatal("merged sketches of two seeds")
	}
	if err := New(0).Merge(b); err == nil {
		t.Fatal("merged a run's sketch into a process-seeded one")
	}
	raw, _ := b.MarshalBinary()
	if _, err := UnmarshalSketch(raw, RunSeed("run-a", nil)); !errors.Is(err, ErrSeedMismatch) {
		t.Fatalf("decoding with another seed: %v, want ErrSeedMismatch", err)
	}
	if RunSeed("run-a", []byte("k1")) == RunSeed("run-a", []byte("k2")) || RunSeed("run-a", nil) != RunSeed("run-a", nil) {
		t.Fatal("RunSeed is not a function of the run id and the secret")
	}
}

func TestCorruptBytesAreRefused(t *testing.T) {
	t.Parallel()
	seed := RunSeed("run-c", nil)
	in, out := column(5_000)
	header, cols := (&Table{Columns: map[string]*Sketch{"c": sketchSeeded(0, seed, in, out)}, Quasi: []string{"a", "b"},
		Rows: &RowCounter{need: 2, rows: 10, reid: 3}}).MarshalParts()
	if _, err := UnmarshalTableParts(header, cols, seed); err != nil {
		t.Fatal(err)
	}
	good := cols["c"]
	for _, cut := range []int{0, 3, 10, len(good) / 2, len(good) - 1} {
		if _, err := UnmarshalTableParts(header, map[string][]byte{"c": good[:cut]}, seed); !errors.Is(err, ErrEncoding) {
			t.Errorf("sketch truncated at %d: %v, want ErrEncoding", cut, err)
		}
	}
	for _, cut := range []int{0, 3, len(header) - 1} {
		if _, err := UnmarshalTableParts(header[:cut], cols, seed); !errors.Is(err, ErrEncoding) {
			t.Errorf("header truncated at %d: %v, want ErrEncoding", cut, err)
		}
	}
	if _, err := UnmarshalTableParts(append(header[:len(header):len(header)], 7), cols, seed); !errors.Is(err, ErrEncoding) {
		t.Errorf("trailing byte: %v, want ErrEncoding", err)
	}
	if _, err := UnmarshalTableParts(header, nil, seed); !errors.Is(err, ErrMissingPart) {
		t.Errorf("a column's part missing: %v, want ErrMissingPart", err)
	}
	if _, err := UnmarshalSketch([]byte("LKS1\x02"), seed); !errors.Is(err, ErrEncoding) {
		t.Errorf("short sketch: %v", err)
	}
	if _, err := UnmarshalRowCounter([]byte("LKR1\x02\x05\x06")); !errors.Is(err, ErrEncoding) {
		t.Errorf("more re-identified rows than rows: %v", err)
	}
}

// TestRowCountsMergeAcrossProcesses: the re-identification counters of
// ranges, serialised and merged, add up; different quasi-identifiers do
// not merge.
func TestRowCountsMergeAcrossProcesses(t *testing.T) {
	t.Parallel()
	seed := RunSeed("run-r", nil)
	quasi := []string{"first_name", "last_name"}
	merged := &Table{}
	var wantRows, wantReid int64
	for part := range 4 {
		c := NewRowCounter(2)
		for i := range 1_000 + part {
			if i%3 == 0 {
				c.Hit()
				c.Hit()
				wantReid++
			} else if i%3 == 1 {
				c.Hit()
			}
			c.EndRow()
			wantRows++
		}
		header, cols := (&Table{Columns: map[string]*Sketch{}, Quasi: quasi, Rows: c}).MarshalParts()
		got, err := UnmarshalTableParts(header, cols, seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(got); err != nil {
			t.Fatal(err)
		}
	}
	rc := merged.Reidentified()
	if rc == nil || rc.Rows != wantRows || rc.Reidentified != wantReid || !reflect.DeepEqual(rc.Columns, quasi) {
		t.Fatalf("merged count %+v; want %d of %d rows over %v", rc, wantReid, wantRows, quasi)
	}
	other := &Table{Quasi: []string{"city", "zip"}, Rows: NewRowCounter(2)}
	if err := merged.Merge(other); err == nil {
		t.Fatal("merged counts over different quasi-identifiers")
	}
}

// FuzzUnmarshalSketch feeds arbitrary bytes to UnmarshalSketch: it must
// fail cleanly or give a sketch that serialises back to a form it reads
// again as the same sketch, without allocating for counts the bytes
// cannot hold.
func FuzzUnmarshalSketch(f *testing.F) {
	seed := RunSeed("fuzz", nil)
	for _, capacity := range []int{2, 50} {
		in, out := column(300)
		b, _ := sketchSeeded(capacity, seed, in, out).MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := UnmarshalSketch(b, seed)
		if err != nil {
			return
		}
		again := roundTrip(t, s, seed)
		b1, _ := s.MarshalBinary()
		b2, _ := again.MarshalBinary()
		if !bytes.Equal(b1, b2) || !again.out.equal(&s.out) || !again.src.equal(&s.src) {
			t.Fatalf("a decoded sketch changed on a round trip")
		}
	})
}
