package sqlsync

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPostgresTruncateReach maps only customers while orders, their
// items and notes reference it, in the source and in the destination: the
// plan names those tables for a destination that truncates, the run
// refuses without truncate_cascade (nothing emptied) and, with it, empties
// them and its report says so.
func TestPostgresTruncateReach(t *testing.T) {
	t.Parallel()
	ddl := []string{
		`CREATE TABLE customers (id int PRIMARY KEY, name text)`,
		`CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id))`,
		`CREATE TABLE order_items (id int PRIMARY KEY, order_id int REFERENCES orders (id))`,
		`CREATE TABLE notes (id int PRIMARY KEY, customer_id int CONSTRAINT note_customer REFERENCES customers (id))`,
		`CREATE TABLE unrelated (id int PRIMARY KEY)`,
		`INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 10) g`,
		`INSERT INTO orders SELECT g, 1 + g % 10 FROM generate_series(1, 20) g`,
		`INSERT INTO order_items SELECT g, 1 + g % 20 FROM generate_series(1, 40) g`,
		`INSERT INTO notes SELECT g, 1 + g % 10 FROM generate_series(1, 5) g`,
		`INSERT INTO unrelated VALUES (1)`,
	}
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, ddl...)
	dst.exec(t, ddl...)
	outside := []string{"orders", "order_items", "notes"}
	job := passthroughJob(t, src, "public", []string{"customers"})
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "staging", Conn: dst.cfg, Options: syncplan.DestinationOptions{Truncate: true}}}

	plan, _, err := newTestEngine().Run(testCtx(t), job, nil)
	var tce *TruncateCascadeError
	if !errors.As(err, &tce) {
		t.Fatalf("Run without truncate_cascade: %v, want a *TruncateCascadeError", err)
	}
	for _, tb := range outside {
		if !strings.Contains(err.Error(), "public."+tb+" (foreign key") {
			t.Errorf("refusal %q does not name %s", err, tb)
		}
		if n := dst.count(t, tb); n == 0 {
			t.Errorf("the refused run emptied %s", tb)
		}
	}
	if strings.Contains(err.Error(), "unrelated") || !strings.Contains(err.Error(), "set truncate_cascade") {
		t.Errorf("refusal %q", err)
	}
	assertWarns(t, plan, "destination staging: truncate is refused if the destination has", outside)

	job.Destinations[0].Options.TruncateCascade = true
	plan, res := runJob(t, job)
	assertWarns(t, plan, "destination staging: truncate_cascade also empties 3 tables outside the job", outside)
	rep := res[0].Report
	if !rep.OK() || !strings.Contains(rep.String(), "truncate_cascade emptied 3 tables outside the job") {
		t.Fatalf("report:\n%s", rep)
	}
	var got []string
	for _, tn := range rep.TruncatedOutsideJob {
		got = append(got, tn.Table)
	}
	slices.Sort(got)
	if want := slices.Sorted(slices.Values(outside)); !slices.Equal(got, want) {
		t.Fatalf("report lists %v as truncated outside the job, want %v", got, want)
	}
	for _, tb := range outside {
		if n := dst.count(t, tb); n != 0 {
			t.Errorf("%s has %d rows after a cascading truncate", tb, n)
		}
	}
	if n := dst.count(t, "unrelated"); n != 1 {
		t.Errorf("unrelated has %d rows, want 1", n)
	}
	reach, err := newTestEngine().TruncateReach(testCtx(t), plan, Destination{Name: "staging", DB: dst.db, Options: job.Destinations[0].Options})
	assertNoError(t, "TruncateReach", err)
	if len(syncplan.ReachedTables(reach)) != 3 {
		t.Fatalf("TruncateReach: %v", reach)
	}
	// CheckDestination (a run of several destinations checks each first)
	// refuses the same way, without writing.
	opts := job.Destinations[0].Options
	assertNoError(t, "CheckDestination with truncate_cascade", newTestEngine().CheckDestination(testCtx(t), plan, Destination{Name: "staging", DB: dst.db, Options: opts}))
	opts.TruncateCascade = false
	dst.exec(t, `INSERT INTO notes VALUES (1, 1)`)
	if err := newTestEngine().CheckDestination(testCtx(t), plan, Destination{Name: "staging", DB: dst.db, Options: opts}); !errors.As(err, &tce) {
		t.Fatalf("CheckDestination without truncate_cascade: %v, want a *TruncateCascadeError", err)
	}
	if n := dst.count(t, "notes"); n != 1 {
		t.Errorf("CheckDestination wrote: notes has %d rows", n)
	}
}

// assertWarns checks that one plan warning starts with prefix and names
// every table of public.
func assertWarns(t *testing.T, plan *syncplan.Plan, prefix string, tables []string) {
	t.Helper()
	if plan == nil {
		t.Fatal("no plan")
	}
	for _, w := range plan.Warnings {
		if !strings.HasPrefix(w, prefix) {
			continue
		}
		for _, tb := range tables {
			if !strings.Contains(w, sqlschema.TableName{Schema: "public", Table: tb}.String()+" (foreign key") {
				t.Errorf("warning %q does not name %s", w, tb)
			}
		}
		return
	}
	t.Fatalf("no warning starting %q in %q", prefix, plan.Warnings)
}
