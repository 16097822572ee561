package progress

import (
	"fmt"
	"io"
	"strings"
	"time"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
)

// Live redraws a frame in place on a terminal: the run's status, an overall
// bar, and a row per table with its state, rows and rows/s.
type Live struct {
	w     io.Writer
	label string
	width int
	lines int
	rates *rates
}

// NewLive returns a live renderer for a terminal width columns wide;
// jobName (may be empty) names the run's job.
func NewLive(w io.Writer, width int, jobName string) *Live {
	if width < 40 {
		width = 80
	}
	return &Live{w: w, label: jobName, width: width, rates: newRates()}
}

// Update implements Renderer.
func (l *Live) Update(run *mgmtv1alpha1.JobRun, now time.Time) error {
	run = l.rates.fill(run)
	per, all := l.rates.observe(run, now)
	return l.draw(Frame(run, l.label, per, all, now, l.width))
}

// Done implements Renderer: the last frame stays on screen.
func (l *Live) Done(run *mgmtv1alpha1.JobRun, now time.Time) error {
	return l.Update(run, now)
}

func (l *Live) draw(frame []string) error {
	var b strings.Builder
	if l.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", l.lines) // back to the frame's top, clear below
	}
	for _, line := range frame {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	l.lines = len(frame)
	_, err := io.WriteString(l.w, b.String())
	return err
}

// Frame renders one snapshot as lines no wider than width: the run, an
// overall bar, and a row per table. rs holds per-table rows/s, all the
// overall rows/s.
func Frame(run *mgmtv1alpha1.JobRun, jobName string, rs map[string]float64, all float64, now time.Time, width int) []string {
	t := sum(run)
	lines := []string{fmt.Sprintf("%s · %s · %s", Label(run, jobName), status(run, t), clock(elapsed(run, now)))}
	pct := t.percent()
	stats := fmt.Sprintf(" %s · %s rows/s · %d/%d tables", t.rows(), Number(int64(all)), t.tablesDone, t.tables)
	if pct >= 0 {
		stats = fmt.Sprintf(" %3d%%", pct) + stats
	}
	barWidth := min(40, max(10, width-len([]rune(stats))-2))
	lines = append(lines, "["+bar(pct, barWidth)+"]"+stats)

	nameWidth := len("TABLE")
	for _, tp := range run.GetTables() {
		nameWidth = max(nameWidth, len([]rune(TableLabel(run, tp))))
	}
	nameWidth = min(nameWidth, max(12, width-50))
	row := func(name, state, rows, rate string) string {
		return fmt.Sprintf("  %-*s  %-9s %-23s %s", nameWidth, truncate(name, nameWidth), state, rows, rate)
	}
	lines = append(lines, row("TABLE", "STATE", "ROWS", "ROWS/S"))
	for _, tp := range run.GetTables() {
		rows := Number(tp.GetRowsDone())
		if tp.GetRowsExpected() > 0 {
			rows += " / " + Number(tp.GetRowsExpected())
		}
		rate := ""
		if r := rs[tableKey(tp)]; r > 0 {
			rate = Number(int64(r))
		}
		state := StateLabel(tp)
		// While the run goes on a failed table shows why; once it has
		// ended the outcome below the frame says it in full, once.
		if tp.GetError() != "" && !describe.IsTerminal(run.GetStatus()) {
			rate = truncate(TableReason(tp), max(10, width-nameWidth-40))
		}
		lines = append(lines, row(TableLabel(run, tp), state, rows, rate))
	}
	for i, l := range lines {
		lines[i] = truncate(l, width)
	}
	return lines
}

func bar(pct, width int) string {
	if pct < 0 {
		return strings.Repeat("░", width)
	}
	filled := min(width, pct*width/100)
	return strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return string(r[:n])
	}
	return string(r[:n-1]) + "…"
}
