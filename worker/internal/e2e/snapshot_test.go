package e2e_test

import (
	"context"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestLiveSourceCopiedAsOfOneMoment runs a job over a parent and a child
// table while an application keeps inserting a parent row with a child
// row referencing it. The tables used to be read each in its own
// snapshot, the child after the parent, so the copy held children of
// parents it had not copied and Finalize could not build the foreign key.
// StartRun now exports one snapshot of the source that every copy
// imports: the run completes with the key built and no orphan, and the
// snapshot's session is gone from the source once the run is over.
func TestLiveSourceCopiedAsOfOneMoment(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	ctx := testCtx(t, 5*time.Minute)
	src := newDatabase(t, "neosync_e2e_live_src")
	execSQL(t, src, `CREATE TABLE public.parents (id bigint PRIMARY KEY, v text);
		CREATE TABLE public.children (id bigserial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES public.parents (id), v text);
		INSERT INTO public.parents SELECT g, repeat('x', 50) FROM generate_series(1, 200000) g;
		INSERT INTO public.children (parent_id, v) SELECT g, 'y' FROM generate_series(1, 200000) g`)
	dst := newDatabase(t, "neosync_e2e_live_dst")
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "e2e-live", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings: []*mgmt.JobMapping{mapping("parents", "id", "passthrough", nil), mapping("parents", "v", "passthrough", nil),
			mapping("children", "id", "passthrough", nil), mapping("children", "parent_id", "passthrough", nil), mapping("children", "v", "passthrough", nil)},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	app, err := pgx.Connect(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(context.Background())
	writing, stop := context.WithCancel(ctx)
	inserted := make(chan int)
	go func() {
		n := 0
		for id := int64(1_000_000); writing.Err() == nil; id++ {
			if _, err := app.Exec(writing, `WITH p AS (INSERT INTO public.parents VALUES ($1, 'new') RETURNING id)
				INSERT INTO public.children (parent_id, v) SELECT id, 'new' FROM p`, id); err == nil {
				n++
			}
			time.Sleep(time.Millisecond)
		}
		inserted <- n
	}()
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	stop()
	n := <-inserted
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run with %d parent and child rows inserted during it ended %v: %s", n, r.GetStatus(), r.GetError())
	}
	if n == 0 {
		t.Fatal("no row was inserted during the run: the test proves nothing")
	}
	if orphans := queryInt(t, dst, `SELECT count(*) FROM public.children c WHERE NOT EXISTS (SELECT 1 FROM public.parents p WHERE p.id = c.parent_id)`); orphans != 0 {
		t.Fatalf("%d children without their parent in the destination", orphans)
	}
	if fks := queryInt(t, dst, `SELECT count(*) FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conrelid = 'public.children'::regclass`); fks != 1 {
		t.Fatalf("%d foreign keys on the destination's children, want 1", fks)
	}
	held := func() int64 {
		return queryInt(t, src, `SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE application_name LIKE 'neosync:snapshot:%' AND datname = pg_catalog.current_database()`)
	}
	// FinishRun ran on this worker, which held the snapshot: it is
	// released with the run.
	for deadline := time.Now().Add(30 * time.Second); held() != 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the run's snapshot is still held on the source after the run")
		}
	}
	t.Logf("%d parent and child rows inserted during the run", n)
}
