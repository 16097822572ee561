package transformers

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// jsTestTimeoutMS is the budget of tests that are not about the budget: the
// tests run in parallel on small shared machines, where a trivial call can
// wait for a CPU longer than the 100 ms default.
const jsTestTimeoutMS = 5000

// jsBuild builds transform_javascript with code.
func jsBuild(t testing.TB, code string, o Options) *Instance {
	t.Helper()
	return remapBuild(t, "transform_javascript", map[string]any{"code": code, "timeout_ms": jsTestTimeoutMS}, o)
}

// jsRun runs code once on value and row.
func jsRun(t testing.TB, code string, value any, row map[string]any) (any, error) {
	t.Helper()
	return jsBuild(t, code, Options{Column: "col"}).Transform(value, row)
}

// jsRunDefault runs code once with the default time budget.
func jsRunDefault(t testing.TB, code string) (any, error) {
	t.Helper()
	return remapBuild(t, "transform_javascript", map[string]any{"code": code}, Options{Column: "col"}).Transform("x", nil)
}

// wantJSValueError fails unless err is a ValueError on column col
// containing substr.
func wantJSValueError(t testing.TB, err error, substr string) {
	t.Helper()
	var ve *ValueError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *ValueError", err, err)
	}
	if ve.Column != "col" || ve.Transformer != "transform_javascript" {
		t.Fatalf("ValueError names %s/%s", ve.Transformer, ve.Column)
	}
	if !strings.Contains(ve.Reason, substr) {
		t.Fatalf("reason %q does not contain %q", ve.Reason, substr)
	}
}

func TestJavaScriptBasic(t *testing.T) {
	t.Parallel()
	row := map[string]any{"first": "Ada", "last": "Lovelace", "age": int64(36), "tags": []any{"a", "b"}, "meta": map[string]any{"k": 1.5}}
	for _, tc := range []struct {
		code  string
		value any
		want  any
	}{
		{"return value + 1", int64(41), int64(42)},
		{"return value / 2", int64(3), 1.5},
		{"return value * 2", 2.5, int64(5)},
		{"return value.toUpperCase()", "abc", "ABC"},
		{"return input.first + ' ' + input.last", "x", "Ada Lovelace"},
		{"return input.age + input.tags.length + input.meta.k", nil, 39.5},
		{"return value === null", nil, true},
		{"return Object.keys(input).join()", nil, "age,first,last,meta,tags"},
		{"return JSON.stringify(input.meta)", nil, `{"k":1.5}`},
		{"return undefined", "x", nil},
		{"return null", "x", nil},
		{"return [1, 'a', null, [true]]", "x", []any{int64(1), "a", nil, []any{true}}},
		{"return {a: 1, b: {c: 'd'}}", "x", map[string]any{"a": int64(1), "b": map[string]any{"c": "d"}}},
		{"return 10n ** 20n", "x", "100000000000000000000"},
		{"return 2n ** 40n", "x", int64(1) << 40},
		{"return new Date(Date.UTC(2020, 0, 2))", "x", time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"return value.getUTCFullYear()", time.Date(1999, 5, 6, 7, 8, 9, 0, time.UTC), int64(1999)},
		{"return value.length + value[1]", []byte{7, 9}, int64(11)},
		{"return new String('boxed')", "x", "boxed"},
		{"input.first = 'changed'; return input.first", "x", "changed"},
	} {
		got, err := jsRun(t, tc.code, tc.value, row)
		if err != nil {
			t.Fatalf("%s: %v", tc.code, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("%s = %#v, want %#v", tc.code, got, tc.want)
		}
	}
	if row["first"] != "Ada" {
		t.Fatal("the code changed the caller's row")
	}
	for _, code := range []string{"return function() {}", "return Symbol('x')", "return Promise.resolve(1)", "const a = []; a.push(a); return a"} {
		_, err := jsRun(t, code, "x", nil)
		wantJSValueError(t, err, "result")
	}
}

func TestJavaScriptThrow(t *testing.T) {
	t.Parallel()
	_, err := jsRun(t, "const x = 1;\nthrow new Error('bad value ' + value)", "v", nil)
	wantJSValueError(t, err, "Error: bad value v (line 2, column")
	_, err = jsRun(t, "return value.nope.deeper", "v", nil)
	wantJSValueError(t, err, "TypeError")
}

func TestJavaScriptSyntaxError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code      string
		line, col int
	}{
		{"return value +;", 1, 15},
		{"const a = 1;\nconst b = 2;\n  return a +* b;", 3, 13},
		{"if (value) {\n  return 1;\n", 3, 1},
		{"}); globalThis.escaped = 1; (function() {", 1, 1},
		{"return " + strings.Repeat("(", 600) + "1" + strings.Repeat(")", 600), 1, 508},
	} {
		err := ValidateJavaScript(tc.code)
		var je *JavaScriptError
		if !errors.As(err, &je) {
			t.Fatalf("%q: err = %v, want *JavaScriptError", tc.code, err)
		}
		if je.Line != tc.line || (tc.col != 0 && je.Column != tc.col) {
			t.Errorf("%q: %v, want line %d column %d", tc.code, je, tc.line, tc.col)
		}
		_, err = remapRegistry.Build("transform_javascript", map[string]any{"code": tc.code}, Options{})
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != "code" || !strings.Contains(pe.Reason, "line ") || !strings.Contains(pe.Reason, "column ") {
			t.Errorf("%q: Build err = %v, want ParamError on code with line and column", tc.code, err)
		}
	}
	if err := ValidateJavaScript("const x = value;\nreturn x;"); err != nil {
		t.Fatal(err)
	}
	if _, err := remapRegistry.Build("transform_javascript", nil, Options{}); err == nil {
		t.Fatal("missing code accepted")
	}
}

