package transformers

import (
	"reflect"
	"testing"
)

func TestTransformsConsistent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		source string
		params map[string]any
		inputs []any
	}{
		{"transform_e164_phone_number", map[string]any{"preserve_length": true}, []any{"+15551234567", "+442071838750", "+33142685300"}},
		{"transform_email", nil, []any{"john@example.com", "jane.doe@example.org", "x@y.io"}},
		{"transform_email", map[string]any{"preserve_length": true, "preserve_domain": true}, []any{"john.smith@example.com", "jane.doe@example.org"}},
		{"transform_email", map[string]any{"invalid_email_action": "generate"}, []any{"not an email", "neither"}},
		{"transform_first_name", nil, []any{"John", "Jane", "Bob"}},
		{"transform_first_name", map[string]any{"preserve_length": true}, []any{"John", "Jane", "Bob"}},
		{"transform_float64", nil, []any{1.5, 2.25, -7.0}},
		{"transform_full_name", nil, []any{"John Smith", "Jane Doe"}},
		{"transform_full_name", map[string]any{"preserve_length": true}, []any{"John Smith", "Jane Doe"}},
		{"transform_hash", map[string]any{"salt": "s"}, []any{"a", int64(1)}},
		{"transform_int64", map[string]any{"randomization_range_min": -1000, "randomization_range_max": 1000}, []any{int64(1), int64(2), int64(3)}},
		{"transform_int64_phone_number", nil, []any{int64(5551234567), int64(4155550100)}},
		{"transform_last_name", nil, []any{"Smith", "Doe", "Nguyen"}},
		{"transform_string", nil, []any{"abc", "hello world"}},
		{"transform_string_phone_number", nil, []any{"(555) 123-4567", "555.123.4567"}},
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		covered[tc.source] = true
		a := mustBuild(t, tc.source, tc.params, Options{Key: []byte("job-1")})
		b := mustBuild(t, tc.source, tc.params, Options{Key: []byte("job-1")})
		other := mustBuild(t, tc.source, tc.params, Options{Key: []byte("job-2")})
		if !a.Consistent() {
			t.Fatalf("%s is not consistent with a key", tc.source)
		}
		changed := false
		for _, in := range tc.inputs {
			x := mustRun(t, a, in)
			mustRun(t, a, tc.inputs[len(tc.inputs)-1]) // something else in between
			if y, again := mustRun(t, b, in), mustRun(t, a, in); !reflect.DeepEqual(x, y) || !reflect.DeepEqual(x, again) {
				t.Fatalf("%s(%v): %v, %v, %v under one key", tc.source, in, x, y, again)
			}
			if z := mustRun(t, other, in); !reflect.DeepEqual(x, z) {
				changed = true
			}
		}
		if tc.source == "transform_hash" {
			changed = !changed // a hash ignores the key
		}
		if !changed {
			t.Errorf("%s %v: the other key changed nothing (or, for a hash, something)", tc.source, tc.params)
		}
	}
	for _, d := range transformDefinitions() {
		if !covered[d.Source] {
			t.Errorf("%s has no consistency case", d.Source)
		}
	}
}
