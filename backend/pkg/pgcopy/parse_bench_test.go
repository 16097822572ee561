package pgcopy

import "testing"

// BenchmarkParse measures parsing one tuple shaped like a row of `make
// bench`'s users table (10 fields, one NULL), as the relay's converters
// parse every row they transform.
func BenchmarkParse(b *testing.B) {
	r := row{
		[]byte("\x00\x00\x00\x00\x00\x01\x86\xa0"), []byte("user100000@example.com"), []byte("first100000"),
		[]byte("last100000"), []byte("791900000"), []byte("+15550100000"), []byte("\x00\x00\x00\x0f"),
		nil, []byte("\x00\x02\x4b\x6e\x43\x2d\x60\x00"), []byte("\x01"),
	}
	stream := encode([]row{r})
	raw := stream[len(AppendHeader(nil)) : len(stream)-len(AppendTrailer(nil))]
	var t Tuple
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}