func TestJavaScriptTimeBudget(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_javascript", map[string]any{"code": "if (value === 'loop') { while (true) {} } return value"}, Options{Column: "col"})
	_, err := in.Transform("loop", nil)
	wantJSValueError(t, err, "time budget")
	// The instance stays usable.
	if v, err := in.Transform("ok", nil); v != "ok" || err != nil {
		t.Fatalf("after an interrupt: %v %v", v, err)
	}
	for _, code := range []string{
		"for (;;) { try { while (true) {} } catch (e) {} finally { continue } }",
		"function f() { for (;;) {} } [1, 2].map(f)",
		"let s = 'x'; while (true) s = s + s",
	} {
		_, err := jsRunDefault(t, code)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Column != "col" {
			t.Fatalf("%s: err = %v", code, err)
		}
	}
}

// TestJavaScriptAbandonedRuntime: a built-in that ignores the interrupt
// makes the call return after budget+grace, and the runtime is replaced.
func TestJavaScriptAbandonedRuntime(t *testing.T) {
	t.Parallel()
	e, err := newJSEngine(jsTransformSource, `
		if (value === 'setup') { globalThis.a = Array.from({length: 1 << 20}, (_, i) => i * 7919 % 1000003); return 1 }
		if (value === 'sort') { a.sort(); a.sort(); a.sort(); return 2 }
		return typeof a`, time.Minute, remapRegistry, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &Call{Column: "col", Rand: rand.New(rand.NewPCG(1, 2))}
	c.Value = "setup"
	if v, err := e.call(c); v != int64(1) || err != nil {
		t.Fatalf("setup: %v %v", v, err)
	}
	// The interrupt must land inside the native sort, so the budget leaves
	// the call goroutine time to start; retry if it landed before.
	e.budget, e.grace = 200*time.Millisecond, time.Millisecond
	c.Value = "sort"
	start := time.Now()
	for attempt := 0; ; attempt++ {
		_, err = e.call(c)
		if err != nil && strings.Contains(err.Error(), "discarded") {
			break
		}
		if attempt == 2 || err == nil {
			t.Fatalf("sort: %v, want the runtime discarded", err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("call returned after %v", d)
	}
	e.budget = time.Minute
	c.Value = "check"
	if v, err := e.call(c); v != "undefined" || err != nil {
		t.Fatalf("after restart: %v %v, want a fresh runtime", v, err)
	}
}

func TestJavaScriptNoHostAccess(t *testing.T) {
	t.Parallel()
	for _, code := range []string{
		"return require('fs').readFileSync('/etc/passwd')",
		"return fetch('http://example.com')",
		"setTimeout(() => {}, 10); return 1",
		"setInterval(() => {}, 10); return 1",
		"return new ArrayBuffer(8)",
		"return new Uint8Array(8)",
		"return eval('1 + 1')",
		"return new Function('return 1')()",
		"return (function(){}).constructor('return process')()",
		"return Object.getPrototypeOf(async function(){}).constructor('return 1')",
		"console.log('x'); return 1",
		"return process.env",
	} {
		_, err := jsRun(t, code, "x", nil)
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want an error", code, err)
		}
	}
	got, err := jsRun(t, "return [typeof require, typeof fetch, typeof setTimeout, typeof process, typeof console].join()", "x", nil)
	if err != nil || got != "undefined,undefined,undefined,undefined,undefined" {
		t.Fatalf("globals: %v %v", got, err)
	}
	// A sourceMappingURL comment must not make the parser read a file.
	if err := ValidateJavaScript("return 1\n//# sourceMappingURL=/etc/passwd"); err != nil {
		t.Fatal(err)
	}
}

func TestJavaScriptHugeAllocations(t *testing.T) {
	t.Parallel()
	for _, code := range []string{
		"return new Array(1e9).fill(0).length",
		"let s = 'x'; for (let i = 0; i < 40; i++) s += s; return s.length",
		"return 'x'.repeat(1e9).length",
		"return 'x'.padStart(1e9).length",
		"return Array.prototype.join.call({length: 1e9}).length",
		"return Array.prototype.indexOf.call({length: 9e15}, 1)",
		"const a = []; a.length = 4e9; return a.join().length",
		"return [...new Array(4e9).keys()].length",
		"return Math.max.apply(null, {length: 4e9})",
		"return Array.from({length: 1e9}).length",
		"return new Set(new Array(4e9).keys()).size",
		"return String.raw({raw: {length: 1e9}})",
		"return JSON.stringify(new Array(1e6).fill('x'.repeat(100))).length",
		"const b = 'x'.repeat(1e6); return b.replace(/x/g, b).length",
		"return Object.keys('x'.repeat(1 << 21)).length",
		"let a = [1]; for (let i = 0; i < 30; i++) a = [a, a]; return a.flat(Infinity).length",
		"return JSON.parse('['.repeat(1e5) + ']'.repeat(1e5))",
		"return new RegExp('('.repeat(1e4) + ')'.repeat(1e4))",
		"function f() { return f() } return f()",
	} {
		_, err := jsRunDefault(t, code)
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want an error", code, err)
		}
	}
}

// TestJavaScriptBuiltinsWork checks the guards leave normal use alone.
func TestJavaScriptBuiltinsWork(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]any{
		"return [3, 1, 2].sort().join('-')":                             "1-2-3",
		"return [1, [2, [3]]].flat(Infinity).length":                    int64(3),
		"return [1, 2].flatMap(x => [x, x * 10]).join()":                "1,10,2,20",
		"return Array.from('abc').concat([1], 2).length":                int64(5),
		"return [...'héllo'].length":                                    int64(5),
		"return Math.max(...[1, 5, 3])":                                 int64(5),
		"return 'a-b-c'.split('-').reverse().join('+')":                 "c+b+a",
		"return 'abc'.replace(/b/g, m => m.toUpperCase())":              "aBc",
		"return 'aXbX'.replaceAll('X', '.')":                            "a.b.",
		"return 'ab'.repeat(3).padEnd(8, '*')":                          "ababab**",
		"return JSON.stringify({a: [1, 'x'], b: null}, null, 1).length": int64(37),
		"return JSON.parse('{\"a\": [1, {\"b\": 2}]}').a[1].b":          int64(2),
		"return /a+/ instanceof RegExp && new RegExp('x').test('xy')":   true,
		"return (() => {}) instanceof Function":                         true,
		"return Object.entries({a: 1}).flat().join()":                   "a,1",
		"return String([1, [2, 3]])":                                    "1,2,3",
		"return 'a1b22'.match(/[0-9]+/g).join()":                        "1,22",
		"return Reflect.apply(Math.min, null, [4, 2])":                  int64(2),
		"return new Map([[1, 'a']]).get(1)":                             "a",
		"return Array(3).fill(7).reduce((a, b) => a + b)":               int64(21),
	} {
		got, err := jsRun(t, code, "x", nil)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, %v; want %#v", code, got, err, want)
		}
	}
}

