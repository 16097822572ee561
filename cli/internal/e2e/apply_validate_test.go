package e2e_test

import (
	"fmt"
	"strings"
	"testing"
)

// validateFile declares a Postgres and a MariaDB source, each with a
// destination, and one job per source; %[1]s is a unique suffix, %[2]s
// the Postgres users mappings and %[3]s the MariaDB ones.
const validateFile = `version: 1
connections:
  - name: vpg-%[1]s
    postgres: {url: "${SRC_URL}"}
  - name: vpgdst-%[1]s
    postgres: {url: "${DST_URL}"}
  - name: vmy-%[1]s
    mysql: {host: 127.0.0.1, port: 3306, user: root, password: "${MARIA_PASSWORD:-}", database: "${MARIA_SRC}"}
  - name: vmydst-%[1]s
    mysql: {host: 127.0.0.1, port: 3306, user: root, password: "${MARIA_PASSWORD:-}", database: "${MARIA_DST}"}
jobs:
  - name: vpg-%[1]s
    source: {connection: vpg-%[1]s}
    destinations: [{connection: vpgdst-%[1]s}]
    mappings:
      - schema: public
        table: users
        columns: %[2]s
  - name: vmy-%[1]s
    source: {connection: vmy-%[1]s}
    destinations: [{connection: vmydst-%[1]s}]
    mappings:
      - schema: ${MARIA_SRC}
        table: users
        columns: %[3]s
`

// TestApplyChecksMappingsAndConnections: apply (with and without
// --dry-run) refuses, before changing anything, the mappings every run
// would refuse — on a Postgres and a MariaDB source the file itself
// creates — prints the warnings of valid ones, and refuses a connection the
// API cannot reach unless --skip-check.
func TestApplyChecksMappingsAndConnections(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_vsrc"), newPostgres(t, "neosync_cli_vdst")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, nick text UNIQUE, note text)`)
	mySrc := newMariaDB(t, "CREATE TABLE users (id binary(16) PRIMARY KEY, email varchar(255) NOT NULL, note text)")
	c = c.with("SRC_URL="+src, "DST_URL="+dst, "MARIA_SRC="+mySrc, "MARIA_DST="+newMariaDB(t))

	bad := c.writeFile("bad.yaml", fmt.Sprintf(validateFile, sfx,
		`{id: transform_email, email: generate_null, nick: passthrough, note: {source: transform_email, config: {preserve_domain: "yes"}}}`,
		`{id: transform_uuid, email: transform_email}`))
	for _, args := range [][]string{{"apply", "-f", bad, "--dry-run"}, {"apply", "-f", bad}} {
		line := c.fail("every run would refuse these mappings, so nothing was changed", args...)
		t.Logf("neosync %v: %s", args, line)
		for _, want := range []string{
			`job "vpg-` + sfx + `": `,
			"column public.users.id is integer (integer values) but transform_email takes string values",
			"column public.users.email is NOT NULL but mapped to generate_null, which writes NULL",
			"column public.users.note: transformer transform_email: parameter preserve_domain: must be true or false",
			`job "vmy-` + sfx + `": `,
			"column " + mySrc + ".users.id is binary(16) but transform_uuid works on UUIDs written as text (uuid, char(36))",
		} {
			if !strings.Contains(line, want) {
				t.Errorf("neosync %v: %q lacks %q", args, line, want)
			}
		}
	}
	if strings.Contains(c.ok("connections", "list"), "vpg-"+sfx) {
		t.Fatal("a refused apply created a connection")
	}

	good := c.writeFile("good.yaml", fmt.Sprintf(validateFile, sfx,
		`{id: passthrough, email: transform_email, nick: transform_first_name, note: {source: transform_email, config: {preserve_domain: true}}}`,
		`{id: passthrough, email: transform_email}`))
	out := c.ok("apply", "-f", good, "--dry-run")
	t.Logf("neosync apply --dry-run:\n%s", out)
	if want := "warning: job vpg-" + sfx + ": public.users.nick is unique but transform_first_name may map two values to one"; !strings.Contains(out, want) {
		t.Fatalf("dry run lacks %q:\n%s", want, out)
	}
	if want := "warning: job vmy-" + sfx + ": 1 column has no mapping and is copied unchanged: " + mySrc + ".users.note"; !strings.Contains(out, want) {
		t.Fatalf("dry run lacks %q:\n%s", want, out)
	}
	if out := c.ok("apply", "-f", good); !strings.Contains(out, "Applied: 6 created") {
		t.Fatalf("apply:\n%s", out)
	}

	// A connection the API cannot reach is refused unless --skip-check.
	down := c.writeFile("down.yaml", fmt.Sprintf("version: 1\nconnections:\n  - name: down-%s\n    postgres: {url: \"%s\"}\n",
		sfx, strings.Replace(closedURL(t), "http://", "postgres://postgres@", 1)+"/x?sslmode=disable"))
	for _, args := range [][]string{{"apply", "-f", down, "--dry-run"}, {"apply", "-f", down}} {
		c.fail(`connection "down-`+sfx+`": the API cannot connect to the database: `, args...)
		line := c.fail("(use --skip-check to apply anyway)", args...)
		t.Logf("neosync %v: %s", args, line)
		if strings.Contains(line, "password") {
			t.Errorf("error names a secret: %q", line)
		}
	}
	if strings.Contains(c.ok("connections", "list"), "down-"+sfx) {
		t.Fatal("a refused apply saved the unreachable connection")
	}
	if out := c.ok("apply", "-f", down, "--skip-check"); !strings.Contains(out, "Applied: 1 created") {
		t.Fatalf("apply --skip-check:\n%s", out)
	}
	if !strings.Contains(c.ok("connections", "list"), "down-"+sfx) {
		t.Fatal("apply --skip-check did not save the connection")
	}
}
