package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/output"
)

// applyFile is a neosync.yaml with a Postgres source, a Postgres
// destination and a MariaDB connection, and one sync job; %[1]s is a
// unique suffix.
const applyFile = `version: 1
connections:
  - name: src-%[1]s
    postgres:
      url: ${SRC_URL}
  - name: dst-%[1]s
    postgres:
      url: ${DST_URL}
  - name: maria-%[1]s
    mysql:
      host: 127.0.0.1
      port: 3306
      user: root
      password: ${MARIA_PASSWORD:-}
      database: ${MARIA_DB}
jobs:
  - name: nightly-%[1]s
    source:
      connection: src-%[1]s
      subsets:
        - {schema: public, table: users, where: "id < 1000"}
    destinations:
      - connection: dst-%[1]s
        init_schema: true
        truncate_before_insert: true
    schedule: "0 3 * * *"
    mappings:
      - schema: public
        table: users
        columns:
          id: passthrough
          email:
            source: transform_email
            config: {preserve_domain: true}
`

func TestApply(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_src"), newPostgres(t, "neosync_cli_dst")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL)`)
	c = c.with("SRC_URL="+src, "DST_URL="+dst, "MARIA_DB="+newMariaDB(t))
	file := c.writeFile("neosync.yaml", fmt.Sprintf(applyFile, sfx))

	// --dry-run plans everything and changes nothing.
	out := c.ok("apply", "-f", file, "--dry-run")
	for _, want := range []string{
		"+ connection src-" + sfx + ": create", "+ connection maria-" + sfx + ": create", "+ job nightly-" + sfx + ": create",
		"Dry run: 4 to create, 0 to update, 0 unchanged; nothing was changed.",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(c.ok("connections", "list"), "src-"+sfx) {
		t.Fatal("--dry-run created a connection")
	}

	out = c.ok("apply", "-f", file)
	if !strings.Contains(out, "+ job nightly-"+sfx+": created") || !strings.Contains(out, "Applied: 4 created, 0 updated, 0 unchanged.") {
		t.Fatalf("apply:\n%s", out)
	}
	// The second apply is a no-op, with or without --dry-run.
	for _, args := range [][]string{{"apply", "-f", file}, {"apply", "-f", file, "--dry-run"}} {
		if out := c.ok(args...); out != "No changes: 3 connections and 1 job are up to date.\n" {
			t.Fatalf("%v:\n%s", args, out)
		}
	}

	// jobs plan shows what the next run would do.
	if out := c.ok("jobs", "plan", "nightly-"+sfx); !strings.Contains(out, "Plan of job nightly-"+sfx) || !strings.Contains(out, "transform transform_email") {
		t.Fatalf("jobs plan:\n%s", out)
	}

	// A change to a mapping, a destination option and the schedule is an update of the job only.
	changed := strings.Replace(fmt.Sprintf(applyFile, sfx), "{preserve_domain: true}", "{preserve_domain: false}", 1)
	changed = strings.Replace(changed, `"0 3 * * *"`, `"@daily"`, 1)
	// A MariaDB destination for the Postgres source is refused by the API,
	// naming both kinds, and the job is left as it was.
	c.writeFile("neosync.yaml", strings.Replace(changed, "truncate_before_insert: true", "truncate_before_insert: true\n      - connection: maria-"+sfx, 1))
	c.fail("is a MySQL/MariaDB database and the source is PostgreSQL", "apply", "-f", file)
	c.writeFile("neosync.yaml", changed)
	out = c.ok("apply", "-f", file, "--dry-run")
	if !strings.Contains(out, "~ job nightly-"+sfx+": update (mappings, schedule)") || !strings.Contains(out, "= connection src-"+sfx+": unchanged") {
		t.Fatalf("dry run of a change:\n%s", out)
	}
	c.ok("apply", "-f", file)
	if out := c.ok("apply", "-f", file); !strings.HasPrefix(out, "No changes") {
		t.Fatalf("apply after update:\n%s", out)
	}

	// jobs get and list show what apply wrote, in every format.
	out = c.ok("jobs", "get", "nightly-"+sfx)
	for _, want := range []string{"src-" + sfx, "dst-" + sfx + " (init schema, truncate)", "@daily", "transform_email", `{"preserve_domain":false}`} {
		if !strings.Contains(out, want) {
			t.Fatalf("jobs get lacks %q:\n%s", want, out)
		}
	}
	var job mgmtv1alpha1.Job
	if err := protojson.Unmarshal([]byte(c.ok("jobs", "get", "nightly-"+sfx, "-o", "json")), &job); err != nil {
		t.Fatal(err)
	}
	if job.GetCronSchedule() != "@daily" || len(job.GetDestinations()) != 1 || len(job.GetMappings()) != 2 {
		t.Fatalf("job: %v", &job)
	}
	y, err := output.YAMLToJSON([]byte(c.ok("jobs", "list", "-o", "yaml")))
	if err != nil {
		t.Fatal(err)
	}
	var jobs mgmtv1alpha1.GetJobsResponse
	if err := protojson.Unmarshal(y, &jobs); err != nil {
		t.Fatalf("jobs list -o yaml does not read back: %v", err)
	}
	if out := c.ok("jobs", "list"); !strings.Contains(out, "nightly-"+sfx) || !strings.Contains(out, "@daily") {
		t.Fatalf("jobs list:\n%s", out)
	}

	// Errors name the file, the resource and the field; nothing is changed.
	c.writeFile("typo.yaml", strings.Replace(changed, "truncate_before_insert", "trucate_before_insert", 1))
	c.fail(`typo.yaml: line 25: unknown field "trucate_before_insert"`, "apply", "-f", "typo.yaml")
	c.writeFile("badref.yaml", strings.Replace(changed, "connection: src-"+sfx+"\n      subsets", "connection: nowhere\n      subsets", 1))
	c.fail(`job "nightly-`+sfx+`": source: no connection named "nowhere"`, "apply", "-f", "badref.yaml", "--dry-run")
	c.writeFile("badtransformer.yaml", strings.Replace(changed, "source: transform_email", "source: transfrom_email", 1))
	c.fail(`unknown transformer "transfrom_email"`, "apply", "-f", "badtransformer.yaml", "--dry-run")
	c.with("SRC_URL=").fail(`connection "src-`+sfx+`": postgres: url (or host and user) is required`, "apply", "-f", file)
	r := newCLI(t, local.apiURL).run("", "apply", "-f", file)
	checkFailure(t, r, "environment variable SRC_URL is not set", []string{"apply"})
	c.fail("read missing.yaml: no such file or directory", "apply", "-f", "missing.yaml")
}

func TestJobsCreateGetDelete(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_src"), newPostgres(t, "neosync_cli_dst")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL)`)
	c.ok("connections", "create", "--name", "src-"+sfx, "--postgres-url", src)
	c.ok("connections", "create", "--name", "dst-"+sfx, "--postgres-url", dst)
	job := fmt.Sprintf("name: job-%[1]s\nsource: {connection: src-%[1]s}\ndestinations: [{connection: dst-%[1]s, init_schema: true}]\nmappings:\n  - schema: public\n    table: users\n    columns: {email: transform_email}\n", sfx)
	r := c.run(job, "jobs", "create", "-f", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Created job job-"+sfx) {
		t.Fatalf("jobs create: %d %s %s", r.code, r.stdout, r.stderr)
	}
	c.writeFile("dup.yaml", job)
	c.fail(`job with name "job-`+sfx+`" already exists`, "jobs", "create", "-f", "dup.yaml")
	c.writeFile("bad.yaml", strings.Replace(job, "dst-"+sfx, "missing-"+sfx, 1))
	c.fail(`no connection named "missing-`+sfx+`"`, "jobs", "create", "-f", "bad.yaml")

	if out := c.ok("jobs", "get", "job-"+sfx); !strings.Contains(out, "Schedule:") || !strings.Contains(out, "none (run on demand)") {
		t.Fatalf("jobs get:\n%s", out)
	}
	c.fail(`no job named "nope-`+sfx+`"`, "jobs", "get", "nope-"+sfx)
	c.fail(`no job named "nope-`+sfx+`"`, "jobs", "trigger", "nope-"+sfx)
	c.fail(`no job named "nope-`+sfx+`"`, "runs", "list", "--job", "nope-"+sfx)
	c.fail("is used by", "connections", "delete", "src-"+sfx)

	if out := c.ok("jobs", "delete", "job-"+sfx); !strings.Contains(out, "Deleted job job-"+sfx) {
		t.Fatalf("delete: %s", out)
	}
	c.fail(`no job named "job-`+sfx+`"`, "jobs", "delete", "job-"+sfx)
}
