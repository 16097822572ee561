package pgsync

import (
	"bytes"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/pgcopy"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// TestConvertCopiesRuns checks that runs of unchanged fields (setRuns) give
// the same tuple as copying field by field: reordered, repeated, NULL and
// transformed outputs break a run.
func TestConvertCopiesRuns(t *testing.T) {
	t.Parallel()
	fields := [][]byte{[]byte("a"), nil, []byte("ccc"), []byte(""), []byte("eeeee"), []byte("f")}
	src := pgcopy.AppendTupleStart(nil, len(fields))
	for _, f := range fields {
		if f == nil {
			src = pgcopy.AppendNull(src)
		} else {
			src = pgcopy.AppendField(src, f)
		}
	}
	var tup pgcopy.Tuple
	if _, err := tup.Parse(src); err != nil {
		t.Fatal(err)
	}
	tr := &syncdriver.ColumnTransform{} // never called: only its presence matters to setRuns
	for _, tc := range []struct {
		name string
		srcs []int // -1 writes NULL, -2 marks a transformed output
		runs []int
	}{
		{"all in order", []int{0, 1, 2, 3, 4, 5}, []int{6, 5, 4, 3, 2, 1}},
		{"reordered", []int{1, 0, 2, 3, 5, 4}, []int{1, 1, 2, 1, 1, 1}},
		{"null and transformed", []int{0, 1, -1, 3, -2, 5}, []int{2, 1, 0, 1, 0, 1}},
		{"repeated", []int{2, 2, 3}, []int{1, 2, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := make([]pgOutput, len(tc.srcs))
			want := pgcopy.AppendTupleStart(nil, len(out))
			for i, s := range tc.srcs {
				out[i].src = s
				switch s {
				case -1:
					want = pgcopy.AppendNull(want)
				case -2:
					out[i].src, out[i].tr = 0, tr
				default:
					want = append(want, tup.RawField(s)...)
				}
			}
			setRuns(out)
			for i := range out {
				if out[i].run != tc.runs[i] {
					t.Fatalf("run of output %d is %d, want %d", i, out[i].run, tc.runs[i])
				}
			}
			if tc.name == "null and transformed" {
				return // converting would call the transformer
			}
			c := &pgConverter{out: out}
			got, err := c.convert(&tup, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("converted %q, want %q", got, want)
			}
		})
	}
}
