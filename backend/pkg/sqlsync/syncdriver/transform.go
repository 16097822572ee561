package syncdriver

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// ColumnTransform is one column's configured transformer. Instances are
// not safe for concurrent use: every goroutine that transforms builds its
// own (BuildTransform).
type ColumnTransform struct {
	column string
	Def    *transformers.Definition
	Inst   *transformers.Instance
	// takesAny and takesString say, once, when coerce would return a value
	// unchanged: always, or for strings.
	TakesAny, TakesString bool
}

// BuildTransform builds the transformer of c (ActionTransform) from reg,
// with the job key key (nil outside consistent mode) and its PRF version.
func BuildTransform(reg *transformers.Registry, c *syncplan.Column, key []byte, prf transformers.PRFVersion) (*ColumnTransform, error) {
	return buildTransform(reg, c, key, prf, "")
}

// buildTransform is BuildTransform for a column of table (named in the
// transformer's errors, "" when unknown).
func buildTransform(reg *transformers.Registry, c *syncplan.Column, key []byte, prf transformers.PRFVersion, table string) (*ColumnTransform, error) {
	tr := c.Transformer
	def, err := reg.Lookup(tr.Source)
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", c.Name, err)
	}
	maxLen := 0
	if c.CharacterMaximumLength != nil && *c.CharacterMaximumLength < 1<<31 {
		maxLen = int(*c.CharacterMaximumLength)
	}
	inst, err := reg.Build(tr.Source, tr.Params, transformers.Options{Key: key, PRF: prf, MaxLength: maxLen, Column: c.Name, Table: table})
	if err != nil {
		return nil, fmt.Errorf("column %s: %w", c.Name, err)
	}
	in := def.InputTypes
	return &ColumnTransform{column: c.Name, Def: def, Inst: inst,
		TakesAny:    len(in) == 0 || slices.Contains(in, transformers.TypeAny),
		TakesString: slices.Contains(in, transformers.TypeString) || slices.Contains(in, transformers.TypeUUID),
	}, nil
}

// Apply transforms one value; row is the whole source row when the
// transformer reads it, else nil.
func (ct *ColumnTransform) Apply(v any, row map[string]any) (any, error) {
	out, err := ct.Inst.Transform(ct.coerce(v), row)
	if err != nil {
		return nil, ct.wrap(err)
	}
	if transformers.IsColumnDefault(out) {
		return nil, ct.askedForDefault()
	}
	return out, nil
}

// Batches reports whether ApplyBatch saves work over Apply row by row (a
// JavaScript transformer evaluated in a child process, one round trip per
// batch).
func (ct *ColumnTransform) Batches() bool { return ct.Inst.Batches() }

// ApplyBatch is Apply for values[i] and rows[i] (rows may be nil), writing
// out[i]. It stops at the first failure: n outputs were written and err
// is value n's failure, as Apply would return it.
func (ct *ColumnTransform) ApplyBatch(values []any, rows []map[string]any, out []any) (n int, err error) {
	for i, v := range values {
		values[i] = ct.coerce(v)
	}
	n, err = ct.Inst.TransformBatch(values, rows, out)
	for i := range n {
		if transformers.IsColumnDefault(out[i]) {
			return i, ct.askedForDefault()
		}
	}
	if err != nil {
		return n, ct.wrap(err)
	}
	return n, nil
}

// AppendText is Apply for a column written as text: when the transformer
// can build its output in place (transformers.Instance.AppendText) it is
// appended to buf and text is true; otherwise buf is returned unchanged
// and the output is in out, as apply returns it.
func (ct *ColumnTransform) AppendText(buf []byte, v any, row map[string]any) (_ []byte, text bool, out any, err error) {
	buf, text, out, err = ct.Inst.AppendText(buf, ct.coerce(v), row)
	if err != nil {
		return buf, false, nil, ct.wrap(err)
	}
	if !text && transformers.IsColumnDefault(out) {
		return buf, false, nil, ct.askedForDefault()
	}
	return buf, text, out, nil
}

// AppendTextString is AppendText for a string input the transformer
// takes as it is (takesAny or takesString), passed without boxing.
func (ct *ColumnTransform) AppendTextString(buf []byte, v string, row map[string]any) (_ []byte, text bool, out any, err error) {
	buf, text, out, err = ct.Inst.AppendTextString(buf, v, row)
	if err != nil {
		return buf, false, nil, ct.wrap(err)
	}
	if !text && transformers.IsColumnDefault(out) {
		return buf, false, nil, ct.askedForDefault()
	}
	return buf, text, out, nil
}

// wrap names the column in a transformer's failure, unless the failure
// (a *transformers.ValueError) names it already.
func (ct *ColumnTransform) wrap(err error) error {
	var ve *transformers.ValueError
	if errors.As(err, &ve) && ve.Column == ct.column {
		return err
	}
	return fmt.Errorf("column %s: %w", ct.column, err)
}

// askedForDefault is the failure of a transformer that returned
// transformers.UseColumnDefault for one row.
func (ct *ColumnTransform) askedForDefault() error {
	return fmt.Errorf("column %s: transformer %s asked for the column default, which only generate_default can do for a whole column", ct.column, ct.Def.Source)
}

// coerce is coerce for the transformer's input types, without looking
// them up when v needs no conversion.
func (ct *ColumnTransform) coerce(v any) any {
	if ct.TakesAny {
		return v
	}
	if _, ok := v.(string); ok && ct.TakesString {
		return v
	}
	return Coerce(v, ct.Def.InputTypes)
}

// Coerce converts v to a type the transformer accepts when it does not
// accept v's own type: a numeric column's text to a number, a number to
// text, and so on. Values no conversion fits are passed unchanged (the
// transformer then reports the mismatch).
func Coerce(v any, accepts []transformers.DataType) any {
	if v == nil || len(accepts) == 0 || slices.Contains(accepts, transformers.TypeAny) {
		return v
	}
	have := typeOf(v)
	if slices.Contains(accepts, have) || (have == transformers.TypeString && slices.Contains(accepts, transformers.TypeUUID)) {
		return v
	}
	for _, want := range accepts {
		if out, ok := Convert(v, want); ok {
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

// Convert converts v to the type want when a conversion fits (ok false
// otherwise): text to a number, boolean or time, a number or time to text.
func Convert(v any, want transformers.DataType) (any, bool) {
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
