package server_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

func s3Config(srv *tests3.Server, bucket, secret string) *mgmt.ConnectionConfig {
	return &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_AwsS3Config{AwsS3Config: &mgmt.AwsS3ConnectionConfig{
		Bucket: bucket, PathPrefix: ptr("exports"), Region: ptr(srv.Region), Endpoint: ptr(srv.Endpoint), ForcePathStyle: true,
		Credentials: &mgmt.AwsS3Credentials{AccessKeyId: ptr(srv.AccessKey), SecretAccessKey: ptr(secret)},
	}}}
}

// TestS3Connections saves, masks, checks and updates an S3 connection
// against a real S3-compatible server.
func TestS3Connections(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	bucket := srv.Bucket(t, "neosync-out")
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)

	check, err := c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigRequest{ConnectionConfig: s3Config(srv, bucket, srv.SecretKey)}))
	if err != nil || !check.Msg.GetIsConnected() {
		t.Fatalf("check of a good bucket: %v %v", check, err)
	}
	check, err = c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigRequest{ConnectionConfig: s3Config(srv, "missing-bucket", srv.SecretKey)}))
	if err != nil || check.Msg.GetIsConnected() || !strings.Contains(check.Msg.GetConnectionError(), `bucket "missing-bucket"`) {
		t.Fatalf("check of a missing bucket: %v %v", check, err)
	}
	wrong := canary + "-s3"
	check, err = c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigRequest{ConnectionConfig: s3Config(srv, bucket, wrong)}))
	if err != nil || check.Msg.GetIsConnected() || strings.Contains(check.Msg.GetConnectionError(), wrong) {
		t.Fatalf("check with a wrong secret: %v %v", check, err)
	}

	conn := createConnection(t, c, accountID, "exports", s3Config(srv, bucket, srv.SecretKey))
	for what, got := range map[string]*mgmt.Connection{"create": conn, "get": getConnection(t, c, conn.GetId())} {
		cr := got.GetConnectionConfig().GetAwsS3Config().GetCredentials()
		if cr.GetSecretAccessKey() != "********" || cr.GetAccessKeyId() != srv.AccessKey {
			t.Fatalf("%s: credentials = %v, want the secret masked and the key id shown", what, cr)
		}
	}
	byID, err := c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: conn.GetId()}))
	if err != nil || !byID.Msg.GetIsConnected() {
		t.Fatalf("check by id: %v %v", byID, err)
	}

	// The masked config sent back keeps the secret...
	masked := getConnection(t, c, conn.GetId()).GetConnectionConfig()
	if _, err := c.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: conn.GetId(), Name: "exports", ConnectionConfig: masked})); err != nil {
		t.Fatalf("update with the masked secret: %v", err)
	}
	byID, err = c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: conn.GetId()}))
	if err != nil || !byID.Msg.GetIsConnected() {
		t.Fatalf("check after a masked update: %v %v", byID, err)
	}
	// ...but not for another endpoint.
	masked.GetAwsS3Config().Endpoint = ptr("http://attacker.example:9000")
	_, err = c.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: conn.GetId(), Name: "exports", ConnectionConfig: masked}))
	wantCode(t, "masked secret to another endpoint", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "endpoint changed") {
		t.Fatalf("update error %q does not say the endpoint changed", err)
	}
}

// TestS3JobRoles refuses a bucket as a job's source and the database-only
// destination options on a bucket, naming the field.
func TestS3JobRoles(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	bucket := srv.Bucket(t, "roles")
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	pg := createConnection(t, c, accountID, "pg", pgConfig("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"))
	bkt := createConnection(t, c, accountID, "bucket", s3Config(srv, bucket, srv.SecretKey))
	for _, tc := range []struct {
		name  string
		req   *mgmt.CreateJobRequest
		field string
	}{
		{"bucket as source", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "from-bucket", Source: syncSource(bkt.GetId()),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: pg.GetId()}}}, "source.connection_id"},
		{"truncate on a bucket", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "truncate-bucket", Source: syncSource(pg.GetId()),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId(), Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true}}}}, "destinations[0].options.truncate_before_insert"},
		{"init schema on a bucket", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "init-bucket", Source: syncSource(pg.GetId()),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId(), Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}}}, "destinations[0].options.init_table_schema"},
		{"generation into a bucket", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "generate-bucket",
			Source: &mgmt.JobSource{Options: &mgmt.JobSource_Generate{Generate: &mgmt.GenerateSourceOptions{FkSourceConnectionId: pg.GetId(),
				Tables: []*mgmt.GenerateSourceTable{{Schema: "public", Table: "t", RowCount: 1}}}}},
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId()}}}, "destinations[0].connection_id"},
		{"import into a bucket", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "import-to-bucket", Source: importSource(bkt.GetId(), "nightly"),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId()}}}, "destinations[0].connection_id"},
		{"s3_import from a database", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "import-from-pg", Source: importSource(pg.GetId(), "nightly"),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId()}}}, "source.sync.s3_import"},
		{"import with mappings", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "import-mapped", Source: importSource(bkt.GetId(), "nightly"),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: pg.GetId()}},
			Mappings:     []*mgmt.JobMapping{{Schema: "public", Table: "t", Column: "c", Transformer: &mgmt.JobMappingTransformer{Source: "passthrough"}}}}, "mappings"},
		{"import of a bad job name", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "import-bad", Source: importSource(bkt.GetId(), "../x"),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: pg.GetId()}}}, "source.sync.s3_import.export_job_name"},
		{"formats on a database", &mgmt.CreateJobRequest{AccountId: accountID, JobName: "pg-formats", Source: syncSource(pg.GetId()),
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId()}, {ConnectionId: createConnection(t, c, accountID, "pg2", pgConfig("postgres://postgres@127.0.0.1:5432/template1?sslmode=disable")).GetId(),
				Options: &mgmt.JobDestinationOptions{ExportCompression: "zstd"}}}}, "destinations[1].options.export_compression"},
	} {
		_, err := c.Jobs.CreateJob(ctx, connect.NewRequest(tc.req))
		wantCode(t, tc.name, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %q does not name %s", tc.name, err, tc.field)
		}
	}
	if _, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: accountID, JobName: "to-bucket", Source: syncSource(pg.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bkt.GetId(), Options: &mgmt.JobDestinationOptions{ExportFormats: []string{"parquet"}, ExportCompression: "gzip"}}}})); err != nil {
		t.Fatalf("a bucket as a plain destination: %v", err)
	}
	imp, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: accountID, JobName: "from-bucket-ok", Source: importSource(bkt.GetId(), "to-bucket"),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: pg.GetId(), Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true}}}}))
	if err != nil {
		t.Fatalf("an import job: %v", err)
	}
	if got := imp.Msg.GetJob().GetSource().GetSync().GetS3Import(); got.GetExportJobName() != "to-bucket" || got.RunId != nil {
		t.Errorf("the saved import reads %v", got)
	}
}

// importSource is a sync source that imports job's latest export.
func importSource(connID, job string) *mgmt.JobSource {
	return &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: connID, S3Import: &mgmt.S3ImportOptions{ExportJobName: job}}}}
}

func getConnection(t *testing.T, c apitest.Clients, id string) *mgmt.Connection {
	t.Helper()
	resp, err := c.Connections.GetConnection(apitest.Ctx(t), connect.NewRequest(&mgmt.GetConnectionRequest{Id: id}))
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	return resp.Msg.GetConnection()
}
