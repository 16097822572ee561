package jsrunner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// hostRegistry is a registry whose JavaScript runs in children of r.
func hostRegistry(t testing.TB, cfg Config) (*transformers.Registry, *Runner) {
	t.Helper()
	cfg.Command = []string{os.Args[0]}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	reg := transformers.NewRegistry()
	reg.RunJavaScriptIn(r.Host(ctx))
	return reg, r
}

// TestHostSameOutputs: a JavaScript transformer that calls neosync.*
// natives and Math.random gives, for a fixed job key under either PRF
// version (and for a fixed seed without one), the same outputs in a child
// as in-process, value by value.
func TestHostSameOutputs(t *testing.T) {
	t.Parallel()
	local := transformers.NewRegistry()
	remote, _ := hostRegistry(t, Config{})
	code := `return [neosync.transformEmail(value, {preserve_domain: true}), neosync.generateFirstName({}),
		neosync.transformCharacterScramble(value, {}), Math.random(), input.id].join('|')`
	cases := []struct {
		name   string
		source string
		code   string
		opts   transformers.Options
	}{
		{"transform with key", "transform_javascript", code, transformers.Options{Key: []byte("job key"), Column: "email"}},
		// A job on PRF v2: a child that built its transformer under v1
		// would differ from the in-process v2 outputs.
		{"transform with key, PRF v2", "transform_javascript", code, transformers.Options{Key: []byte("job key"), PRF: transformers.PRFv2, Column: "email"}},
		{"transform with seed", "transform_javascript", code, transformers.Options{Seed: 42, Column: "email"}},
		{"generate with seed", "generate_javascript", `return neosync.generateFirstName({}) + ' ' + Math.random()`, transformers.Options{Seed: 7, Column: "name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			params := map[string]any{"code": c.code, "timeout_ms": float64(5000)}
			in, err := local.Build(c.source, params, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := remote.Build(c.source, params, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			values, rows := make([]any, 50), make([]map[string]any, 50)
			for i := range values {
				values[i] = fmt.Sprintf("user%d@example.com", i%20)
				rows[i] = map[string]any{"id": int64(i), "email": values[i]}
			}
			wants := make([]any, len(values))
			for i, v := range values {
				want, err1 := in.Transform(v, rows[i])
				got, err2 := out.Transform(v, rows[i])
				if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("value %d: child %#v (%v), in-process %#v (%v)", i, got, err2, want, err1)
				}
				wants[i] = want
			}
			if c.opts.Key == nil {
				return // a seeded random source moves on: a second pass differs
			}
			// The same values again, in one batch: consistent mode gives
			// the same outputs.
			batch, err := remote.Build(c.source, params, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]any, len(values))
			if n, err := batch.TransformBatch(values, rows, got); n != len(values) || err != nil || !reflect.DeepEqual(got, wants) {
				t.Fatalf("batch: %d, %v\ngot  %#v\nwant %#v", n, err, got, wants)
			}
		})
	}
}

