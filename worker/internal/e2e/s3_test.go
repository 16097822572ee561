package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/parquet-go/parquet-go"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

// TestSyncToS3: a sync job whose destination is an S3 bucket (a real
// versitygw) runs through the API, Temporal and the worker; the bucket
// then holds, under <prefix>/<job>/<run id>/, a manifest whose row counts
// equal the source's, part files whose checksums match it, and Parquet
// files the library reads back with the transformed columns transformed.
func TestSyncToS3(t *testing.T) {
	t.Parallel()
	// The API denies loopback in apikey mode; the S3 server is on loopback.
	s := startStack(t, "NEOSYNC_CONNECTION_ALLOW=127.0.0.1")
	s.startWorker(t)
	ctx := testCtx(t, 5*time.Minute)
	src := newDatabase(t, "neosync_e2e_s3src")
	execSQL(t, src, sourceSchema)
	srv := tests3.Start(t)
	bucket := srv.Bucket(t, "neosync-exports")
	s3cfg := objectstore.Config{Bucket: bucket, Prefix: "nightly", Region: srv.Region, Endpoint: srv.Endpoint, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	conn, err := s.c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: s.accountID, Name: "bucket",
		ConnectionConfig: &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_AwsS3Config{AwsS3Config: &mgmt.AwsS3ConnectionConfig{
			Bucket: bucket, PathPrefix: aws.String("nightly"), Region: aws.String(srv.Region), Endpoint: aws.String(srv.Endpoint), ForcePathStyle: true,
			Credentials: &mgmt.AwsS3Credentials{AccessKeyId: aws.String(srv.AccessKey), SecretAccessKey: aws.String(srv.SecretKey)},
		}}}}))
	if err != nil {
		t.Fatalf("CreateConnection(bucket): %v", err)
	}
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "to-s3",
		Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: conn.Msg.GetConnection().GetId(), Options: &mgmt.JobDestinationOptions{BatchSize: 1500}}},
		Mappings:     allMappings(),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", r.GetStatus(), r.GetError())
	}
	want := map[string]int64{"customers": 2000, "employees": 3, "orders": 5000, "audit_log": 300}
	for _, tp := range r.GetTables() {
		if tp.GetState() != "complete" || tp.GetRowsDone() != want[tp.GetTable()] {
			t.Errorf("table progress %s: %v", tp.GetTable(), tp)
		}
	}
	// The report compares the source's rows with the manifest's.
	if summary, _ := r.GetReport().AsMap()["summary"].(string); !strings.Contains(summary, "Verification of bucket: OK") || !strings.Contains(summary, "source 5000, destination 5000") {
		t.Errorf("run report: %q", summary)
	}

	client, err := s3cfg.Client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := "nightly/to-s3/" + r.GetId()
	var m objectstore.Manifest
	if err := json.Unmarshal(getObject(t, client, bucket, base+"/manifest.json"), &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(m.Tables) != len(want) {
		t.Fatalf("manifest lists %d tables, want %d", len(m.Tables), len(want))
	}
	for _, tm := range m.Tables {
		if tm.Rows != want[tm.Table] {
			t.Errorf("manifest: %s has %d rows, want %d", tm.Table, tm.Rows, want[tm.Table])
		}
		var parquetRows int64
		for _, f := range tm.Files {
			if !strings.HasPrefix(f.Key, base+"/public."+tm.Table+"/part-") {
				t.Errorf("file %s is not under the table's folder", f.Key)
			}
			if f.Format != objectstore.FormatParquet {
				continue
			}
			rows := readParquet(t, getObject(t, client, bucket, f.Key))
			parquetRows += int64(len(rows))
			if tm.Table != "customers" {
				continue
			}
			for _, row := range rows {
				email, _ := row["email"].(string)
				name, _ := row["full_name"].(string)
				if strings.HasPrefix(email, "user") || strings.HasPrefix(name, "Customer ") || !strings.HasSuffix(email, "@example.com") {
					t.Fatalf("customer %v: email %q / name %q not transformed (or the domain was lost)", row["id"], email, name)
				}
			}
		}
		if parquetRows != want[tm.Table] {
			t.Errorf("Parquet files of %s hold %d rows, want %d", tm.Table, parquetRows, want[tm.Table])
		}
	}
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readParquet(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("parquet: %v", err)
	}
	r := parquet.NewReader(f)
	defer r.Close()
	var rows []map[string]any
	for {
		row := map[string]any{}
		if err := r.Read(&row); err == io.EOF {
			return rows
		} else if err != nil {
			t.Fatalf("parquet read: %v", err)
		}
		rows = append(rows, row)
	}
}
