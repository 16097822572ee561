package sqlsync

import (
	"fmt"
	"strings"
	"testing"

	"github.com/brianvoe/gofakeit/v7/data"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// policyRows is the size of the leak policy tests' table.
const policyRows = 20_000

// uniqueLengthName returns a name of list whose length no other name of
// the list has: transform_*_name with preserve_length can only write that
// name back, a leak the policy must catch.
func uniqueLengthName(t *testing.T, list []string) string {
	t.Helper()
	byLen := map[int][]string{}
	for _, n := range list {
		byLen[len(n)] = append(byLen[len(n)], n)
	}
	for _, n := range list {
		if len(byLen[len(n)]) == 1 {
			return n
		}
	}
	t.Fatal("every name length is shared")
	return ""
}

// policyJob maps people(id, email, first_name, last_name, city, note) with
// planted leaks:
//   - email: transform_email passing invalid emails through, over 1 % of
//     invalid ones (rows keep their own value: FAIL, whatever the policy);
//   - first_name, last_name: preserve_length over 4 % of rows holding a
//     name of a length only that name has (rows keep their own value,
//     beyond the 1-in-N chance: WARN), and those rows keep both (row-level
//     re-identification beyond chance, above 0.1 %: FAIL);
//   - city: generate_city over 10 cities of the generator's own list
//     (about 10 % of rows hold a source value, as its 98-city domain
//     makes expected, but above the 1 % warn rate: WARN);
//   - note: transform_string (nothing leaks: OK).
func policyJob(schema string) []syncplan.Mapping {
	m := func(column, source string, params map[string]any) syncplan.Mapping {
		return syncplan.Mapping{Schema: schema, Table: "people", Column: column, Transformer: syncplan.Transformer{Source: source, Params: params}}
	}
	return []syncplan.Mapping{
		m("id", "passthrough", nil),
		m("email", "transform_email", map[string]any{"invalid_email_action": "passthrough"}),
		m("first_name", "transform_first_name", map[string]any{"preserve_length": true}),
		m("last_name", "transform_last_name", map[string]any{"preserve_length": true}),
		m("city", "generate_city", nil),
		m("note", "transform_string", nil),
	}
}

// policyValues returns the source rows' values as SQL expressions of the row
// number g (a dialect's modulo and concatenation are passed in).
func policyValues(t *testing.T, mod func(n int) string, concat func(parts ...string) string) (email, first, last, city string) {
	ufirst, ulast := uniqueLengthName(t, data.Person["first"]), uniqueLengthName(t, data.Person["last"])
	email = fmt.Sprintf("CASE WHEN %s = 0 THEN %s ELSE %s END", mod(100), concat("'not-an-email-'", "g"), concat("'user'", "g", "'@example.com'"))
	first = fmt.Sprintf("CASE WHEN %s = 0 THEN '%s' ELSE 'Ann' END", mod(25), ufirst)
	last = fmt.Sprintf("CASE WHEN %s = 0 THEN '%s' ELSE 'Lee' END", mod(25), ulast)
	cities := data.Address["city"][:10]
	city = fmt.Sprintf("(CASE %s", mod(10))
	for i, c := range cities {
		city += fmt.Sprintf(" WHEN %d THEN '%s'", i, strings.ReplaceAll(c, "'", "''"))
	}
	return email, first, last, city + " END)"
}

// checkPolicy runs job under the default policy and a lenient one and
// checks every finding's status.
func checkPolicy(t *testing.T, job syncplan.Job) {
	ctx := testCtx(t)
	for _, tc := range []struct {
		name   string
		policy leakscan.Policy
		want   map[string]leakscan.Status // column (or "reidentification") → status
	}{
		{"default", leakscan.Policy{}, map[string]leakscan.Status{
			"email": leakscan.StatusFail, "first_name": leakscan.StatusWarn, "last_name": leakscan.StatusWarn,
			"city": leakscan.StatusWarn, "note": leakscan.StatusOK, "reidentification": leakscan.StatusFail}},
		{"lenient", leakscan.Policy{WarnRate: 0.5, FailRate: 0.5, ReidentifiedFailRate: 0.5}, map[string]leakscan.Status{
			"email": leakscan.StatusFail, "first_name": leakscan.StatusWarn, "last_name": leakscan.StatusWarn,
			"city": leakscan.StatusOK, "note": leakscan.StatusOK, "reidentification": leakscan.StatusWarn}},
	} {
		job.LeakPolicy = tc.policy
		_, res, err := newTestEngine().Run(ctx, job, nil)
		if err != nil {
			t.Fatalf("%s: Run: %v", tc.name, err)
		}
		rep := res[0].Report
		got := map[string]leakscan.Status{}
		for _, l := range rep.Leaks {
			got[l.Column] = l.Status
		}
		for _, r := range rep.Reidentified {
			got["reidentification"] = r.Status
			if strings.Join(r.Columns, ",") != "first_name,last_name" || r.Reidentified < policyRows/25 {
				t.Errorf("%s: re-identification %+v; want first_name and last_name kept in at least %d rows", tc.name, r, policyRows/25)
			}
		}
		for col, want := range tc.want {
			if got[col] != want {
				t.Errorf("%s: %s is %s, want %s", tc.name, col, got[col], want)
			}
		}
		f := rep.Findings()
		if rep.Status() != leakscan.StatusFail || f[0].Status != leakscan.StatusFail || !strings.HasPrefix(rep.String(), "Verification of dst: FAIL\n  FAIL") {
			t.Errorf("%s: the report does not lead with its worst finding:\n%s", tc.name, rep)
		}
		t.Logf("%s:\n%s", tc.name, rep)
	}
}

// TestLeakPolicyPostgres plants leaks of every kind and checks the
// report's statuses (PostgreSQL).
func TestLeakPolicyPostgres(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	email, first, last, city := policyValues(t, func(n int) string { return fmt.Sprintf("g %% %d", n) },
		func(p ...string) string { return strings.Join(p, " || ") })
	src.exec(t, `CREATE SCHEMA app`,
		`CREATE TABLE app.people (id bigint PRIMARY KEY, email text NOT NULL, first_name text NOT NULL, last_name text NOT NULL, city text NOT NULL, note text)`,
		fmt.Sprintf(`INSERT INTO app.people SELECT g, %s, %s, %s, %s, 'note ' || g FROM generate_series(1, %d) g`, email, first, last, city, policyRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: policyJob("app"),
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}}
	checkPolicy(t, job)
}

// TestLeakPolicyMySQL is the same on MySQL/MariaDB.
func TestLeakPolicyMySQL(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	email, first, last, city := policyValues(t, func(n int) string { return fmt.Sprintf("seq %% %d", n) },
		func(p ...string) string {
			return "concat(" + strings.ReplaceAll(strings.Join(p, ", "), "g", "seq") + ")"
		})
	src.exec(t, "CREATE TABLE people (id bigint PRIMARY KEY, email varchar(80) NOT NULL, first_name varchar(40) NOT NULL, last_name varchar(40) NOT NULL, city varchar(80) NOT NULL, note varchar(80))",
		fmt.Sprintf("INSERT INTO people SELECT seq, %s, %s, %s, %s, concat('note ', seq) FROM seq_1_to_%d", email, first, last, city, policyRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: policyJob(src.name),
		Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
			InitSchema: true, Truncate: true, SchemaMap: map[string]string{src.name: dst.name}}}}}
	checkPolicy(t, job)
}
