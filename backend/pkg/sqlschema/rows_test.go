package sqlschema

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// rowsEnv abstracts a server with the "items" fixture (10 rows, ids 1..10)
// and "big" (2500 rows) for the RowCount/StreamRows tests.
type rowsEnv struct {
	insp   Inspector
	schema string
	// attacks are predicates that try to write; each must fail and leave
	// items untouched. simpleInsp, when set, is an Inspector over a
	// connection that would allow multiple statements per query.
	attacks    []string
	simpleInsp Inspector
	// bad is a predicate that references a missing column.
	bad string
	// view is the name of a view (not a base table).
	view string
}

const multiStatementAttack = "1=1\n); COMMIT; DELETE FROM items; SELECT 1 FROM items WHERE (1=1"

func newRowsPG(t *testing.T) rowsEnv {
	db := newPGTestDB(t)
	db.exec(t,
		`CREATE TABLE items (id integer PRIMARY KEY, name text)`,
		`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10) g`,
		`CREATE TABLE big (id integer PRIMARY KEY)`,
		`INSERT INTO big SELECT generate_series(1, 2500)`,
		`CREATE SEQUENCE s`,
		`CREATE VIEW items_view AS SELECT * FROM items`,
		`CREATE FUNCTION wipe() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.items; RETURN true; END $$`,
	)
	// A pool in simple protocol mode accepts several statements per query
	// string; the inspector must still run the predicate as one statement.
	cfg := db.cfg.Copy()
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	simple, err := pgxpool.NewWithConfig(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("simple protocol pool: %v", err)
	}
	t.Cleanup(simple.Close)
	return rowsEnv{
		insp:   NewPostgresInspector(db.pool),
		schema: "public",
		attacks: []string{
			"1=1; DELETE FROM items",
			multiStatementAttack,
			"wipe()",
			"nextval('s') > 0",
			"(SELECT count(*) FROM (WITH d AS (DELETE FROM items RETURNING 1) SELECT * FROM d) x) >= 0",
			"1=1 -- ) OR (true",
		},
		simpleInsp: NewPostgresInspector(simple),
		bad:        "no_such_column = 1",
		view:       "items_view",
	}
}

func newRowsMySQL(t *testing.T) rowsEnv {
	db := newMySQLTestDB(t)
	db.exec(t,
		`CREATE TABLE items (id int PRIMARY KEY, name varchar(20))`,
		`INSERT INTO items WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 10) SELECT n, concat('item ', n) FROM g`,
		`CREATE TABLE big (id int PRIMARY KEY)`,
		`INSERT INTO big WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 50) SELECT (a.n - 1) * 50 + b.n FROM g a CROSS JOIN g b`,
		`CREATE VIEW items_view AS SELECT * FROM items`,
		`CREATE FUNCTION wipe() RETURNS int MODIFIES SQL DATA BEGIN DELETE FROM items; RETURN 1; END`,
	)
	// multiStatements=true lets the text protocol run several statements.
	cfg := db.cfg.Clone()
	cfg.MultiStatements = true
	multi, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("open multiStatements handle: %v", err)
	}
	t.Cleanup(func() { _ = multi.Close() })
	return rowsEnv{
		insp:   NewMySQLInspector(db.db),
		schema: db.name,
		attacks: []string{
			"1=1; DELETE FROM items",
			multiStatementAttack,
			"wipe() = 1",
			"1=1 -- ) OR (true",
			"1=1 # ) OR (true",
		},
		simpleInsp: NewMySQLInspector(multi),
		bad:        "no_such_column = 1",
		view:       "items_view",
	}
}

var rowsEnvs = []struct {
	name string
	env  func(*testing.T) rowsEnv
}{
	{"postgres", newRowsPG},
	{"mysql", newRowsMySQL},
}

func TestRowCount(t *testing.T) {
	t.Parallel()
	for _, tc := range rowsEnvs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.env(t)
			ctx := testCtx(t)
			items := TableName{e.schema, "items"}
			for _, tt := range []struct {
				where string
				want  int64
			}{
				{"", 10},
				{"   ", 10},
				{"id <= 3", 3},
				{"id > 3 AND name LIKE 'item 1%'", 1},
				{"1=0", 0},
			} {
				got, err := e.insp.RowCount(ctx, items, tt.where)
				if err != nil || got != tt.want {
					t.Errorf("RowCount(items, %q) = %d, %v; want %d", tt.where, got, err, tt.want)
				}
			}
			if got, err := e.insp.RowCount(ctx, TableName{e.schema, "big"}, ""); err != nil || got != 2500 {
				t.Errorf("RowCount(big) = %d, %v; want 2500", got, err)
			}

			for _, insp := range []Inspector{e.insp, e.simpleInsp} {
				for _, attack := range e.attacks {
					_, err := insp.RowCount(ctx, items, attack)
					t.Logf("RowCount(items, %q): %v", attack, err)
					if err == nil && !strings.Contains(attack, "--") && !strings.Contains(attack, "#") {
						t.Errorf("RowCount(items, %q) succeeded; want error", attack)
					}
					assertItemsIntact(t, e)
				}
			}

			_, err := e.insp.RowCount(ctx, items, e.bad)
			if err == nil || errors.Is(err, ErrTableNotFound) || !strings.Contains(err.Error(), "no_such_column") {
				t.Errorf("RowCount(bad predicate) error = %v; want wrapped server error", err)
			}

			for _, missing := range []TableName{{e.schema, "nope"}, {e.schema, "ITEMS"}, {"nope_schema", "items"}, {e.schema, e.view}} {
				if _, err := e.insp.RowCount(ctx, missing, ""); !errors.Is(err, ErrTableNotFound) {
					t.Errorf("RowCount(%s) error = %v; want ErrTableNotFound", missing, err)
				}
			}
			var ie *IdentifierError
			if _, err := e.insp.RowCount(ctx, TableName{"", "items"}, ""); !errors.As(err, &ie) {
				t.Errorf("RowCount(empty schema) error = %v; want *IdentifierError", err)
			}
		})
	}
}

