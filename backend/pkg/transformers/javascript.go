package transformers

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/neosyncio/neosync/backend/pkg/jsvm"
)

const (
	jsTransformSource = "transform_javascript"
	jsGenerateSource  = "generate_javascript"
)

// jsTransformParams are the parameters of the function a
// transform_javascript's code is the body of (generate_javascript's has
// none).
var jsTransformParams = []string{"value", "input"}

// jsDefaultTimeoutMS is the default time budget of one call, in wall-clock
// milliseconds (timeout_ms). A call that overruns it is interrupted; one that
// is still inside a built-in after a further grace period of the same length
// is abandoned (see package jsvm).
const jsDefaultTimeoutMS = 100

// jsNestedCacheSize bounds the nested instances one runtime keeps.
const jsNestedCacheSize = 256

// JavaScriptError is a syntax error in user JavaScript, with the line and
// column in the code as the user wrote it (ValidateJavaScript, and the
// Reason of the *ParamError Build returns for bad code).
type JavaScriptError = jsvm.SyntaxError

// ValidateJavaScript reports whether code compiles as the body of a
// transform_javascript function (receiving value and input). A syntax error
// is a *JavaScriptError with the line and column in code.
func ValidateJavaScript(code string) error {
	_, err := jsvm.Compile(code, jsTransformParams...)
	return err
}

// IsJavaScript reports whether source runs user JavaScript
// (transform_javascript or generate_javascript). The API evaluates such
// transformers in a separate process (see package jsrunner).
func IsJavaScript(source string) bool {
	return source == jsTransformSource || source == jsGenerateSource
}

// JavaScriptBudget is the time budget of one call that config gives a
// JavaScript transformer: its timeout_ms, or the default. A malformed value
// counts as the default; Registry.Validate reports it.
func JavaScriptBudget(config map[string]any) time.Duration {
	ms := int64(jsDefaultTimeoutMS)
	switch v := config["timeout_ms"].(type) {
	case int64:
		ms = v
	case int:
		ms = int64(v)
	case float64:
		ms = int64(v)
	}
	if ms < 1 {
		ms = jsDefaultTimeoutMS
	}
	return time.Duration(ms) * time.Millisecond
}

// jsDefinitions returns transform_javascript and generate_javascript; reg is
// used only inside Build (it is still being filled when this runs).
func jsDefinitions(reg *Registry) []*Definition {
	codeParam := func(desc string) Param {
		return Param{Name: "code", Type: ParamString, Required: true, Description: desc}
	}
	timeoutParam := Param{
		Name: "timeout_ms", Type: ParamInt, Default: int64(jsDefaultTimeoutMS), Min: fptr(1), Max: fptr(60000),
		Description: "Wall-clock time budget of one call in milliseconds; a call that exceeds it fails.",
	}
	return []*Definition{
		{
			Source: jsTransformSource,
			Name:   "JavaScript",
			Description: "Runs JavaScript: the code is the body of a function receiving value and input (the whole row by column name) " +
				"and returning the new value. System transformers are available as neosync.transformEmail(value, {preserve_domain: true}), " +
				"neosync.generateFirstName({}) and so on. Math.random is consistent under a job key. Each call has a time budget (timeout_ms, 100 ms by default).",
			Params:      []Param{codeParam("Body of function(value, input) returning the new value."), timeoutParam},
			InputTypes:  []DataType{TypeAny},
			Output:      TypeAny,
			JobTypes:    []JobType{JobSync},
			Consistent:  true,
			HandlesNull: true,
			Build:       reg.buildJavaScript(jsTransformSource),
		},
		{
			Source: jsGenerateSource,
			Name:   "JavaScript generator",
			Description: "Runs JavaScript to invent a value: the code is the body of a function returning it. System transformers " +
				"are available as neosync.generateFirstName({}) and so on. Each call has a time budget (timeout_ms, 100 ms by default).",
			Params:    []Param{codeParam("Body of a function (no arguments) returning the value."), timeoutParam},
			Output:    TypeAny,
			JobTypes:  allJobTypes,
			Generator: true,
			Build:     reg.buildJavaScript(jsGenerateSource),
		},
	}
}

