package jsvm

import (
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// maxConvertDepth bounds the nesting of values converted between Go and
// JavaScript (and detects cyclic results).
const maxConvertDepth = 100

// toJS copies a Go value into a fresh JavaScript value. Maps and slices are
// copied, never wrapped, so code cannot change the caller's row, and no Go
// methods are exposed:
//
//	nil                      -> null
//	string, bool, numbers    -> string, boolean, number
//	time.Time                -> Date (millisecond precision)
//	[]byte                   -> array of byte values
//	[16]byte (a UUID)        -> its canonical string
//	map[string]any, []any    -> object, array (recursively)
//	anything else            -> its fmt.Sprint string
func (s *sandbox) toJS(v any, depth int) goja.Value {
	vm := s.vm
	if depth > maxConvertDepth {
		return goja.Null()
	}
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case string, bool, int64, int, int32, int16, int8, uint8, uint16, uint32, float64, float32:
		return vm.ToValue(x)
	case uint64:
		if x <= math.MaxInt64 {
			return vm.ToValue(int64(x))
		}
		return vm.ToValue(float64(x))
	case uint:
		return s.toJS(uint64(x), depth)
	case time.Time:
		d, err := vm.New(s.dateCtor, vm.ToValue(x.UnixMilli()))
		if err != nil {
			return vm.ToValue(x.Format(time.RFC3339Nano))
		}
		return d
	case []byte:
		vals := make([]any, len(x))
		for i, b := range x {
			vals[i] = int64(b)
		}
		return vm.NewArray(vals...)
	case [16]byte:
		return vm.ToValue(formatUUID(x))
	case map[string]any:
		// Sorted keys: property order (seen by for-in, Object.keys and
		// JSON.stringify) must not depend on Go's map order.
		o := vm.NewObject()
		for _, k := range slices.Sorted(maps.Keys(x)) {
			_ = o.Set(k, s.toJS(x[k], depth+1))
		}
		return o
	case []any:
		vals := make([]any, len(x))
		for i, e := range x {
			vals[i] = s.toJS(e, depth+1)
		}
		return vm.NewArray(vals...)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return vm.ToValue(rv.String())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return s.toJS(rv.Bytes(), depth)
		}
	}
	return vm.ToValue(fmt.Sprint(v))
}

// fromJS copies a JavaScript result into Go:
//
//	undefined, null       -> nil
//	number                -> int64 when integral and within int64, else float64
//	bigint                -> int64 when it fits, else its decimal string
//	string, boolean       -> string, bool
//	Date                  -> time.Time (UTC)
//	array                 -> []any (recursively)
//	other objects         -> map[string]any of their own enumerable properties
//
// Functions, symbols and promises are errors, as are values nested deeper than
// 100 levels (which includes cyclic ones).
func (s *sandbox) fromJS(v goja.Value, depth int) (any, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	if depth > maxConvertDepth {
		return nil, fmt.Errorf("result is nested more than %d levels deep (or is cyclic)", maxConvertDepth)
	}
	switch x := v.(type) {
	case goja.String:
		return x.String(), nil
	case *goja.Symbol:
		return nil, fmt.Errorf("result is a symbol")
	case *goja.Object:
		return s.objectFromJS(x, depth)
	}
	switch e := v.Export().(type) {
	case int64:
		return e, nil
	case float64:
		if e == math.Trunc(e) && e >= -(1<<63) && e < 1<<63 {
			return int64(e), nil
		}
		return e, nil
	case bool:
		return e, nil
	case string:
		return e, nil
	case *big.Int:
		if e.IsInt64() {
			return e.Int64(), nil
		}
		return e.String(), nil
	}
	return nil, fmt.Errorf("unsupported result of type %s", v.ExportType())
}

func (s *sandbox) objectFromJS(o *goja.Object, depth int) (any, error) {
	if _, ok := goja.AssertFunction(o); ok {
		return nil, fmt.Errorf("result is a function")
	}
	switch o.ClassName() {
	case "Date":
		if t, ok := o.Export().(time.Time); ok {
			return t.UTC(), nil
		}
		return nil, nil // an invalid Date
	case "String":
		return o.String(), nil
	case "Number":
		return s.fromJS(o.ToNumber(), depth)
	case "Boolean":
		b, _ := o.Export().(bool)
		return b, nil
	case "Array":
		n := toLength(o.Get("length"))
		if n > maxElements {
			return nil, fmt.Errorf("result array has more than %d elements", maxElements)
		}
		out := make([]any, n)
		for i := range out {
			e, err := s.fromJS(o.Get(strconv.Itoa(i)), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	}
	if o.ExportType() == promiseType {
		return nil, fmt.Errorf("result is a Promise; asynchronous code is not supported")
	}
	keys := o.Keys()
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		e, err := s.fromJS(o.Get(k), depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

var promiseType = reflect.TypeOf((*goja.Promise)(nil))

// formatUUID is the canonical lowercase, hyphenated form of a UUID.
func formatUUID(u [16]byte) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, digits[x>>4], digits[x&0xf])
	}
	return string(b)
}

// toLength is ToLength of a JavaScript value: an integer in [0, 2^53-1].
func toLength(v goja.Value) int64 {
	if v == nil {
		return 0
	}
	n := v.ToFloat()
	switch {
	case math.IsNaN(n) || n <= 0:
		return 0
	case n >= 1<<53-1:
		return 1<<53 - 1
	}
	return int64(n)
}