// assertItemsIntact checks that no attack deleted rows from items.
func assertItemsIntact(t *testing.T, e rowsEnv) {
	t.Helper()
	n, err := e.insp.RowCount(testCtx(t), TableName{e.schema, "items"}, "")
	if err != nil || n != 10 {
		t.Fatalf("items has %d rows (%v) after attack; want 10", n, err)
	}
}

func TestStreamRowsBatches(t *testing.T) {
	t.Parallel()
	for _, tc := range rowsEnvs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.env(t)
			ctx := testCtx(t)
			big := TableName{e.schema, "big"}
			for _, tt := range []struct {
				where     string
				batchSize int
				want      []int
			}{
				{"", 1000, []int{1000, 1000, 500}},
				{"id <= 2000", 1000, []int{1000, 1000}},
				{"id <= 3", 1, []int{1, 1, 1}},
				{"id <= 3", 5000, []int{3}},
				{"1=0", 10, nil},
			} {
				var sizes []int
				seen := map[string]bool{}
				err := e.insp.StreamRows(ctx, big, tt.where, tt.batchSize, func(cols []string, batch [][]*string) error {
					if !slices.Equal(cols, []string{"id"}) {
						t.Errorf("columns = %q", cols)
					}
					sizes = append(sizes, len(batch))
					for _, r := range batch {
						seen[*r[0]] = true
					}
					return nil
				})
				if err != nil {
					t.Fatalf("StreamRows(%q, %d): %v", tt.where, tt.batchSize, err)
				}
				if !slices.Equal(sizes, tt.want) {
					t.Errorf("StreamRows(%q, %d) batch sizes = %v, want %v", tt.where, tt.batchSize, sizes, tt.want)
				}
				total := 0
				for _, s := range tt.want {
					total += s
				}
				if len(seen) != total {
					t.Errorf("StreamRows(%q, %d) saw %d distinct rows, want %d", tt.where, tt.batchSize, len(seen), total)
				}
			}

			stop := errors.New("stop")
			calls := 0
			err := e.insp.StreamRows(ctx, big, "", 100, func([]string, [][]*string) error { calls++; return stop })
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("StreamRows with failing callback = %v after %d calls; want stop after 1", err, calls)
			}
			if err := e.insp.StreamRows(ctx, big, "", 0, func([]string, [][]*string) error { return nil }); err == nil {
				t.Error("StreamRows(batchSize 0): want error")
			}
			noop := func([]string, [][]*string) error { t.Error("callback called"); return nil }
			if err := e.insp.StreamRows(ctx, TableName{e.schema, "nope"}, "", 10, noop); !errors.Is(err, ErrTableNotFound) {
				t.Errorf("StreamRows(nope) error = %v; want ErrTableNotFound", err)
			}
			if err := e.insp.StreamRows(ctx, big, e.bad, 10, noop); err == nil || errors.Is(err, ErrTableNotFound) {
				t.Errorf("StreamRows(bad predicate) error = %v; want server error", err)
			}
			items := TableName{e.schema, "items"}
			for _, insp := range []Inspector{e.insp, e.simpleInsp} {
				for _, attack := range e.attacks {
					if strings.Contains(attack, "--") || strings.Contains(attack, "#") {
						continue // harmless comment attack, covered by RowCount
					}
					if err := insp.StreamRows(ctx, items, attack, 10, func([]string, [][]*string) error { return nil }); err == nil {
						t.Errorf("StreamRows(items, %q) succeeded; want error", attack)
					}
					assertItemsIntact(t, e)
				}
			}
		})
	}
}

