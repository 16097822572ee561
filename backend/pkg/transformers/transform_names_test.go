package transformers

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTransformNames(t *testing.T) {
	t.Parallel()
	inputs := []string{"", "J", "Al", "Anna", "Jonathan", "José", "Ölçüm Şahin", "Bartholomew-Johnathan Featherstonehaugh III", "Smith"}
	for _, src := range []string{"transform_first_name", "transform_last_name", "transform_full_name"} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			preserve := mustBuild(t, src, map[string]any{"preserve_length": true}, Options{Key: []byte("k")})
			free := mustBuild(t, src, nil, Options{Key: []byte("k")})
			short := mustBuild(t, src, map[string]any{"preserve_length": true}, Options{Key: []byte("k"), MaxLength: 6})
			for _, in := range inputs {
				out := asString(t, mustRun(t, preserve, in))
				if utf8.RuneCountInString(out) != utf8.RuneCountInString(in) {
					t.Fatalf("%q -> %q changes the length", in, out)
				}
				if n := utf8.RuneCountInString(in); n >= 2 && n <= 11 && !realisticName(src, out) {
					t.Errorf("%q -> %q is not a realistic name", in, out)
				}
				if s := asString(t, mustRun(t, free, in)); !realisticName(src, s) {
					t.Errorf("%q -> %q is not a realistic name", in, s)
				}
				if s := asString(t, mustRun(t, short, in)); utf8.RuneCountInString(s) != min(6, utf8.RuneCountInString(in)) {
					t.Errorf("max length 6: %q -> %q", in, s)
				}
			}
			_, err := free.Transform(int64(3), nil)
			wantValueError(t, err, src, "")
		})
	}
}

// realisticName reports whether s is a listed name of the kind src writes
// (a first name alone for full names too short to split).
func realisticName(src, s string) bool {
	switch src {
	case "transform_first_name":
		return slices.Contains(firstNames.items, s)
	case "transform_last_name":
		return slices.Contains(lastNames.items, s)
	}
	first, last, ok := strings.Cut(s, " ")
	if !ok {
		return len(s) < 5 && slices.Contains(firstNames.items, s)
	}
	return slices.Contains(firstNames.items, first) && slices.Contains(lastNames.items, last)
}

func TestAppendNameOfLen(t *testing.T) {
	t.Parallel()
	r := newTestRand(1)
	for n := range 60 {
		for _, idx := range []*lenIndex{firstNames, lastNames} {
			if s := string(appendNameOfLen(nil, r, idx, n)); len(s) != n {
				t.Fatalf("length %d gave %q", n, s)
			}
		}
		if s := string(appendFullNameOfLen(nil, r, n)); len(s) != n {
			t.Fatalf("full name of length %d gave %q", n, s)
		}
	}
}

func TestLenIndex(t *testing.T) {
	t.Parallel()
	x := newLenIndex([]string{"ccc", "a", "bb", "bb", "", "dd", "éé"})
	if x.minLen() != 1 || x.maxLen() != 3 || len(x.items) != 5 {
		t.Fatalf("%+v", x)
	}
	r := newTestRand(1)
	for range 50 {
		if s, ok := x.exactly(r, 2); !ok || utf8.RuneCountInString(s) != 2 {
			t.Fatal(s)
		}
		if s, ok := x.atMost(r, 1); !ok || s != "a" {
			t.Fatal(s)
		}
		if s := x.fit(r, 0); s == "" {
			t.Fatal("fit(0) is empty")
		}
	}
	if _, ok := x.exactly(r, 4); ok {
		t.Fatal("exactly(4)")
	}
	y := newLenIndex([]string{"abc"})
	if s := y.fit(r, 2); s != "ab" {
		t.Fatal(s)
	}
}
