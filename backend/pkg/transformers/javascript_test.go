package transformers

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/jsvm"
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
	row := map[string]any{"first": "Ada", "last": "Lovelace", "age": int64(36)}
	for _, tc := range []struct {
		code  string
		value any
		want  any
	}{
		{"return value + 1", int64(41), int64(42)},
		{"return input.first + ' ' + input.last", "x", "Ada Lovelace"},
		{"return value === null", nil, true},
		{"return {a: 1, b: ['c']}", "x", map[string]any{"a": int64(1), "b": []any{"c"}}},
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
	_, err := jsRun(t, "const x = 1;\nthrow new Error('bad value ' + value)", "v", nil)
	wantJSValueError(t, err, "Error: bad value v (line 2, column")
	_, err = jsRun(t, "return function() {}", "x", nil)
	wantJSValueError(t, err, "result")
}

func TestJavaScriptTimeBudget(t *testing.T) {
	t.Parallel()
	in := remapBuild(t, "transform_javascript", map[string]any{"code": "if (value === 'loop') { while (true) {} } return value"}, Options{Column: "col"})
	_, err := in.Transform("loop", nil)
	wantJSValueError(t, err, "time budget of 100ms")
	var tb *jsvm.TimeBudgetError
	if !errors.As(err, &tb) {
		t.Fatalf("err = %v, want a *jsvm.TimeBudgetError under the ValueError", err)
	}
	// The instance stays usable.
	if v, err := in.Transform("ok", nil); v != "ok" || err != nil {
		t.Fatalf("after an interrupt: %v %v", v, err)
	}
}

// TestJavaScriptMemoryLimit: a registry with a memory limit (the worker's
// NEOSYNC_JS_MEMORY_MB) fails a call that allocates more with a ValueError
// naming the column and the limit, wrapping a *jsvm.MemoryLimitError. The
// call allocates a bounded 128 MiB (not a bomb), so it just returns if the
// limit is not enforced, however long a loaded machine takes. (Not
// parallel: the limit is on the process's heap growth.)
func TestJavaScriptMemoryLimit(t *testing.T) {
	reg := NewRegistry()
	reg.LimitJavaScriptMemory(16 << 20)
	in, err := reg.Build("transform_javascript", map[string]any{
		"code": "var a = []; for (var i = 0; i < 128; i++) a.push('x'.repeat(1 << 20) + i); return a.length", "timeout_ms": int64(60000),
	}, Options{Column: "col"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Transform("x", nil)
	wantJSValueError(t, err, "exceeded the JavaScript memory limit of 16 MiB")
	var me *jsvm.MemoryLimitError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want a *jsvm.MemoryLimitError under the ValueError", err)
	}
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
	b.Run("call_memory_limit", func(b *testing.B) {
		reg := NewRegistry()
		reg.LimitJavaScriptMemory(64 << 20)
		in, err := reg.Build("transform_javascript", map[string]any{"code": "return value + 1", "timeout_ms": jsTestTimeoutMS}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			_, _ = in.Transform(int64(1), nil)
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			jsBuild(b, "return value + 1", Options{})
		}
	})
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
