package strarena

import (
	"bytes"
	"strconv"
	"testing"
)

// TestStringsStayUnchanged checks that strings handed out earlier keep
// their contents while the scratch buffer they came from is rewritten and
// chunks fill up and are replaced.
func TestStringsStayUnchanged(t *testing.T) {
	t.Parallel()
	var a Arena
	var scratch []byte
	var got []string
	var want []string
	for i := range 5000 {
		scratch = scratch[:0]
		scratch = append(scratch, "value-"...)
		scratch = strconv.AppendInt(scratch, int64(i), 10)
		if i%97 == 0 {
			scratch = append(scratch, bytes.Repeat([]byte{'x'}, 600)...) // beyond maxArenaString
		}
		got = append(got, a.String(scratch))
		want = append(want, string(scratch))
		for j := range scratch {
			scratch[j] = '!'
		}
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
		}
	}
	if a.String(nil) != "" {
		t.Fatal("empty input gave a non-empty string")
	}
}

// BenchmarkString measures one short string, as a transformer outputs.
func BenchmarkString(b *testing.B) {
	var a Arena
	src := []byte("chester_hall06842@morris.biz")
	b.ReportAllocs()
	for b.Loop() {
		_ = a.String(src)
	}
}