func TestJavaScriptIsolation(t *testing.T) {
	t.Parallel()
	code := `
		if (value === 'pollute') {
			globalThis.leaked = 'yes';
			Object.prototype.polluted = 'yes';
			Array.prototype.join = function() { return 'hijacked' };
			neosync.transformEmail = function() { return 'hijacked' };
			return 'done';
		}
		return typeof leaked + '|' + ({}).polluted + '|' + [1, 2].join() + '|' + typeof neosync.transformEmail('a@b.co');`
	a := jsBuild(t, code, Options{Key: []byte("k")})
	b := jsBuild(t, code, Options{Key: []byte("k")})
	remapRun(t, a, "pollute")
	if got := remapRun(t, b, "check"); got != "undefined|undefined|1,2|string" {
		t.Fatalf("second instance sees %q", got)
	}
	// Within one instance globals persist across calls.
	if got := remapRun(t, a, "check"); !strings.HasPrefix(got.(string), "string|yes|hijacked") {
		t.Fatalf("first instance sees %q", got)
	}
}

func TestJavaScriptNeosyncFunctions(t *testing.T) {
	t.Parallel()
	code := "return neosync.transformEmail(value, {preserve_domain: true})"
	k1 := jsBuild(t, code, Options{Key: []byte("key one")})
	k1b := jsBuild(t, code, Options{Key: []byte("key one")})
	k2 := jsBuild(t, code, Options{Key: []byte("key two")})
	direct := remapBuild(t, "transform_email", map[string]any{"preserve_domain": true}, Options{Key: []byte("key one")})
	a := remapRun(t, k1, "ada@example.com").(string)
	if !strings.HasSuffix(a, "@example.com") || a == "ada@example.com" {
		t.Fatalf("transformEmail gave %q", a)
	}
	if remapRun(t, k1b, "ada@example.com") != a || remapRun(t, k1, "ada@example.com") != a {
		t.Fatal("not consistent under one key")
	}
	if remapRun(t, direct, "ada@example.com") != a {
		t.Fatal("differs from the transformer called directly with the same key")
	}
	if remapRun(t, k2, "ada@example.com") == a {
		t.Fatal("same output under another key")
	}
	got, err := jsRun(t, "return [typeof neosync.generateFirstName({}), typeof neosync.transformIdentityScramble, typeof neosync.transformJavascript].join()", "x", nil)
	if err != nil || got != "string,function,undefined" {
		t.Fatalf("neosync object: %v %v", got, err)
	}
	_, err = jsRun(t, "return neosync.transformEmail(value, {no_such_param: 1})", "a@b.co", nil)
	wantJSValueError(t, err, "no_such_param")
	v, err := jsRun(t, "try { neosync.transformEmail(value, 'x') } catch (e) { return 'caught ' + e.message }", "a@b.co", nil)
	if err != nil || !strings.HasPrefix(v.(string), "caught neosync.transformEmail") {
		t.Fatalf("error not catchable: %v %v", v, err)
	}
	if jsFunctionName("generate_e164_phone_number") != "generateE164PhoneNumber" || jsFunctionName("transform_email") != "transformEmail" {
		t.Fatal("jsFunctionName")
	}
}

