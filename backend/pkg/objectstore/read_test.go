package objectstore_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

// TestReadBack reads an export's rows back and refuses a part file that
// no longer matches the manifest's checksum.
func TestReadBack(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "readback"), Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	ctx := context.Background()
	for _, format := range []objectstore.Format{objectstore.FormatJSONLinesGzip, objectstore.FormatJSONLinesZstd} {
		job := "job-" + strings.ReplaceAll(string(format), ".", "-")
		exp, err := objectstore.NewExport(ctx, cfg, job, "r1", objectstore.ExportOptions{Formats: []objectstore.Format{format}, RowsPerPart: 2})
		if err != nil {
			t.Fatal(err)
		}
		w := exp.Table("s", "t", []objectstore.Column{{Name: "a"}, {Name: "b"}})
		for _, r := range [][]*string{{str("1"), nil}, {str("2"), str("two")}, {str("3"), str("")}} {
			if err := w.Write(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := exp.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := objectstore.OpenExport(ctx, cfg, nil, job, "r1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := r.Rows(ctx, r.Manifest.Tables[0], func(row map[string]*string) error {
			got = append(got, render([][]*string{{row["a"], row["b"]}}))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "") != "1|NULL|\n2|two|\n3||\n" {
			t.Fatalf("%s: read back %q", format, got)
		}
		if format != objectstore.FormatJSONLinesGzip {
			continue
		}
		// A part replaced after the run is refused, naming it.
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(`{"a":"1","b":"forged"}` + "\n" + `{"a":"2","b":null}` + "\n"))
		_ = zw.Close()
		client, err := cfg.Client(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		key := r.Manifest.Tables[0].Files[0].Key
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(key), Body: bytes.NewReader(b.Bytes())}); err != nil {
			t.Fatal(err)
		}
		err = r.Rows(ctx, r.Manifest.Tables[0], func(map[string]*string) error { return nil })
		if err == nil || !strings.Contains(err.Error(), key+" does not match the manifest") {
			t.Fatalf("a forged part: %v", err)
		}
	}
}
