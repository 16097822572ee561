package syncdriver

import (
	"reflect"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func TestCoerce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      any
		accepts []transformers.DataType
		want    any
	}{
		{"42", []transformers.DataType{transformers.TypeInt64}, int64(42)},
		{int64(7), []transformers.DataType{transformers.TypeString}, "7"},
		{"1.5", []transformers.DataType{transformers.TypeFloat64}, 1.5},
		{"x", []transformers.DataType{transformers.TypeAny}, "x"},
		{"not a number", []transformers.DataType{transformers.TypeInt64}, "not a number"},
		{nil, []transformers.DataType{transformers.TypeString}, nil},
	}
	for _, tc := range tests {
		if got := Coerce(tc.in, tc.accepts); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Coerce(%#v, %v) = %#v, want %#v", tc.in, tc.accepts, got, tc.want)
		}
	}
}
