package server_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestJobPlanChecksDestinations asks for the plan of a job that maps only
// customers, whose orders and notes reference it, into a destination that
// truncates and into a second connection to the source database itself:
// the plan says, before anything runs, that the run will be refused and
// why, naming the tables; with truncate_cascade it names the tables the
// truncate will empty outside the job.
func TestJobPlanChecksDestinations(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	const ddl = `CREATE TABLE customers (id int PRIMARY KEY, name text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id));
CREATE TABLE notes (id int PRIMARY KEY, order_id int REFERENCES orders (id));
INSERT INTO customers VALUES (1, 'a'); INSERT INTO orders VALUES (1, 1); INSERT INTO notes VALUES (1, 1);`
	srcURL, dstURL := testdb.Postgres(t, "neosync_plansrc"), testdb.Postgres(t, "neosync_plandst")
	execPG(t, srcURL, ddl)
	execPG(t, dstURL, ddl)
	src := createConnection(t, c, accountID, "prod", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "staging", pgConfig(dstURL))
	again := createConnection(t, c, accountID, "prod-again", pgConfig(strings.Replace(srcURL, "127.0.0.1", "localhost", 1)))
	truncate := &mgmt.JobDestinationOptions{TruncateBeforeInsert: true}
	created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "customers-only", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId(), Options: truncate}, {ConnectionId: again.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("public", "customers", "id", "passthrough"), mapping("public", "customers", "name", "passthrough")},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	job := created.Msg.GetJob()
	warnings := func() string {
		t.Helper()
		plan, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: job.GetId()}))
		if err != nil {
			t.Fatalf("GetJobPlan: %v", err)
		}
		for _, w := range plan.Msg.GetWarnings() {
			if !strings.Contains(plan.Msg.GetText(), w) {
				t.Fatalf("plan text does not show warning %q:\n%s", w, plan.Msg.GetText())
			}
			if strings.Contains(w, "(as the source has them)") || strings.Contains(w, "in the source:") {
				t.Errorf("the destination was checked, yet the plan still guesses from the source: %q", w)
			}
		}
		return strings.Join(plan.Msg.GetWarnings(), "\n")
	}
	w := warnings()
	for _, want := range []string{
		"the run will be refused: truncate: tables outside the job reference the truncated tables of destination staging: public.orders (foreign key orders_customer_id_fkey to public.customers), public.notes (foreign key notes_order_id_fkey to public.orders); set truncate_cascade",
		"the run will be refused: sqlsync: destination prod-again is the source itself",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("plan warnings lack %q:\n%s", want, w)
		}
	}

	truncate.TruncateCascade = true
	created, err = c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "customers-cascade", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId(), Options: truncate}},
		Mappings:     []*mgmt.JobMapping{mapping("public", "customers", "id", "passthrough"), mapping("public", "customers", "name", "passthrough")},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	job = created.Msg.GetJob()
	if w := warnings(); !strings.Contains(w, "destination staging: truncate_cascade will empty 2 tables outside the job in the destination: public.orders") {
		t.Errorf("plan warnings do not name what truncate_cascade empties:\n%s", w)
	}
}

// TestJobPlanChecksGenerateDestinations: a generate job's plan looks at
// its destinations as its run's first step will — a second connection to
// the schema's own database, and a destination whose tables hold rows
// without truncate_before_insert (also when init schema would create
// another of its tables), are said to be refused; an empty destination
// has nothing to say.
func TestJobPlanChecksGenerateDestinations(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	const ddl = `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id));`
	srcURL, fullURL, emptyURL := testdb.Postgres(t, "neosync_genplan_src"), testdb.Postgres(t, "neosync_genplan_full"), testdb.Postgres(t, "neosync_genplan_empty")
	execPG(t, srcURL, ddl+" INSERT INTO customers VALUES (1, 'real');")
	execPG(t, fullURL, ddl+" INSERT INTO customers VALUES (1, 'kept'); INSERT INTO orders VALUES (1, 1);")
	execPG(t, emptyURL, ddl)
	src := createConnection(t, c, accountID, "prod", pgConfig(srcURL))
	full := createConnection(t, c, accountID, "staging", pgConfig(fullURL))
	empty := createConnection(t, c, accountID, "fresh", pgConfig(emptyURL))
	again := createConnection(t, c, accountID, "prod-again", pgConfig(strings.Replace(srcURL, "127.0.0.1", "localhost", 1)))
	plan := func(dsts ...*mgmt.JobDestinationCreate) string {
		t.Helper()
		created, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
			AccountId: accountID, JobName: "gen-" + dsts[0].GetConnectionId()[:8],
			Source: &mgmt.JobSource{Options: &mgmt.JobSource_Generate{Generate: &mgmt.GenerateSourceOptions{FkSourceConnectionId: src.GetId(), Tables: []*mgmt.GenerateSourceTable{
				{Schema: "public", Table: "customers", RowCount: 10}, {Schema: "public", Table: "orders", RowCount: 20},
			}}}},
			Destinations: dsts,
		}))
		if err != nil {
			t.Fatalf("CreateJob: %v", err)
		}
		p, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmt.GetJobPlanRequest{Id: created.Msg.GetJob().GetId()}))
		if err != nil {
			t.Fatalf("GetJobPlan: %v", err)
		}
		return strings.Join(p.Msg.GetWarnings(), "\n")
	}
	w := plan(&mgmt.JobDestinationCreate{ConnectionId: full.GetId()}, &mgmt.JobDestinationCreate{ConnectionId: again.GetId(), Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true, TruncateCascade: true}})
	for _, want := range []string{
		"the run will be refused: destination staging: table public.customers already holds rows (and 1 more of the job's tables), and generating replaces a table's rows",
		"the run will be refused: destination prod-again reaches the schema connection's own database",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("plan warnings lack %q:\n%s", want, w)
		}
	}
	// Init schema would create orders, which is missing; customers holds
	// a row, so the run will still be refused.
	partialURL := testdb.Postgres(t, "neosync_genplan_partial")
	execPG(t, partialURL, "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL); INSERT INTO customers VALUES (1, 'kept');")
	partial := createConnection(t, c, accountID, "partial", pgConfig(partialURL))
	if w := plan(&mgmt.JobDestinationCreate{ConnectionId: partial.GetId(), Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}); !strings.Contains(w, "the run will be refused: destination partial: table public.customers already holds rows, and") {
		t.Errorf("a destination missing one table and holding rows in another is not said to be refused:\n%s", w)
	}
	if w := plan(&mgmt.JobDestinationCreate{ConnectionId: empty.GetId()}, &mgmt.JobDestinationCreate{ConnectionId: full.GetId(), Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true, TruncateCascade: true}}); strings.Contains(w, "refused") {
		t.Errorf("an empty destination and one that truncates are refused:\n%s", w)
	}
}
