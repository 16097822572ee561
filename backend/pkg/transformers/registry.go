package transformers

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Registry holds every system transformer definition.
type Registry struct {
	defs map[string]*Definition
	list []*Definition
	// jsCallCap bounds a JavaScript call's time budget (0: timeout_ms as
	// configured); see CapJavaScriptCalls.
	jsCallCap time.Duration
	// jsMemoryLimit bounds the memory growth of one JavaScript call in bytes
	// (0: not watched); see LimitJavaScriptMemory.
	jsMemoryLimit int64
	// jsHost, when set, evaluates JavaScript transformers out of process;
	// see RunJavaScriptIn.
	jsHost JavaScriptHost
	// jsClock, when set, is the clock JavaScript budgets are measured on;
	// see MeasureJavaScriptOn.
	jsClock func() time.Duration
}

// MeasureJavaScriptOn makes the time budget of every JavaScript call the
// registry's transformers make (in this process) count on clock instead
// of the wall clock (see jsvm.Config.Clock). The jsrunner child gives its
// own CPU time: it runs one call at a time at a low priority, so on a busy
// machine wall time would charge a call for other processes' work. Call
// it before sharing the registry.
func (r *Registry) MeasureJavaScriptOn(clock func() time.Duration) { r.jsClock = clock }

// CapJavaScriptCalls bounds the time budget of every JavaScript call the
// registry's transformers make, whatever their timeout_ms says. A process
// that runs JavaScript on the data plane, per row (the worker), sets it at
// start-up, so that a hostile loop cannot hold a row's CPU for long; with
// RunJavaScriptIn the capped budget is what the host enforces. Call it
// before sharing the registry.
func (r *Registry) CapJavaScriptCalls(max time.Duration) { r.jsCallCap = max }

// LimitJavaScriptMemory makes every JavaScript call the registry's
// transformers make fail, with a *ValueError wrapping a
// *jsvm.MemoryLimitError, once the memory the Go runtime holds has grown by
// more than bytes since the call started (0 turns the watchdog off, the
// default). It is for a process that must run JavaScript in its own
// address space: the watchdog is a bound that an allocation in flight
// overshoots (see package jsvm), not a hard limit, so the worker and the
// CLI use RunJavaScriptIn instead. Call it before sharing the registry.
func (r *Registry) LimitJavaScriptMemory(bytes int64) { r.jsMemoryLimit = bytes }

// RunJavaScriptIn makes the registry's JavaScript transformers evaluate
// their code in h (child processes with an operating-system memory limit,
// package jsrunner) instead of in this process: the code is still compiled
// here, so a syntax error is reported by Build, but the runtime, its
// globals and every neosync.* native it calls live in h. The time budget
// of a call is capped by CapJavaScriptCalls as in-process; the memory
// limit is h's, and LimitJavaScriptMemory no longer applies. Call it
// before sharing the registry.
func (r *Registry) RunJavaScriptIn(h JavaScriptHost) { r.jsHost = h }

// NewRegistry builds the registry of system transformers. Call it once at
// start-up and share the value; it is read-only afterwards.
func NewRegistry() *Registry {
	r := &Registry{defs: map[string]*Definition{}}
	for _, group := range [][]*Definition{
		coreDefinitions(),
		generatorDefinitions(),
		transformDefinitions(),
		remapDefinitions(),
		javascriptDefinitions(r),
	} {
		for _, d := range group {
			r.add(d)
		}
	}
	slices.SortFunc(r.list, func(a, b *Definition) int { return strings.Compare(a.Source, b.Source) })
	return r
}

func (r *Registry) add(d *Definition) {
	if _, dup := r.defs[d.Source]; dup {
		panic(fmt.Sprintf("transformers: duplicate source %q", d.Source))
	}
	if d.Build == nil {
		panic(fmt.Sprintf("transformers: %q has no Build", d.Source))
	}
	checkConditions(d)
	setLeakProfile(d)
	r.defs[d.Source] = d
	r.list = append(r.list, d)
}

// checkConditions panics when a parameter's AppliesWhen names a parameter
// d does not have, or a value that parameter does not allow.
func checkConditions(d *Definition) {
	for _, p := range d.Params {
		c := p.AppliesWhen
		if c == nil {
			continue
		}
		i := slices.IndexFunc(d.Params, func(q Param) bool { return q.Name == c.Param })
		if i < 0 || len(c.Values) == 0 {
			panic(fmt.Sprintf("transformers: %s.%s applies when %q, which is not a parameter of it", d.Source, p.Name, c.Param))
		}
		for _, v := range c.Values {
			if !slices.Contains(d.Params[i].Allowed, v) {
				panic(fmt.Sprintf("transformers: %s.%s applies when %s is %q, which it does not allow", d.Source, p.Name, c.Param, v))
			}
		}
	}
}

// Lookup returns the definition of source.
func (r *Registry) Lookup(source string) (*Definition, error) {
	d, ok := r.defs[source]
	if !ok {
		return nil, &UnknownTransformerError{Source: source}
	}
	return d, nil
}

// List returns every definition, sorted by source.
func (r *Registry) List() []*Definition { return slices.Clone(r.list) }

// Validate checks a source and its raw parameters without building.
func (r *Registry) Validate(source string, raw map[string]any) error {
	_, err := r.Build(source, raw, Options{Seed: 1})
	return err
}

// WritesNull returns why source configured with raw may write NULL for a
// value that is not NULL ("" when it never does; see
// Definition.WritesNull). An unknown source or invalid parameters are
// returned as by Build.
func (r *Registry) WritesNull(source string, raw map[string]any) (string, error) {
	d, err := r.Lookup(source)
	if err != nil {
		return "", err
	}
	if d.Output == TypeNull {
		return "it always writes NULL", nil
	}
	if d.WritesNull == nil {
		return "", nil
	}
	p, err := validateParams(d, raw)
	if err != nil {
		return "", err
	}
	return d.WritesNull(p), nil
}

// Build validates raw parameters and returns a ready Instance.
func (r *Registry) Build(source string, raw map[string]any, o Options) (*Instance, error) {
	d, err := r.Lookup(source)
	if err != nil {
		return nil, err
	}
	p, err := validateParams(d, raw)
	if err != nil {
		return nil, err
	}
	if r.jsHost != nil && IsJavaScript(source) {
		return r.buildRemote(d, p, o)
	}
	var fn Func
	var af AppendFunc
	if d.BuildAppend != nil {
		if af, err = d.BuildAppend(p, o); err != nil {
			return nil, err
		}
		fn = appendToFunc(af)
	}
	if d.BuildAppend == nil || d.valueBuild {
		if fn, err = d.Build(p, o); err != nil {
			return nil, err
		}
	}
	in, err := newInstance(d, fn, o)
	if err != nil {
		return nil, err
	}
	in.appendFn = af
	return in, nil
}
