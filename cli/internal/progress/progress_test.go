package progress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

var t0 = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)

type table struct {
	name           string
	state          string
	done, expected int64
	err            string
}

func tb(name, state string, done, expected int64, err ...string) table {
	t := table{name: name, state: state, done: done, expected: expected}
	if len(err) > 0 {
		t.err = err[0]
	}
	return t
}

func snapshot(status mgmtv1alpha1.JobRunStatus, at time.Duration, tables ...table) *mgmtv1alpha1.JobRun {
	run := &mgmtv1alpha1.JobRun{Id: "0b7c3f52-1111-4000-8000-000000000001", Name: "neosync-run-abc", Status: status, StartedAt: timestamppb.New(t0)}
	for _, tb := range tables {
		schema, name, _ := strings.Cut(tb.name, ".")
		tp := &mgmtv1alpha1.JobRunTableProgress{Schema: schema, Table: name, State: tb.state, RowsDone: tb.done, RowsExpected: tb.expected}
		if tb.err != "" {
			tp.Error = &tb.err
		}
		run.Tables = append(run.Tables, tp)
	}
	if status == mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE || status == mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED {
		run.CompletedAt = timestamppb.New(t0.Add(at))
	}
	return run
}

const (
	running  = mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_RUNNING
	complete = mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE
	failed   = mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED
)

