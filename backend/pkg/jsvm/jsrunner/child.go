package jsrunner

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Environment of a child: ChildEnv marks the process as a runner (for test
// binaries, whose TestMain checks IsChild); the others carry its limits.
const (
	ChildEnv  = "NEOSYNC_JS_RUNNER"
	memoryEnv = "NEOSYNC_JS_RUNNER_MEMORY_BYTES"
	cpuEnv    = "NEOSYNC_JS_RUNNER_CPU_SECONDS"
)

// IsChild reports whether this process was started by a Runner. A test
// binary that lets a Runner re-execute it calls this first in TestMain and,
// when it is true, exits with Main's code instead of running its tests.
func IsChild() bool { return os.Getenv(ChildEnv) == "1" }

// Main is the child's main: it applies the limits from its environment,
// then serves one transformer over stdin and stdout until stdin closes. It
// returns the process exit code.
func Main() int {
	memory, err1 := strconv.ParseInt(os.Getenv(memoryEnv), 10, 64)
	cpu, err2 := strconv.ParseInt(os.Getenv(cpuEnv), 10, 64)
	if err := errors.Join(err1, err2); err != nil || memory <= 0 || cpu < 0 {
		fmt.Fprintln(os.Stderr, "js-runner: started without its limits; it is started by the API, not by hand")
		return 2
	}
	if err := applyLimits(memory, time.Duration(cpu)*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "js-runner:", err)
		return 2
	}
	debug.SetMemoryLimit(memory)
	reg := transformers.NewRegistry()
	// The child runs one call at a time at a lower priority: a call's
	// budget counts the CPU it used, not the wall time a busy machine took
	// to give it that CPU. The parent still kills a child that does not
	// answer within a wall-clock bound (Transformer.call).
	reg.MeasureJavaScriptOn(processCPUTime)
	if err := Serve(os.Stdin, os.Stdout, reg); err != nil {
		fmt.Fprintln(os.Stderr, "js-runner:", err)
		return 1
	}
	return 0
}

// Serve speaks the runner protocol on r and w: a hello, then one Build of a
// JavaScript transformer from reg, then one answer per call, until r ends.
func Serve(r io.Reader, w io.Writer, reg *transformers.Registry) error {
	registerTypes()
	dec, enc := gob.NewDecoder(r), gob.NewEncoder(w)
	if err := enc.Encode(&response{Hello: protocolHello}); err != nil {
		return err
	}
	var in *transformers.Instance
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var resp response
		switch {
		case req.Build != nil:
			b := req.Build
			if !transformers.IsJavaScript(b.Source) {
				resp.Err = fmt.Sprintf("%q is not a JavaScript transformer", b.Source)
				break
			}
			inst, err := reg.Build(b.Source, b.Config, transformers.Options{Key: b.Key, PRF: transformers.PRFVersion(b.PRF), Seed: b.Seed, Column: b.Column})
			if err != nil {
				resp.Err = err.Error()
				var pe *transformers.ParamError
				if errors.As(err, &pe) {
					resp.Param, resp.Err = pe.Param, pe.Reason
				}
				break
			}
			in = inst
		case in == nil:
			return errors.New("call before build")
		case len(req.Batch) > 0:
			resp.Batch = make([]answer, 0, len(req.Batch))
			for _, c := range req.Batch {
				a := evaluate(in, c.Value, c.Row)
				resp.Batch = append(resp.Batch, a)
				if a.Err != "" {
					break
				}
			}
		default:
			a := evaluate(in, req.Value, req.Row)
			resp.Value, resp.Default, resp.Err = a.Value, a.Default, a.Err
		}
		if err := enc.Encode(&resp); err != nil {
			// A value gob cannot carry: answer with an error instead.
			if err := enc.Encode(&response{Err: "cannot return the result: " + err.Error()}); err != nil {
				return err
			}
		}
	}
}

// evaluate runs one call of in.
func evaluate(in *transformers.Instance, value any, row map[string]any) answer {
	out, err := in.Transform(value, row)
	switch {
	case err != nil:
		var ve *transformers.ValueError
		if errors.As(err, &ve) {
			return answer{Err: ve.Reason}
		}
		return answer{Err: err.Error()}
	case transformers.IsColumnDefault(out):
		return answer{Default: true}
	}
	return answer{Value: out}
}
