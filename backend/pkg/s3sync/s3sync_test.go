package s3sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/parquet-go/parquet-go"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/s3sync"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// TestExportTable exports a subset of a real Postgres table into a real
// S3-compatible server and reads the Parquet files back: the subset's row
// count, the transformed column transformed, the nulled column NULL and
// the copied columns as in the source.
func TestExportTable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	url := testdb.Postgres(t, "s3sync")
	src, err := sqlconnect.Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Postgres.Exec(ctx, `CREATE SCHEMA app;
		CREATE TABLE app.users (id int PRIMARY KEY, email text NOT NULL, secret text, "Note ""quoted""" text);
		INSERT INTO app.users SELECT i, 'user' || i || '@corp.example', 'pw' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END FROM generate_series(1, 2500) i`); err != nil {
		t.Fatal(err)
	}
	reg := transformers.NewRegistry()
	users := sqlschema.TableName{Schema: "app", Table: "users"}
	job := syncplan.Job{
		Source: sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: url},
		Mappings: []syncplan.Mapping{
			{Schema: "app", Table: "users", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
			{Schema: "app", Table: "users", Column: "email", Transformer: syncplan.Transformer{Source: "transform_email"}},
			{Schema: "app", Table: "users", Column: "secret", Transformer: syncplan.Transformer{Source: "generate_null"}},
		},
		Subsets: []syncplan.Subset{{Schema: "app", Table: "users", Where: "id <= 2000"}},
		Key:     []byte("0123456789abcdef0123456789abcdef"),
	}
	plan, err := syncplan.BuildPlan(ctx, src, job, reg)
	if err != nil {
		t.Fatal(err)
	}

	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "exports"), Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	exp, err := objectstore.NewExport(ctx, cfg, "users-export", "run-42", objectstore.ExportOptions{RowsPerPart: 750})
	if err != nil {
		t.Fatal(err)
	}
	x := &s3sync.Exporter{Registry: reg, Key: job.Key, PRF: job.PRF}
	var reported int64
	if _, err := x.ExportTable(ctx, plan, users, sqlschema.NewPostgresInspector(src.Postgres), exp, func(n int64) { reported = n }); err != nil {
		t.Fatal(err)
	}
	m, err := exp.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tables) != 1 || m.Tables[0].Rows != 2000 || reported != 2000 {
		t.Fatalf("manifest: %d tables, rows %v; reported %d; want 1 table of 2000 rows", len(m.Tables), m.Tables, reported)
	}

	client, err := cfg.Client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var manifest objectstore.Manifest
	if err := json.Unmarshal(get(t, client, cfg.Bucket, "users-export/run-42/manifest.json"), &manifest); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range manifest.Tables[0].Files {
		if f.Format != objectstore.FormatParquet {
			continue
		}
		body := get(t, client, cfg.Bucket, f.Key)
		pf, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		r := parquet.NewReader(pf)
		for {
			row := map[string]any{}
			if err := r.Read(&row); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			seen++
			id, _ := row["id"].(string)
			email, _ := row["email"].(string)
			if email == "" || email == "user"+id+"@corp.example" || !strings.Contains(email, "@") {
				t.Fatalf("row %s: email %q is not transformed", id, email)
			}
			if row["secret"] != nil {
				t.Fatalf("row %s: secret = %v, want NULL", id, row["secret"])
			}
			var n int
			fmt.Sscan(id, &n)
			wantNote := any("note " + id)
			if n%3 == 0 {
				wantNote = nil
			}
			if row[`Note "quoted"`] != wantNote {
				t.Fatalf("row %s: note = %#v, want %#v", id, row[`Note "quoted"`], wantNote)
			}
		}
		_ = r.Close()
	}
	if seen != 2000 {
		t.Fatalf("read %d rows back from Parquet, want 2000", seen)
	}
}

func get(t *testing.T, c *s3.Client, bucket, key string) []byte {
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