// TestHostBatchStopsAtFailure: a batch stops at the first value the code
// refuses, returning the outputs before it and that value's ValueError;
// MaxLength applies to batched outputs.
func TestHostBatchStopsAtFailure(t *testing.T) {
	t.Parallel()
	reg, _ := hostRegistry(t, Config{})
	in, err := reg.Build("transform_javascript", map[string]any{"code": `if (value === 'bad') throw new Error('no ' + input.id); return value + value`, "timeout_ms": float64(5000)},
		transformers.Options{Column: "col", MaxLength: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !in.Batches() {
		t.Fatal("a host's JavaScript transformer does not batch")
	}
	out := make([]any, 4)
	n, err := in.TransformBatch([]any{"a", "bc", "bad", "d"}, []map[string]any{nil, nil, {"id": int64(3)}, nil}, out)
	wantValueError(t, err, "no 3")
	if n != 2 || out[0] != "aa" || out[1] != "bcb" {
		t.Fatalf("n = %d, out = %#v; want 2 outputs aa, bcb", n, out)
	}
}

// TestHostMemoryBomb: the string-doubling bomb through a registry's
// JavaScript transformer dies at the child's memory limit, with a typed
// error naming the table, column and limit; this process stays small and
// the next call works in a fresh child.
func TestHostMemoryBomb(t *testing.T) {
	t.Parallel()
	if raceDetector {
		t.Skip("the race detector's shadow memory does not fit the runner's memory limit")
	}
	reg, r := hostRegistry(t, Config{})
	in, err := reg.Build("transform_javascript", map[string]any{"code": `if (value === 'bomb') { var s = 'x'; for (;;) { s = s + s; } } return value + '!'`, "timeout_ms": float64(60000)},
		transformers.Options{Table: "public.users", Column: "email"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Transform("bomb", nil)
	var me *MemoryLimitError
	var ve *transformers.ValueError
	if !errors.As(err, &me) || !errors.As(err, &ve) || me.Limit != DefaultMemoryLimit || ve.Column != "email" {
		t.Fatalf("err = %v (%T), want a ValueError on email with a *MemoryLimitError of 64 MiB", err, err)
	}
	if want := "JavaScript transformer for public.users.email exceeded its 64 MiB memory limit"; !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q, want it to say %q", err, want)
	}
	if got, err := in.Transform("ok", nil); got != "ok!" || err != nil {
		t.Fatalf("after the bomb: %v, %v", got, err)
	}
	if hwm := peakRSS(t); hwm > 512<<20 {
		t.Fatalf("this process peaked at %d MiB", hwm>>20)
	}
	t.Logf("%v; a child peaked at %d MiB", err, r.PeakRSS()>>20)
}

// TestChildCrash: a child that dies for another reason (killed from
// outside mid-call) fails the call at once with a readable error, and the
// next call starts a fresh child.
func TestChildCrash(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{})
	tr := build(t, r, context.Background(), `if (value === 'spin') { for (;;) {} } return value`, 60000)
	if got, err := tr.Transform("up", nil); got != "up" || err != nil {
		t.Fatalf("first call: %v, %v", got, err)
	}
	pid := tr.cur.Load().cmd.Process.Pid
	time.AfterFunc(200*time.Millisecond, func() { _ = syscall.Kill(pid, syscall.SIGSEGV) })
	_, err := tr.Transform("spin", nil)
	wantValueError(t, err, "the JavaScript runner stopped unexpectedly")
	if got, err := tr.Transform("again", nil); got != "again" || err != nil {
		t.Fatalf("after the crash: %v, %v", got, err)
	}
}

// BenchmarkHost compares rows/s of one JavaScript transformer with a
// native call in-process and in a child, one row per call.
func BenchmarkHost(b *testing.B) {
	params := map[string]any{"code": "return neosync.transformEmail(value, {}) + input.id", "timeout_ms": float64(5000)}
	remote, _ := hostRegistry(b, Config{})
	for _, c := range []struct {
		name string
		reg  *transformers.Registry
	}{{"in-process", transformers.NewRegistry()}, {"child", remote}} {
		b.Run(c.name+"/batch-256", func(b *testing.B) {
			in, err := c.reg.Build("transform_javascript", params, transformers.Options{Key: []byte("k"), Column: "email"})
			if err != nil {
				b.Fatal(err)
			}
			values, rows, out := make([]any, 256), make([]map[string]any, 256), make([]any, 256)
			for i := range values {
				values[i], rows[i] = "a@example.com", map[string]any{"id": int64(i), "email": "a@example.com"}
			}
			for b.Loop() {
				if _, err := in.TransformBatch(values, rows, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(values))/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(c.name, func(b *testing.B) {
			in, err := c.reg.Build("transform_javascript", params, transformers.Options{Key: []byte("k"), Column: "email"})
			if err != nil {
				b.Fatal(err)
			}
			row := map[string]any{"id": int64(1), "email": "a@example.com"}
			for b.Loop() {
				if _, err := in.Transform("a@example.com", row); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
