package sqlsync

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// zooSchema is a parent table with a child by table inheritance (not a
// partition) and a table referencing the parent.
var zooSchema = []string{`CREATE SCHEMA zoo`,
	`CREATE TABLE zoo.animals (id integer PRIMARY KEY, name text NOT NULL)`,
	`CREATE TABLE zoo.dogs (breed text) INHERITS (zoo.animals)`,
	`ALTER TABLE zoo.dogs ADD PRIMARY KEY (id)`,
	`CREATE TABLE zoo.visits (id serial PRIMARY KEY, animal_id integer REFERENCES zoo.animals (id))`}

// zooRows are three animals of the parent's own and two dogs.
var zooRows = []string{`INSERT INTO zoo.animals VALUES (1, 'cat'), (2, 'owl'), (3, 'eel')`,
	`INSERT INTO zoo.dogs VALUES (10, 'rex', 'lab'), (11, 'fido', 'pug')`,
	`INSERT INTO zoo.visits (animal_id) VALUES (1), (2)`}

// zooJob copies tables of src's zoo schema into dst, truncating.
func zooJob(t *testing.T, src, dst *pgDB, initSchema bool, tables ...string) syncplan.Job {
	job := passthroughJob(t, src, "zoo", tables)
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: initSchema, Truncate: true}}}
	return job
}

// TestPostgresTableInheritanceRefused: a copied table with children by
// table inheritance is refused before anything is written. Reading the
// parent returns its children's rows, so the copy used to write the dogs
// into zoo.animals as well (five rows instead of three, verified "OK"
// against a source count that counted them too) and, into a destination
// keeping the link, the parent's truncate emptied the dogs already copied.
func TestPostgresTableInheritanceRefused(t *testing.T) {
	t.Parallel()
	for _, initSchema := range []bool{true, false} {
		src, dst := newPGDB(t), newPGDB(t)
		src.exec(t, zooSchema...)
		src.exec(t, zooRows...)
		dst.exec(t, `CREATE TABLE keep (id integer)`, `INSERT INTO keep VALUES (7)`)
		if !initSchema {
			dst.exec(t, zooSchema...)
			dst.exec(t, `INSERT INTO zoo.dogs VALUES (99, 'old', 'mutt')`)
		}
		_, _, err := newTestEngine().Run(testCtx(t), zooJob(t, src, dst, initSchema, "animals", "dogs", "visits"), nil)
		var verr *syncplan.ValidationError
		if !errors.As(err, &verr) || !strings.Contains(err.Error(), "zoo.animals is the parent of zoo.dogs by table inheritance") {
			t.Fatalf("init_schema=%v: want a validation error naming the inheritance, got %v", initSchema, err)
		}
		if initSchema {
			if got := dst.rows(t, `SELECT count(*)::text FROM pg_catalog.pg_tables WHERE schemaname = 'zoo'`); got[0] != "0" {
				t.Fatalf("a refused job created %s tables", got[0])
			}
		} else if got := dst.rows(t, `SELECT id::text FROM zoo.dogs`); len(got) != 1 || got[0] != "99" {
			t.Fatalf("a refused job changed the destination's dogs: %v", got)
		}
	}
}

// TestPostgresInheritanceChildCopiedAlone: a child whose parent is not in
// the job is an ordinary table; the plan warns that it is created without
// the link, and its own rows (only) are copied.
func TestPostgresInheritanceChildCopiedAlone(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, zooSchema...)
	src.exec(t, zooRows...)
	plan, res := runJob(t, zooJob(t, src, dst, true, "dogs"))
	if !strings.Contains(strings.Join(plan.Warnings, "\n"), "zoo.dogs inherits from zoo.animals (table inheritance), which is not copied") {
		t.Fatalf("no warning about the link:\n%s", strings.Join(plan.Warnings, "\n"))
	}
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	if got := dst.rows(t, `SELECT id::text || ' ' || breed FROM zoo.dogs ORDER BY id`); strings.Join(got, ",") != "10 lab,11 pug" {
		t.Fatalf("dogs %v", got)
	}
}

