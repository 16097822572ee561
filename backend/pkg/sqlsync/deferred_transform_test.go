package sqlsync

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// cycleKeyColumns are the key and foreign key columns of the cycle
// fixture, all remapped by one consistent transformer; every other column
// is copied unchanged and names its row.
var cycleKeyColumns = map[string][]string{
	"departments": {"id", "manager_id"},
	"employees":   {"id", "dept_id", "boss_id"},
	"ta":          {"id", "tb_id"},
	"tb":          {"id", "tc_id"},
	"tc":          {"id", "ta_id"},
	"nodes":       {"id", "parent_id"},
}

// cycleJoins pair each child row's name with the name of the row its
// foreign key points at: equal in source and destination when every
// transformed foreign key still points at its transformed parent.
var cycleJoins = []string{
	"SELECT d.name, e.name FROM departments d JOIN employees e ON e.id = d.manager_id",
	"SELECT e.name, d.name FROM employees e JOIN departments d ON d.id = e.dept_id",
	"SELECT e.name, b.name FROM employees e JOIN employees b ON b.id = e.boss_id",
	"SELECT a.name, b.name FROM ta a JOIN tb b ON b.id = a.tb_id",
	"SELECT b.name, c.name FROM tb b JOIN tc c ON c.id = b.tc_id",
	"SELECT c.name, a.name FROM tc c JOIN ta a ON a.id = c.ta_id",
	"SELECT n.name, p.name FROM nodes n JOIN nodes p ON p.id = n.parent_id",
}

// cycleJob maps the cycle fixture's tables: keys and foreign keys through
// transform_identity_scramble with a job key, names passthrough.
func cycleJob(schema string) syncplan.Job {
	job := syncplan.Job{Key: []byte("cycle job key")}
	for table, keys := range cycleKeyColumns {
		for _, c := range keys {
			job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: schema, Table: table, Column: c,
				Transformer: syncplan.Transformer{Source: "transform_identity_scramble", Params: map[string]any{"min": 1, "max": 1000000}}})
		}
		job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: schema, Table: table, Column: "name",
			Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
	}
	return job
}

// cycleFixture is the fixture's DDL and rows in either dialect (integer
// keys, text names, standard SQL): a 2-cycle departments <-> employees
// with a self reference on employees, a 3-cycle ta -> tb -> tc -> ta and
// a lone self reference.
var cycleFixture = []string{
	"CREATE TABLE departments (id int PRIMARY KEY, name varchar(20) NOT NULL, manager_id int)",
	"CREATE TABLE employees (id int PRIMARY KEY, name varchar(20) NOT NULL, dept_id int NOT NULL, boss_id int)",
	"CREATE TABLE ta (id int PRIMARY KEY, name varchar(20) NOT NULL, tb_id int NOT NULL)",
	"CREATE TABLE tb (id int PRIMARY KEY, name varchar(20) NOT NULL, tc_id int NOT NULL)",
	"CREATE TABLE tc (id int PRIMARY KEY, name varchar(20) NOT NULL, ta_id int)",
	"CREATE TABLE nodes (id int PRIMARY KEY, name varchar(20) NOT NULL, parent_id int)",
}

// cycleConstraints close the cycles once the rows are in.
var cycleConstraints = []string{
	"ALTER TABLE employees ADD CONSTRAINT emp_dept FOREIGN KEY (dept_id) REFERENCES departments (id)",
	"ALTER TABLE employees ADD CONSTRAINT emp_boss FOREIGN KEY (boss_id) REFERENCES employees (id)",
	"ALTER TABLE departments ADD CONSTRAINT dept_manager FOREIGN KEY (manager_id) REFERENCES employees (id)",
	"ALTER TABLE ta ADD CONSTRAINT ta_tb FOREIGN KEY (tb_id) REFERENCES tb (id)",
	"ALTER TABLE tb ADD CONSTRAINT tb_tc FOREIGN KEY (tc_id) REFERENCES tc (id)",
	"ALTER TABLE tc ADD CONSTRAINT tc_ta FOREIGN KEY (ta_id) REFERENCES ta (id)",
	"ALTER TABLE nodes ADD CONSTRAINT nodes_parent FOREIGN KEY (parent_id) REFERENCES nodes (id)",
}