func TestFrame(t *testing.T) {
	t.Parallel()
	r := newRates()
	r.observe(snapshot(running, 0, tb("public.users", "running", 0, 50000), tb("public.orders", "pending", 0, 150000)), t0)
	run := snapshot(running, 0, tb("public.users", "running", 20000, 50000), tb("public.orders", "pending", 0, 150000))
	per, all := r.observe(run, t0.Add(2*time.Second))
	got := strings.Join(Frame(run, "nightly", per, all, t0.Add(2*time.Second), 100), "\n")
	want := strings.Join([]string{
		"run 0b7c3f52 of job nightly · running · 2s",
		"[████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░]  10% 20,000 / 200,000 rows · 10,000 rows/s · 0/2 tables",
		"  TABLE          STATE     ROWS                    ROWS/S",
		"  public.users   running   20,000 / 50,000         10,000",
		"  public.orders  pending   0 / 150,000             ",
	}, "\n")
	if got != want {
		t.Fatalf("frame:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range Frame(run, "a-job-with-a-long-name", nil, 0, t0, 40) {
		if n := len([]rune(line)); n > 40 {
			t.Errorf("line wider than 40 (%d): %q", n, line)
		}
	}
	// A running table without an expected count: no percentage, no bar.
	unknown := snapshot(running, 0, tb("public.users", "running", 4096, 0))
	frame := Frame(unknown, "", nil, 0, t0, 100)
	if !strings.HasPrefix(frame[1], "[░░░░") || strings.Contains(frame[1], "%") || !strings.Contains(frame[1], " 4,096 rows ·") {
		t.Fatalf("unknown total: %q", frame[1])
	}
}

func TestLiveRedraws(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := NewLive(&buf, 80, "")
	run := snapshot(running, 0, tb("public.users", "running", 1, 10))
	if err := l.Update(run, t0); err != nil {
		t.Fatal(err)
	}
	first := buf.Len()
	if strings.Contains(buf.String(), "\x1b[") {
		t.Fatal("first frame moves the cursor")
	}
	if err := l.Done(snapshot(complete, time.Second, tb("public.users", "complete", 10, 10)), t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String()[first:], "\x1b[4A\x1b[J") {
		t.Fatalf("second frame does not redraw in place: %q", buf.String()[first:])
	}
}

func TestPlain(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := NewPlain(&buf, "nightly")
	p.Every = 5 * time.Second
	steps := []*mgmtv1alpha1.JobRun{
		snapshot(running, 0, tb("public.users", "pending", 0, 100), tb("public.orders", "pending", 0, 0)),
		snapshot(running, 0, tb("public.users", "running", 10, 100), tb("public.orders", "pending", 0, 0)),
		snapshot(running, 0, tb("public.users", "running", 60, 100), tb("public.orders", "pending", 0, 0)),
		snapshot(running, 0, tb("public.users", "complete", 100, 100), tb("public.orders", "running", 5, 0)),
	}
	for i, s := range steps {
		if err := p.Update(s, t0.Add(time.Duration(i)*3*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	final := snapshot(failed, 12*time.Second, tb("public.users", "complete", 100, 100), tb("public.orders", "failed", 5, 0, "duplicate key"))
	if err := p.Done(final, t0.Add(12*time.Second)); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"run 0b7c3f52 of job nightly running: 2 tables",
		"public.users: running",
		"progress: 60 rows, 10 rows/s, 0/2 tables done, 6s elapsed",
		"public.users: complete, 100 rows",
		"public.orders: running",
		"public.orders: failed after 5 rows",
		"run 0b7c3f52 of job nightly failed: 1/2 tables, 105 rows in 12s",
		"",
	}, "\n")
	if buf.String() != want {
		t.Fatalf("plain output:\n%s\nwant:\n%s", buf.String(), want)
	}
	if err := Outcome(final, "nightly"); err == nil || err.Error() != "run 0b7c3f52 of job nightly failed: table public.orders: duplicate key" {
		t.Fatalf("Outcome = %v", err)
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	ok := snapshot(complete, time.Second)
	if err := Outcome(ok, ""); err != nil {
		t.Fatal(err)
	}
	msg := "source unreachable"
	f := snapshot(failed, time.Second)
	f.Error = &msg
	if err := Outcome(f, ""); err == nil || err.Error() != "run 0b7c3f52 failed: source unreachable" {
		t.Fatalf("Outcome = %v", err)
	}
	c := snapshot(mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_CANCELED, 0)
	if err := Outcome(c, "nightly"); err == nil || err.Error() != "run 0b7c3f52 of job nightly was canceled" {
		t.Fatalf("Outcome = %v", err)
	}
}

func TestWatch(t *testing.T) {
	t.Parallel()
	seq := []*mgmtv1alpha1.JobRun{
		snapshot(running, 0, tb("public.users", "running", 1, 2)),
		snapshot(complete, time.Second, tb("public.users", "complete", 2, 2)),
	}
	i := 0
	get := func(context.Context) (*mgmtv1alpha1.JobRun, error) {
		s := seq[min(i, len(seq)-1)]
		i++
		return s, nil
	}
	var buf bytes.Buffer
	run, err := Watch(context.Background(), get, NewPlain(&buf, ""), time.Millisecond, func() time.Time { return t0 })
	if err != nil || run.GetStatus() != complete || i != 2 {
		t.Fatalf("Watch = %v, %v after %d polls", run, err, i)
	}
	boom := errors.New("boom")
	_, err = Watch(context.Background(), func(context.Context) (*mgmtv1alpha1.JobRun, error) { return nil, boom }, NewPlain(&buf, ""), time.Millisecond, time.Now)
	if !errors.Is(err, boom) {
		t.Fatalf("Watch error = %v", err)
	}
}

func TestNumber(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLiveRemembersExpectedAndShowsFinishing(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := NewLive(&buf, 100, "nightly")
	if err := l.Update(snapshot(running, 0, tb("public.users", "pending", 0, 1000)), t0); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	// The worker omits the expected count while copying: the bar keeps it.
	if err := l.Update(snapshot(running, 0, tb("public.users", "running", 250, 0)), t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), " 25% 250 / 1,000 rows") {
		t.Fatalf("expected count forgotten:\n%s", buf.String())
	}
	buf.Reset()
	if err := l.Update(snapshot(running, 0, tb("public.users", "complete", 1000, 1000)), t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "· running (finishing) ·") {
		t.Fatalf("no finishing state:\n%s", buf.String())
	}
}

// TestSeveralDestinations: a run writing two destinations lists each
// table once per destination, named, and keeps their rates apart.
func TestSeveralDestinations(t *testing.T) {
	t.Parallel()
	mk := func(stagingDone, devDone int64, devState string) *mgmtv1alpha1.JobRun {
		run := snapshot(running, 0, tb("public.users", "complete", stagingDone, 1000), tb("public.users", devState, devDone, 1000))
		run.Tables[0].Destination, run.Tables[1].Destination = "staging", "dev"
		return run
	}
	r := newRates()
	r.observe(mk(1000, 0, "running"), t0)
	run := mk(1000, 500, "running")
	per, all := r.observe(run, t0.Add(time.Second))
	frame := strings.Join(Frame(run, "nightly", per, all, t0.Add(time.Second), 100), "\n")
	for _, want := range []string{
		"75% 1,500 / 2,000 rows",
		"  public.users → staging  complete  1,000 / 1,000",
		"  public.users → dev      running   500 / 1,000             500",
	} {
		if !strings.Contains(frame, want) {
			t.Errorf("frame lacks %q:\n%s", want, frame)
		}
	}
	var out strings.Builder
	p := NewPlain(&out, "nightly")
	if err := p.Update(mk(1000, 0, "running"), t0); err != nil {
		t.Fatal(err)
	}
	if err := p.Update(mk(1000, 1000, "complete"), t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"public.users → staging: complete, 1,000 rows", "public.users → dev: running", "public.users → dev: complete, 1,000 rows"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plain output lacks %q:\n%s", want, out.String())
		}
	}
	// One destination: no destination in the names.
	single := snapshot(running, 0, tb("public.users", "running", 1, 10))
	single.Tables[0].Destination = "staging"
	if got := Frame(single, "", nil, 0, t0, 100)[3]; strings.Contains(got, "staging") {
		t.Errorf("single destination named: %q", got)
	}
}

// TestKeyRanges shows a table copied in key ranges with its ranges done:
// in the live frame and, at each new range, in the plain view.
func TestKeyRanges(t *testing.T) {
	t.Parallel()
	ranged := func(done int32, rows int64) *mgmtv1alpha1.JobRun {
		run := snapshot(running, 0, tb("public.big", "running", rows, 800))
		run.Tables[0].RangesTotal, run.Tables[0].RangesDone = 8, done
		return run
	}
	frame := Frame(ranged(3, 300), "", nil, 0, t0, 100)
	if !strings.Contains(frame[3], "running 3/8 ranges") {
		t.Fatalf("frame row %q does not show the ranges", frame[3])
	}
	var buf bytes.Buffer
	p := NewPlain(&buf, "nightly")
	for i, run := range []*mgmtv1alpha1.JobRun{ranged(0, 10), ranged(0, 50), ranged(1, 120), ranged(2, 200)} {
		if err := p.Update(run, t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"public.big: running 0/8 ranges\n", "public.big: running 1/8 ranges\n", "public.big: running 2/8 ranges\n"} {
		if strings.Count(buf.String(), want) != 1 {
			t.Fatalf("plain output:\n%s\nwant once: %q", buf.String(), want)
		}
	}
}

// TestOutcomeSaysEachReasonOnce: the worker records the failure on the run
// ("table T: …") and on the table ("sqlsync: table T: …"); the reason was
// printed twice, once with its table named twice.
func TestOutcomeSaysEachReasonOnce(t *testing.T) {
	t.Parallel()
	const why = `batch 1 (rows 1 and on): ERROR: new row for relation "orders" violates check constraint "small" (SQLSTATE 23514)`
	tables := func(errs ...string) []*mgmtv1alpha1.JobRunTableProgress {
		var out []*mgmtv1alpha1.JobRunTableProgress
		for i, e := range errs {
			out = append(out, &mgmtv1alpha1.JobRunTableProgress{Schema: "public", Table: fmt.Sprintf("t%d", i), State: "failed", Error: &e})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		runErr string
		tables []*mgmtv1alpha1.JobRunTableProgress
		want   string
	}{
		{"run and table say the same", "table public.t0: " + why, tables("sqlsync: table public.t0: " + why), "run 0b7c3f52 failed: table public.t0: " + why},
		{"only the table says why", "", tables("sqlsync: table public.t0: " + why), "run 0b7c3f52 failed: table public.t0: " + why},
		{"run error and another table's", "source unreachable", tables("boom"), "run 0b7c3f52 failed: source unreachable; table public.t0: boom"},
		{"many tables", "", tables("a", "b", "c", "d", "e"), "run 0b7c3f52 failed: table public.t0: a; table public.t1: b; table public.t2: c; 2 more tables failed (see neosync runs get)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := &mgmtv1alpha1.JobRun{Id: "0b7c3f52-0000-4000-8000-000000000000", Status: mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED, Tables: tc.tables}
			if tc.runErr != "" {
				run.Error = &tc.runErr
			}
			if err := Outcome(run, ""); err == nil || err.Error() != tc.want {
				t.Errorf("Outcome =\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
}
