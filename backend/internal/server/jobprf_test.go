package server_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestJobConsistentPRF checks the job option that versions consistent
// mode: a new job gets v2, replacing the source without naming a version
// keeps the job's, an owner opts in or out explicitly, and an unknown
// version is refused naming the field.
func TestJobConsistentPRF(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_prfsrc")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, "source", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "dest", pgConfig(testdb.Postgres(t, "neosync_prfdst")))
	withPRF := func(p mgmt.ConsistentPrf) *mgmt.JobSource {
		s := syncSource(src.GetId())
		s.GetSync().ConsistentPrf = p
		return s
	}
	created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "prf", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "stores", "email", "transform_email")},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id := created.Msg.GetJob().GetId()
	if got := created.Msg.GetJob().GetSource().GetSync().GetConsistentPrf(); got != mgmt.ConsistentPrf_CONSISTENT_PRF_V2 {
		t.Fatalf("a new job got %v, want v2", got)
	}
	for _, step := range []struct {
		send, want mgmt.ConsistentPrf
	}{
		{mgmt.ConsistentPrf_CONSISTENT_PRF_UNSPECIFIED, mgmt.ConsistentPrf_CONSISTENT_PRF_V2},
		{mgmt.ConsistentPrf_CONSISTENT_PRF_V1, mgmt.ConsistentPrf_CONSISTENT_PRF_V1},
		{mgmt.ConsistentPrf_CONSISTENT_PRF_UNSPECIFIED, mgmt.ConsistentPrf_CONSISTENT_PRF_V1},
		{mgmt.ConsistentPrf_CONSISTENT_PRF_V2, mgmt.ConsistentPrf_CONSISTENT_PRF_V2},
	} {
		upd, err := c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{
			Id: id, Source: withPRF(step.send), Mappings: created.Msg.GetJob().GetMappings(),
		}))
		if err != nil {
			t.Fatalf("UpdateJobSourceConnection(%v): %v", step.send, err)
		}
		if got := upd.Msg.GetJob().GetSource().GetSync().GetConsistentPrf(); got != step.want {
			t.Fatalf("after sending %v the job has %v, want %v", step.send, got, step.want)
		}
	}
	_, err = c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{
		Id: id, Source: withPRF(mgmt.ConsistentPrf(7)), Mappings: created.Msg.GetJob().GetMappings(),
	}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "source.sync.consistent_prf") {
		t.Fatalf("version 7: %v, want InvalidArgument naming source.sync.consistent_prf", err)
	}

	// The leak policy round-trips, and a threshold outside [0, 1] is
	// refused naming the field.
	src2 := withPRF(mgmt.ConsistentPrf_CONSISTENT_PRF_UNSPECIFIED)
	src2.GetSync().LeakPolicy = &mgmt.LeakPolicy{WarnRate: ptr(0.2), ReidentifiedFailRate: ptr(0.01)}
	upd, err := c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{Id: id, Source: src2, Mappings: created.Msg.GetJob().GetMappings()}))
	if err != nil {
		t.Fatal(err)
	}
	if p := upd.Msg.GetJob().GetSource().GetSync().GetLeakPolicy(); p.GetWarnRate() != 0.2 || p.FailRate != nil || p.GetReidentifiedFailRate() != 0.01 {
		t.Fatalf("leak policy came back as %v", p)
	}
	src2.GetSync().LeakPolicy = &mgmt.LeakPolicy{FailRate: ptr(2.0)}
	_, err = c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{Id: id, Source: src2, Mappings: created.Msg.GetJob().GetMappings()}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "source.sync.leak_policy") || !strings.Contains(err.Error(), "fail_rate") {
		t.Fatalf("fail_rate 2: %v, want InvalidArgument naming source.sync.leak_policy and fail_rate", err)
	}
}

// TestJobRangeRows checks the job's range size: it round-trips, reaches
// the plan the worker runs (GetJobPlan's JSON), unset leaves it to the
// worker, and a size outside 5,000..1,000,000,000 is refused naming the
// field.
func TestJobRangeRows(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_rangesrc")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, "source", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "dest", pgConfig(testdb.Postgres(t, "neosync_rangedst")))
	withRows := func(n *int64) *mgmt.JobSource {
		s := syncSource(src.GetId())
		s.GetSync().RangeRows = n
		return s
	}
	created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "ranges", Source: withRows(ptr(int64(250_000))),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "stores", "email", "transform_email")},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	id := created.Msg.GetJob().GetId()
	if got := created.Msg.GetJob().GetSource().GetSync().RangeRows; got == nil || *got != 250_000 {
		t.Fatalf("range_rows came back as %v, want 250000", got)
	}
	plan, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: id}))
	if err != nil {
		t.Fatalf("GetJobPlan: %v", err)
	}
	if got := plan.Msg.GetPlan().GetFields()["range_rows"].GetNumberValue(); got != 250_000 {
		t.Fatalf("the plan's range_rows is %v, want 250000", got)
	}
	for _, bad := range []int64{4_999, -1, 1_000_000_001} {
		_, err := c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{Id: id, Source: withRows(ptr(bad)), Mappings: created.Msg.GetJob().GetMappings()}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "source.sync.range_rows") {
			t.Fatalf("range_rows %d: %v, want InvalidArgument naming source.sync.range_rows", bad, err)
		}
	}
	upd, err := c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{Id: id, Source: withRows(nil), Mappings: created.Msg.GetJob().GetMappings()}))
	if err != nil {
		t.Fatal(err)
	}
	if got := upd.Msg.GetJob().GetSource().GetSync().RangeRows; got != nil {
		t.Fatalf("unset range_rows came back as %v", *got)
	}
	plan, err = c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: id}))
	if err != nil {
		t.Fatalf("GetJobPlan: %v", err)
	}
	if _, ok := plan.Msg.GetPlan().GetFields()["range_rows"]; ok {
		t.Fatalf("a job without range_rows has one in its plan: %v", plan.Msg.GetPlan().GetFields()["range_rows"])
	}
}
