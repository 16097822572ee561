package pgcopy

import (
	"bytes"
	"testing"
)

// TestLayoutRoundTrip copies the tuples a Splitter yields with their
// layouts, as the relay hands them to its workers, and checks that
// SetLayout rebuilds every field of each copy.
func TestLayoutRoundTrip(t *testing.T) {
	t.Parallel()
	rows := []row{
		{[]byte("a"), nil, []byte{}},
		{[]byte("hello, world"), []byte{0, 1, 2, 0xff}, nil},
		{nil, nil, nil},
		{[]byte("last"), []byte("x"), []byte("yz")},
	}
	var data []byte
	var layout []int32
	var s Splitter
	s.Fields = 3
	err := s.Feed(encode(rows), func(tup *Tuple) error {
		data = append(data, tup.Raw...)
		layout = tup.AppendLayout(layout)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var tup Tuple
	for i, want := range rows {
		n := tup.SetLayout(data, layout[i*4:(i+1)*4])
		for f := range want {
			got, null := tup.Field(f)
			if null != (want[f] == nil) || !bytes.Equal(got, want[f]) {
				t.Fatalf("row %d field %d: %q (null %v), want %q", i, f, got, null, want[f])
			}
		}
		if whole := rebuild(&tup); !bytes.Equal(whole, tup.Raw) {
			t.Fatalf("row %d: raw fields %q, want %q", i, whole, tup.Raw)
		}
		data = data[n:]
	}
	if len(data) != 0 {
		t.Fatalf("%d bytes left over", len(data))
	}
}