// TestStreamRowsValues checks that values arrive exactly as the server's
// text output, for types where a lossy decode would be easy to miss.
func TestStreamRowsValues(t *testing.T) {
	t.Parallel()
	type valueCase struct {
		col, typ, literal string
		want              *string
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T) (Inspector, string, func(*testing.T, ...string), Dialect)
		cases []valueCase
	}{
		{
			name: "postgres",
			setup: func(t *testing.T) (Inspector, string, func(*testing.T, ...string), Dialect) {
				db := newPGTestDB(t)
				return NewPostgresInspector(db.pool), "public", db.exec, DialectPostgres
			},
			cases: []valueCase{
				{"nul", "text", "NULL", nil},
				{"empty", "text", "''", ptr("")},
				{"uni", "text", `E'Café ☕ "q" \\ \t\n'`, ptr("Café ☕ \"q\" \\ \t\n")},
				{"big", "bigint", "9007199254740993", ptr("9007199254740993")},
				{"maxbig", "bigint", "-9223372036854775808", ptr("-9223372036854775808")},
				{"num", "numeric", "12345678901234567890.123456789012345678901234567890", ptr("12345678901234567890.123456789012345678901234567890")},
				{"bin", "bytea", `'\x00ff10'`, ptr(`\x00ff10`)},
				{"flt", "double precision", "0.1", ptr("0.1")},
				{"arr", "integer[]", "'{1,NULL,3}'", ptr("{1,NULL,3}")},
				{"tarr", "text[]", `ARRAY['a b', NULL, '"']`, ptr(`{"a b",NULL,"\""}`)},
				{"js", "jsonb", `'{"b": [1, 2], "a": "é"}'`, ptr(`{"a": "é", "b": [1, 2]}`)},
				{"d", "date", "'2024-02-29'", ptr("2024-02-29")},
				{"iv", "interval", "'1 day 02:03:04'", ptr("1 day 02:03:04")},
				{"ts", "timestamp", "'2024-02-29 12:34:56.123456'", ptr("2024-02-29 12:34:56.123456")},
				{"bool", "boolean", "true", ptr("t")},
			},
		},
		{
			name: "mysql",
			setup: func(t *testing.T) (Inspector, string, func(*testing.T, ...string), Dialect) {
				db := newMySQLTestDB(t)
				return NewMySQLInspector(db.db), db.name, db.exec, DialectMySQL
			},
			cases: []valueCase{
				{"nul", "varchar(10)", "NULL", nil},
				{"empty", "varchar(10)", "''", ptr("")},
				{"uni", "varchar(40)", `'Café ☕ "q" \\ \t\n'`, ptr("Café ☕ \"q\" \\ \t\n")},
				{"big", "bigint", "9007199254740993", ptr("9007199254740993")},
				{"ubig", "bigint unsigned", "18446744073709551615", ptr("18446744073709551615")},
				{"num", "decimal(65,30)", "12345678901234567890.123456789012345678901234567890", ptr("12345678901234567890.123456789012345678901234567890")},
				{"bin", "varbinary(10)", "0x00ff10", ptr("\x00\xff\x10")},
				{"flt", "double", "0.1", ptr("0.1")},
				{"f32", "float", "1.25", ptr("1.25")},
				{"f32x", "float", "1.2345678", ptr("1.2345678")},
				{"f32big", "float", "16777216", ptr("1.6777216e+07")},
				{"f32tiny", "float", "-1.4e-45", ptr("-1e-45")},
				{"js", "json", `'{"b": [1, 2], "a": "é"}'`, ptr(`{"b": [1, 2], "a": "é"}`)},
				{"d", "date", "'2024-02-29'", ptr("2024-02-29")},
				{"dt", "datetime(6)", "'2024-02-29 12:34:56.123456'", ptr("2024-02-29 12:34:56.123456")},
				{"tm", "time", "'-12:00:01'", ptr("-12:00:01")},
				{"yr", "year", "2024", ptr("2024")},
				{"en", "enum('a','b')", "'b'", ptr("b")},
				{"bits", "bit(8)", "b'01000001'", ptr("A")},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			insp, schema, exec, d := tc.setup(t)
			var defs, lits, names []string
			for _, c := range tc.cases {
				defs = append(defs, mustQuote(t, d, c.col)+" "+c.typ)
				lits = append(lits, c.literal)
				names = append(names, c.col)
			}
			exec(t,
				fmt.Sprintf("CREATE TABLE vals (%s)", strings.Join(defs, ", ")),
				fmt.Sprintf("INSERT INTO vals VALUES (%s)", strings.Join(lits, ", ")),
			)
			calls := 0
			err := insp.StreamRows(testCtx(t), TableName{schema, "vals"}, "", 10, func(cols []string, batch [][]*string) error {
				calls++
				if !slices.Equal(cols, names) {
					t.Errorf("columns = %q, want %q", cols, names)
				}
				if len(batch) != 1 {
					t.Fatalf("batch has %d rows, want 1", len(batch))
				}
				for i, c := range tc.cases {
					got := batch[0][i]
					switch {
					case got == nil && c.want == nil:
					case got == nil || c.want == nil || *got != *c.want:
						t.Errorf("column %s (%s): got %s, want %s", c.col, c.typ, renderRow([]*string{got}), renderRow([]*string{c.want}))
					}
				}
				return nil
			})
			if err != nil || calls != 1 {
				t.Fatalf("StreamRows: %v (calls %d)", err, calls)
			}
		})
	}
}
