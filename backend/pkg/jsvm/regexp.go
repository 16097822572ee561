package jsvm

import (
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// regexpMatchTimeout bounds one backtracking regular expression match.
//
// goja runs patterns that RE2 cannot express (backreferences, lookaround) on
// regexp2, a backtracking engine: /(a+)+\1b/ on 40 a's never finishes, and it
// runs inside one built-in call, which vm.Interrupt cannot stop. regexp2
// checks a match timeout while it backtracks, but goja exposes no way to set
// it per pattern: it compiles with regexp2.DefaultMatchTimeout, so the
// sandbox sets that once for the process (the only regexp2 user here is
// goja). A timed-out match makes goja report "no match", so the sandbox
// times every RegExp method and turns a call that lasted the whole timeout
// into a RangeError instead of a silently wrong answer.
const regexpMatchTimeout = time.Second

var regexpTimeoutOnce sync.Once

// setRegexpMatchTimeout installs regexpMatchTimeout before the first
// JavaScript is compiled: every regexp2 pattern is compiled by code that
// called this first (compile, newSandbox), so the write happens
// before every read.
func setRegexpMatchTimeout() {
	regexpTimeoutOnce.Do(func() { regexp2.DefaultMatchTimeout = regexpMatchTimeout })
}

// guardRegExpTime wraps the RegExp methods that run a match (exec, test and
// the Symbol methods that String.prototype.match, matchAll, replace, search
// and split dispatch to) so that a call lasting regexpMatchTimeout or more
// throws. Such a call either had a match abandoned by regexp2 (and so a
// wrong result) or spent a second of the budget inside one regular
// expression built-in; either way it is refused.
func (s *sandbox) guardRegExpTime() {
	re, ok := s.vm.GlobalObject().Get("RegExp").(*goja.Object)
	if !ok {
		return
	}
	proto, ok := re.Get("prototype").(*goja.Object)
	if !ok {
		return
	}
	timed := func(name string, orig *goja.Object) *goja.Object {
		f, ok := goja.AssertFunction(orig)
		if !ok {
			return nil
		}
		w := s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
			start := time.Now()
			v, err := f(call.This, call.Arguments...)
			if err != nil {
				panic(err) // rethrows exceptions; propagates interrupts
			}
			if time.Since(start) >= regexpMatchTimeout {
				s.throwRange("regular expression ran longer than %v (catastrophic backtracking?)", regexpMatchTimeout)
			}
			return v
		}).(*goja.Object)
		_ = w.DefineDataProperty("name", s.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		_ = w.DefineDataProperty("length", orig.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		return w
	}
	for _, name := range []string{"exec", "test"} {
		if orig, ok := proto.Get(name).(*goja.Object); ok {
			if w := timed(name, orig); w != nil {
				_ = proto.DefineDataProperty(name, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
		}
	}
	for _, sym := range []struct {
		sym  *goja.Symbol
		name string
	}{
		{goja.SymMatch, "[Symbol.match]"}, {goja.SymMatchAll, "[Symbol.matchAll]"}, {goja.SymReplace, "[Symbol.replace]"},
		{goja.SymSearch, "[Symbol.search]"}, {goja.SymSplit, "[Symbol.split]"},
	} {
		if orig, ok := proto.GetSymbol(sym.sym).(*goja.Object); ok {
			if w := timed(sym.name, orig); w != nil {
				_ = proto.DefineDataPropertySymbol(sym.sym, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
		}
	}
}

// guardRegExp bounds the group nesting of regular expressions compiled at run
// time (literals are covered by the check on the code): goja falls back to
// the backtracking regexp2 engine, whose parser recurses on the Go stack.
// RegExp is replaced by a proxy that checks the pattern, and String methods
// that compile a string argument as a pattern check it too.
func (s *sandbox) guardRegExp() {
	vm := s.vm
	global := vm.GlobalObject()
	re, ok := global.Get("RegExp").(*goja.Object)
	if !ok {
		return
	}
	check := func(args []goja.Value) {
		if len(args) == 0 {
			return
		}
		var src string
		if o, ok := args[0].(*goja.Object); ok && o.ClassName() == "RegExp" {
			src = o.Get("source").String()
		} else if !goja.IsUndefined(args[0]) {
			src = args[0].String()
		}
		if err := checkNesting(src); err != nil {
			panic(s.newError(global.Get("SyntaxError"), "sandbox limit: regular expression "+err.(*SyntaxError).Message))
		}
	}
	s.proxyInstanceof(re)
	apply, _ := goja.AssertFunction(re)
	construct, _ := goja.AssertConstructor(re)
	p := vm.ToValue(vm.NewProxy(re, &goja.ProxyTrapConfig{
		Apply: func(_ *goja.Object, this goja.Value, args []goja.Value) goja.Value {
			check(args)
			v, err := apply(this, args...)
			if err != nil {
				panic(err)
			}
			return v
		},
		Construct: func(_ *goja.Object, args []goja.Value, newTarget *goja.Object) *goja.Object {
			check(args)
			o, err := construct(newTarget, args...)
			if err != nil {
				panic(err)
			}
			return o
		},
	}))
	_ = re.Get("prototype").(*goja.Object).DefineDataProperty("constructor", p, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = global.DefineDataProperty("RegExp", p, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	proto := global.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	for _, name := range []string{"match", "matchAll", "search"} {
		s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
			if _, isObj := call.Argument(0).(*goja.Object); !isObj {
				check(call.Arguments)
			}
			return call
		})
	}
}
