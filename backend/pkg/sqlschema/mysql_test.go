package sqlschema

import (
	"slices"
	"testing"
)

// mysqlFixture mirrors pgFixture for MySQL/MariaDB. self and other are the
// quoted names of the fixture database and of a second database holding a
// table with a cross-database reference.
func mysqlFixture(self, other string) []string {
	return []string{
		`CREATE TABLE orders (
			region varchar(20) NOT NULL,
			order_no int NOT NULL,
			note varchar(255) DEFAULT 'none',
			PRIMARY KEY (order_no, region))`,
		`CREATE TABLE order_lines (
			id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
			region varchar(20),
			order_no int NOT NULL,
			qty int NOT NULL DEFAULT 1,
			price decimal(12,2),
			total decimal(20,2) AS (qty * price) STORED,
			label varchar(40) AS (concat(region, '-', order_no)) VIRTUAL,
			CONSTRAINT order_lines_order_fk FOREIGN KEY (order_no, region) REFERENCES orders (order_no, region))`,
		`CREATE TABLE employees (
			id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
			email varchar(100) NOT NULL,
			manager_id int,
			first_name varchar(50),
			last_name varchar(50),
			CONSTRAINT employees_email_key UNIQUE (email),
			CONSTRAINT employees_name_key UNIQUE (last_name, first_name),
			CONSTRAINT employees_manager_fk FOREIGN KEY (manager_id) REFERENCES employees (id))`,
		`CREATE TABLE cyc_a (id int PRIMARY KEY, b_id int NOT NULL)`,
		`CREATE TABLE cyc_b (id int PRIMARY KEY, c_id int NOT NULL)`,
		`CREATE TABLE cyc_c (id int PRIMARY KEY, a_id int)`,
		`ALTER TABLE cyc_a ADD CONSTRAINT cyc_a_b_fk FOREIGN KEY (b_id) REFERENCES cyc_b (id)`,
		`ALTER TABLE cyc_b ADD CONSTRAINT cyc_b_c_fk FOREIGN KEY (c_id) REFERENCES cyc_c (id)`,
		`ALTER TABLE cyc_c ADD CONSTRAINT cyc_c_a_fk FOREIGN KEY (a_id) REFERENCES cyc_a (id)`,
		`CREATE TABLE kitchen_sink (
			id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
			m enum('sad','ok','it''s') NOT NULL DEFAULT 'ok',
			doc json,
			code char(3) DEFAULT 'abc',
			literal_null varchar(10) DEFAULT 'NULL',
			created timestamp NULL DEFAULT current_timestamp())`,
		`CREATE VIEW kitchen_view AS SELECT id FROM kitchen_sink`,
		`CREATE TABLE ` + other + `.things (id int PRIMARY KEY, order_no int, region varchar(20),
			CONSTRAINT things_order_fk FOREIGN KEY (order_no, region) REFERENCES ` + self + `.orders (order_no, region))`,
	}
}

func myCol(schema, table, name string, pos int, typ string, nullable bool) Column {
	return Column{Schema: schema, Table: table, Name: name, OrdinalPosition: pos, DataType: typ, IsNullable: nullable}
}

