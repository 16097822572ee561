package transformers

import (
	"fmt"
	"math/rand/v2"
)

// DataType is a value's type as transformers see it.
type DataType string

// Data types. Values are passed as Go values: string, int64, float64, bool,
// time.Time, []byte or nil (SQL NULL).
const (
	TypeString  DataType = "string"
	TypeInt64   DataType = "int64"
	TypeFloat64 DataType = "float64"
	TypeBool    DataType = "bool"
	TypeTime    DataType = "time"
	TypeUUID    DataType = "uuid"
	TypeAny     DataType = "any"
	TypeNull    DataType = "null"
)

// JobType names the kinds of job a transformer may serve.
type JobType string

const (
	// JobSync copies a source, transforming values.
	JobSync JobType = "sync"
	// JobGenerate invents rows.
	JobGenerate JobType = "generate"
)

// ParamType is a parameter's type.
type ParamType string

// Parameter types.
const (
	ParamBool       ParamType = "bool"
	ParamInt        ParamType = "int"
	ParamFloat      ParamType = "float"
	ParamString     ParamType = "string"
	ParamStringList ParamType = "string_list"
)

// Param declares one parameter of a transformer.
type Param struct {
	Name        string
	Type        ParamType
	Description string
	// Default is used when the parameter is absent; nil means no default.
	Default any
	// Min and Max bound numeric parameters (inclusive) when set.
	Min, Max *float64
	// Allowed lists the permitted values of a string parameter when set.
	Allowed  []string
	Required bool
	// AppliesWhen, when set, says the parameter has an effect only while
	// another parameter holds one of some values (a form may hide it
	// otherwise); it is accepted either way.
	AppliesWhen *ParamCondition
}

// ParamCondition names a parameter of the same transformer and the values
// under which another parameter applies. When that parameter is absent its
// default decides, which may depend on the job (transform_hash's mode).
type ParamCondition struct {
	Param  string
	Values []string
}

// Call is one invocation of a transformer's implementation.
type Call struct {
	// Value is the input (nil for SQL NULL, and for generators).
	Value any
	// Row is the whole source row by column name, when the caller has it.
	Row map[string]any
	// Column names the column being transformed, for error messages.
	Column string
	// MaxLength is the target column's maximum length in characters; 0 when unknown.
	MaxLength int
	// Rand is the random source: deterministic per input in consistent mode.
	Rand *rand.Rand
	// Key is the remap key derived from the job key in consistent mode
	// (nil otherwise); bijective remaps use it.
	Key []byte
	// str is the input when Instance.AppendTextString passed it as a
	// string, unboxed (Value is then nil): AppendFuncs read the input
	// through text and value.
	str    string
	hasStr bool
}

// text returns the input if it is a string.
func (c *Call) text() (string, bool) {
	if c.hasStr {
		return c.str, true
	}
	s, ok := c.Value.(string)
	return s, ok
}

// value returns the input, boxing a string passed unboxed.
func (c *Call) value() any {
	if c.hasStr {
		return c.str
	}
	return c.Value
}

// Func is a configured transformer implementation.
type Func func(c *Call) (any, error)

// AppendFunc is a transformer implementation that can write text output
// into the caller's buffer instead of allocating a string: when the output
// is text it appends it to dst and returns text true; otherwise (NULL, or a
// value passed through unchanged) it returns dst as it was, text false and
// the output in v, as a Func would return it. A transformer built from an
// AppendFunc derives its Func from it, so both forms give the same output.
// It reads its input through Call.text and Call.value, not Call.Value,
// because Instance.AppendTextString passes a string input unboxed.
type AppendFunc func(c *Call, dst []byte) (out []byte, text bool, v any, err error)

// Definition declares a system transformer.
type Definition struct {
	// Source is the stable id used in job mappings, e.g. "transform_email".
	Source      string
	Name        string
	Description string
	Params      []Param
	// InputTypes lists accepted input types; empty for generators.
	InputTypes []DataType
	Output     DataType
	JobTypes   []JobType
	// Consistent is true when the transformer supports consistent mode.
	Consistent bool
	// Generator is true when the transformer ignores its input.
	Generator bool
	// HandlesNull is true when the implementation receives NULL inputs
	// (otherwise NULL stays NULL without calling it).
	HandlesNull bool
	// WritesNull, when set, tells for validated parameters why the
	// transformer may write NULL for a value that is not NULL, or "" when
	// it does not (generate_null, whose Output is TypeNull, always does).
	// A NOT NULL column mapped to such a configuration is refused before a
	// run rather than failing at the first such row.
	WritesNull func(p Params) string
	// NoRand is true when the implementation never reads Call.Rand: its
	// output is a function of the input and parameters alone (a hash, a
	// passthrough), so consistent mode does not reseed before each call.
	NoRand bool
	// Leak is the expected leak level the verification report judges the
	// transformer's columns against (see LeakClass); declared for every
	// system transformer in leakProfiles.
	Leak LeakProfile
	// Build turns validated parameters into an implementation. It may return
	// a *ParamError for cross-parameter problems (e.g. min > max).
	Build func(p Params, o Options) (Func, error)
	// BuildAppend, when set, builds the implementation in its appending
	// form (Build is then derived from it); Instance.AppendText uses it.
	BuildAppend func(p Params, o Options) (AppendFunc, error)
	// valueBuild is set when Build is not derived from BuildAppend but is
	// a second form of it with the same outputs, built alongside it (a
	// word-list generator whose Func hands out entries boxed once, while
	// its AppendFunc copies them into the caller's buffer).
	valueBuild bool
}

// Options tune one Instance.
type Options struct {
	// Key enables consistent mode (for transformers that support it).
	Key []byte
	// PRF selects how consistent mode derives values from Key (the zero
	// value is PRFv1, the outputs of jobs saved before versions existed).
	PRF PRFVersion
	// Seed fixes the random source when Key is nil; 0 draws a random seed.
	Seed uint64
	// MaxLength of the target column, 0 when unknown.
	MaxLength int
	// Column names the target column, for error messages.
	Column string
	// Table names the target column's table (schema.table), for error
	// messages; "" when there is none.
	Table string
}

// ParamError is an invalid parameter.
type ParamError struct {
	Transformer string
	Param       string
	Reason      string
}

// Error describes the problem for people.
func (e *ParamError) Error() string {
	return fmt.Sprintf("transformer %s: parameter %s: %s", e.Transformer, e.Param, e.Reason)
}

// UnknownTransformerError names a source the registry does not have.
type UnknownTransformerError struct{ Source string }

// Error describes the problem for people.
func (e *UnknownTransformerError) Error() string {
	return fmt.Sprintf("unknown transformer %q", e.Source)
}

// ValueError is an input a transformer cannot handle (wrong type, invalid
// format with action "reject"), or a JavaScript call that failed.
type ValueError struct {
	Transformer string
	Column      string
	Reason      string
	// Err is the typed cause when there is one (a JavaScript call's
	// *jsvm.TimeBudgetError or *jsvm.MemoryLimitError, for errors.As);
	// Reason is its message.
	Err error
}

// Unwrap returns the typed cause (nil when there is none).
func (e *ValueError) Unwrap() error { return e.Err }

// Error describes the problem for people.
func (e *ValueError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("transformer %s on column %s: %s", e.Transformer, e.Column, e.Reason)
	}
	return fmt.Sprintf("transformer %s: %s", e.Transformer, e.Reason)
}
