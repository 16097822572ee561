package jsvm

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testBudget is the budget of tests that are not about the budget: the
// tests run in parallel on small shared machines, where a trivial call can
// wait for a CPU longer than 100 ms.
const testBudget = 5 * time.Second

// build compiles code as the body of function(value, input) and builds a VM.
func build(t testing.TB, code string, cfg Config) *VM {
	t.Helper()
	prog, err := Compile(code, "value", "input")
	if err != nil {
		t.Fatalf("Compile(%q): %v", code, err)
	}
	vm, err := New(prog, cfg)
	if err != nil {
		t.Fatalf("New(%q): %v", code, err)
	}
	return vm
}

// call runs vm once on value and row, as transform_javascript does.
func call(vm *VM, value any, row map[string]any) (any, error) {
	return vm.Call(rand.New(rand.NewPCG(1, 2)), row, value, row)
}

// run runs code once on value and row with the test budget.
func run(t testing.TB, code string, value any, row map[string]any) (any, error) {
	t.Helper()
	return call(build(t, code, Config{Budget: testBudget}), value, row)
}

// runDefault runs code once with a 100 ms budget (the transformers'
// default timeout_ms).
func runDefault(t testing.TB, code string) (any, error) {
	t.Helper()
	return call(build(t, code, Config{Budget: 100 * time.Millisecond}), "x", nil)
}

// wantError fails unless err contains substr.
func wantError(t testing.TB, err error, substr string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), substr) {
		t.Fatalf("err = %v, want one containing %q", err, substr)
	}
}

func TestBasic(t *testing.T) {
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
		{"return value", [16]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5, 6, 7, 8}, "12345678-9abc-def0-0102-030405060708"},
		{"return new String('boxed')", "x", "boxed"},
		{"input.first = 'changed'; return input.first", "x", "changed"},
	} {
		got, err := run(t, tc.code, tc.value, row)
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
		_, err := run(t, code, "x", nil)
		wantError(t, err, "result")
	}
}

func TestThrow(t *testing.T) {
	t.Parallel()
	_, err := run(t, "const x = 1;\nthrow new Error('bad value ' + value)", "v", nil)
	wantError(t, err, "Error: bad value v (line 2, column")
	_, err = run(t, "return value.nope.deeper", "v", nil)
	wantError(t, err, "TypeError")
}

func TestSyntaxError(t *testing.T) {
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
		_, err := Compile(tc.code, "value", "input")
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("%q: err = %v, want *SyntaxError", tc.code, err)
		}
		if se.Line != tc.line || (tc.col != 0 && se.Column != tc.col) {
			t.Errorf("%q: %v, want line %d column %d", tc.code, se, tc.line, tc.col)
		}
	}
	if _, err := Compile("const x = value;\nreturn x;", "value", "input"); err != nil {
		t.Fatal(err)
	}
}

func TestTimeBudget(t *testing.T) {
	t.Parallel()
	vm := build(t, "if (value === 'loop') { while (true) {} } return value", Config{Budget: 100 * time.Millisecond})
	_, err := call(vm, "loop", nil)
	var tb *TimeBudgetError
	if !errors.As(err, &tb) || tb.Budget != 100*time.Millisecond {
		t.Fatalf("err = %v (%T), want a *TimeBudgetError of 100ms", err, err)
	}
	wantError(t, err, "time budget")
	// The VM stays usable.
	if v, err := call(vm, "ok", nil); v != "ok" || err != nil {
		t.Fatalf("after an interrupt: %v %v", v, err)
	}
	for _, code := range []string{
		"for (;;) { try { while (true) {} } catch (e) {} finally { continue } }",
		"function f() { for (;;) {} } [1, 2].map(f)",
		"let s = 'x'; while (true) s = s + s",
	} {
		if _, err := runDefault(t, code); err == nil {
			t.Fatalf("%s: no error", code)
		}
	}
}

// TestAbandonedRuntime: a built-in that ignores the interrupt makes the
// call return after budget+grace, and the runtime is replaced.
func TestAbandonedRuntime(t *testing.T) {
	t.Parallel()
	vm := build(t, `
		if (value === 'setup') { globalThis.a = Array.from({length: 1 << 20}, (_, i) => i * 7919 % 1000003); return 1 }
		if (value === 'sort') { a.sort(); a.sort(); a.sort(); return 2 }
		return typeof a`, Config{Budget: time.Minute})
	if v, err := call(vm, "setup", nil); v != int64(1) || err != nil {
		t.Fatalf("setup: %v %v", v, err)
	}
	// The interrupt must land inside the native sort, so the budget leaves
	// the call goroutine time to start; retry if it landed before.
	vm.cfg.Budget, vm.cfg.Grace = 200*time.Millisecond, time.Millisecond
	start := time.Now()
	for attempt := 0; ; attempt++ {
		_, err := call(vm, "sort", nil)
		var tb *TimeBudgetError
		if errors.As(err, &tb) && tb.Abandoned && strings.Contains(err.Error(), "discarded") {
			break
		}
		if attempt == 2 || err == nil {
			t.Fatalf("sort: %v, want the runtime discarded", err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("call returned after %v", d)
	}
	vm.cfg.Budget = time.Minute
	if v, err := call(vm, "check", nil); v != "undefined" || err != nil {
		t.Fatalf("after restart: %v %v, want a fresh runtime", v, err)
	}
}

func TestNoHostAccess(t *testing.T) {
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
		if _, err := run(t, code, "x", nil); err == nil {
			t.Errorf("%s: no error", code)
		}
	}
	got, err := run(t, "return [typeof require, typeof fetch, typeof setTimeout, typeof process, typeof console, typeof neosync].join()", "x", nil)
	if err != nil || got != "undefined,undefined,undefined,undefined,undefined,undefined" {
		t.Fatalf("globals: %v %v", got, err)
	}
	// A sourceMappingURL comment must not make the parser read a file.
	if _, err := Compile("return 1\n//# sourceMappingURL=/etc/passwd"); err != nil {
		t.Fatal(err)
	}
}

func TestHugeAllocations(t *testing.T) {
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
		if _, err := runDefault(t, code); err == nil {
			t.Errorf("%s: no error", code)
		}
	}
}