func TestJavaScriptMathRandomConsistent(t *testing.T) {
	t.Parallel()
	code := "return Math.random()"
	a := jsBuild(t, code, Options{Key: []byte("k")})
	b := jsBuild(t, code, Options{Key: []byte("k")})
	x, y := remapRun(t, a, "alice"), remapRun(t, b, "alice")
	if x != y || remapRun(t, a, "alice") != x {
		t.Fatalf("Math.random not consistent: %v %v", x, y)
	}
	if remapRun(t, a, "bob") == x {
		t.Fatal("different inputs gave the same draw")
	}
	s1 := jsBuild(t, code, Options{Seed: 5})
	s2 := jsBuild(t, code, Options{Seed: 5})
	if remapRun(t, s1, "v") != remapRun(t, s2, "v") {
		t.Fatal("seeded random mode not reproducible")
	}
}

func TestGenerateJavaScript(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "generate_javascript", map[string]any{"code": "return 'user_' + Math.floor(Math.random() * 1000)", "timeout_ms": jsTestTimeoutMS}, Options{Seed: 3})
	seen := map[any]bool{}
	for range 20 {
		v := remapRun(t, in, nil)
		if !strings.HasPrefix(v.(string), "user_") {
			t.Fatalf("got %v", v)
		}
		seen[v] = true
	}
	if len(seen) < 5 {
		t.Fatal("generator output does not vary")
	}
	gen := remapBuild(t, "generate_javascript", map[string]any{"code": "return neosync.generateFirstName({}) + ' ' + typeof value", "timeout_ms": jsTestTimeoutMS}, Options{Seed: 3})
	if v := remapRun(t, gen, nil).(string); !strings.HasSuffix(v, " undefined") || len(v) < 11 {
		t.Fatalf("got %q", v)
	}
	if err := remapRegistry.Validate("generate_javascript", map[string]any{"code": "return ("}); err == nil {
		t.Fatal("syntax error accepted")
	}
}

