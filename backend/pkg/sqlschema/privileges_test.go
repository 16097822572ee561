package sqlschema

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func assertPrivileges(t *testing.T, got, want []TablePrivileges) {
	t.Helper()
	if !slices.EqualFunc(got, want, func(a, b TablePrivileges) bool {
		return a.Table == b.Table && slices.Equal(a.Privileges, b.Privileges)
	}) {
		t.Errorf("Privileges =\n  %v\nwant\n  %v", got, want)
	}
}

func TestPostgresPrivileges(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	url := envOr("NEOSYNC_TEST_PG_URL", defaultPGURL)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL test server unreachable at NEOSYNC_TEST_PG_URL=%q: %v", url, err)
	}
	defer admin.Close(context.Background())
	role := uniqueName("sqlschema_ro")
	qrole := mustQuote(t, DialectPostgres, role)
	if _, err := admin.Exec(ctx, "CREATE ROLE "+qrole+" LOGIN"); err != nil {
		t.Fatalf("create role: %v", err)
	}
	// Registered before the database so it runs after the database is gone.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP ROLE IF EXISTS "+qrole); err != nil {
			t.Errorf("cleanup: drop role %s: %v", role, err)
		}
	})
	db := newPGTestDB(t)
	db.exec(t,
		`CREATE TABLE items (id int)`,
		`CREATE TABLE secret (id int)`,
		`CREATE SCHEMA hidden`,
		`CREATE TABLE hidden.t (id int)`,
		`GRANT SELECT ON items TO `+qrole,
		`GRANT SELECT ON hidden.t TO `+qrole, // no USAGE on hidden: not effective
	)

	all := []string{"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"}
	got, err := NewPostgresInspector(db.pool).Privileges(ctx, nil)
	if err != nil {
		t.Fatalf("Privileges (superuser): %v", err)
	}
	assertPrivileges(t, got, []TablePrivileges{
		{TableName{"hidden", "t"}, all}, {TableName{"public", "items"}, all}, {TableName{"public", "secret"}, all},
	})

	cfg := db.cfg.Copy()
	cfg.ConnConfig.User = role // trust authentication
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect as %s: %v", role, err)
	}
	t.Cleanup(pool.Close)
	insp := NewPostgresInspector(pool)
	for _, tt := range []struct {
		schemas []string
		want    []TablePrivileges
	}{
		{nil, []TablePrivileges{{TableName{"public", "items"}, []string{"SELECT"}}}},
		{[]string{"public"}, []TablePrivileges{{TableName{"public", "items"}, []string{"SELECT"}}}},
		{[]string{"hidden"}, nil},
	} {
		got, err := insp.Privileges(ctx, tt.schemas)
		if err != nil {
			t.Fatalf("Privileges(%q) as %s: %v", tt.schemas, role, err)
		}
		assertPrivileges(t, got, tt.want)
	}
}

func TestMySQLPrivileges(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	db := newMySQLTestDB(t)
	db2 := newMySQLTestDB(t)
	user := uniqueName("sqlschema_u") // 28 characters: within the MySQL limit of 32
	quser := "'" + user + "'@'%'"
	db.exec(t,
		`CREATE TABLE items (id int)`,
		`CREATE TABLE secret (id int)`,
		`CREATE TABLE `+mustQuote(t, DialectMySQL, db2.name)+`.other (id int)`,
		`CREATE USER `+quser,
	)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.db.ExecContext(ctx, "DROP USER IF EXISTS "+quser); err != nil {
			t.Errorf("cleanup: drop user %s: %v", quser, err)
		}
	})
	db.exec(t,
		`GRANT SELECT ON `+mustQuote(t, DialectMySQL, db.name)+`.items TO `+quser,
		`GRANT INSERT, UPDATE ON `+mustQuote(t, DialectMySQL, db2.name)+`.* TO `+quser,
	)

	// The admin (root) has global privileges on everything.
	got, err := NewMySQLInspector(db.db).Privileges(ctx, []string{db.name})
	if err != nil {
		t.Fatalf("Privileges (root): %v", err)
	}
	assertPrivileges(t, got, []TablePrivileges{
		{TableName{db.name, "items"}, mysqlTablePrivileges}, {TableName{db.name, "secret"}, mysqlTablePrivileges},
	})

	cfg := db.cfg.Clone()
	cfg.User, cfg.Passwd = user, ""
	udb, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("open as %s: %v", user, err)
	}
	t.Cleanup(func() { _ = udb.Close() })
	insp := NewMySQLInspector(udb)
	for _, tt := range []struct {
		schemas []string
		want    []TablePrivileges
	}{
		{[]string{db.name}, []TablePrivileges{{TableName{db.name, "items"}, []string{"SELECT"}}}},
		{[]string{db2.name}, []TablePrivileges{{TableName{db2.name, "other"}, []string{"INSERT", "UPDATE"}}}},
		{nil, sortedByTable([]TablePrivileges{
			{TableName{db.name, "items"}, []string{"SELECT"}},
			{TableName{db2.name, "other"}, []string{"INSERT", "UPDATE"}},
		})},
	} {
		got, err := insp.Privileges(ctx, tt.schemas)
		if err != nil {
			t.Fatalf("Privileges(%q) as %s: %v", tt.schemas, user, err)
		}
		assertPrivileges(t, got, tt.want)
	}
}

func sortedByTable(tps []TablePrivileges) []TablePrivileges {
	sortPrivileges(tps)
	return tps
}
