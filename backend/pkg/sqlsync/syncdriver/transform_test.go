package syncdriver

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
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

// TestColumnNamedOnce: a transformer's failure names its column once, both
// when the failure names it already and when it does not.
func TestColumnNamedOnce(t *testing.T) {
	t.Parallel()
	reg := transformers.NewRegistry()
	col := &syncplan.Column{Action: syncplan.ActionTransform,
		Transformer: &syncplan.Transformer{Source: "transform_email"}}
	col.Name = "email"
	ct, err := BuildTransform(reg, col, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ct.Apply("not an address", nil)
	if err == nil {
		t.Fatal("an invalid address was accepted")
	}
	if n := strings.Count(err.Error(), "column email"); n != 1 {
		t.Fatalf("error %q does not name column email exactly once", err)
	}
	if strings.HasPrefix(err.Error(), "column email: ") {
		t.Fatalf("error %q repeats the column its transformer names", err)
	}
	other := ct.wrap(errors.New("boom"))
	if other.Error() != "column email: boom" {
		t.Fatalf("a failure without the column became %q", other)
	}
}
