package server_test

import (
	"net/url"
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestJobsStayWithinOneDatabaseKind: a job copies or generates between
// databases of one kind. A PostgreSQL source (or a generate job's schema
// connection) with a MySQL/MariaDB destination — or the other way round —
// is refused when the job is created, when a destination is added or
// changed, and when the source is changed, naming both kinds; so is a
// generate job whose destination is its own schema connection. Before,
// the API saved such jobs and their runs failed: a generate run with a
// SQL syntax error from the destination.
func TestJobsStayWithinOneDatabaseKind(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	const ddl = `CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);`
	pgURL, pgURL2 := testdb.Postgres(t, "neosync_xkind_pg"), testdb.Postgres(t, "neosync_xkind_pg2")
	execPG(t, pgURL, ddl)
	execPG(t, pgURL2, ddl)
	myURL, my := testdb.MySQL(t, "neosync_xkind_my")
	if _, err := my.ExecContext(ctx, `CREATE TABLE customers (id int PRIMARY KEY, email varchar(100) NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(myURL)
	if err != nil {
		t.Fatal(err)
	}
	myDB := strings.TrimPrefix(u.Path, "/")
	pg := createConnection(t, c, accountID, "pg", pgConfig(pgURL)).GetId()
	pg2 := createConnection(t, c, accountID, "pg2", pgConfig(pgURL2)).GetId()
	maria := createConnection(t, c, accountID, "maria", mysqlConfig(myURL)).GetId()
	sync := func(src string) *mgmt.JobSource {
		return &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: src}}}
	}
	generate := func(schemaConn, schema string) *mgmt.JobSource {
		return &mgmt.JobSource{Options: &mgmt.JobSource_Generate{Generate: &mgmt.GenerateSourceOptions{FkSourceConnectionId: schemaConn,
			Tables: []*mgmt.GenerateSourceTable{{Schema: schema, Table: "customers", RowCount: 10}}}}}
	}
	mappings := func(schema string) []*mgmt.JobMapping {
		return []*mgmt.JobMapping{
			{Schema: schema, Table: "customers", Column: "id", Transformer: &mgmt.JobMappingTransformer{Source: "passthrough"}},
			{Schema: schema, Table: "customers", Column: "email", Transformer: &mgmt.JobMappingTransformer{Source: "transform_email"}},
		}
	}
	refused := func(what string, err error, want ...string) {
		t.Helper()
		wantCode(t, what, err, connect.CodeInvalidArgument)
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v; want a message naming %q", what, err, w)
			}
		}
	}
	kinds := []string{"MySQL/MariaDB", "PostgreSQL"}
	for _, tc := range []struct {
		name     string
		source   *mgmt.JobSource
		mappings []*mgmt.JobMapping
		dst      string
		want     []string
	}{
		{"sync postgres into mariadb", sync(pg), mappings("public"), maria, append([]string{"the source is PostgreSQL"}, kinds...)},
		{"sync mariadb into postgres", sync(maria), mappings(myDB), pg, append([]string{"the source is MySQL/MariaDB"}, kinds...)},
		{"generate from a postgres schema into mariadb", generate(pg, "public"), nil, maria, append([]string{"schema connection is PostgreSQL"}, kinds...)},
		{"generate from a mariadb schema into postgres", generate(maria, myDB), nil, pg, append([]string{"schema connection is MySQL/MariaDB"}, kinds...)},
		{"generate into its schema connection", generate(pg, "public"), nil, pg, []string{"must differ from the schema connection"}},
	} {
		_, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
			AccountId: accountID, JobName: strings.ReplaceAll(tc.name, " ", "-"), Source: tc.source, Mappings: tc.mappings,
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: tc.dst}},
		}))
		refused(tc.name, err, tc.want...)
	}

	// A PostgreSQL job may not gain a MariaDB destination, nor have its
	// destination or its source switched to the other kind.
	job, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "pg-to-pg", Source: sync(pg), Mappings: mappings("public"),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: pg2}},
	}))
	if err != nil {
		t.Fatalf("CreateJob postgres into postgres: %v", err)
	}
	j := job.Msg.GetJob()
	_, err = c.Jobs.CreateJobDestinationConnections(ctx, connect.NewRequest(&mgmt.CreateJobDestinationConnectionsRequest{
		JobId: j.GetId(), Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: maria}},
	}))
	refused("adding a MariaDB destination", err, kinds...)
	_, err = c.Jobs.UpdateJobDestinationConnection(ctx, connect.NewRequest(&mgmt.UpdateJobDestinationConnectionRequest{
		JobId: j.GetId(), DestinationId: j.GetDestinations()[0].GetId(), ConnectionId: maria, Options: &mgmt.JobDestinationOptions{},
	}))
	refused("switching the destination to MariaDB", err, kinds...)
	_, err = c.Jobs.UpdateJobSourceConnection(ctx, connect.NewRequest(&mgmt.UpdateJobSourceConnectionRequest{
		Id: j.GetId(), Source: sync(maria), Mappings: mappings(myDB),
	}))
	refused("switching the source to MariaDB", err, kinds...)
	got, err := c.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: j.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Msg.GetJob().GetDestinations()); n != 1 || got.Msg.GetJob().GetDestinations()[0].GetConnectionId() != pg2 || got.Msg.GetJob().GetSource().GetSync().GetConnectionId() != pg {
		t.Errorf("the refused changes were saved: %v", got.Msg.GetJob())
	}
}