func BenchmarkJavaScript(b *testing.B) {
	b.Run("call", func(b *testing.B) {
		in := jsBuild(b, "return value + 1", Options{})
		for b.Loop() {
			_, _ = in.Transform(int64(1), nil)
		}
	})
	b.Run("call_neosync_email", func(b *testing.B) {
		in := jsBuild(b, "return neosync.transformEmail(value, {preserve_domain: true})", Options{Key: []byte("k")})
		for b.Loop() {
			_, _ = in.Transform("ada@example.com", nil)
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			jsBuild(b, "return value + 1", Options{})
		}
	})
}

// TestJavaScriptWorkersStop checks the worker goroutine of an Instance ends
// once the Instance is garbage. (Not parallel: it counts goroutines.)
func TestJavaScriptWorkersStop(t *testing.T) {
	base := runtime.NumGoroutine()
	live := make([]*Instance, 20)
	for i := range live {
		live[i] = jsBuild(t, "return value", Options{})
		remapRun(t, live[i], "x")
	}
	if n := runtime.NumGoroutine(); n < base+len(live) {
		t.Fatalf("expected a worker per live instance: %d goroutines, base %d", n, base)
	}
	runtime.KeepAlive(live)
	for range 100 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if runtime.NumGoroutine() <= base+2 {
			return
		}
	}
	t.Fatalf("%d goroutines left, base %d", runtime.NumGoroutine(), base)
}

// TestJavaScriptRegexpBomb: a catastrophically backtracking regular
// expression fails the call with a RangeError instead of a silent "no match",
// and an abandoned one stops instead of running on forever.
func TestJavaScriptRegexpBomb(t *testing.T) {
	t.Parallel()
	bomb := strings.Repeat("a", 40)
	_, err := jsRun(t, `return /(a+)+\1b/.test(value)`, bomb, nil)
	wantJSValueError(t, err, "regular expression ran longer than")
	// Under a budget shorter than the match timeout the call is abandoned;
	// the match it leaves behind must still end.
	in := remapBuild(t, "transform_javascript", map[string]any{"code": `return /(a+)+\1b/.test(value)`, "timeout_ms": 50}, Options{Column: "col"})
	_, err = in.Transform(bomb, nil)
	wantJSValueError(t, err, "time budget")
	buf := make([]byte, 1<<20)
	for range 300 {
		if n := runtime.Stack(buf, true); !strings.Contains(string(buf[:n]), "regexp2") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("a goroutine is still matching the abandoned regular expression:\n%s", buf[:runtime.Stack(buf, true)])
}

// TestJavaScriptCallCap: a registry capped at 30 ms interrupts a call at
// 30 ms however long its timeout_ms allows (the worker caps calls so a
// hostile loop's allocations stay bounded).
func TestJavaScriptCallCap(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	reg.CapJavaScriptCalls(30 * time.Millisecond)
	in, err := reg.Build("transform_javascript", map[string]any{"code": "while (true) {}", "timeout_ms": int64(60000)}, Options{Column: "col"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Transform("x", nil)
	wantJSValueError(t, err, "time budget of 30ms")
}
