package transformers

import (
	"errors"
	"testing"
)

func TestWritesNull(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	for name, tc := range map[string]struct {
		source string
		params map[string]any
		nulls  bool
	}{
		"generate_null":           {"generate_null", nil, true},
		"email rejecting":         {"transform_email", nil, false},
		"email writing NULL":      {"transform_email", map[string]any{"invalid_email_action": "null"}, true},
		"email passing through":   {"transform_email", map[string]any{"invalid_email_action": "passthrough"}, false},
		"a generator":             {"generate_email", nil, false},
		"passthrough keeps NULLs": {"passthrough", nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			why, err := r.WritesNull(tc.source, tc.params)
			if err != nil || (why != "") != tc.nulls {
				t.Fatalf("WritesNull(%s, %v) = %q, %v; want NULL: %v", tc.source, tc.params, why, err, tc.nulls)
			}
		})
	}
	var pe *ParamError
	if _, err := r.WritesNull("transform_email", map[string]any{"invalid_email_action": "maybe"}); !errors.As(err, &pe) {
		t.Errorf("bad parameter: err = %v, want a *ParamError", err)
	}
	var ue *UnknownTransformerError
	if _, err := r.WritesNull("transform_nothing", nil); !errors.As(err, &ue) {
		t.Errorf("unknown transformer: err = %v, want an *UnknownTransformerError", err)
	}
}