// TestPostgresDestinationInheritance: a destination that keeps an
// inheritance link the source does not have. The parent's truncate would
// empty the child: a child outside the job is a table the truncate
// reaches (refused without truncate_cascade, named with the link); a
// child in the job is refused outright, since emptying the parent would
// remove the child's copied rows.
func TestPostgresDestinationInheritance(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t, `CREATE SCHEMA zoo`,
		`CREATE TABLE zoo.animals (id integer PRIMARY KEY, name text NOT NULL)`,
		`CREATE TABLE zoo.dogs (id integer PRIMARY KEY, name text NOT NULL, breed text)`,
		`INSERT INTO zoo.animals VALUES (1, 'cat')`, `INSERT INTO zoo.dogs VALUES (10, 'rex', 'lab')`)
	for _, tc := range []struct {
		tables []string
		want   string
	}{
		{[]string{"animals"}, "tables outside the job reference or inherit from the truncated tables of destination dst: zoo.dogs (inherits from zoo.animals)"},
		{[]string{"animals", "dogs"}, "tables of the job inherit from other tables of the job: zoo.dogs (inherits from zoo.animals)"},
	} {
		dst := newPGDB(t)
		dst.exec(t, zooSchema[:4]...)
		dst.exec(t, `INSERT INTO zoo.dogs VALUES (99, 'old', 'mutt')`)
		_, _, err := newTestEngine().Run(testCtx(t), zooJob(t, src, dst, false, tc.tables...), nil)
		var reach *TruncateCascadeError
		var inh *InheritanceError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !(errors.As(err, &reach) || errors.As(err, &inh)) {
			t.Fatalf("tables %v: want a refusal containing %q, got %v", tc.tables, tc.want, err)
		}
		if got := dst.rows(t, `SELECT id::text FROM zoo.dogs`); len(got) != 1 || got[0] != "99" {
			t.Fatalf("tables %v: a refused run changed the destination's dogs: %v", tc.tables, got)
		}
	}
}

// TestPostgresRowSecurityWarned: a source table whose row-level security
// applies to the connection's role is read through its policies, so the
// copy holds only the rows the role may see and the verification, which
// counts as that role, agrees. The plan says so; it used to be silent and
// the report plainly "OK". The superuser (the table's reader elsewhere)
// gets no warning.
func TestPostgresRowSecurityWarned(t *testing.T) {
	t.Parallel()
	role := fmt.Sprintf("neosync_rls_%08x", rand.Uint32())
	admin := newPGDB(t)
	admin.exec(t, "CREATE ROLE "+role+" LOGIN")
	t.Cleanup(func() { admin.exec(t, "DROP ROLE IF EXISTS "+role) })
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE SCHEMA s`, `GRANT USAGE ON SCHEMA s TO `+role,
		`CREATE TABLE s.t (id integer PRIMARY KEY, tenant integer)`, `INSERT INTO s.t SELECT g, g % 2 FROM generate_series(1, 10) g`,
		`ALTER TABLE s.t ENABLE ROW LEVEL SECURITY`, `CREATE POLICY even ON s.t FOR SELECT USING (tenant = 0)`,
		`GRANT SELECT ON s.t TO `+role)
	t.Cleanup(func() { src.exec(t, "DROP OWNED BY "+role) })
	job := passthroughJob(t, src, "s", []string{"t"})
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	const warning = "s.t has row-level security that applies to the source connection's role"

	job.Source = src.cfg
	plan, _ := runJob(t, job)
	if w := strings.Join(plan.Warnings, "\n"); strings.Contains(w, warning) {
		t.Fatalf("the superuser, whom the policies do not apply to, was warned:\n%s", w)
	}

	u, err := url.Parse(src.cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	job.Source.URL = u.String()
	plan, res := runJob(t, job)
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, warning) {
		t.Fatalf("no warning that the policies filter what the role reads:\n%s", w)
	}
	if got := dst.count(t, "s.t"); got != 5 || !res[0].Report.OK() {
		t.Fatalf("destination holds %d rows (want the 5 the policy shows); report:\n%s", got, res[0].Report)
	}
}
