package server_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// TestJavaScriptBombs replays hostile JavaScript against the real API over
// HTTP: each request fails with a message naming the limit it hit, the API
// process stays up with a bounded peak RSS, other RPCs answer during and
// after, and nothing keeps running once a request has ended.
func TestJavaScriptBombs(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)

	preview := func(ctx context.Context, code string, timeoutMS int, samples ...string) (*mgmt.PreviewTransformerResponse, error) {
		vals := make([]*structpb.Value, len(samples))
		for i, s := range samples {
			vals[i] = structpb.NewStringValue(s)
		}
		resp, err := c.Transformers.PreviewTransformer(ctx, connect.NewRequest(&mgmt.PreviewTransformerRequest{
			AccountId: accountID, Source: "transform_javascript", SampleValues: vals,
			Config: mustStruct(t, map[string]any{"code": code, "timeout_ms": timeoutMS}),
		}))
		if err != nil {
			return nil, err
		}
		return resp.Msg, nil
	}
	// wantErrors checks that the preview answered n errors, each naming
	// one of the limits in substrs.
	wantErrors := func(t *testing.T, resp *mgmt.PreviewTransformerResponse, err error, n int, substrs ...string) {
		t.Helper()
		if err != nil {
			t.Fatalf("PreviewTransformer: %v", err)
		}
		if len(resp.GetErrors()) != n {
			t.Fatalf("errors = %q, want %d", resp.GetErrors(), n)
		}
		for _, e := range resp.GetErrors() {
			if !slices.ContainsFunc(substrs, func(s string) bool { return strings.Contains(e, s) }) {
				t.Fatalf("error %q contains none of %q", e, substrs)
			}
		}
	}
	// answers checks that another RPC answers while (or after) a bomb runs.
	answers := func(t *testing.T) {
		t.Helper()
		got, err := c.Transformers.GetSystemTransformerBySource(ctx, connect.NewRequest(&mgmt.GetSystemTransformerBySourceRequest{Source: "transform_email"}))
		if err != nil || got.Msg.GetTransformer().GetSource() != "transform_email" {
			t.Fatalf("another RPC during a bomb: %v, %v", got, err)
		}
	}
	// during runs an RPC each 50 ms while bomb runs, and checks they answer;
	// bomb only makes its request (it runs on another goroutine).
	during := func(t *testing.T, bomb func()) {
		t.Helper()
		done := make(chan struct{})
		go func() { defer close(done); bomb() }()
		for n := 0; ; n++ {
			select {
			case <-done:
				if n == 0 {
					answers(t)
				}
				return
			case <-time.After(50 * time.Millisecond):
				answers(t)
			}
		}
	}

	t.Run("memory bomb", func(t *testing.T) {
		var resp *mgmt.PreviewTransformerResponse
		var err error
		during(t, func() { resp, err = preview(ctx, `var s = 'x'; for (;;) { s = s + s; }`, 10000, "a") })
		wantErrors(t, resp, err, 1, "exceeded its 64 MiB memory limit")
		// AnonymizeJSON runs transformers too: same limit, and the failure
		// is the input's (InvalidArgument on input_data).
		_, err = c.Anonymize.AnonymizeSingle(ctx, connect.NewRequest(&mgmt.AnonymizeSingleRequest{
			AccountId: accountID, InputData: `{"a":"b"}`,
			TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".a", Transformer: &mgmt.JobMappingTransformer{
				Source: "transform_javascript", Config: mustStruct(t, map[string]any{"code": `var s = 'x'; for (;;) { s = s + s; }`, "timeout_ms": 60000}),
			}}},
		}))
		wantCode(t, "AnonymizeSingle with a memory bomb", err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), "exceeded its 64 MiB memory limit") {
			t.Fatalf("AnonymizeSingle error %q does not name the memory limit", err)
		}
		answers(t)
	})

	t.Run("regex bomb", func(t *testing.T) {
		var resp *mgmt.PreviewTransformerResponse
		var err error
		during(t, func() { resp, err = preview(ctx, `return /(a+)+\1b/.test(value)`, 5000, strings.Repeat("a", 40)) })
		wantErrors(t, resp, err, 1, "regular expression ran longer than")
		// Under a budget shorter than the match timeout the call is
		// abandoned, and its runner with it. The runner counts the budget
		// in its own CPU time and the match timeout is wall time, so on a
		// machine busy enough to give the runner under a tenth of a core
		// the match timeout comes first: either limit stops the bomb.
		resp, err = preview(ctx, `return /(a+)+\1b/.test(value)`, 100, strings.Repeat("a", 40))
		wantErrors(t, resp, err, 1, "time budget", "regular expression ran longer than")
		noJavaScriptLeft(t, api)
	})

	t.Run("infinite loop", func(t *testing.T) {
		var resp *mgmt.PreviewTransformerResponse
		var err error
		during(t, func() { resp, err = preview(ctx, `for (;;) {}`, 500, "a", "b", "c") })
		wantErrors(t, resp, err, 3, "time budget")
		// A preview may not ask for more JavaScript time than the cap.
		samples := make([]string, 100)
		_, err = preview(ctx, `for (;;) {}`, 60000, samples...)
		wantCode(t, "100 samples × 60 s", err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), "sample_values") {
			t.Fatalf("error %q does not name sample_values", err)
		}
		noJavaScriptLeft(t, api)
	})

	t.Run("client disconnect", func(t *testing.T) {
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errc := make(chan error, 1)
		go func() {
			_, err := preview(rctx, `for (;;) {}`, 10000, "a")
			errc <- err
		}()
		for api.JS.Live() == 0 {
			select {
			case err := <-errc:
				t.Fatalf("preview ended before its runner started: %v", err)
			case <-time.After(10 * time.Millisecond):
			}
		}
		cancel()
		if err := <-errc; connect.CodeOf(err) != connect.CodeCanceled {
			t.Fatalf("canceled preview: %v", err)
		}
		// Well before the 10 s budget, nothing of the request is left.
		noJavaScriptLeft(t, api)
		answers(t)
	})

	if hwm := statusBytes(t, "VmHWM"); hwm > 512<<20 {
		t.Fatalf("the API process peaked at %d MiB", hwm>>20)
	}
	// The runners' own peak: the data limit, plus their code — the runner
	// is this whole binary re-executed, and ru_maxrss counts its resident
	// text pages too, up to the file's size — plus 32 MiB of stacks and
	// runtime. A bomb the limit did not stop would reach gigabytes.
	exe, err := os.Stat(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if rss := api.JS.PeakRSS(); rss == 0 || rss > api.JS.MemoryLimit()+exe.Size()+32<<20 {
		t.Fatalf("a JavaScript runner peaked at %d MiB, limit %d MiB (+ %d MiB of binary)", rss>>20, api.JS.MemoryLimit()>>20, exe.Size()>>20)
	}
	t.Logf("peak RSS: API process %d MiB, JavaScript runners %d MiB", statusBytes(t, "VmHWM")>>20, api.JS.PeakRSS()>>20)
}

