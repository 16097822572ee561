package e2e_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// eventsFile is a job with a transformed column and one left unmapped (a
// plan warning); %[1]s is a unique suffix.
const eventsFile = `connections:
  - name: evsrc-%[1]s
    postgres: {url: "${SRC_URL}"}
  - name: evdst-%[1]s
    postgres: {url: "${DST_URL}"}
jobs:
  - name: events-%[1]s
    source: {connection: evsrc-%[1]s}
    destinations:
      - {connection: evdst-%[1]s, init_schema: true, truncate_before_insert: true}
    mappings:
      - schema: public
        table: users
        columns:
          id: passthrough
          email: transform_email
`

// event is a line of the -o json stream, as a program reads it.
type event struct {
	Type         string         `json:"type"`
	Time         string         `json:"time"`
	Job          string         `json:"job"`
	RunID        string         `json:"run_id"`
	Schema       string         `json:"schema"`
	Table        string         `json:"table"`
	State        string         `json:"state"`
	Message      string         `json:"message"`
	Level        string         `json:"level"`
	Status       string         `json:"status"`
	Error        string         `json:"error"`
	RowsDone     *int64         `json:"rows_done"`
	RowsExpected *int64         `json:"rows_expected"`
	Tables       *int           `json:"tables"`
	TablesDone   *int           `json:"tables_done"`
	Report       map[string]any `json:"report"`
}

// readEvents parses stdout line by line: every line must be one JSON object
// with a type and a time, the first a start and the last a result.
func readEvents(t *testing.T, what, stdout string) []event {
	t.Helper()
	var out []event
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var e event
		dec := json.NewDecoder(strings.NewReader(line))
		if err := dec.Decode(&e); err != nil || dec.More() || e.Type == "" || e.Time == "" {
			t.Fatalf("%s: line %q is not one event (%v)\n%s", what, line, err, stdout)
		}
		out = append(out, e)
	}
	if len(out) < 2 || out[0].Type != "start" || out[len(out)-1].Type != "result" {
		t.Fatalf("%s: the stream does not go from start to result:\n%s", what, stdout)
	}
	for _, e := range out[1 : len(out)-1] {
		if e.Type == "start" || e.Type == "result" {
			t.Fatalf("%s: a second %s event:\n%s", what, e.Type, stdout)
		}
	}
	return out
}

// lastTable is the last table event of schema.table.
func lastTable(events []event, table string) event {
	var out event
	for _, e := range events {
		if e.Type == "table" && e.Schema+"."+e.Table == table {
			out = e
		}
	}
	return out
}

func hasWarning(events []event, substr string) bool {
	for _, e := range events {
		if e.Type == "warning" && strings.Contains(e.Message, substr) {
			return true
		}
	}
	return false
}

// TestJSONEvents follows a local sync and a worker's run with -o json and
// reads the streams as a program would: start, table progress, the plan's
// warning about an unmapped column, and the result with the verification
// report; a failed copy ends in a failed result and exit code 4.
func TestJSONEvents(t *testing.T) {
	t.Parallel()
	sfx := suffix()
	src, dst, local2 := newPostgres(t, "neosync_cli_evsrc"), newPostgres(t, "neosync_cli_evdst"), newPostgres(t, "neosync_cli_evloc")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, note text);
		INSERT INTO public.users SELECT g, 'user' || g || '@example.com', 'n' || g FROM generate_series(1, 300) g;`)
	c := newCLI(t, local.apiURL).with("SRC_URL="+src, "DST_URL="+dst)
	c.ok("apply", "-f", c.writeFile("neosync.yaml", fmt.Sprintf(eventsFile, sfx)))

	// neosync sync --job … -o json
	r := c.run("", "sync", "--job", "events-"+sfx, "--destination-connection-url", local2, "--init-schema", "-o", "json")
	if r.code != 0 {
		t.Fatalf("sync -o json: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	events := readEvents(t, "sync -o json", r.stdout)
	if start := events[0]; *start.Tables != 1 || start.Status != "running" {
		t.Errorf("sync start %+v", start)
	}
	if u := lastTable(events, "public.users"); u.State != "complete" || *u.RowsDone != 300 {
		t.Errorf("sync users table event %+v\n%s", u, r.stdout)
	}
	if !hasWarning(events, "public.users.note has no mapping") {
		t.Errorf("sync: no warning about the unmapped column:\n%s", r.stdout)
	}
	res := events[len(events)-1]
	if res.Status != "complete" || res.Error != "" || *res.RowsDone != 300 || *res.TablesDone != 1 || res.Report["tables"] == nil {
		t.Errorf("sync result %+v\n%s", res, r.stdout)
	}

	// neosync runs watch ID -o json, of a run the worker does.
	out := c.ok("jobs", "trigger", "events-"+sfx)
	runID := regexp.MustCompile(`Started run ([0-9a-f-]{36})`).FindStringSubmatch(out)
	if runID == nil {
		t.Fatalf("trigger:\n%s", out)
	}
	r = c.run("", "runs", "watch", runID[1], "-o", "json")
	if r.code != 0 {
		t.Fatalf("runs watch -o json: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	events = readEvents(t, "runs watch -o json", r.stdout)
	if start := events[0]; start.RunID != runID[1] || start.Job != "events-"+sfx {
		t.Errorf("watch start %+v", start)
	}
	if u := lastTable(events, "public.users"); u.State != "complete" || *u.RowsDone != 300 {
		t.Errorf("watch users table event %+v\n%s", u, r.stdout)
	}
	if !hasWarning(events, "note has no mapping") {
		t.Errorf("watch: the run's warning event is missing:\n%s", r.stdout)
	}
	res = events[len(events)-1]
	if res.Status != "complete" || res.RunID != runID[1] || *res.RowsDone != 300 || res.Report == nil {
		t.Errorf("watch result %+v\n%s", res, r.stdout)
	}

	// A failing copy: the destination refuses the rows.
	pgExec(t, local2, `ALTER TABLE public.users ADD CONSTRAINT short CHECK (length(note) < 3) NOT VALID`)
	r = c.run("", "sync", "--job", "events-"+sfx, "--destination-connection-url", local2, "--truncate-before-insert", "-o", "json")
	if r.code != 4 {
		t.Fatalf("failing sync -o json: exit %d, want 4\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	events = readEvents(t, "failing sync -o json", r.stdout)
	res = events[len(events)-1]
	if res.Status != "failed" || !strings.Contains(res.Error, "short") {
		t.Errorf("failing sync result %+v\n%s", res, r.stdout)
	}
	if u := lastTable(events, "public.users"); u.State != "failed" {
		t.Errorf("failing sync users table event %+v\n%s", u, r.stdout)
	}

	c.fail("use -o json", "runs", "watch", runID[1], "-o", "yaml")
}