// JavaScriptHost evaluates JavaScript transformers outside this process
// (Registry.RunJavaScriptIn). Package jsrunner implements it with child
// processes that have an operating-system memory limit.
type JavaScriptHost interface {
	// PrepareJavaScript returns the evaluator of source (transform_javascript
	// or generate_javascript) with params, already validated, built with o
	// (key, seed, column) in the host: the same outputs the in-process
	// sandbox gives for the same inputs and options. It should start
	// nothing until the first call, because Build also serves validation.
	PrepareJavaScript(source string, params map[string]any, o Options) JavaScriptProcess
}

// JavaScriptProcess is one JavaScript transformer evaluated by a
// JavaScriptHost, used by one goroutine at a time.
type JavaScriptProcess interface {
	// Transform evaluates the code on value and row (a generator ignores
	// value). A failure of the code is a *ValueError.
	Transform(value any, row map[string]any) (any, error)
	// TransformBatch is Transform for values[i] and rows[i] (rows may be
	// nil) in order, in one exchange with the host, writing out[i]. It
	// stops at the first failure: n outputs were written and err is call
	// n's failure.
	TransformBatch(values []any, rows []map[string]any, out []any) (n int, err error)
	// Close releases what the evaluator holds (its process). The instance
	// closes it once the instance is garbage, so callers that drop
	// instances without closing them leak no process for long.
	Close() error
}

// buildJavaScript returns the Build of source: a jsvm.VM with the
// registry's caps, whose Func turns the VM's errors into *ValueError (a
// registry with a JavaScriptHost builds with buildRemote instead).
func (r *Registry) buildJavaScript(source string) func(p Params, o Options) (Func, error) {
	return func(p Params, o Options) (Func, error) {
		var params []string
		if source == jsTransformSource {
			params = jsTransformParams
		}
		prog, err := jsvm.Compile(p.String("code"), params...)
		if err != nil {
			return nil, &ParamError{Transformer: source, Param: "code", Reason: err.Error()}
		}
		budget := time.Duration(p.Int("timeout_ms")) * time.Millisecond
		if r.jsCallCap > 0 && budget > r.jsCallCap {
			budget = r.jsCallCap
		}
		vm, err := jsvm.New(prog, jsvm.Config{Budget: budget, Clock: r.jsClock, MemoryLimit: r.jsMemoryLimit, Natives: r.jsNatives(o)})
		if err != nil {
			return nil, &ParamError{Transformer: source, Param: "code", Reason: "cannot start: " + err.Error()}
		}
		if source == jsGenerateSource {
			return func(c *Call) (any, error) {
				v, err := vm.Call(c.Rand, c.Row)
				return v, jsValueError(source, c.Column, err)
			}, nil
		}
		return func(c *Call) (any, error) {
			v, err := vm.Call(c.Rand, c.Row, c.Value, c.Row)
			return v, jsValueError(source, c.Column, err)
		}, nil
	}
}

// buildRemote builds d, a JavaScript transformer, as an Instance whose
// code the registry's host evaluates (RunJavaScriptIn). The code is
// compiled here first, so bad code is a *ParamError as in-process; the
// host's process starts on the first call and is closed when the Instance
// becomes garbage. The host builds the transformer with the same options,
// so it seeds consistent mode and Math.random itself; this side only
// applies MaxLength.
func (r *Registry) buildRemote(d *Definition, p Params, o Options) (*Instance, error) {
	var params []string
	if d.Source == jsTransformSource {
		params = jsTransformParams
	}
	if _, err := jsvm.Compile(p.String("code"), params...); err != nil {
		return nil, &ParamError{Transformer: d.Source, Param: "code", Reason: err.Error()}
	}
	budget := time.Duration(p.Int("timeout_ms")) * time.Millisecond
	if r.jsCallCap > 0 && budget > r.jsCallCap {
		budget = r.jsCallCap
	}
	cfg := map[string]any{"code": p.String("code"), "timeout_ms": budget.Milliseconds()}
	proc := r.jsHost.PrepareJavaScript(d.Source, cfg, Options{Key: o.Key, PRF: o.PRF, Seed: o.Seed, Column: o.Column, Table: o.Table})
	h := &remoteHandle{proc: proc}
	runtime.AddCleanup(h, func(p JavaScriptProcess) { _ = p.Close() }, proc)
	// The host seeds its own instance: this one draws no randomness.
	in, err := newInstance(d, func(c *Call) (any, error) { return h.proc.Transform(c.Value, c.Row) }, Options{Seed: 1, MaxLength: o.MaxLength, Column: o.Column})
	if err != nil {
		return nil, err
	}
	in.remote = h
	return in, nil
}

