package objectstore_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

func str(s string) *string { return &s }

// TestExport writes tables in parts and every format, then reads the
// manifest and every file back through S3: checksums, row counts, JSON
// Lines and Parquet values (NULLs, quotes, unicode, newlines).
func TestExport(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "export"), Prefix: "out", Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	ctx := context.Background()
	exp, err := objectstore.NewExport(ctx, cfg, "nightly", "run-1", objectstore.ExportOptions{
		Formats: []objectstore.Format{objectstore.FormatJSONLinesGzip, objectstore.FormatJSONLinesZstd, objectstore.FormatParquet}, RowsPerPart: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	cols := []objectstore.Column{{Name: "id", Type: "integer"}, {Name: "name", Type: "text"}, {Name: `we"ird col`, Type: "text"}}
	var want [][]*string
	for i, name := range []string{"Ada", "Zoë 🌍", `quote " back\slash`, "line\nbreak", "", "x", "last"} {
		var third *string
		if i%2 == 0 {
			third = str(strings.Repeat("v", i))
		}
		want = append(want, []*string{str(string(rune('0' + i))), str(name), third})
	}
	users := exp.Table("public", "users", cols)
	for _, r := range want {
		if err := users.Write(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := users.Close(ctx); err != nil {
		t.Fatal(err)
	}
	empty := exp.Table("a/..", "..", cols)
	if _, err := empty.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := exp.Finish(ctx); err != nil {
		t.Fatal(err)
	}

	client, err := cfg.Client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var m objectstore.Manifest
	if err := json.Unmarshal(get(t, client, cfg.Bucket, "out/nightly/run-1/manifest.json"), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Tables) != 2 || m.Job != "nightly" || m.RunID != "run-1" {
		t.Fatalf("manifest = %+v", m)
	}
	for _, tm := range m.Tables {
		if tm.Table == ".." {
			if tm.Rows != 0 || len(tm.Files) != 0 {
				t.Fatalf("empty table: %+v", tm)
			}
			continue
		}
		if tm.Rows != int64(len(want)) || len(tm.Files) != 3*3 {
			t.Fatalf("users: %d rows in %d files, want %d rows in 9 files", tm.Rows, len(tm.Files), len(want))
		}
		got := map[objectstore.Format][][]*string{}
		for _, f := range tm.Files {
			if !strings.HasPrefix(f.Key, "out/nightly/run-1/public.users/part-") {
				t.Fatalf("key %s is outside the table's folder", f.Key)
			}
			body := get(t, client, cfg.Bucket, f.Key)
			if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(body)) != f.Bytes {
				t.Fatalf("%s: checksum or size differs from the manifest", f.Key)
			}
			rows := decode(t, f.Format, body, cols)
			if int64(len(rows)) != f.Rows {
				t.Fatalf("%s: %d rows, manifest says %d", f.Key, len(rows), f.Rows)
			}
			got[f.Format] = append(got[f.Format], rows...)
		}
		for format, rows := range got {
			if render(rows) != render(want) {
				t.Errorf("%s rows:\n%s\nwant:\n%s", format, render(rows), render(want))
			}
		}
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

func decode(t *testing.T, f objectstore.Format, body []byte, cols []objectstore.Column) [][]*string {
	t.Helper()
	if f == objectstore.FormatParquet {
		return decodeParquet(t, body, cols)
	}
	var r io.Reader
	if f == objectstore.FormatJSONLinesGzip {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	} else {
		zr, err := zstd.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	var rows [][]*string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var obj map[string]*string
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		row := make([]*string, len(cols))
		for i, c := range cols {
			row[i] = obj[c.Name]
		}
		rows = append(rows, row)
	}
	return rows
}

func decodeParquet(t *testing.T, body []byte, cols []objectstore.Column) [][]*string {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("parquet: %v", err)
	}
	r := parquet.NewReader(f)
	defer r.Close()
	var rows [][]*string
	for {
		obj := map[string]any{}
		if err := r.Read(&obj); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("parquet read: %v", err)
		}
		row := make([]*string, len(cols))
		for i, c := range cols {
			switch v := obj[c.Name].(type) {
			case nil:
			case string:
				row[i] = str(v)
			case []byte:
				row[i] = str(string(v))
			default:
				t.Fatalf("parquet column %s is %T", c.Name, v)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func render(rows [][]*string) string {
	var b strings.Builder
	for _, r := range rows {
		for _, v := range r {
			if v == nil {
				b.WriteString("NULL|")
			} else {
				b.WriteString(*v + "|")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