// noJavaScriptLeft fails unless, within 5 s, no runner process is alive and
// no goroutine of this process runs JavaScript or a regular expression.
func noJavaScriptLeft(t *testing.T, api *apitest.API) {
	t.Helper()
	buf := make([]byte, 4<<20)
	var stacks string
	for range 100 {
		stacks = string(buf[:runtime.Stack(buf, true)])
		if api.JS.Live() == 0 && !strings.Contains(stacks, "dop251/goja") && !strings.Contains(stacks, "regexp2") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("JavaScript still running after its request ended: %d runners alive; goroutines:\n%s", api.JS.Live(), stacks)
}

// statusBytes reads a "kB" field of /proc/self/status.
func statusBytes(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// TestJavaScriptRequestTimeCap: an anonymization whose JavaScript could run
// for minutes (3 inputs × a 60 s budget, doubled by the grace period) is
// stopped when the request's JavaScript time runs out.
func TestJavaScriptRequestTimeCap(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	resp, err := c.Anonymize.AnonymizeMany(ctx, connect.NewRequest(&mgmt.AnonymizeManyRequest{
		AccountId: accountID, InputData: []string{`{"a":"1"}`, `{"a":"2"}`, `{"a":"3"}`},
		TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".a", Transformer: &mgmt.JobMappingTransformer{
			Source: "transform_javascript", Config: mustStruct(t, map[string]any{"code": `for (;;) {}`, "timeout_ms": 60000}),
		}}},
	}))
	if err != nil {
		t.Fatalf("AnonymizeMany: %v", err)
	}
	if errs := resp.Msg.GetErrors(); len(errs) != 3 || !strings.Contains(errs[0].GetErrorMessage(), "used up its 30s of JavaScript time") {
		t.Fatalf("errors = %v, want 3 naming the request's JavaScript time", errs)
	}
	noJavaScriptLeft(t, api)
}