// remoteHandle is what a remote Instance holds, so that its process is
// closed when the Instance is garbage.
type remoteHandle struct{ proc JavaScriptProcess }

// TransformBatch is Transform for values[i] and rows[i] (rows may be nil)
// for every i, writing out[i] (at least as long as values). A JavaScript
// transformer evaluated by a host (Registry.RunJavaScriptIn) makes one
// exchange with it for the whole batch instead of one per value, which is
// most of a value's cost there; any other instance calls Transform in a
// loop. It stops at the first failure: n outputs were written and err is
// the failure of value n.
func (i *Instance) TransformBatch(values []any, rows []map[string]any, out []any) (n int, err error) {
	if i.remote == nil {
		for k, v := range values {
			var row map[string]any
			if rows != nil {
				row = rows[k]
			}
			if out[k], err = i.Transform(v, row); err != nil {
				return k, err
			}
		}
		return len(values), nil
	}
	n, err = i.remote.proc.TransformBatch(values, rows, out)
	if i.opts.MaxLength > 0 {
		for k := range n {
			if s, ok := out[k].(string); ok && utf8.RuneCountInString(s) > i.opts.MaxLength {
				out[k] = truncateRunes(s, i.opts.MaxLength)
			}
		}
	}
	return n, err
}

// Batches reports whether TransformBatch saves work over calling
// Transform value by value (a JavaScript transformer run by a host).
func (i *Instance) Batches() bool { return i.remote != nil }

// jsValueError wraps a failed call's error (nil stays nil) as a *ValueError
// naming the column; errors.As still finds the jsvm error under it.
func jsValueError(source, column string, err error) error {
	if err == nil {
		return nil
	}
	return &ValueError{Transformer: source, Column: column, Reason: err.Error(), Err: err}
}

// jsFunctionName maps a source to its neosync.* name: "transform_email" ->
// "transformEmail", "generate_e164_phone_number" -> "generateE164PhoneNumber".
func jsFunctionName(source string) string {
	parts := strings.Split(source, "_")
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && p != "" {
			b.WriteString(strings.ToUpper(p[:1]))
			b.WriteString(p[1:])
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}

// jsNatives exposes every system transformer but the JavaScript ones (no
// recursion) to code built with o, named by jsFunctionName: transforms are
// called as neosync.transformX(value, params) and generators as
// neosync.generateX(params). Each (source, params) pair is built once per
// runtime, on first use, with o's key, column and a seed derived from o's,
// so consistent mode carries through.
func (r *Registry) jsNatives(o Options) jsvm.NativesFunc {
	return func() []jsvm.Native {
		cache := map[string]*Instance{}
		var out []jsvm.Native
		for _, d := range r.List() {
			if IsJavaScript(d.Source) {
				continue
			}
			source := d.Source
			out = append(out, jsvm.Native{
				Name:      jsFunctionName(source),
				Generator: d.Generator,
				Call: func(value any, params map[string]any, row map[string]any) (any, error) {
					in, err := r.nestedInstance(cache, source, params, o)
					if err != nil {
						return nil, err
					}
					v, err := in.Transform(value, row)
					if err != nil {
						return nil, err
					}
					if IsColumnDefault(v) {
						return jsvm.Undefined, nil
					}
					return v, nil
				},
			})
		}
		return out
	}
}

// nestedInstance returns the instance of source with params from cache,
// building it on first use.
func (r *Registry) nestedInstance(cache map[string]*Instance, source string, params map[string]any, parent Options) (*Instance, error) {
	// json.Marshal sorts map keys, so equal parameters give equal keys.
	enc, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	cacheKey := source + "\x00" + string(enc)
	if in := cache[cacheKey]; in != nil {
		return in, nil
	}
	o := Options{Key: parent.Key, PRF: parent.PRF, Column: parent.Column}
	if parent.Seed != 0 {
		// Reproducible random mode: a seed per (source, parameters).
		h := fnv.New64a()
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], parent.Seed)
		h.Write(seed[:])
		h.Write([]byte(cacheKey))
		o.Seed = h.Sum64() | 1
	}
	in, err := r.Build(source, params, o)
	if err != nil {
		return nil, err
	}
	if len(cache) >= jsNestedCacheSize {
		clear(cache)
	}
	cache[cacheKey] = in
	return in, nil
}