// cycleRows inserts n rows per table with values(i) for row i (1-based).
func cycleRows(n int) []string {
	var out []string
	add := func(table string, row func(i int) string) {
		var vals []string
		for i := 1; i <= n; i++ {
			vals = append(vals, "("+row(i)+")")
		}
		out = append(out, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ", "))
	}
	itoa := strconv.Itoa
	null := func(cond bool, v int) string {
		if cond {
			return "NULL"
		}
		return itoa(v)
	}
	add("departments", func(i int) string { return itoa(i) + ", 'd" + itoa(i) + "', " + null(i%4 == 0, n+1-i) })
	add("employees", func(i int) string {
		return itoa(i) + ", 'e" + itoa(i) + "', " + itoa(1+i%n) + ", " + null(i == 1, 1+(i/3))
	})
	add("tc", func(i int) string { return itoa(i) + ", 'c" + itoa(i) + "', " + null(i%5 == 0, n+1-i) })
	add("tb", func(i int) string { return itoa(i) + ", 'b" + itoa(i) + "', " + itoa(i) })
	add("ta", func(i int) string { return itoa(i) + ", 'a" + itoa(i) + "', " + itoa(1+(i*7)%n) })
	add("nodes", func(i int) string { return itoa(i) + ", 'n" + itoa(i) + "', " + null(i <= 2, i/2) })
	return out
}

// checkCycleCopy asserts that every join of the fixture is the same in
// source and destination (each transformed foreign key points at its
// transformed parent, none was left NULL), and that the keys changed.
func checkCycleCopy(t *testing.T, rows func(db int, query string) []string) {
	t.Helper()
	for _, q := range cycleJoins {
		want, got := rows(0, q), rows(1, q)
		if len(want) == 0 || !reflect.DeepEqual(want, got) {
			t.Errorf("%s:\nsource      %.300q\ndestination %.300q", q, want, got)
		}
	}
	for table := range cycleKeyColumns {
		q := "SELECT name, id FROM " + table
		src, dst := rows(0, q), rows(1, q)
		same := 0
		for i := range src {
			if i < len(dst) && src[i] == dst[i] {
				same++
			}
		}
		if len(dst) != len(src) || same > len(src)/10 {
			t.Errorf("%s: %d of %d keys unchanged (%d destination rows); the key was not transformed", table, same, len(src), len(dst))
		}
	}
}

// checkLeaksFromSketches asserts that every leak line of r comes from a
// sketch — the copy's, or the update pass's for the deferred columns —
// and none from a re-read of the source.
func checkLeaksFromSketches(t *testing.T, r *Report) {
	t.Helper()
	if len(r.Leaks) == 0 {
		t.Fatalf("the report has no leak line:\n%s", r)
	}
	for _, l := range r.Leaks {
		if l.Method != LeakMethodCopy {
			t.Errorf("leak scan of %s.%s: method %q, want %q", l.Table, l.Column, l.Method, LeakMethodCopy)
		}
	}
}

// TestPostgresTransformedKeysInCycles transforms the keys of a 2-cycle, a
// 3-cycle and self references — columns that are both transformed and
// deferred — in consistent mode, and checks that every foreign key still
// joins its parent.
func TestPostgresTransformedKeysInCycles(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, cycleFixture...)
	src.exec(t, cycleRows(40)...)
	src.exec(t, cycleConstraints...)
	job := cycleJob("public")
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 7}}}
	plan, res := runJob(t, job)
	if len(plan.Cycles) != 3 {
		t.Fatalf("plan has %d cycles, want 3:\n%s", len(plan.Cycles), plan)
	}
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	checkLeaksFromSketches(t, res[0].Report)
	dbs := []*pgDB{src, dst}
	checkCycleCopy(t, func(db int, q string) []string {
		return dbs[db].rows(t, "SELECT concat_ws('|', x.*) FROM ("+q+") x")
	})
}

// TestMySQLTransformedKeysInCycles is TestPostgresTransformedKeysInCycles
// on MySQL/MariaDB.
func TestMySQLTransformedKeysInCycles(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, cycleFixture...)
	src.exec(t, cycleRows(40)...)
	src.exec(t, cycleConstraints...)
	job := cycleJob(src.name)
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 7, SchemaMap: map[string]string{src.name: dst.name}}}}
	plan, res := runJob(t, job)
	if len(plan.Cycles) != 3 {
		t.Fatalf("plan has %d cycles, want 3:\n%s", len(plan.Cycles), plan)
	}
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	checkLeaksFromSketches(t, res[0].Report)
	dbs := []*mysqlDB{src, dst}
	checkCycleCopy(t, func(db int, q string) []string { return dbs[db].rows(t, q) })
}
