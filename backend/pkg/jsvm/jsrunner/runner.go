package jsrunner

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Defaults of Config.
const (
	DefaultMemoryLimit  = 64 << 20
	DefaultMaxProcesses = 4
	DefaultCPULimit     = time.Minute
	DefaultStartTimeout = 10 * time.Second
)

// callMargin is added to twice a call's budget (budget plus the in-process
// grace period) before the parent gives up on the child. The child measures
// budgets in its own CPU time, so on a busy machine its answer may come
// later than its budget in wall time; this bound is only for a child that
// stopped answering, and is generous so that load alone never reaches it.
const callMargin = 10 * time.Second

// Config configures a Runner.
type Config struct {
	// Command is the child's argv: a binary that calls Main, such as
	// [path of neosync-api, "js-runner"]. Required.
	Command []string
	// MemoryLimit is the memory one child may add to its start-up size, in
	// bytes (DefaultMemoryLimit when 0).
	MemoryLimit int64
	// MaxProcesses bounds the children running at once
	// (DefaultMaxProcesses when 0).
	MaxProcesses int
	// CPULimit is the CPU time one child may use (DefaultCPULimit when 0;
	// none when negative). A child that serves a request (Build) lives for
	// the request, so a minute is plenty; one that serves a table's rows
	// (Host) lives for the table's copy, so the data plane sets none and
	// relies on each call's wall-clock limit instead.
	CPULimit time.Duration
	// StartTimeout bounds a child's start-up (DefaultStartTimeout when 0).
	StartTimeout time.Duration
}

// Runner starts children that evaluate JavaScript transformers. It is safe
// for concurrent use.
type Runner struct {
	cfg     Config
	slots   chan struct{}
	live    atomic.Int64
	peakRSS atomic.Int64
}

