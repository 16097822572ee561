package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

const runFile = `connections:
  - name: src-%[1]s
    postgres: {url: "${SRC_URL}"}
  - name: dst-%[1]s
    postgres: {url: "${DST_URL}"}
jobs:
  - name: copy-%[1]s
    source: {connection: src-%[1]s}
    destinations:
      - {connection: dst-%[1]s, init_schema: true, truncate_before_insert: true, truncate_cascade: true}
    mappings:
      - schema: public
        table: users
        columns:
          id: passthrough
          email: {source: transform_email, config: {preserve_domain: true}}
          phone: passthrough
      - schema: public
        table: orders
        columns:
          id: passthrough
          user_id: passthrough
          total: passthrough
`

// TestTriggerWaitAndRuns runs a real job: apply, trigger --wait (plain
// progress lines, as in CI), then runs list/get, and a failing run.
func TestTriggerWaitAndRuns(t *testing.T) {
	t.Parallel()
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_src"), newPostgres(t, "neosync_cli_dst")
	pgExec(t, src, `
		CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, phone text);
		CREATE TABLE public.orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES public.users (id), total numeric(10,2));
		INSERT INTO public.users SELECT g, 'user' || g || '@example.com', '+1 415 555 ' || lpad(g::text, 4, '0') FROM generate_series(1, 500) g;
		INSERT INTO public.orders SELECT g, 1 + g % 500, g * 1.5 FROM generate_series(1, 2000) g;`)
	c := newCLI(t, local.apiURL).with("SRC_URL="+src, "DST_URL="+dst, "CI=true")
	c.ok("apply", "-f", c.writeFile("neosync.yaml", fmt.Sprintf(runFile, sfx)))

	out := c.ok("jobs", "trigger", "copy-"+sfx, "--wait")
	for _, want := range []string{"Started run", "public.users: complete, 500 rows", "public.orders: complete, 2,000 rows", "complete: 2/2 tables, 2,500 rows"} {
		if !strings.Contains(out, want) {
			t.Fatalf("trigger --wait lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Fatalf("CI output has terminal escapes:\n%q", out)
	}
	if n := pgInt(t, dst, "SELECT count(*) FROM public.orders"); n != 2000 {
		t.Fatalf("destination has %d orders", n)
	}
	if n := pgInt(t, dst, "SELECT count(*) FROM public.users WHERE email LIKE 'user%@example.com'"); n != 0 {
		t.Fatalf("%d emails were copied unchanged", n)
	}

	var runs mgmtv1alpha1.GetJobRunsResponse
	if err := protojson.Unmarshal([]byte(c.ok("runs", "list", "--job", "copy-"+sfx, "-o", "json")), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs.GetJobRuns()) != 1 || runs.GetJobRuns()[0].GetStatus() != mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("runs: %v", &runs)
	}
	runID := runs.GetJobRuns()[0].GetId()
	if out := c.ok("runs", "list"); !strings.Contains(out, runID) || !strings.Contains(out, "copy-"+sfx) {
		t.Fatalf("runs list:\n%s", out)
	}
	// The report warns about the phone numbers copied unchanged.
	out = c.ok("runs", "get", runID)
	for _, want := range []string{"Status:", "complete", "public.orders", "2,000",
		"WARN: personal data copied unchanged: public.users.phone looks like phone (100 of 100 sampled values",
		"  pii   public.users                             phone: WARN: phone (100 of 100 sampled values) copied unchanged"} {
		if !strings.Contains(out, want) {
			t.Fatalf("runs get lacks %q:\n%s", want, out)
		}
	}
	if out := c.ok("runs", "watch", runID); !strings.Contains(out, "complete") {
		t.Fatalf("watch of a finished run:\n%s", out)
	}
	// The worker's log lines of the run, read to its end (--follow returns
	// once the run is over), and the day's usage.
	out = c.ok("runs", "logs", runID[:8], "--follow")
	for _, want := range []string{"INFO  copy complete", "table=public.orders", "rows=2000", "table=public.users", "rows=500"} {
		if !strings.Contains(out, want) {
			t.Fatalf("runs logs lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, src) || strings.Contains(out, dst) {
		t.Fatalf("runs logs shows a connection URL:\n%s", out)
	}
	out = c.ok("usage", "--job", "copy-"+sfx, "--days", "1")
	if !strings.Contains(out, "copy-"+sfx) || !strings.Contains(out, "2500 rows copied") {
		t.Fatalf("usage:\n%s", out)
	}
	// The short id the web app and runs list print names the run too.
	if out := c.ok("runs", "get", runID[:8]); !strings.Contains(out, "public.orders") {
		t.Fatalf("runs get %s:\n%s", runID[:8], out)
	}
	c.fail("no run has an id starting with", "runs", "get", "ffff0000")
	c.fail("job_run_id: must be a UUID", "runs", "get", "not-a-uuid")
	c.fail("not found", "runs", "get", "00000000-0000-4000-8000-000000000000")

	// A run that fails exits non-zero with the reason: the destination
	// table no longer accepts the rows.
	pgExec(t, dst, `ALTER TABLE public.orders ADD CONSTRAINT small CHECK (total < 10) NOT VALID`)
	c.writeFile("neosync.yaml", strings.Replace(fmt.Sprintf(runFile, sfx), "init_schema: true, truncate_before_insert: true, truncate_cascade: true", "truncate_before_insert: true, truncate_cascade: true", 1))
	c.ok("apply", "-f", "neosync.yaml")
	r := c.run("", "jobs", "trigger", "copy-"+sfx, "--wait")
	checkFailure(t, r, "failed", []string{"jobs", "trigger", "--wait"})
	if !strings.Contains(r.stderr, "small") && !strings.Contains(r.stderr, "check constraint") {
		t.Fatalf("the failure does not say why: %s", r.stderr)
	}
	checkRunFailure(t, "jobs trigger --wait", r)

	// runs watch of the failed run, by its short id: the same, once.
	var failed mgmtv1alpha1.GetJobRunsResponse
	if err := protojson.Unmarshal([]byte(c.ok("runs", "list", "--job", "copy-"+sfx, "-o", "json")), &failed); err != nil {
		t.Fatal(err)
	}
	r = c.run("", "runs", "watch", failed.GetJobRuns()[0].GetId()[:8])
	checkFailure(t, r, "failed", []string{"runs", "watch"})
	checkRunFailure(t, "runs watch", r)
}

// checkRunFailure checks how a failed run is reported: exit code 4, the
// reason said once over stdout and stderr (the progress lines and the error
// line used to repeat it), and no "table X: table X:" doubled prefix.
func checkRunFailure(t *testing.T, what string, r result) {
	t.Helper()
	t.Logf("%s:\nstdout:\n%s\nstderr:\n%s", what, r.stdout, r.stderr)
	if r.code != 4 {
		t.Errorf("%s: exit code %d, want 4 (run failed)", what, r.code)
	}
	all := r.stdout + r.stderr
	for _, reason := range []string{"violates check constraint"} {
		if n := strings.Count(all, reason); n != 1 {
			t.Errorf("%s: the reason %q is printed %d times", what, reason, n)
		}
	}
	if strings.Contains(all, "public.orders: table public.orders") || strings.Count(r.stderr, "table public.orders:") > 1 {
		t.Errorf("%s: the table prefix is repeated", what)
	}
}
