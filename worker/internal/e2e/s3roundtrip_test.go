package e2e_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aws/aws-sdk-go-v2/aws"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

// TestS3RoundTrip: database → S3 → database on the real platform. An
// export job writes the source (transformed) to a real S3-compatible
// server as gzip Parquet only (a per-job format choice) and, in the same
// run, straight into a database; an import job whose source is the bucket
// reads the latest export back into a second database. Every table then
// has the same row count and the same checksum in the imported database
// as in the directly copied one, so typed Parquet values (bigint, numeric,
// timestamptz, text, NULL) survive the trip. The API refuses an S3 source
// without an export to read and export options on a database.
func TestS3RoundTrip(t *testing.T) {
	t.Parallel()
	s := startStack(t, "NEOSYNC_CONNECTION_ALLOW=127.0.0.1")
	s.startWorker(t)
	ctx := testCtx(t, 8*time.Minute)
	src := newDatabase(t, "neosync_e2e_rtsrc")
	execSQL(t, src, sourceSchema)
	var schemaOnly []string
	for _, line := range strings.Split(sourceSchema, "\n") {
		if strings.HasPrefix(line, "CREATE") {
			schemaOnly = append(schemaOnly, line)
		}
	}
	direct := newDatabase(t, "neosync_e2e_rtdirect")
	imported := newDatabase(t, "neosync_e2e_rtimport")
	execSQL(t, direct, strings.Join(schemaOnly, "\n"))
	execSQL(t, imported, strings.Join(schemaOnly, "\n"))

	srv := tests3.Start(t)
	bucket := srv.Bucket(t, "neosync-roundtrip")
	conn, err := s.c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: s.accountID, Name: "bucket",
		ConnectionConfig: &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_AwsS3Config{AwsS3Config: &mgmt.AwsS3ConnectionConfig{
			Bucket: bucket, PathPrefix: aws.String("rt"), Region: aws.String(srv.Region), Endpoint: aws.String(srv.Endpoint), ForcePathStyle: true,
			Credentials: &mgmt.AwsS3Credentials{AccessKeyId: aws.String(srv.AccessKey), SecretAccessKey: aws.String(srv.SecretKey)},
		}}}}))
	if err != nil {
		t.Fatalf("CreateConnection(bucket): %v", err)
	}
	bucketID := conn.Msg.GetConnection().GetId()
	srcID, directID, importedID := s.connection(t, "src", src), s.connection(t, "direct", direct), s.connection(t, "imported", imported)

	// Export options on a database destination are refused, naming the field.
	_, err = s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: s.accountID, JobName: "bad-formats",
		Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: srcID}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: directID, Options: &mgmt.JobDestinationOptions{ExportFormats: []string{"parquet"}}}},
		Mappings:     allMappings()}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "export_formats") {
		t.Fatalf("export_formats on a database: %v, want InvalidArgument naming export_formats", err)
	}
	_, err = s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: s.accountID, JobName: "bad-codec",
		Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: srcID}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: bucketID, Options: &mgmt.JobDestinationOptions{ExportCompression: "lz4"}}},
		Mappings:     allMappings()}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "export_compression") {
		t.Fatalf("an unknown codec: %v, want InvalidArgument naming export_compression", err)
	}
	// A bucket as a source needs the export to read.
	_, err = s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: s.accountID, JobName: "bad-import",
		Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: bucketID}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: importedID}}}))
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "s3_import") {
		t.Fatalf("S3 source without s3_import: %v, want InvalidArgument naming s3_import", err)
	}

	export, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: s.accountID, JobName: "rt-export",
		Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: srcID}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: bucketID, Options: &mgmt.JobDestinationOptions{BatchSize: 1500, ExportFormats: []string{"parquet"}, ExportCompression: "gzip"}},
			{ConnectionId: directID},
		},
		Mappings: allMappings()}))
	if err != nil {
		t.Fatalf("CreateJob(export): %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: export.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun(export): %v", err)
	}
	exportRun := s.waitRun(t, run.Msg.GetJobRun().GetId(), 4*time.Minute, final)
	if exportRun.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("export run ended %v: %s", exportRun.GetStatus(), exportRun.GetError())
	}
	r, err := objectstore.OpenExport(ctx, objectstore.Config{Bucket: bucket, Prefix: "rt", Region: srv.Region, Endpoint: srv.Endpoint, ForcePathStyle: true,
		AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}, nil, "rt-export", exportRun.GetId())
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range r.Manifest.Tables {
		for _, f := range tm.Files {
			if f.Format != objectstore.FormatParquet {
				t.Fatalf("the export holds %s although the job chose Parquet only", f.Key)
			}
		}
	}

	// The import job: no mappings, the latest export of rt-export.
	imp, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{AccountId: s.accountID, JobName: "rt-import",
		Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: bucketID,
			S3Import: &mgmt.S3ImportOptions{ExportJobName: "rt-export"}}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: importedID, Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true}}}}))
	if err != nil {
		t.Fatalf("CreateJob(import): %v", err)
	}
	if got := imp.Msg.GetJob().GetSource().GetSync().GetS3Import().GetExportJobName(); got != "rt-export" {
		t.Fatalf("the saved job's s3_import names %q", got)
	}
	run, err = s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: imp.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun(import): %v", err)
	}
	importRun := s.waitRun(t, run.Msg.GetJobRun().GetId(), 4*time.Minute, final)
	if importRun.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("import run ended %v: %s", importRun.GetStatus(), importRun.GetError())
	}
	if summary, _ := importRun.GetReport().AsMap()["summary"].(string); !strings.Contains(summary, ": OK") || !strings.Contains(summary, "source 5000, destination 5000") {
		t.Errorf("import report: %q", summary)
	}
	want := map[string]int64{"customers": 2000, "employees": 3, "orders": 5000, "audit_log": 300}
	for _, tp := range importRun.GetTables() {
		if tp.GetState() != "complete" || tp.GetRowsDone() != want[tp.GetTable()] {
			t.Errorf("import table progress %s: %v", tp.GetTable(), tp)
		}
	}
	for table, n := range want {
		sum := "SELECT coalesce(('x' || substr(md5(string_agg(t::text, ';' ORDER BY t::text)), 1, 15))::bit(60)::bigint, 0) FROM " + table + " t"
		if got := queryInt(t, imported, "SELECT count(*) FROM "+table); got != n {
			t.Errorf("imported %s has %d rows, want %d", table, got, n)
		}
		if a, b := queryInt(t, imported, sum), queryInt(t, direct, sum); a != b {
			t.Errorf("%s: checksum of the imported copy %d ≠ the direct copy's %d", table, a, b)
		}
	}
	if n := queryInt(t, imported, "SELECT count(*) FROM customers WHERE email LIKE 'user%'"); n != 0 {
		t.Errorf("%d imported customers keep their source email", n)
	}
}
