package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// manyTables is the size of the schema the time limit is tested on.
const manyTables = 2000

// manyName is the name of table i (1-based) of the schema.
func manyName(i int) string { return fmt.Sprintf("t%04d", i) }

// TestScanConnectionPiiTimeLimit scans a schema of 2,000 small tables, each
// with an email column. Four tables are locked by another session (held
// ACCESS EXCLUSIVE), so their samples wait:
//   - with a long time limit, every other table is scanned and the four
//     come back as not scanned because of the per-table statement
//     timeout;
//   - with a 1 s limit, the four (taken by the scan's four readers at
//     once, halfway through the schema) hold the scan until its limit:
//     the partial result lists them and every table after them as not
//     scanned, each table is either scanned or listed exactly once, and
//     the findings cover the scanned tables only.
func TestScanConnectionPiiTimeLimit(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)
	pgURL := testdb.Postgres(t, "neosync_pii_many")
	execPG(t, pgURL, fmt.Sprintf(`CREATE SCHEMA many;
DO $$ BEGIN
  FOR i IN 1..%d LOOP
    EXECUTE format('CREATE TABLE many.%%I (id int PRIMARY KEY, email text)', 't' || lpad(i::text, 4, '0'));
    EXECUTE format('INSERT INTO many.%%I SELECT g, ''person'' || g || ''@example.org'' FROM generate_series(1, 3) g', 't' || lpad(i::text, 4, '0'));
  END LOOP;
END $$;`, manyTables))
	locked := []string{manyName(1001), manyName(1002), manyName(1003), manyName(1004)}
	lockTables(t, pgURL, locked)
	conn := createConnection(t, c, accountID, "pii-many", pgConfig(pgURL))
	scan := func(limit int32) *mgmt.ScanConnectionPiiResponse {
		t.Helper()
		resp, err := c.Data.ScanConnectionPii(apitest.Ctx(t), connect.NewRequest(&mgmt.ScanConnectionPiiRequest{
			ConnectionId: conn.GetId(), Schemas: []string{"many"}, SampleSize: 5, TimeLimitSeconds: limit}))
		if err != nil {
			t.Fatalf("ScanConnectionPii (time limit %ds): %v", limit, err)
		}
		return resp.Msg
	}

	// Each table once: scanned (with its email found) or not scanned.
	outcome := func(r *mgmt.ScanConnectionPiiResponse) (found, skipped map[string]string) {
		t.Helper()
		found, skipped = map[string]string{}, map[string]string{}
		for _, f := range r.GetFindings() {
			if f.GetColumn() != "email" || f.GetKind() != "email" || found[f.GetTable()] != "" {
				t.Fatalf("unexpected finding %v", f)
			}
			found[f.GetTable()] = f.GetKind()
		}
		for _, u := range r.GetTablesNotScanned() {
			if u.GetSchema() != "many" || found[u.GetTable()] != "" || skipped[u.GetTable()] != "" || u.GetReason() == "" {
				t.Fatalf("not scanned %v: listed twice, also scanned, or without a reason", u)
			}
			skipped[u.GetTable()] = u.GetReason()
		}
		if int(r.GetTablesScanned()) != len(found) || len(found)+len(skipped) != manyTables {
			t.Fatalf("%d tables scanned, %d findings, %d not scanned: want every one of %d tables accounted for once",
				r.GetTablesScanned(), len(found), len(skipped), manyTables)
		}
		if !slices.IsSortedFunc(r.GetTablesNotScanned(), func(a, b *mgmt.PiiUnscannedTable) int { return strings.Compare(a.GetTable(), b.GetTable()) }) {
			t.Errorf("tables not scanned are not in table order")
		}
		return found, skipped
	}

	found, skipped := outcome(scan(600))
	if len(skipped) != len(locked) || len(found) != manyTables-len(locked) {
		t.Errorf("long limit: %d scanned, not scanned %v; want all but the locked %v", len(found), skipped, locked)
	}
	for _, name := range locked {
		if !strings.Contains(skipped[name], "statement timeout") {
			t.Errorf("locked %s: reason %q, want the statement timeout", name, skipped[name])
		}
	}

	found, skipped = outcome(scan(1))
	for i := 1001; i <= manyTables; i++ {
		if reason := skipped[manyName(i)]; !strings.Contains(reason, "not sampled within the scan's time limit of 1s") {
			t.Fatalf("short limit: %s (at or after the locked tables) has reason %q, want the time limit", manyName(i), reason)
		}
	}
	t.Logf("short limit: %d tables scanned before the locked ones held the scan, %d not scanned", len(found), len(skipped))
}

// lockTables holds ACCESS EXCLUSIVE locks on many.<names> in another
// session until the test ends.
func lockTables(t *testing.T, url string, names []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = tx.Rollback(ctx)
		_ = conn.Close(ctx)
	})
	for _, n := range names {
		if _, err := tx.Exec(ctx, "LOCK TABLE many."+pgx.Identifier{n}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
	}
}
