package e2e_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestCompositeKeyRangesOnTwoWorkers is TestKeyRangesOnTwoWorkers on a
// table whose key is composite, (tenant int, code text) with few tenants,
// and whose range size is the job's (source.sync.range_rows), not the
// workers' (their NEOSYNC_RANGE_ROWS is the default, 1,000,000, under
// which the table would not be split): 8 key ranges whose bounds the
// source picked, one worker killed -9 mid-range, exact row count, no
// duplicate key, the passthrough checksum equal to the source's and the
// transformed one equal across the two destinations.
func TestCompositeKeyRangesOnTwoWorkers(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	src := newDatabase(t, "neosync_e2e_crange_src")
	execSQL(t, src, `CREATE TABLE big (tenant int, code text, email text NOT NULL, name text NOT NULL, PRIMARY KEY (tenant, code));
INSERT INTO big SELECT g % 3, md5(g::text), 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 600000) g;
ANALYZE big;`)
	dst1, dst2 := newDatabase(t, "neosync_e2e_crange_dst1"), newDatabase(t, "neosync_e2e_crange_dst2")
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "composite-ranges",
		Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{
			ConnectionId: s.connection(t, "crange-src", src), RangeRows: ptr(int64(rangeSize))}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.connection(t, "crange-dst1", dst1), Options: owned},
			{ConnectionId: s.connection(t, "crange-dst2", dst2), Options: owned},
		},
		Mappings: []*mgmt.JobMapping{
			mapping("big", "tenant", "passthrough", nil),
			mapping("big", "code", "passthrough", nil),
			mapping("big", "email", "transform_email", nil),
			mapping("big", "name", "passthrough", nil),
		},
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	// The range of the 5,001st key in key order waits there in dst1, two
	// batches in.
	// Its row was generated from g: (g % 3, md5(g), 'user' || g || …).
	g := queryInt(t, src, `SELECT substring(email from 'user(\d+)@')::bigint FROM big ORDER BY tenant, code OFFSET 5000 LIMIT 1`)
	hold := newRowHoldWhere(t, dst1, "big", fmt.Sprintf("NEW.tenant = %d AND NEW.code = md5('%d')", g%3, g))
	done := runKillingOneRange(t, s, tc, job.Msg.GetJob().GetId(), hold)
	rangeCopies{
		query: func(db, q string) int64 { return queryInt(t, db, q) },
		sum: func(cols string) string {
			return "SELECT ('x' || substr(md5(string_agg(" + cols + ", ';' ORDER BY tenant, code)), 1, 15))::bit(60)::bigint FROM big"
		},
		distinct:    "count(DISTINCT (tenant, code))",
		passthrough: "tenant || ',' || code || ',' || name",
		transformed: "code || ',' || email",
	}.check(t, src, dst1, dst2)
	checkRangeProgress(t, s, done, 8)
}

// TestMySQLTextKeyRangesOnTwoWorkers is TestCompositeKeyRangesOnTwoWorkers
// on MariaDB with a text key under a case-insensitive collation, whose
// order ("a…" and "B…" interleaved) is not its bytes': the job's
// range_rows splits it at keys MariaDB picks, one worker is killed -9
// mid-range, and the destinations end with exactly the source's rows.
func TestMySQLTextKeyRangesOnTwoWorkers(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	srcURL, _ := testdb.MySQL(t, "neosync_e2e_trange_src")
	srv := openMariaServer(t, srcURL)
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	srv.exec(t, src, "CREATE TABLE big (code varchar(40) COLLATE utf8mb4_general_ci PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100) NOT NULL)",
		"INSERT INTO big SELECT CONCAT(IF(seq % 2 = 0, 'a', 'B'), LPAD(seq, 7, '0')), CONCAT('user', seq, '@example.com'), CONCAT('User ', seq) FROM seq_1_to_600000",
		"ANALYZE TABLE big")
	dst1, dst2 := srv.database(t, "neosync_e2e_trange_dst1"), srv.database(t, "neosync_e2e_trange_dst2")
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}
	m := func(col, source string) *mgmt.JobMapping {
		return &mgmt.JobMapping{Schema: src, Table: "big", Column: col, Transformer: &mgmt.JobMappingTransformer{Source: source}}
	}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "mysql-text-ranges",
		Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{
			ConnectionId: s.mysqlConnection(t, "trange-src", srcURL), RangeRows: ptr(int64(rangeSize))}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.mysqlConnection(t, "trange-dst1", srv.url(dst1)), Options: owned},
			{ConnectionId: s.mysqlConnection(t, "trange-dst2", srv.url(dst2)), Options: owned},
		},
		Mappings:    []*mgmt.JobMapping{m("code", "passthrough"), m("email", "transform_email"), m("name", "passthrough")},
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	// dst1's table, created here (init_table_schema keeps it), waits at
	// the 5,001st key in key order, two batches into its range.
	qsrc, _ := sqlschema.QuoteMySQLIdentifier(src)
	var code string
	if err := srv.admin.QueryRowContext(testCtx(t, time.Minute), "SELECT code FROM "+qsrc+".big ORDER BY code LIMIT 1 OFFSET 5000").Scan(&code); err != nil {
		t.Fatal(err)
	}
	srv.exec(t, dst1, "CREATE TABLE big LIKE "+qsrc+".big")
	hold := newMariaHold(t, srv, dst1, "big", "NEW.code = '"+code+"'")
	done := runKillingOneRange(t, s, tc, job.Msg.GetJob().GetId(), hold)
	mysqlRangeCopies(t, srv, "code", "COUNT(DISTINCT CAST(code AS BINARY))").check(t, src, dst1, dst2)
	// MariaDB's row estimate decides the number of ranges (rows/range_rows,
	// rounded up): about 8.
	var n int32
	for _, tb := range done.GetTables() {
		if tb.GetTable() == "big" {
			n = tb.GetRangesTotal()
		}
	}
	if n < 6 || n > 10 {
		t.Fatalf("big was copied in %d ranges, want about 8", n)
	}
	checkRangeProgress(t, s, done, n)
}
