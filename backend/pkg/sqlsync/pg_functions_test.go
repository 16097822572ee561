package sqlsync

import (
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPostgresInitSchemaFunctionsAndExtensionUse: "create missing
// tables" creates the functions of the copied tables' schemas that their
// objects call — a column default (one whose body names a table created
// later), a check, a domain's check, an index expression — and the
// extension an exclusion constraint's operator class comes from although
// it lives in another schema and no column has one of its types. It used
// to stop at the first table: "function m.code() does not exist". A
// function the destination already has is kept as it is. The source's
// other functions are not carried over (their bodies would run on the
// destination with its connection's privileges): not one taking a table's
// row type, a procedure, nor one that could not be created there.
func TestPostgresInitSchemaFunctionsAndExtensionUse(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE SCHEMA ext`, `CREATE EXTENSION btree_gist WITH SCHEMA ext`, `CREATE SCHEMA m`,
		`CREATE FUNCTION m.code() RETURNS text LANGUAGE sql AS $$ SELECT 'C' || floor(random() * 1000)::text $$`,
		`CREATE FUNCTION m.positive(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT n > 0 $$`,
		`CREATE FUNCTION m.norm(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN lower(trim(s)); END $$`,
		`SET check_function_bodies = off; CREATE FUNCTION m.next_ref() RETURNS text LANGUAGE sql AS $$ SELECT 'R' || count(*) FROM m.booking $$`,
		`CREATE DOMAIN m.room_no AS integer CHECK (m.positive(VALUE))`,
		`CREATE TABLE m.booking (id integer PRIMARY KEY, room m.room_no NOT NULL, during tstzrange NOT NULL, code text DEFAULT m.code(),
			ref text DEFAULT m.next_ref(), EXCLUDE USING gist ((room::integer) WITH =, during WITH &&), CHECK (m.positive(id)))`,
		`CREATE INDEX booking_norm ON m.booking (m.norm(code))`,
		`CREATE FUNCTION m.label(b m.booking) RETURNS text LANGUAGE sql AS $$ SELECT b.code || '@' || b.room $$`,
		`CREATE PROCEDURE m.purge(before timestamptz) LANGUAGE sql AS $$ DELETE FROM m.booking WHERE upper(during) < before $$`,
		`CREATE SCHEMA other`, `CREATE TYPE other.mood AS ENUM ('calm')`,
		`CREATE FUNCTION m.weird() RETURNS other.mood LANGUAGE sql AS $$ SELECT 'calm'::other.mood $$`,
		`INSERT INTO m.booking SELECT g, 1 + g % 5, tstzrange('2026-01-01'::timestamptz + g * interval '1 hour', '2026-01-01'::timestamptz + (g + 1) * interval '1 hour')
			FROM generate_series(1, 40) g`)
	dst.exec(t, `CREATE SCHEMA m`, `CREATE FUNCTION m.code() RETURNS text LANGUAGE sql AS $$ SELECT 'mine' $$`)
	job := passthroughJob(t, src, "m", []string{"booking"})
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	_, res := runJob(t, job)
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	assertSameRows(t, src, dst, "m", []string{"booking"})
	got := dst.rows(t, `SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'm'::regnamespace ORDER BY 1`)
	want := "m.code(),m.next_ref(),m.norm(text),m.positive(integer)"
	if strings.Join(got, ",") != want {
		t.Fatalf("destination functions %v, want %s (the ones the table calls, no other)", got, want)
	}
	if got := dst.rows(t, `SELECT m.code()`); got[0] != "mine" {
		t.Fatalf("the destination's own m.code() was replaced: it returns %q", got[0])
	}
	if got := dst.rows(t, `SELECT m.next_ref()`); got[0] != "R40" {
		t.Fatalf("m.next_ref() = %s", got[0])
	}
	if got := dst.rows(t, `SELECT count(*)::text FROM pg_constraint WHERE conrelid = 'm.booking'::regclass AND contype = 'x'`); got[0] != "1" {
		t.Fatalf("%s exclusion constraints on m.booking, want 1", got[0])
	}
	if got := dst.rows(t, `SELECT count(*)::text FROM pg_indexes WHERE schemaname = 'm' AND indexname = 'booking_norm'`); got[0] != "1" {
		t.Fatal("index booking_norm is missing")
	}
}
