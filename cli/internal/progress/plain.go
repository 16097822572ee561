package progress

import (
	"fmt"
	"io"
	"time"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
)

// Plain writes one line per event (a table starting, finishing or failing)
// and an overall progress line at most every Every, for logs and CI.
type Plain struct {
	w     io.Writer
	label string
	// Every is the most often an overall progress line is written.
	Every time.Duration

	started   bool
	states    map[string]string
	lastLine  time.Time
	rates     *rates
	lastTotal int64
}

// NewPlain returns a plain renderer writing to w, with a progress line
// every 10s; jobName (may be empty) names the run's job.
func NewPlain(w io.Writer, jobName string) *Plain {
	return &Plain{w: w, label: jobName, Every: 10 * time.Second, states: map[string]string{}, rates: newRates()}
}

// Update implements Renderer.
func (p *Plain) Update(run *mgmtv1alpha1.JobRun, now time.Time) error {
	run = p.rates.fill(run)
	_, rate := p.rates.observe(run, now)
	if !p.started {
		p.started = true
		p.lastLine = now
		if _, err := fmt.Fprintf(p.w, "%s %s: %s\n", Label(run, p.label), describe.RunStatus(run.GetStatus()), describe.Count(len(run.GetTables()), "table")); err != nil {
			return err
		}
	}
	if err := p.tableEvents(run); err != nil {
		return err
	}
	t := sum(run)
	if now.Sub(p.lastLine) >= p.Every && t.done != p.lastTotal {
		p.lastLine, p.lastTotal = now, t.done
		pct := ""
		if v := t.percent(); v >= 0 {
			pct = fmt.Sprintf("%d%%, ", v)
		}
		_, err := fmt.Fprintf(p.w, "progress: %s%s, %s rows/s, %d/%d tables done, %s elapsed\n",
			pct, t.rows(), Number(int64(rate)), t.tablesDone, t.tables, clock(elapsed(run, now)))
		return err
	}
	return nil
}

func (p *Plain) tableEvents(run *mgmtv1alpha1.JobRun) error {
	for _, t := range run.GetTables() {
		if p.states[tableKey(t)] == StateLabel(t) {
			continue
		}
		p.states[tableKey(t)] = StateLabel(t)
		k := TableLabel(run, t)
		var err error
		switch t.GetState() {
		case "pending":
			continue
		case "complete":
			_, err = fmt.Fprintf(p.w, "%s: complete, %s rows\n", k, Number(t.GetRowsDone()))
		case "failed":
			// The reason is in the run's outcome, printed once at the end.
			_, err = fmt.Fprintf(p.w, "%s: failed after %s rows\n", k, Number(t.GetRowsDone()))
		default:
			_, err = fmt.Fprintf(p.w, "%s: %s\n", k, StateLabel(t))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Done implements Renderer.
func (p *Plain) Done(run *mgmtv1alpha1.JobRun, now time.Time) error {
	run = p.rates.fill(run)
	p.rates.observe(run, now)
	if err := p.tableEvents(run); err != nil {
		return err
	}
	t := sum(run)
	_, err := fmt.Fprintf(p.w, "%s %s: %d/%d tables, %s rows in %s\n",
		Label(run, p.label), describe.RunStatus(run.GetStatus()), t.tablesDone, t.tables, Number(t.done), clock(elapsed(run, now)))
	return err
}
