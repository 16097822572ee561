package transformers

import "testing"

// TestWordGeneratorsAppend checks that the word-list generators write
// their entry into the caller's buffer (the relay then neither boxes nor
// re-encodes it) and that it is the entry Transform returns, at column
// lengths that take every path of lenIndex.fit: any entry, a short enough
// entry, and an entry cut because none is that short.
func TestWordGeneratorsAppend(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"generate_first_name", "generate_last_name", "generate_city"} {
		for _, maxLen := range []int{0, 1, 2, 3, 4, 5, 8, 12, 255} {
			o := Options{Seed: 7, MaxLength: maxLen}
			val, app := mustBuild(t, src, nil, o), mustBuild(t, src, nil, o)
			if !app.CanAppend() {
				t.Fatalf("%s cannot append its output", src)
			}
			var dst []byte
			for i := range 200 {
				want, err := val.Transform(nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				var text bool
				var v any
				dst, text, v, err = app.AppendText(append(dst[:0], "pre"...), nil, nil)
				if err != nil || !text || v != nil {
					t.Fatalf("%s max %d call %d: AppendText gave text %v, value %v, error %v", src, maxLen, i, text, v, err)
				}
				if got := string(dst[3:]); got != want {
					t.Fatalf("%s max %d call %d: AppendText appended %q, Transform returned %q", src, maxLen, i, got, want)
				}
			}
		}
	}
}
