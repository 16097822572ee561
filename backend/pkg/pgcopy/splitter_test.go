package pgcopy

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

// row is a decoded tuple for comparisons: nil marks NULL.
type row [][]byte

func encode(rows []row) []byte {
	b := AppendHeader(nil)
	for _, r := range rows {
		b = AppendTupleStart(b, len(r))
		for _, f := range r {
			if f == nil {
				b = AppendNull(b)
			} else {
				b = AppendField(b, f)
			}
		}
	}
	return AppendTrailer(b)
}

// split feeds stream in the given piece sizes (cycled) and collects rows.
func split(stream []byte, sizes []int) ([]row, error) {
	var s Splitter
	var out []row
	collect := func(t *Tuple) error {
		r := make(row, t.NumFields())
		for i := range r {
			v, null := t.Field(i)
			if !null {
				r[i] = append([]byte{}, v...)
			}
		}
		if !bytes.Equal(rebuild(t), t.Raw) {
			return errors.New("RawField pieces do not add up to Raw")
		}
		out = append(out, r)
		return nil
	}
	for i := 0; len(stream) > 0; i++ {
		n := len(stream)
		if len(sizes) > 0 {
			n = min(max(sizes[i%len(sizes)], 1), len(stream))
		}
		if err := s.Feed(stream[:n], collect); err != nil {
			return out, err
		}
		stream = stream[n:]
	}
	if err := s.Close(); err != nil {
		return out, err
	}
	if s.Rows() != int64(len(out)) {
		return out, errors.New("Rows disagrees with the tuples yielded")
	}
	return out, nil
}

func rebuild(t *Tuple) []byte {
	b := AppendTupleStart(nil, t.NumFields())
	for i := range t.NumFields() {
		b = append(b, t.RawField(i)...)
	}
	return b
}

func TestSplitterRoundTrip(t *testing.T) {
	t.Parallel()
	rows := []row{
		{[]byte("a"), nil, []byte{}},
		{[]byte("hello, world"), []byte{0, 1, 2, 0xff}, nil},
		{nil, nil, nil},
	}
	stream := encode(rows)
	for _, sizes := range [][]int{nil, {1}, {2}, {3, 7}, {19}, {20, 1, 5}} {
		got, err := split(stream, sizes)
		if err != nil {
			t.Fatalf("sizes %v: %v", sizes, err)
		}
		if !reflect.DeepEqual(got, rows) {
			t.Fatalf("sizes %v: got %q, want %q", sizes, got, rows)
		}
	}
}

func TestSplitterErrors(t *testing.T) {
	t.Parallel()
	good := encode([]row{{[]byte("x")}})
	tests := []struct {
		name   string
		stream []byte
	}{
		{"bad signature", append([]byte("PGCOPY\n\xff\r\n\x01"), good[11:]...)},
		{"oids flag", func() []byte { b := bytes.Clone(good); b[12] = 1; return b }()},
		{"truncated", good[:len(good)-3]},
		{"no trailer", good[:len(good)-2]},
		{"garbage after trailer", append(bytes.Clone(good), 0)},
		{"bad field length", append(AppendTupleStart(AppendHeader(nil), 1), 0xff, 0xff, 0xff, 0xfe)},
		{"negative field count", append(AppendHeader(nil), 0xff, 0xf0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := split(tc.stream, nil); !errors.Is(err, ErrFormat) {
				t.Fatalf("err = %v, want ErrFormat", err)
			}
		})
	}
}

func TestSplitterFieldCount(t *testing.T) {
	t.Parallel()
	s := Splitter{Fields: 2}
	err := s.Feed(encode([]row{{[]byte("x")}}), func(*Tuple) error { return nil })
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}

func TestEndField(t *testing.T) {
	t.Parallel()
	b := AppendTupleStart(AppendHeader(nil), 2)
	b, at := BeginField(b)
	b = append(b, "abc"...)
	b = EndField(b, at, false)
	b, at = BeginField(b)
	b = append(b, "ignored"...)
	b = EndField(b, at, true)
	got, err := split(AppendTrailer(b), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []row{{[]byte("abc"), nil}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// FuzzSplitter feeds arbitrary bytes in arbitrary pieces: the splitter must
// never panic, must agree with itself whatever the piece sizes, and must
// round-trip the streams it accepts.
func FuzzSplitter(f *testing.F) {
	f.Add(encode([]row{{[]byte("a"), nil}, {[]byte{}, []byte("bc")}}), uint64(1))
	f.Add(encode(nil), uint64(7))
	f.Add([]byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x04abcd\x00\x01\xff\xff\xff\xff\xff\xff"), uint64(3))
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64) {
		whole, errWhole := split(stream, nil)
		r := rand.New(rand.NewPCG(seed, seed))
		sizes := make([]int, 8)
		for i := range sizes {
			sizes[i] = 1 + r.IntN(16)
		}
		pieces, errPieces := split(stream, sizes)
		if (errWhole == nil) != (errPieces == nil) {
			t.Fatalf("whole: %v, pieces %v: %v", errWhole, sizes, errPieces)
		}
		if errWhole != nil {
			return
		}
		if !reflect.DeepEqual(whole, pieces) {
			t.Fatalf("whole %q != pieces %q", whole, pieces)
		}
		again, err := split(encode(whole), sizes)
		if err != nil || !reflect.DeepEqual(again, whole) {
			t.Fatalf("re-encoded stream: %v, %q != %q", err, again, whole)
		}
	})
}
