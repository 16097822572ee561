// Package runlog sends the worker's log lines for a run to the API, which
// stores them with the run (JobService.GetJobRunLogs, `neosync runs logs`,
// the web app's Logs tab). An activity marks its context with the run
// (WithRun); the worker's slog handler passes every record as before and,
// for a record logged with such a context, queues a copy — level,
// message, attributes, secret-looking ones masked — that a background
// shipper sends in batches. Shipping never blocks or fails an activity: a
// full queue drops lines (counted in the next line sent), and a failed
// send is logged locally only.
package runlog

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/pkg/runlog"
)

type runKey struct{}

// WithRun marks ctx as working on run runID: records logged with it are
// also sent to the run's log.
func WithRun(ctx context.Context, runID string) context.Context {
	if runID == "" {
		return ctx
	}
	return context.WithValue(ctx, runKey{}, runID)
}

func runFrom(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(runKey{}).(string)
	return id
}

// queueSize bounds the lines waiting to be sent.
const queueSize = 10000

type queued struct {
	run  string
	line *mgmt.JobRunLogLine
}

// Shipper batches run log lines to the API.
type Shipper struct {
	api      mgmtv1alpha1connect.WorkerServiceClient
	local    slog.Handler
	interval time.Duration

	mu      sync.Mutex
	queue   []queued
	dropped int
	wake    chan struct{}
}

// NewShipper returns a shipper sending through api every interval (or
// sooner when a batch fills); local receives its own failures.
func NewShipper(api mgmtv1alpha1connect.WorkerServiceClient, local slog.Handler, interval time.Duration) *Shipper {
	return &Shipper{api: api, local: local, interval: interval, wake: make(chan struct{}, 1)}
}

// Run sends queued lines until ctx is done, then sends what is left.
func (s *Shipper) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.Flush(fctx)
			cancel()
			return
		case <-t.C:
		case <-s.wake:
		}
		s.Flush(ctx)
	}
}

// Flush sends every queued line now, one call per run and batch.
func (s *Shipper) Flush(ctx context.Context) {
	s.mu.Lock()
	q := s.queue
	s.queue = nil
	s.mu.Unlock()
	byRun := map[string][]*mgmt.JobRunLogLine{}
	var order []string
	for _, l := range q {
		if _, ok := byRun[l.run]; !ok {
			order = append(order, l.run)
		}
		byRun[l.run] = append(byRun[l.run], l.line)
	}
	for _, run := range order {
		lines := byRun[run]
		for len(lines) > 0 {
			n := min(len(lines), runlog.MaxBatch)
			_, err := s.api.AddJobRunLogs(ctx, connect.NewRequest(&mgmt.AddJobRunLogsRequest{JobRunId: run, Lines: lines[:n]}))
			if err != nil {
				r := slog.NewRecord(time.Now(), slog.LevelWarn, "send run log lines", 0)
				r.AddAttrs(slog.String("job_run_id", run), slog.Int("lines", n), slog.String("error", err.Error()))
				_ = s.local.Handle(context.Background(), r)
			}
			lines = lines[n:]
		}
	}
}

func (s *Shipper) add(run string, line *mgmt.JobRunLogLine) {
	s.mu.Lock()
	if len(s.queue) >= queueSize {
		s.dropped++
		s.mu.Unlock()
		return
	}
	if s.dropped > 0 {
		line.Attributes["dropped_lines_before"] = strconv.Itoa(s.dropped)
		s.dropped = 0
	}
	s.queue = append(s.queue, queued{run: run, line: line})
	full := len(s.queue) >= runlog.MaxBatch
	s.mu.Unlock()
	if full {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Handler returns a slog handler that hands every record to next and
// queues those logged with a run's context (see WithRun).
func (s *Shipper) Handler(next slog.Handler) slog.Handler { return &handler{next: next, s: s} }

type handler struct {
	next  slog.Handler
	s     *Shipper
	attrs []slog.Attr
	group string
}

// Enabled admits what next admits and, for a run, info and above whatever
// the worker's own LOG_LEVEL: the run's log does not depend on it.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l) || (l >= slog.LevelInfo && runFrom(ctx) != "")
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if run := runFrom(ctx); run != "" && r.Level >= slog.LevelInfo {
		attrs := map[string]string{}
		add := func(a slog.Attr) bool {
			key := a.Key
			if h.group != "" {
				key = h.group + "." + key
			}
			attrs[key] = a.Value.Resolve().String()
			return true
		}
		for _, a := range h.attrs {
			add(a)
		}
		r.Attrs(add)
		msg, clean := runlog.Clean(r.Message, attrs)
		level, _ := runlog.Level(levelName(r.Level))
		h.s.add(run, &mgmt.JobRunLogLine{Time: timestamppb.New(r.Time), Level: level, Message: msg, Attributes: clean})
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	c := *h
	c.next = h.next.WithGroup(name)
	if c.group != "" {
		name = c.group + "." + name
	}
	c.group = name
	return &c
}

func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "error"
	case l >= slog.LevelWarn:
		return "warn"
	case l >= slog.LevelInfo:
		return "info"
	}
	return "debug"
}