func mysqlFixtureColumns(s string) []Column {
	i10, i19, zero := ptr[int64](10), ptr[int64](19), ptr[int64](0)
	with := func(c Column, f func(*Column)) Column { f(&c); return c }
	intCol := func(table, name string, pos int, nullable bool) Column {
		return with(myCol(s, table, name, pos, "int(11)", nullable), func(c *Column) { c.NumericPrecision, c.NumericScale = i10, zero })
	}
	vc := func(table, name string, pos int, n int64, nullable bool) Column {
		return with(myCol(s, table, name, pos, "varchar("+itoa(n)+")", nullable), func(c *Column) { c.CharacterMaximumLength = ptr(n) })
	}
	return []Column{
		intCol("cyc_a", "id", 1, false),
		intCol("cyc_a", "b_id", 2, false),
		intCol("cyc_b", "id", 1, false),
		intCol("cyc_b", "c_id", 2, false),
		intCol("cyc_c", "id", 1, false),
		intCol("cyc_c", "a_id", 2, true),
		with(intCol("employees", "id", 1, false), func(c *Column) { c.IdentityGeneration = "AUTO_INCREMENT" }),
		vc("employees", "email", 2, 100, false),
		intCol("employees", "manager_id", 3, true),
		vc("employees", "first_name", 4, 50, true),
		vc("employees", "last_name", 5, 50, true),
		with(intCol("kitchen_sink", "id", 1, false), func(c *Column) { c.IdentityGeneration = "AUTO_INCREMENT" }),
		with(myCol(s, "kitchen_sink", "m", 2, "enum('sad','ok','it''s')", false), func(c *Column) {
			c.Default, c.EnumValues, c.CharacterMaximumLength = ptr("'ok'"), []string{"sad", "ok", "it's"}, ptr[int64](4)
		}),
		// MariaDB: JSON is LONGTEXT (plus a json_valid CHECK constraint).
		with(myCol(s, "kitchen_sink", "doc", 3, "longtext", true), func(c *Column) { c.CharacterMaximumLength = ptr[int64](4294967295) }),
		with(myCol(s, "kitchen_sink", "code", 4, "char(3)", true), func(c *Column) {
			c.Default, c.CharacterMaximumLength = ptr("'abc'"), ptr[int64](3)
		}),
		with(vc("kitchen_sink", "literal_null", 5, 10, true), func(c *Column) { c.Default = ptr("'NULL'") }),
		with(myCol(s, "kitchen_sink", "created", 6, "timestamp", true), func(c *Column) { c.Default = ptr("current_timestamp()") }),
		with(myCol(s, "order_lines", "id", 1, "bigint(20)", false), func(c *Column) {
			c.NumericPrecision, c.NumericScale, c.IdentityGeneration = i19, zero, "AUTO_INCREMENT"
		}),
		vc("order_lines", "region", 2, 20, true),
		intCol("order_lines", "order_no", 3, false),
		with(intCol("order_lines", "qty", 4, false), func(c *Column) { c.Default = ptr("1") }),
		with(myCol(s, "order_lines", "price", 5, "decimal(12,2)", true), func(c *Column) {
			c.NumericPrecision, c.NumericScale = ptr[int64](12), ptr[int64](2)
		}),
		with(myCol(s, "order_lines", "total", 6, "decimal(20,2)", true), func(c *Column) {
			c.NumericPrecision, c.NumericScale = ptr[int64](20), ptr[int64](2)
			c.GeneratedKind, c.GeneratedExpression = "STORED", ptr("`qty` * `price`")
		}),
		with(vc("order_lines", "label", 7, 40, true), func(c *Column) {
			c.GeneratedKind, c.GeneratedExpression = "VIRTUAL", ptr("concat(`region`,'-',`order_no`)")
		}),
		vc("orders", "region", 1, 20, false),
		intCol("orders", "order_no", 2, false),
		with(vc("orders", "note", 3, 255, true), func(c *Column) { c.Default = ptr("'none'") }),
	}
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func mysqlFixtureConstraints(s, other string) []TableConstraints {
	tn := func(t string) TableName { return TableName{s, t} }
	return []TableConstraints{
		{Table: tn("cyc_a"), PrimaryKey: []string{"id"}, ForeignKeys: []ForeignKey{{
			Name: "cyc_a_b_fk", Columns: []string{"b_id"}, ColumnsNullable: []bool{false}, Referenced: tn("cyc_b"), ReferencedColumns: []string{"id"},
		}}},
		{Table: tn("cyc_b"), PrimaryKey: []string{"id"}, ForeignKeys: []ForeignKey{{
			Name: "cyc_b_c_fk", Columns: []string{"c_id"}, ColumnsNullable: []bool{false}, Referenced: tn("cyc_c"), ReferencedColumns: []string{"id"},
		}}},
		{Table: tn("cyc_c"), PrimaryKey: []string{"id"}, ForeignKeys: []ForeignKey{{
			Name: "cyc_c_a_fk", Columns: []string{"a_id"}, ColumnsNullable: []bool{true}, Referenced: tn("cyc_a"), ReferencedColumns: []string{"id"},
		}}},
		{Table: tn("employees"), PrimaryKey: []string{"id"},
			ForeignKeys: []ForeignKey{{
				Name: "employees_manager_fk", Columns: []string{"manager_id"}, ColumnsNullable: []bool{true},
				Referenced: tn("employees"), ReferencedColumns: []string{"id"},
			}},
			UniqueConstraints: []UniqueConstraint{
				{Name: "employees_email_key", Columns: []string{"email"}},
				{Name: "employees_name_key", Columns: []string{"last_name", "first_name"}},
			}},
		{Table: tn("kitchen_sink"), PrimaryKey: []string{"id"}},
		{Table: tn("order_lines"), PrimaryKey: []string{"id"}, ForeignKeys: []ForeignKey{{
			Name: "order_lines_order_fk", Columns: []string{"order_no", "region"}, ColumnsNullable: []bool{false, true},
			Referenced: tn("orders"), ReferencedColumns: []string{"order_no", "region"},
		}}},
		{Table: tn("orders"), PrimaryKey: []string{"order_no", "region"}},
		{Table: TableName{other, "things"}, PrimaryKey: []string{"id"}, ForeignKeys: []ForeignKey{{
			Name: "things_order_fk", Columns: []string{"order_no", "region"}, ColumnsNullable: []bool{true, true},
			Referenced: tn("orders"), ReferencedColumns: []string{"order_no", "region"},
		}}},
	}
}

func TestMySQLInspectorSchema(t *testing.T) {
	t.Parallel()
	db := newMySQLTestDB(t)
	other := newMySQLTestDB(t) // a second database for the schema filter
	db.exec(t, mysqlFixture(mustQuote(t, DialectMySQL, db.name), mustQuote(t, DialectMySQL, other.name))...)
	insp := NewMySQLInspector(db.db)
	ctx := testCtx(t)
	s, o := db.name, other.name
	both := []string{s, o}

	if insp.Dialect() != DialectMySQL {
		t.Errorf("Dialect() = %q", insp.Dialect())
	}

	t.Run("Tables", func(t *testing.T) {
		tests := []struct {
			schemas []string
			want    []TableName
		}{
			{[]string{s}, []TableName{{s, "cyc_a"}, {s, "cyc_b"}, {s, "cyc_c"}, {s, "employees"}, {s, "kitchen_sink"}, {s, "order_lines"}, {s, "orders"}}},
			{[]string{o}, []TableName{{o, "things"}}},
			{[]string{"nope"}, nil},
		}
		for _, tt := range tests {
			got, err := insp.Tables(ctx, tt.schemas)
			if err != nil {
				t.Fatalf("Tables(%q): %v", tt.schemas, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Tables(%q) = %v, want %v", tt.schemas, got, tt.want)
			}
		}
		all, err := insp.Tables(ctx, nil)
		if err != nil {
			t.Fatalf("Tables(nil): %v", err)
		}
		if !slices.Contains(all, TableName{o, "things"}) || !slices.Contains(all, TableName{s, "orders"}) {
			t.Errorf("Tables(nil) misses fixture tables")
		}
		for _, tn := range all {
			if slices.Contains(mysqlSystemSchemas, tn.Schema) {
				t.Errorf("Tables(nil) includes system table %s", tn)
			}
		}
	})

	t.Run("Columns", func(t *testing.T) {
		got, err := insp.Columns(ctx, []string{s})
		if err != nil {
			t.Fatalf("Columns: %v", err)
		}
		assertColumns(t, got, mysqlFixtureColumns(s))
	})

	t.Run("Constraints", func(t *testing.T) {
		got, err := insp.Constraints(ctx, both)
		if err != nil {
			t.Fatalf("Constraints: %v", err)
		}
		want := mysqlFixtureConstraints(s, o)
		if o < s { // results are sorted by schema
			want = append(want[len(want)-1:], want[:len(want)-1]...)
		}
		assertConstraints(t, got, want)
	})
}
