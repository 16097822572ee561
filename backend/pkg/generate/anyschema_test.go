package generate

import (
	"errors"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// schemaOf returns the schema the tests' tables live in: public on
// Postgres, the scratch database on MariaDB.
func schemaOf(t *testing.T, db *sqlconnect.DB) string {
	t.Helper()
	if db.Postgres != nil {
		return "public"
	}
	var s string
	if err := db.MySQL.QueryRowContext(ctx(t), "SELECT DATABASE()").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// planFor reads db's schema and plans rows per table (keyed by table name
// in schemaOf(db)) with the given generator per "table.column".
func planFor(t *testing.T, db *sqlconnect.DB, rows map[string]int64, mapped map[string]string) (*Plan, error) {
	t.Helper()
	schema := schemaOf(t, db)
	s, err := syncplan.ReadSchema(ctx(t), db, []string{schema})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Tables: map[sqlschema.TableName]int64{}}
	for table, n := range rows {
		req.Tables[sqlschema.TableName{Schema: schema, Table: table}] = n
	}
	for tc, src := range mapped {
		table, col, _ := strings.Cut(tc, ".")
		req.Mappings = append(req.Mappings, syncplan.Mapping{Schema: schema, Table: table, Column: col, Transformer: syncplan.Transformer{Source: src}})
	}
	return NewPlan(s, req, transformers.NewRegistry())
}

// generateAll writes every table of p in plan order, then finalizes.
func generateAll(t *testing.T, db *sqlconnect.DB, p *Plan, seed uint64) {
	t.Helper()
	g := &Generator{Registry: transformers.NewRegistry()}
	for _, tbl := range p.Tables {
		n, err := g.GenerateTable(ctx(t), p, tbl.Name, db, Options{Seed: seed, BatchSize: 200}, nil)
		if err != nil {
			t.Fatalf("GenerateTable %s: %v\nplan:\n%s", tbl.Name, err, p)
		}
		if n != tbl.Rows {
			t.Fatalf("GenerateTable %s wrote %d rows, want %d", tbl.Name, n, tbl.Rows)
		}
	}
	if err := Finalize(ctx(t), p, db); err != nil {
		t.Fatal(err)
	}
}

// anySchema is a schema full of NOT NULL columns without defaults, unique
// text, a foreign-key chain (kinds ← customers ← orders ← lines), a
// one-to-one key (profiles), a self reference (categories) and a NOT NULL
// self reference (nodes).
var anySchema = map[string][]string{
	"postgres": {
		`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
		`CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`,
		`CREATE DOMAIN label AS text DEFAULT 'none'`,
		`CREATE TABLE kinds (
			code varchar(3) PRIMARY KEY,
			name text NOT NULL UNIQUE,
			small smallint NOT NULL UNIQUE,
			big bigint NOT NULL,
			amount numeric(5,2) NOT NULL,
			unbounded numeric NOT NULL UNIQUE,
			ratio real NOT NULL UNIQUE,
			dbl double precision NOT NULL,
			flag boolean NOT NULL,
			initial char(1) NOT NULL,
			code4 char(4) NOT NULL UNIQUE,
			single "char" NOT NULL,
			ident uuid NOT NULL UNIQUE,
			born date NOT NULL UNIQUE,
			at_time time NOT NULL,
			at_timetz time with time zone NOT NULL,
			at_ts timestamp(0) NOT NULL UNIQUE,
			at_tstz timestamptz NOT NULL,
			doc json NOT NULL,
			docb jsonb NOT NULL UNIQUE,
			raw bytea NOT NULL UNIQUE,
			m mood NOT NULL,
			dur interval NOT NULL,
			ip inet NOT NULL UNIQUE,
			net cidr NOT NULL,
			mac macaddr NOT NULL,
			tags text[] NOT NULL,
			bits bit(4) NOT NULL,
			vbits bit varying(3) NOT NULL,
			p posint NOT NULL,
			lbl label NOT NULL,
			cash money NOT NULL,
			x xml NOT NULL,
			asked_default text NOT NULL
		)`,
		`CREATE TABLE customers (id uuid PRIMARY KEY, email varchar(10) NOT NULL UNIQUE, kind_code varchar(3) NOT NULL REFERENCES kinds (code))`,
		`CREATE TABLE profiles (customer_id uuid PRIMARY KEY REFERENCES customers (id), bio text NOT NULL)`,
		`CREATE TABLE orders (id serial PRIMARY KEY, customer_id uuid NOT NULL REFERENCES customers (id), placed timestamptz NOT NULL, total numeric(8,2) NOT NULL)`,
		`CREATE TABLE lines (order_id int NOT NULL REFERENCES orders (id), line smallint NOT NULL, qty int NOT NULL CHECK (qty > 0), PRIMARY KEY (order_id, line))`,
		`CREATE TABLE categories (id smallint PRIMARY KEY, parent_id smallint REFERENCES categories (id), name varchar(20) NOT NULL UNIQUE)`,
		`CREATE TABLE nodes (id bigint PRIMARY KEY, parent_id bigint NOT NULL REFERENCES nodes (id))`,
	},
	"mariadb": {
		`CREATE TABLE kinds (
			code varchar(3) PRIMARY KEY,
			name text NOT NULL,
			tiny tinyint NOT NULL UNIQUE,
			utiny tinyint unsigned NOT NULL UNIQUE,
			flag tinyint(1) NOT NULL,
			small smallint NOT NULL,
			medium mediumint unsigned NOT NULL UNIQUE,
			uint int unsigned NOT NULL,
			big bigint NOT NULL UNIQUE,
			amount decimal(5,2) NOT NULL UNIQUE,
			ratio float NOT NULL,
			dbl double NOT NULL UNIQUE,
			bit1 bit(1) NOT NULL,
			bit8 bit(8) NOT NULL UNIQUE,
			code4 char(4) NOT NULL UNIQUE,
			tt tinytext NOT NULL,
			doc json NOT NULL,
			raw binary(16) NOT NULL UNIQUE,
			vraw varbinary(8) NOT NULL,
			bl blob NOT NULL,
			born date NOT NULL UNIQUE,
			at_dt datetime NOT NULL UNIQUE,
			at_ts timestamp NOT NULL,
			at_time time NOT NULL UNIQUE,
			yr year NOT NULL UNIQUE,
			m enum('sad','ok','happy') NOT NULL,
			st set('a','b','c') NOT NULL,
			ident uuid NOT NULL UNIQUE,
			ip inet6 NOT NULL UNIQUE,
			asked_default varchar(20) NOT NULL,
			UNIQUE KEY name_prefix (name(6))
		)`,
		"CREATE TABLE customers (id char(36) PRIMARY KEY, email varchar(10) NOT NULL UNIQUE, kind_code varchar(3) NOT NULL, FOREIGN KEY (kind_code) REFERENCES kinds (code))",
		"CREATE TABLE profiles (customer_id char(36) PRIMARY KEY, bio text NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id))",
		"CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id char(36) NOT NULL, placed datetime(6) NOT NULL, total decimal(8,2) NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id))",
		"CREATE TABLE `lines` (order_id int NOT NULL, line smallint NOT NULL, qty int NOT NULL CHECK (qty > 0), PRIMARY KEY (order_id, line), FOREIGN KEY (order_id) REFERENCES orders (id))",
		"CREATE TABLE categories (id tinyint unsigned PRIMARY KEY, parent_id tinyint unsigned, name varchar(20) NOT NULL UNIQUE, FOREIGN KEY (parent_id) REFERENCES categories (id))",
		"CREATE TABLE nodes (id bigint PRIMARY KEY, parent_id bigint NOT NULL, FOREIGN KEY (parent_id) REFERENCES nodes (id))",
	},
}

// anyRows are the row counts asked of anySchema: every unique column must
// hold them within its type's limits.
var anyRows = map[string]int64{"kinds": 100, "customers": 300, "profiles": 250, "orders": 600, "lines": 1500, "categories": 120, "nodes": 50}

func TestGenerateAnySchemaWithDefaultMappings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		db   func(*testing.T) *sqlconnect.DB
	}{{"postgres", pgDB}, {"mariadb", myDB}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := tc.db(t)
			exec(t, db, anySchema[tc.name]...)
			p, err := planFor(t, db, anyRows, map[string]string{"kinds.asked_default": "generate_default", "customers.email": "generate_email"})
			if err != nil {
				t.Fatalf("NewPlan: %v", err)
			}
			generateAll(t, db, p, 7)
			// Every NOT NULL, UNIQUE, CHECK and foreign key constraint was
			// enforced by the database on insert; check what it does not.
			for table, want := range anyRows {
				q := "SELECT count(*) FROM " + table
				if table == "lines" && tc.name == "mariadb" {
					q = "SELECT count(*) FROM `lines`"
				}
				if got := count(t, db, q); got != want {
					t.Errorf("%s: %d rows, want %d", table, got, want)
				}
			}
			if d := count(t, db, "SELECT count(DISTINCT customer_id) FROM orders"); d < 50 {
				t.Errorf("orders reference only %d customers", d)
			}
			if n := count(t, db, "SELECT count(*) FROM categories WHERE parent_id IS NOT NULL"); n == 0 {
				t.Error("no category references a parent category")
			}
			if n := count(t, db, "SELECT count(*) FROM categories c JOIN categories p ON p.id = c.parent_id"); n != count(t, db, "SELECT count(*) FROM categories WHERE parent_id IS NOT NULL") {
				t.Error("a category references a missing parent")
			}
			if n := count(t, db, "SELECT count(*) FROM kinds WHERE asked_default = ''"); n != 0 {
				t.Errorf("%d empty asked_default values", n)
			}
			// A second run redoes every table, parents included, though
			// children from the first run reference them.
			generateAll(t, db, p, 8)
			if got := count(t, db, "SELECT count(*) FROM customers"); got != anyRows["customers"] {
				t.Errorf("after a second run customers has %d rows", got)
			}
		})
	}
}

func TestGenerateChildWithoutParent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		db   func(*testing.T) *sqlconnect.DB
		ddl  []string
	}{
		{"postgres", pgDB, []string{
			`CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)`,
			`CREATE TABLE coupons (id int PRIMARY KEY)`,
			`CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), coupon_id int REFERENCES coupons (id))`,
		}},
		{"mariadb", myDB, []string{
			"CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
			"CREATE TABLE coupons (id int PRIMARY KEY)",
			"CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, coupon_id int, FOREIGN KEY (customer_id) REFERENCES customers (id), FOREIGN KEY (coupon_id) REFERENCES coupons (id))",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := tc.db(t)
			exec(t, db, tc.ddl...)
			schema := schemaOf(t, db)
			// A NOT NULL foreign key to a table outside the job: refused
			// at planning, before anything is written.
			_, err := planFor(t, db, map[string]int64{"orders": 10}, nil)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("NewPlan of a child without its parent = %v, want a *ValidationError", err)
			}
			want := "add " + schema + ".customers to the job or make " + schema + ".orders.customer_id nullable"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\nlacks %q", err, want)
			}
			if strings.Contains(err.Error(), "coupons") {
				t.Errorf("error %q complains about the nullable coupon_id", err)
			}
			// With the parent in the job, the nullable key to a table
			// outside it is left NULL, with a warning.
			p, err := planFor(t, db, map[string]int64{"orders": 10, "customers": 3}, nil)
			if err != nil {
				t.Fatalf("NewPlan: %v", err)
			}
			if p.Tables[0].Name.Table != "customers" {
				t.Errorf("customers is not generated first:\n%s", p)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], schema+".orders.coupon_id is left NULL") {
				t.Errorf("warnings = %q, want one about coupon_id", p.Warnings)
			}
			generateAll(t, db, p, 1)
			if n := count(t, db, "SELECT count(*) FROM orders WHERE coupon_id IS NULL AND customer_id IN (SELECT id FROM customers)"); n != 10 {
				t.Errorf("%d of 10 orders have a NULL coupon and an existing customer", n)
			}
		})
	}
}
