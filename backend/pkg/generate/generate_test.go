package generate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func pgDB(t *testing.T) *sqlconnect.DB {
	db, err := sqlconnect.Open(ctx(t), sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: testdb.Postgres(t, "generate_test")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func myDB(t *testing.T) *sqlconnect.DB {
	u, _ := testdb.MySQL(t, "generate_test")
	db, err := sqlconnect.Open(ctx(t), sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: u})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func exec(t *testing.T, db *sqlconnect.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := execSQL(ctx(t), db, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func count(t *testing.T, db *sqlconnect.DB, q string) int64 {
	t.Helper()
	var n int64
	var err error
	if db.Postgres != nil {
		err = db.Postgres.QueryRow(ctx(t), q).Scan(&n)
	} else {
		err = db.MySQL.QueryRowContext(ctx(t), q).Scan(&n)
	}
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestGenerateForeignKeyConsistentRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		db     func(*testing.T) *sqlconnect.DB
		schema string
		ddl    []string
	}{
		{"postgres", pgDB, "public", []string{
			`CREATE TYPE status AS ENUM ('new', 'paid', 'shipped')`,
			`CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, name varchar(40) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
			`CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total numeric(10,2) NOT NULL, status status NOT NULL, note text)`,
			`CREATE TABLE employees (id int PRIMARY KEY, name text NOT NULL, manager_id int REFERENCES employees (id))`,
		}},
		{"mariadb", myDB, "", []string{
			"CREATE TABLE customers (id bigint AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, name varchar(40) NOT NULL, created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)",
			"CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id bigint NOT NULL, total decimal(10,2) NOT NULL, status enum('new','paid','shipped') NOT NULL, note text, FOREIGN KEY (customer_id) REFERENCES customers (id))",
			"CREATE TABLE employees (id int PRIMARY KEY, name text NOT NULL, manager_id int, FOREIGN KEY (manager_id) REFERENCES employees (id))",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := tc.db(t)
			exec(t, db, tc.ddl...)
			schema := tc.schema
			if schema == "" {
				if err := db.MySQL.QueryRowContext(ctx(t), "SELECT DATABASE()").Scan(&schema); err != nil {
					t.Fatal(err)
				}
			}
			s, err := syncplan.ReadSchema(ctx(t), db, []string{schema})
			if err != nil {
				t.Fatal(err)
			}
			reg := transformers.NewRegistry()
			tn := func(n string) sqlschema.TableName { return sqlschema.TableName{Schema: schema, Table: n} }
			req := Request{
				Tables: map[sqlschema.TableName]int64{tn("customers"): 300, tn("orders"): 1200, tn("employees"): 10},
				Mappings: []syncplan.Mapping{
					{Schema: schema, Table: "customers", Column: "email", Transformer: syncplan.Transformer{Source: "generate_email"}},
					{Schema: schema, Table: "customers", Column: "name", Transformer: syncplan.Transformer{Source: "generate_full_name"}},
				},
			}
			p, err := NewPlan(s, req, reg)
			if err != nil {
				t.Fatalf("NewPlan: %v", err)
			}
			if p.Tables[0].Name.Table == "orders" {
				t.Fatalf("orders planned before customers:\n%s", p)
			}
			g := &Generator{Registry: reg}
			for _, tbl := range p.Tables {
				var last int64
				n, err := g.GenerateTable(ctx(t), p, tbl.Name, db, Options{Seed: 42, BatchSize: 250}, func(r int64) { last = r })
				if err != nil || n != tbl.Rows || last != n {
					t.Fatalf("GenerateTable %s = %d (reported %d), %v", tbl.Name, n, last, err)
				}
			}
			if err := Finalize(ctx(t), p, db); err != nil {
				t.Fatal(err)
			}
			for table, want := range map[string]int64{"customers": 300, "orders": 1200, "employees": 10} {
				if got := count(t, db, "SELECT count(*) FROM "+table); got != want {
					t.Errorf("%s: %d rows, want %d", table, got, want)
				}
			}
			if orphans := count(t, db, "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"); orphans != 0 {
				t.Errorf("%d orders reference no customer", orphans)
			}
			if d := count(t, db, "SELECT count(DISTINCT email) FROM customers"); d != 300 {
				t.Errorf("%d distinct emails of 300", d)
			}
			// The application can insert after generation (sequences moved on).
			exec(t, db, "INSERT INTO customers (email, name) VALUES ('new@example.com', 'New')")
			// A retried table is redone, not appended to.
			if _, err := g.GenerateTable(ctx(t), p, tn("employees"), db, Options{}, nil); err != nil {
				t.Fatal(err)
			}
			if got := count(t, db, "SELECT count(*) FROM employees"); got != 10 {
				t.Errorf("after a redo employees has %d rows", got)
			}
			// A second pass over every table in plan order sharing Emptied
			// (the worker's batches): customers' emptying empties orders
			// too, which is then not emptied again; employees, not
			// generated from customers, is emptied by its own call.
			// Every table ends with its own rows only.
			emptied := map[sqlschema.TableName]bool{}
			for _, tbl := range p.Tables {
				if _, err := g.GenerateTable(ctx(t), p, tbl.Name, db, Options{Emptied: emptied}, nil); err != nil {
					t.Fatalf("second pass, %s: %v", tbl.Name, err)
				}
			}
			if len(emptied) != 0 {
				t.Errorf("tables emptied and never written: %v", emptied)
			}
			for table, want := range map[string]int64{"customers": 300, "orders": 1200, "employees": 10} {
				if got := count(t, db, "SELECT count(*) FROM "+table); got != want {
					t.Errorf("second pass: %s: %d rows, want %d", table, got, want)
				}
			}
			if orphans := count(t, db, "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"); orphans != 0 {
				t.Errorf("second pass: %d orders reference no customer", orphans)
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	t.Parallel()
	s := &syncplan.Schema{Dialect: sqlschema.DialectPostgres,
		Columns: []sqlschema.Column{
			{Schema: "s", Table: "t", Name: "id", DataType: "integer"},
			{Schema: "s", Table: "t", Name: "spot", DataType: "point"},
			{Schema: "s", Table: "t", Name: "email", DataType: "text", IsNullable: true},
		},
		Constraints: []sqlschema.TableConstraints{{Table: sqlschema.TableName{Schema: "s", Table: "t"}, PrimaryKey: []string{"id"}}},
	}
	_, err := NewPlan(s, Request{
		Tables:   map[sqlschema.TableName]int64{{Schema: "s", Table: "t"}: 5, {Schema: "s", Table: "ghost"}: 1},
		Mappings: []syncplan.Mapping{{Schema: "s", Table: "t", Column: "email", Transformer: syncplan.Transformer{Source: "transform_email"}}},
	}, transformers.NewRegistry())
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"s.ghost does not exist", "s.t.spot (point) is NOT NULL without a default and no generator fits its type", "transform_email transforms an input value"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}