// New checks cfg and returns a Runner.
func New(cfg Config) (*Runner, error) {
	if len(cfg.Command) == 0 || cfg.Command[0] == "" {
		return nil, errors.New("jsrunner: Config.Command is required")
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	if cfg.MemoryLimit < 8<<20 {
		return nil, fmt.Errorf("jsrunner: MemoryLimit %d is below 8 MiB", cfg.MemoryLimit)
	}
	if cfg.MaxProcesses == 0 {
		cfg.MaxProcesses = DefaultMaxProcesses
	}
	if cfg.MaxProcesses < 0 {
		return nil, fmt.Errorf("jsrunner: MaxProcesses %d is negative", cfg.MaxProcesses)
	}
	if cfg.CPULimit == 0 {
		cfg.CPULimit = DefaultCPULimit
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	return &Runner{cfg: cfg, slots: make(chan struct{}, cfg.MaxProcesses)}, nil
}

// Live is the number of child processes running now.
func (r *Runner) Live() int { return int(r.live.Load()) }

// PeakRSS is the largest peak resident set of any child measured when it
// was stopped, in bytes (0 where the OS does not report it). A child that
// died on its own, at its memory limit, is not measured.
func (r *Runner) PeakRSS() int64 { return r.peakRSS.Load() }

// MemoryLimit is the memory one evaluation may use, in bytes.
func (r *Runner) MemoryLimit() int64 { return r.cfg.MemoryLimit }

// Transformer is one JavaScript transformer evaluated in a child. It
// implements Transform like *transformers.Instance and, like it, is used by
// one goroutine at a time. Close it to end the child and free its slot.
type Transformer struct {
	r      *Runner
	ctx    context.Context
	build  buildRequest
	budget time.Duration

	// table names the target's table in errors ("" when there is none).
	table string
	// slot is set when the Transformer holds one of the Runner's slots
	// (Build does; Prepare does not).
	slot bool

	mu     sync.Mutex
	child  *child
	closed bool
	stop   func() bool // unregisters the context watch
	// cur is child, readable by the context watch without mu (which a
	// call holds while it waits for the child).
	cur atomic.Pointer[child]
}

// Build starts a child and builds source with config and o in it. It waits
// for a free slot until ctx ends; ctx also bounds the Transformer's life:
// when it ends, the child is killed and calls fail. A bad parameter is a
// *transformers.ParamError.
func (r *Runner) Build(ctx context.Context, source string, config map[string]any, o transformers.Options) (*Transformer, error) {
	if !transformers.IsJavaScript(source) {
		return nil, fmt.Errorf("jsrunner: %q is not a JavaScript transformer", source)
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a free JavaScript runner: %w", context.Cause(ctx))
	}
	t := r.newTransformer(ctx, source, config, o)
	t.slot = true
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.start(); err != nil {
		t.closeLocked()
		return nil, err
	}
	return t, nil
}

// newTransformer returns a Transformer whose child is not started yet,
// killed when ctx ends.
func (r *Runner) newTransformer(ctx context.Context, source string, config map[string]any, o transformers.Options) *Transformer {
	t := &Transformer{r: r, ctx: ctx, budget: transformers.JavaScriptBudget(config), table: o.Table,
		build: buildRequest{Source: source, Config: config, Key: o.Key, PRF: int(o.PRF), Seed: o.Seed, Column: o.Column}}
	t.stop = context.AfterFunc(ctx, func() {
		if c := t.cur.Load(); c != nil {
			c.kill(reasonCanceled)
		}
	})
	return t
}

// Transform evaluates the transformer on value and row in the child. A
// failure of the code (an exception, the time budget, the memory limit) is a
// *transformers.ValueError; the child is replaced after it died.
func (t *Transformer) Transform(value any, row map[string]any) (any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	resp, err := t.call(&request{Value: value, Row: row}, 1)
	if err != nil {
		return nil, err
	}
	return t.output(answer{Value: resp.Value, Default: resp.Default, Err: resp.Err})
}

// TransformBatch evaluates the transformer on values[i] and rows[i] (rows
// may be nil) for every i, in order, in one round trip to the child, and
// writes the outputs into out (at least as long as values). It stops at
// the first failure: n outputs were written and err is the failure of
// call n, as Transform would return it. One round trip for many rows is
// what makes the child affordable on the data plane (see the package
// documentation for the figures).
func (t *Transformer) TransformBatch(values []any, rows []map[string]any, out []any) (n int, err error) {
	if len(values) == 0 {
		return 0, nil
	}
	calls := make([]call, len(values))
	for i, v := range values {
		calls[i].Value = v
		if rows != nil {
			calls[i].Row = rows[i]
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	resp, err := t.call(&request{Batch: calls}, len(values))
	if err != nil {
		return 0, err
	}
	if len(resp.Batch) > len(values) {
		return 0, fmt.Errorf("jsrunner: %d answers to %d calls", len(resp.Batch), len(values))
	}
	for i, a := range resp.Batch {
		if out[i], err = t.output(a); err != nil {
			return i, err
		}
	}
	if len(resp.Batch) < len(values) {
		return len(resp.Batch), fmt.Errorf("jsrunner: %d answers to %d calls", len(resp.Batch), len(values))
	}
	return len(values), nil
}

// call sends req, worth calls calls, to the child (started if need be)
// and reads its answer (t.mu held). When the child died the error says
// why and the child is replaced on the next call.
func (t *Transformer) call(req *request, calls int) (*response, error) {
	if t.closed {
		return nil, errors.New("jsrunner: Transform after Close")
	}
	if t.child == nil {
		if err := t.start(); err != nil {
			return nil, err
		}
	}
	c := t.child
	// Every call may take its budget and the in-process grace period.
	limit := time.Duration(calls)*2*t.budget + callMargin
	resp, err := c.roundTrip(req, limit)
	if err != nil {
		t.child = nil
		return nil, t.failed(c.failure(err, t.budget, t.canceledReason))
	}
	return resp, nil
}

// output is the result of one answered call.
func (t *Transformer) output(a answer) (any, error) {
	switch {
	case a.Err != "":
		return nil, t.valueError(a.Err)
	case a.Default:
		return transformers.UseColumnDefault, nil
	}
	return a.Value, nil
}

// Close ends the child and frees the slot. It is safe to call twice.
func (t *Transformer) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closeLocked()
	return nil
}

func (t *Transformer) closeLocked() {
	if t.closed {
		return
	}
	t.closed = true
	t.stop()
	if t.child != nil {
		t.child.close()
		t.child = nil
	}
	if t.slot {
		<-t.r.slots
	}
}

// canceledReason says why the context stopped the evaluation.
func (t *Transformer) canceledReason() string {
	cause := context.Cause(t.ctx)
	if errors.Is(cause, context.Canceled) {
		return "canceled: the request ended, so its JavaScript runner was stopped"
	}
	return fmt.Sprintf("stopped: %v", cause)
}

func (t *Transformer) valueError(reason string) error {
	return &transformers.ValueError{Transformer: t.build.Source, Column: t.build.Column, Reason: reason}
}

// failed is the *transformers.ValueError of a call whose child died of
// cause; a *MemoryLimitError is kept as its typed cause, named after the
// transformer's table and column.
func (t *Transformer) failed(cause error) error {
	ve := &transformers.ValueError{Transformer: t.build.Source, Column: t.build.Column, Reason: cause.Error()}
	if me, ok := cause.(*MemoryLimitError); ok {
		me.Table, me.Column = t.table, t.build.Column
		ve.Reason, ve.Err = me.Error(), me
	}
	return ve
}

// start starts a child and builds the transformer in it (t.mu held).
func (t *Transformer) start() error {
	if t.ctx.Err() != nil {
		return t.valueError(t.canceledReason())
	}
	c, err := t.r.startChild()
	if err != nil {
		return err
	}
	b := t.build
	resp, err := c.roundTrip(&request{Build: &b}, t.r.cfg.StartTimeout)
	if err != nil {
		return fmt.Errorf("the JavaScript runner did not start: %w", c.failure(err, t.r.cfg.StartTimeout, t.canceledReason))
	}
	if resp.Err != "" {
		c.close()
		if resp.Param != "" {
			return &transformers.ParamError{Transformer: b.Source, Param: resp.Param, Reason: resp.Err}
		}
		return fmt.Errorf("transformer %s: %s", b.Source, resp.Err)
	}
	t.child = c
	t.cur.Store(c)
	// The context may have ended while the child started, before t.child
	// was visible to the watch.
	if t.ctx.Err() != nil {
		c.kill(reasonCanceled)
	}
	return nil
}

// Why the parent killed a child.
const (
	reasonNone = iota
	reasonTime
	reasonCanceled
	reasonClosed
)

// cpuSeconds is the CPU limit a child is given, in whole seconds (at
// least 1), or 0 for none.
func cpuSeconds(limit time.Duration) int64 {
	if limit < 0 {
		return 0
	}
	return int64(max(limit/time.Second, 1))
}

// child is one running runner process.
type child struct {
	r      *Runner
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	enc    *gob.Encoder
	dec    *gob.Decoder
	stderr *tail
	reason atomic.Int32
	waited chan struct{}
	once   sync.Once
}

func (r *Runner) startChild() (*child, error) {
	registerTypes()
	cmd := exec.Command(r.cfg.Command[0], r.cfg.Command[1:]...)
	cmd.Env = []string{
		ChildEnv + "=1",
		memoryEnv + "=" + strconv.FormatInt(r.cfg.MemoryLimit, 10),
		cpuEnv + "=" + strconv.FormatInt(cpuSeconds(r.cfg.CPULimit), 10),
		"GOMAXPROCS=1",
		"GOTRACEBACK=single",
	}
	cmd.SysProcAttr = childAttr()
	c := &child{r: r, cmd: cmd, stderr: &tail{}, waited: make(chan struct{})}
	cmd.Stderr = c.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the JavaScript runner: %w", err)
	}
	r.live.Add(1)
	c.stdin, c.enc, c.dec = stdin, gob.NewEncoder(stdin), gob.NewDecoder(stdout)
	var hello response
	timer := time.AfterFunc(r.cfg.StartTimeout, func() { c.kill(reasonTime) })
	err = c.dec.Decode(&hello)
	timer.Stop()
	if err == nil && hello.Hello != protocolHello {
		err = fmt.Errorf("%s did not answer as a JavaScript runner", r.cfg.Command[0])
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("the JavaScript runner did not start: %w; %s", err, c.stderr.String())
	}
	return c, nil
}

// roundTrip sends req and reads the answer, killing the child when none
// comes within limit. An error means the child is gone (and reaped).
func (c *child) roundTrip(req *request, limit time.Duration) (*response, error) {
	timer := time.AfterFunc(limit, func() { c.kill(reasonTime) })
	defer timer.Stop()
	var resp response
	err := c.enc.Encode(req)
	if err == nil {
		err = c.dec.Decode(&resp)
	}
	if err != nil {
		c.kill(reasonNone)
		return nil, err
	}
	return &resp, nil
}

// kill ends the process (once), records why, and reaps it.
func (c *child) kill(reason int32) {
	c.reason.CompareAndSwap(reasonNone, reason)
	c.once.Do(func() {
		// Measured while the process is still alive (a child that died on
		// its own, at its memory limit, is bounded by that limit instead).
		for rss := livePeakRSS(c.cmd.Process.Pid); ; {
			cur := c.r.peakRSS.Load()
			if rss <= cur || c.r.peakRSS.CompareAndSwap(cur, rss) {
				break
			}
		}
		go func() {
			_ = c.cmd.Wait()
			c.r.live.Add(-1)
			close(c.waited)
		}()
	})
	_ = c.cmd.Process.Kill()
}

// close ends a healthy child and waits for it.
func (c *child) close() {
	c.kill(reasonClosed)
	<-c.waited
}

// failure explains why the child stopped answering (a *MemoryLimitError
// when the kernel refused it memory); it waits for the process to be
// reaped.
func (c *child) failure(err error, budget time.Duration, canceled func() string) error {
	<-c.waited
	switch c.reason.Load() {
	case reasonTime:
		return fmt.Errorf("the code exceeded its time budget of %v and its JavaScript runner was stopped; any global state was discarded", budget)
	case reasonCanceled:
		return errors.New(canceled())
	}
	msg := c.stderr.String()
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && (ws.Signal() == syscall.SIGXCPU || ws.Signal() == syscall.SIGKILL) && !strings.Contains(msg, "out of memory") {
		return fmt.Errorf("the JavaScript runner was stopped by %v (CPU limit of %v)", ws.Signal(), c.r.cfg.CPULimit)
	}
	if strings.Contains(msg, "out of memory") {
		return &MemoryLimitError{Limit: c.r.cfg.MemoryLimit}
	}
	return fmt.Errorf("the JavaScript runner stopped unexpectedly (%v): %v", c.cmd.ProcessState, err)
}

// tail keeps the first bytes a child writes to stderr (where the Go runtime
// reports "fatal error: out of memory"), for classifying its death.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 4 << 10

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := tailMax - len(t.buf); n > 0 {
		t.buf = append(t.buf, p[:min(n, len(p))]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(t.buf)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
