package sqlsync

import (
	"reflect"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPostgresTransforms anonymizes columns in consistent mode: a
// transformed unique email still joins to the transformed foreign keys
// that reference it, generate_null and generate_default apply, and the
// report's leak scan finds no source value in the transformed columns.
func TestPostgresTransforms(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, first_name text, ssn text,
			age integer, note text DEFAULT 'redacted', created timestamptz NOT NULL, nick text)`,
		`INSERT INTO app.users SELECT g, 'user' || g || '@example.com', 'name' || g, '123-45-' || lpad(g::text, 4, '0'),
			g % 90, 'secret ' || g, '2020-01-01'::timestamptz + g * interval '1 hour', 'nick' || g FROM generate_series(1, 3000) g`,
		`CREATE TABLE app.orders (id bigint PRIMARY KEY, user_email text REFERENCES app.users (email), total numeric(12,2))`,
		`INSERT INTO app.orders SELECT g, 'user' || (1 + g % 3000) || '@example.com', g * 1.25 FROM generate_series(1, 5000) g`,
		`INSERT INTO app.orders VALUES (5001, NULL, 0)`,
	)
	tr := func(table, column, source string) syncplan.Mapping {
		return syncplan.Mapping{Schema: "app", Table: table, Column: column, Transformer: syncplan.Transformer{Source: source}}
	}
	job := syncplan.Job{
		Source: src.cfg,
		Key:    []byte("job key"),
		Mappings: []syncplan.Mapping{
			tr("users", "id", "passthrough"), tr("users", "email", "transform_email"), tr("users", "first_name", "generate_first_name"),
			tr("users", "ssn", "generate_null"), tr("users", "age", "transform_int64"), tr("users", "note", "generate_default"),
			tr("users", "created", "passthrough"),
			{Schema: "app", Table: "users", Column: "nick", Transformer: syncplan.Transformer{Source: "transform_javascript",
				Params: map[string]any{"code": "return value + ':' + input.id + ':' + input.age"}}},
			tr("orders", "id", "passthrough"), tr("orders", "user_email", "transform_email"), tr("orders", "total", "passthrough"),
		},
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, BatchSize: 500}}},
	}
	_, res := runJob(t, job)
	rep := res[0].Report
	if !rep.OK() {
		t.Fatalf("report not OK:\n%s", rep)
	}
	for _, l := range rep.Leaks {
		if l.Column == "email" || l.Column == "user_email" || l.Column == "first_name" {
			if l.Equal != 0 || l.Sampled == 0 {
				t.Errorf("leak scan %s.%s: %d of %d equal", l.Table, l.Column, l.Equal, l.Sampled)
			}
		}
	}
	if got := dst.rows(t, `SELECT count(*)::text FROM app.users WHERE ssn IS NULL AND note = 'redacted' AND first_name IS NOT NULL AND email LIKE '%@%'`); got[0] != "3000" {
		t.Fatalf("transformed users rows: %v", got)
	}
	if got := dst.rows(t, `SELECT count(*)::text FROM app.orders o JOIN app.users u ON u.email = o.user_email`); got[0] != "5000" {
		t.Fatalf("orders joining their transformed users: %v, want 5000", got)
	}
	// The JavaScript transformer read other columns of the source row.
	want := src.rows(t, `SELECT nick || ':' || id || ':' || age FROM app.users`)
	if got := dst.rows(t, `SELECT nick FROM app.users`); !reflect.DeepEqual(got, want) {
		t.Fatalf("nick from the row context: %.200q, want %.200q", got, want)
	}
	// Untransformed columns are byte-identical.
	if want, got := src.rows(t, `SELECT id || ' ' || created FROM app.users`), dst.rows(t, `SELECT id || ' ' || created FROM app.users`); len(want) != len(got) || want[0] != got[0] || want[len(want)-1] != got[len(got)-1] {
		t.Fatal("passthrough columns changed")
	}
}
