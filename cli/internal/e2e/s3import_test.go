package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/s3sync"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

const importSchema = `CREATE TABLE teams (id int PRIMARY KEY, name text NOT NULL, created timestamptz, budget numeric(14,4), logo bytea);
CREATE TABLE members (id bigint PRIMARY KEY, team_id int NOT NULL REFERENCES teams (id), email text, score double precision, active boolean);`

// TestSyncFromS3Export: `neosync sync --s3-export-job` imports an export
// (written from a real Postgres into a real S3-compatible server as typed
// Parquet only) into a local database, reading the bucket with AWS_*
// credentials and no API: every row equals the source's (checksums of each
// table), the latest export is found without a run id, and a part file
// changed after the export fails the import naming it.
func TestSyncFromS3Export(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t, 5*time.Minute)
	src := newPostgres(t, "cli_s3src")
	pgExec(t, src, importSchema+`
INSERT INTO teams SELECT g, 'team ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour 1.5 second', g * 1.2345, CASE WHEN g % 3 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END FROM generate_series(1, 40) g;
INSERT INTO members SELECT g, 1 + g % 40, CASE WHEN g % 7 = 0 THEN NULL ELSE 'm' || g || '@example.com' END, g / 3.0, g % 2 = 0 FROM generate_series(1, 2500) g;`)
	dst := newPostgres(t, "cli_s3dst")
	pgExec(t, dst, importSchema)

	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "cli-roundtrip"), Prefix: "p", Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	export(ctx, t, src, cfg, "run-1")

	c := newCLI(t, "").with("AWS_ACCESS_KEY_ID="+srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+srv.SecretKey)
	args := []string{"sync", "--s3-export-job", "nightly", "--s3-bucket", cfg.Bucket, "--s3-prefix", "p", "--s3-endpoint", srv.Endpoint, "--s3-path-style",
		"--destination-connection-url", dst, "--truncate-before-insert"}
	out := c.ok(args...)
	if !strings.Contains(out, "Verified: 2,540 rows") {
		t.Fatalf("import output:\n%s", out)
	}
	for _, table := range []string{"teams", "members"} {
		sum := "SELECT md5(coalesce(string_agg(t::text, ';' ORDER BY t::text), '')) FROM " + table + " t"
		if a, b := pgStrings(t, dst, sum), pgStrings(t, src, sum); a[0] != b[0] {
			t.Errorf("%s: the imported rows differ from the source's (md5 %s vs %s)", table, a[0], b[0])
		}
	}

	// A changed part fails the import, naming the file.
	client, err := cfg.Client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := objectstore.OpenExport(ctx, cfg, nil, "nightly", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	key := r.Manifest.Tables[0].Files[0].Key
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(key), Body: bytes.NewReader([]byte("PAR1 tampered PAR1"))}); err != nil {
		t.Fatal(err)
	}
	c.fail(key+" does not match the manifest", append(args, "--s3-run-id", "run-1")...)
	// Without credentials the bucket refuses, and the CLI says which flag pair to set.
	newCLI(t, "").with("AWS_ACCESS_KEY_ID="+srv.AccessKey).fail("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY together", args...)
}

// export writes src's tables (passthrough) to cfg as the run runID of job
// "nightly", Parquet only, the way a job with an S3 destination does.
func export(ctx context.Context, t *testing.T, src string, cfg objectstore.Config, runID string) {
	t.Helper()
	scfg := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: src}
	db, err := sqlconnect.Open(ctx, scfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := transformers.NewRegistry()
	job := syncplan.Job{Source: scfg}
	for _, m := range []struct{ table, col string }{{"teams", "id"}, {"members", "id"}} {
		job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: "public", Table: m.table, Column: m.col, Transformer: syncplan.Transformer{Source: "passthrough"}})
	}
	plan, err := syncplan.BuildPlan(ctx, db, job, reg)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := objectstore.NewExport(ctx, cfg, "nightly", runID, objectstore.ExportOptions{Formats: []objectstore.Format{objectstore.FormatParquet}, Dialect: objectstore.DialectPostgres, RowsPerPart: 1000})
	if err != nil {
		t.Fatal(err)
	}
	x := &s3sync.Exporter{Registry: reg}
	for _, tbl := range plan.Tables {
		if _, err := x.ExportTable(ctx, plan, tbl.Name, sqlschema.NewPostgresInspector(db.Postgres), exp, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := exp.Finish(ctx); err != nil {
		t.Fatal(err)
	}
}

const applyS3File = `connections:
  - name: src-%[1]s
    postgres: {url: "${SRC_URL}"}
  - name: dst-%[1]s
    postgres: {url: "${DST_URL}"}
  - name: bucket-%[1]s
    s3:
      bucket: ${BUCKET}
      path_prefix: yaml
      endpoint: ${S3_ENDPOINT}
      force_path_style: true
      access_key_id: ${S3_KEY}
      secret_access_key: ${S3_SECRET}
jobs:
  - name: export-%[1]s
    source: {connection: src-%[1]s}
    destinations:
      - {connection: bucket-%[1]s, export_formats: [parquet], export_compression: gzip}
    mappings:
      - schema: public
        table: users
        columns: {id: passthrough, email: {source: transform_email}}
  - name: import-%[1]s
    source: {connection: bucket-%[1]s, s3_import: {export_job: export-%[1]s}}
    destinations:
      - {connection: dst-%[1]s, truncate_before_insert: true}
`

// TestApplyS3: neosync apply creates a bucket connection (checked against a
// real S3-compatible server), an export job with its formats and an import
// job reading it; applying the same file again changes nothing (the masked
// secret compares equal), and the API holds what the file says.
func TestApplyS3(t *testing.T) {
	t.Parallel()
	sfx := suffix()
	src, dst := newPostgres(t, "neosync_cli_s3ysrc"), newPostgres(t, "neosync_cli_s3ydst")
	pgExec(t, src, `CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL)`)
	srv := tests3.Start(t)
	c := newCLI(t, local.apiURL).with("SRC_URL="+src, "DST_URL="+dst, "BUCKET="+srv.Bucket(t, "yaml-exports"), "S3_ENDPOINT="+srv.Endpoint,
		"S3_KEY="+srv.AccessKey, "S3_SECRET="+srv.SecretKey)
	file := c.writeFile("neosync.yaml", fmt.Sprintf(applyS3File, sfx))
	if out := c.ok("apply", "-f", file); !strings.Contains(out, "Applied: 5 created, 0 updated, 0 unchanged.") {
		t.Fatalf("apply:\n%s", out)
	}
	if out := c.ok("apply", "-f", file); out != "No changes: 3 connections and 2 jobs are up to date.\n" {
		t.Fatalf("second apply:\n%s", out)
	}
	out := c.ok("jobs", "get", "import-"+sfx, "-o", "json")
	if !strings.Contains(out, `"exportJobName": "export-`+sfx+`"`) {
		t.Fatalf("import job:\n%s", out)
	}
	out = c.ok("jobs", "get", "export-"+sfx, "-o", "json")
	if !strings.Contains(out, `"exportCompression": "gzip"`) || !strings.Contains(out, `"parquet"`) {
		t.Fatalf("export job:\n%s", out)
	}
	// A changed prefix is an update of the bucket connection only.
	c.writeFile("neosync.yaml", strings.Replace(fmt.Sprintf(applyS3File, sfx), "path_prefix: yaml", "path_prefix: yaml2", 1))
	if out := c.ok("apply", "-f", file, "--dry-run"); !strings.Contains(out, "~ connection bucket-"+sfx+": update (path_prefix)") {
		t.Fatalf("dry run of a prefix change:\n%s", out)
	}
}