// TestBuiltinsWork checks the guards leave normal use alone.
func TestBuiltinsWork(t *testing.T) {
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
		got, err := run(t, code, "x", nil)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, %v; want %#v", code, got, err, want)
		}
	}
}

// TestIsolation: globals and prototype changes stay in their VM.
func TestIsolation(t *testing.T) {
	t.Parallel()
	code := `
		if (value === 'pollute') {
			globalThis.leaked = 'yes';
			Object.prototype.polluted = 'yes';
			Array.prototype.join = function() { return 'hijacked' };
			return 'done';
		}
		return typeof leaked + '|' + ({}).polluted + '|' + [1, 2].join();`
	a := build(t, code, Config{Budget: testBudget})
	b := build(t, code, Config{Budget: testBudget})
	if _, err := call(a, "pollute", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := call(b, "check", nil); got != "undefined|undefined|1,2" || err != nil {
		t.Fatalf("second VM sees %v (%v)", got, err)
	}
	// Within one VM globals persist across calls.
	if got, err := call(a, "check", nil); got != "string|yes|hijacked" || err != nil {
		t.Fatalf("first VM sees %v (%v)", got, err)
	}
}

// TestNatives: natives receive converted arguments and the row, their
// errors are catchable Errors, Undefined is undefined, and each runtime
// gets its own set.
func TestNatives(t *testing.T) {
	t.Parallel()
	built := 0
	natives := func() []Native {
		built++
		return []Native{
			{Name: "echo", Call: func(value any, params map[string]any, row map[string]any) (any, error) {
				if params["fail"] == true {
					return nil, errors.New("asked to fail")
				}
				return []any{value, params["k"], row["id"]}, nil
			}},
			{Name: "nothing", Generator: true, Call: func(value any, params map[string]any, _ map[string]any) (any, error) {
				if value != nil || params != nil {
					return nil, errors.New("a generator got arguments")
				}
				return Undefined, nil
			}},
		}
	}
	vm := build(t, `
		if (value === 'catch') { try { neosync.echo(1, {fail: true}) } catch (e) { return 'caught ' + e.message } }
		if (value === 'params') { return neosync.echo(1, 'not an object') }
		if (value === 'loop') { for (;;) {} }
		return [neosync.echo(value, {k: 'v'}), typeof neosync.nothing()]`, Config{Budget: 200 * time.Millisecond, Grace: time.Millisecond, Natives: natives})
	got, err := call(vm, "x", map[string]any{"id": int64(7)})
	if want := []any{[]any{"x", "v", int64(7)}, "undefined"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, %v; want %#v", got, err, want)
	}
	if got, err := call(vm, "catch", nil); got != "caught neosync.echo: asked to fail" || err != nil {
		t.Fatalf("catch: %v %v", got, err)
	}
	_, err = call(vm, "params", nil)
	wantError(t, err, "neosync.echo: parameters must be an object")
	if built != 1 {
		t.Fatalf("natives built %d times for one runtime", built)
	}
}

// TestWorkersStop checks the worker goroutine of a VM ends once the VM is
// garbage. (Not parallel: it counts goroutines.)
func TestWorkersStop(t *testing.T) {
	base := runtime.NumGoroutine()
	live := make([]*VM, 20)
	for i := range live {
		live[i] = build(t, "return value", Config{Budget: testBudget})
		if _, err := call(live[i], "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := runtime.NumGoroutine(); n < base+len(live) {
		t.Fatalf("expected a worker per live VM: %d goroutines, base %d", n, base)
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

// TestRegexpBomb: a catastrophically backtracking regular expression fails
// the call with a RangeError instead of a silent "no match", and an
// abandoned one stops instead of running on forever.
func TestRegexpBomb(t *testing.T) {
	t.Parallel()
	bomb := strings.Repeat("a", 40)
	_, err := run(t, `return /(a+)+\1b/.test(value)`, bomb, nil)
	wantError(t, err, "regular expression ran longer than")
	// Under a budget shorter than the match timeout the call is abandoned;
	// the match it leaves behind must still end.
	vm := build(t, `return /(a+)+\1b/.test(value)`, Config{Budget: 50 * time.Millisecond})
	_, err = call(vm, bomb, nil)
	wantError(t, err, "time budget")
	buf := make([]byte, 1<<20)
	for range 300 {
		if n := runtime.Stack(buf, true); !strings.Contains(string(buf[:n]), "regexp2") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("a goroutine is still matching the abandoned regular expression:\n%s", buf[:runtime.Stack(buf, true)])
}
