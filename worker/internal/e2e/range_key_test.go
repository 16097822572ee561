package e2e_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
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
	done := runKillingOneRange(t, s, tc, job.Msg.GetJob().GetId())
	sum := func(cols string) string {
		return "SELECT ('x' || substr(md5(string_agg(" + cols + ", ';' ORDER BY tenant, code)), 1, 15))::bit(60)::bigint FROM big"
	}
	for _, dst := range []string{dst1, dst2} {
		if got := queryInt(t, dst, "SELECT count(*) FROM big"); got != rangeRows {
			t.Errorf("destination has %d rows, want %d", got, rangeRows)
		}
		if got := queryInt(t, dst, "SELECT count(*) - count(DISTINCT (tenant, code)) FROM big"); got != 0 {
			t.Errorf("destination has %d duplicate keys", got)
		}
		if got, want := queryInt(t, dst, sum("tenant || ',' || code || ',' || name")), queryInt(t, src, sum("tenant || ',' || code || ',' || name")); got != want {
			t.Errorf("passthrough checksum %d, source %d", got, want)
		}
		if got := queryInt(t, dst, "SELECT count(*) FROM big WHERE email LIKE 'user%@example.com'"); got != 0 {
			t.Errorf("%d emails were not transformed", got)
		}
	}
	if got, want := queryInt(t, dst1, sum("code || ',' || email")), queryInt(t, dst2, sum("code || ',' || email")); got != want {
		t.Errorf("transformed checksum: killed destination %d, other %d", got, want)
	}
	checkRangeProgress(t, s, done, 8)
}
