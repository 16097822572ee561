package sqlsync

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// columnTransform is one column's configured transformer. Instances are
// not safe for concurrent use: every goroutine that transforms builds its
// own (buildTransforms).
type columnTransform struct {
	column string
	def    *transformers.Definition
	inst   *transformers.Instance
	// takesAny and takesString say, once, when coerce would return a value
	// unchanged: always, or for strings.
	takesAny, takesString bool
}

// buildTransform builds the transformer of c (ActionTransform).
func (e *Engine) buildTransform(c *syncplan.Column, key []byte) (*columnTransform, error) {
	tr := c.Transformer
	def, err := e.Registry.Lookup(tr.Source)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", c.Name, err)
	}
	maxLen := 0
	if c.CharacterMaximumLength != nil && *c.CharacterMaximumLength < 1<<31 {
		maxLen = int(*c.CharacterMaximumLength)
	}
	inst, err := e.Registry.Build(tr.Source, tr.Params, transformers.Options{Key: key, MaxLength: maxLen, Column: c.Name})
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", c.Name, err)
	}
	in := def.InputTypes
	return &columnTransform{column: c.Name, def: def, inst: inst,
		takesAny:    len(in) == 0 || slices.Contains(in, transformers.TypeAny),
		takesString: slices.Contains(in, transformers.TypeString) || slices.Contains(in, transformers.TypeUUID),
	}, nil
}

// apply transforms one value; row is the whole source row when the
// transformer reads it, else nil.
func (ct *columnTransform) apply(v any, row map[string]any) (any, error) {
	out, err := ct.inst.Transform(ct.coerce(v), row)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", ct.column, err)
	}
	if transformers.IsColumnDefault(out) {
		return nil, fmt.Errorf("column %s: transformer %s asked for the column default, which only generate_default can do for a whole column", ct.column, ct.def.Source)
	}
	return out, nil
}

// appendText is apply for a column written as text: when the transformer
// can build its output in place (transformers.Instance.AppendText) it is
// appended to buf and text is true; otherwise buf is returned unchanged
// and the output is in out, as apply returns it.
func (ct *columnTransform) appendText(buf []byte, v any, row map[string]any) (_ []byte, text bool, out any, err error) {
	buf, text, out, err = ct.inst.AppendText(buf, ct.coerce(v), row)
	if err != nil {
		return buf, false, nil, fmt.Errorf("column %s: %w", ct.column, err)
	}
	if !text && transformers.IsColumnDefault(out) {
		return buf, false, nil, fmt.Errorf("column %s: transformer %s asked for the column default, which only generate_default can do for a whole column", ct.column, ct.def.Source)
	}
	return buf, text, out, nil
}

// appendTextString is appendText for a string input the transformer
// takes as it is (takesAny or takesString), passed without boxing.
func (ct *columnTransform) appendTextString(buf []byte, v string, row map[string]any) (_ []byte, text bool, out any, err error) {
	buf, text, out, err = ct.inst.AppendTextString(buf, v, row)
	if err != nil {
		return buf, false, nil, fmt.Errorf("column %s: %w", ct.column, err)
	}
	if !text && transformers.IsColumnDefault(out) {
		return buf, false, nil, fmt.Errorf("column %s: transformer %s asked for the column default, which only generate_default can do for a whole column", ct.column, ct.def.Source)
	}
	return buf, text, out, nil
}

// coerce is coerce for the transformer's input types, without looking
// them up when v needs no conversion.
func (ct *columnTransform) coerce(v any) any {
	if ct.takesAny {
		return v
	}
	if _, ok := v.(string); ok && ct.takesString {
		return v
	}
	return coerce(v, ct.def.InputTypes)
}

// coerce converts v to a type the transformer accepts when it does not
// accept v's own type: a numeric column's text to a number, a number to
// text, and so on. Values no conversion fits are passed unchanged (the
// transformer then reports the mismatch).
func coerce(v any, accepts []transformers.DataType) any {
	if v == nil || len(accepts) == 0 || slices.Contains(accepts, transformers.TypeAny) {
		return v
	}
	have := typeOf(v)
	if slices.Contains(accepts, have) || (have == transformers.TypeString && slices.Contains(accepts, transformers.TypeUUID)) {
		return v
	}
	for _, want := range accepts {
		if out, ok := convert(v, want); ok {
			return out
		}
	}
	return v
}

func typeOf(v any) transformers.DataType {
	switch v.(type) {
	case string:
		return transformers.TypeString
	case int64:
		return transformers.TypeInt64
	case float64:
		return transformers.TypeFloat64
	case bool:
		return transformers.TypeBool
	case time.Time:
		return transformers.TypeTime
	}
	return ""
}

func convert(v any, want transformers.DataType) (any, bool) {
	switch want {
	case transformers.TypeString, transformers.TypeUUID:
		switch x := v.(type) {
		case []byte:
			return string(x), true
		case int64:
			return strconv.FormatInt(x, 10), true
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), true
		case bool:
			return strconv.FormatBool(x), true
		case time.Time:
			return x.Format(time.RFC3339Nano), true
		}
	case transformers.TypeInt64:
		switch x := v.(type) {
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			return n, err == nil
		case float64:
			return int64(x), x == float64(int64(x))
		}
	case transformers.TypeFloat64:
		switch x := v.(type) {
		case string:
			f, err := strconv.ParseFloat(x, 64)
			return f, err == nil
		case int64:
			return float64(x), true
		}
	case transformers.TypeBool:
		if s, ok := v.(string); ok {
			b, err := strconv.ParseBool(s)
			return b, err == nil
		}
	case transformers.TypeTime:
		if s, ok := v.(string); ok {
			for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", time.DateOnly} {
				if t, err := time.Parse(layout, s); err == nil {
					return t, true
				}
			}
		}
	}
	return nil, false
}
