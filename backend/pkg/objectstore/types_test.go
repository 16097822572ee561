package objectstore_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

func TestParquetTypeOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dialect, typ string
		want         objectstore.ParquetType
	}{
		{"postgres", "integer", objectstore.ParquetInt64},
		{"postgres", "bigint", objectstore.ParquetInt64},
		{"postgres", "double precision", objectstore.ParquetDouble},
		{"postgres", "boolean", objectstore.ParquetBoolean},
		{"postgres", "bytea", objectstore.ParquetBytes},
		{"postgres", "numeric(10,2)", objectstore.ParquetDecimal},
		{"postgres", "timestamp without time zone", objectstore.ParquetTimestamp},
		{"postgres", "timestamp(3) with time zone", objectstore.ParquetTimestampTZ},
		{"postgres", "timestamp(3) without time zone", objectstore.ParquetTimestamp},
		{"postgres", "integer[]", objectstore.ParquetString},
		{"postgres", "date", objectstore.ParquetString},
		{"postgres", "text", objectstore.ParquetString},
		{"mysql", "int(11)", objectstore.ParquetInt64},
		{"mysql", "bigint(20) unsigned", objectstore.ParquetString},
		{"mysql", "tinyint(1)", objectstore.ParquetInt64},
		{"mysql", "decimal(12,4)", objectstore.ParquetDecimal},
		{"mysql", "double", objectstore.ParquetDouble},
		{"mysql", "varbinary(16)", objectstore.ParquetBytes},
		{"mysql", "datetime(6)", objectstore.ParquetTimestamp},
		{"mysql", "varchar(20)", objectstore.ParquetString},
		{"", "integer", objectstore.ParquetString},
	} {
		if got := objectstore.ParquetTypeOf(c.dialect, c.typ); got != c.want {
			t.Errorf("ParquetTypeOf(%q, %q) = %s, want %s", c.dialect, c.typ, got, c.want)
		}
	}
}

func TestParseFormats(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		enc     []string
		comp    string
		want    []objectstore.Format
		codec   objectstore.Compression
		errPart string
	}{
		{nil, "", []objectstore.Format{objectstore.FormatJSONLinesGzip, objectstore.FormatParquet}, objectstore.CompressionZstd, ""},
		{[]string{"jsonl"}, "zstd", []objectstore.Format{objectstore.FormatJSONLinesZstd}, objectstore.CompressionZstd, ""},
		{[]string{"parquet"}, "gzip", []objectstore.Format{objectstore.FormatParquet}, objectstore.CompressionGzip, ""},
		{[]string{"csv"}, "", nil, "", "formats"},
		{[]string{"jsonl", "jsonl"}, "", nil, "", "formats"},
		{nil, "lz4", nil, "", "compression"},
	} {
		got, codec, err := objectstore.ParseFormats(c.enc, c.comp)
		var ce *objectstore.ConfigError
		if c.errPart != "" {
			if !errors.As(err, &ce) || ce.Field != c.errPart {
				t.Errorf("ParseFormats(%v, %q) error = %v, want a ConfigError on %s", c.enc, c.comp, err, c.errPart)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) || codec != c.codec {
			t.Errorf("ParseFormats(%v, %q) = %v, %v, %v; want %v, %v", c.enc, c.comp, got, codec, err, c.want, c.codec)
		}
	}
}

// TestParquetTyped writes a Parquet-only export from typed PostgreSQL and
// MySQL columns, checks the physical and logical types in the files, and
// reads the rows back through the Reader as the text each database reads.
func TestParquetTyped(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "typed"), Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	ctx := context.Background()
	client, err := cfg.Client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	type value struct{ in, out string }
	for _, c := range []struct {
		dialect string
		cols    []objectstore.Column
		rows    [][]*value
		kinds   map[string]parquet.Kind
	}{{
		dialect: objectstore.DialectPostgres,
		cols: []objectstore.Column{{Name: "id", Type: "bigint"}, {Name: "score", Type: "double precision"}, {Name: "ok", Type: "boolean"},
			{Name: "at", Type: "timestamp without time zone"}, {Name: "at_tz", Type: "timestamp with time zone"}, {Name: "blob", Type: "bytea"},
			{Name: "price", Type: "numeric(30,10)"}, {Name: "name", Type: "text"}},
		rows: [][]*value{
			{{"1", "1"}, {"1.5", "1.5"}, {"t", "true"}, {"2024-02-29 23:59:59.123456", "2024-02-29 23:59:59.123456"}, {"2024-02-29 23:59:59+05:30", "2024-02-29 18:29:59+00:00"}, {`\x00ff10`, `\x00ff10`}, {"12345678901234567890.0123456789", "12345678901234567890.0123456789"}, {"Zoë", "Zoë"}},
			{{"-9223372036854775808", "-9223372036854775808"}, {"NaN", "NaN"}, {"f", "false"}, {"1970-01-01 00:00:00", "1970-01-01 00:00:00"}, {"1999-12-31 23:00:00-01", "2000-01-01 00:00:00+00:00"}, {`\x`, `\x`}, nil, nil},
			{{"9223372036854775807", "9223372036854775807"}, {"-Infinity", "-Infinity"}, nil, nil, nil, nil, {"-0.5", "-0.5"}, {"", ""}},
		},
		kinds: map[string]parquet.Kind{"id": parquet.Int64, "score": parquet.Double, "ok": parquet.Boolean, "at": parquet.Int64, "at_tz": parquet.Int64, "blob": parquet.ByteArray, "price": parquet.ByteArray, "name": parquet.ByteArray},
	}, {
		dialect: objectstore.DialectMySQL,
		cols:    []objectstore.Column{{Name: "id", Type: "int(11)"}, {Name: "big", Type: "bigint(20) unsigned"}, {Name: "f", Type: "double"}, {Name: "at", Type: "datetime(6)"}, {Name: "bin", Type: "varbinary(8)"}},
		rows: [][]*value{
			{{"7", "7"}, {"18446744073709551615", "18446744073709551615"}, {"1e+100", "1e+100"}, {"2001-02-03 04:05:06.000007", "2001-02-03 04:05:06.000007"}, {"\x00\xffraw", "\x00\xffraw"}},
			{nil, nil, nil, nil, nil},
		},
		kinds: map[string]parquet.Kind{"id": parquet.Int64, "big": parquet.ByteArray, "f": parquet.Double, "at": parquet.Int64, "bin": parquet.ByteArray},
	}} {
		exp, err := objectstore.NewExport(ctx, cfg, "typed-"+c.dialect, "r1", objectstore.ExportOptions{Formats: []objectstore.Format{objectstore.FormatParquet}, Compression: objectstore.CompressionGzip, Dialect: c.dialect, RowsPerPart: 2})
		if err != nil {
			t.Fatal(err)
		}
		w := exp.Table("s", "t", c.cols)
		var want []string
		for _, r := range c.rows {
			in := make([]*string, len(c.cols))
			var line []string
			for i, v := range r {
				if v == nil {
					line = append(line, c.cols[i].Name+"=NULL")
					continue
				}
				in[i] = str(v.in)
				line = append(line, c.cols[i].Name+"="+v.out)
			}
			if err := w.Write(ctx, in); err != nil {
				t.Fatal(err)
			}
			want = append(want, strings.Join(line, "|"))
		}
		if _, err := w.Close(ctx); err != nil {
			t.Fatal(err)
		}
		m, err := exp.Finish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Dialect != c.dialect || len(m.Tables) != 1 || len(m.Tables[0].Files) != (len(c.rows)+1)/2 {
			t.Fatalf("%s: manifest %+v", c.dialect, m)
		}
		// The file's own schema is typed.
		body := get(t, client, cfg.Bucket, m.Tables[0].Files[0].Key)
		pf, err := parquet.OpenFile(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		for name, kind := range c.kinds {
			lc, ok := pf.Schema().Lookup(name)
			if !ok || lc.Node.Type().Kind() != kind {
				t.Errorf("%s: column %s is %v in the Parquet file, want %v", c.dialect, name, lc.Node.Type(), kind)
			}
		}
		if c.dialect == objectstore.DialectPostgres {
			at, _ := pf.Schema().Lookup("at_tz")
			if lt := at.Node.Type().LogicalType(); lt == nil || !isAdjustedTimestamp(lt.Value) {
				t.Errorf("at_tz logical type = %v, want a timestamp adjusted to UTC", lt)
			}
			price, _ := pf.Schema().Lookup("price")
			if lt := price.Node.Type().LogicalType(); lt == nil || !isString(lt.Value) {
				t.Errorf("price logical type = %v, want a string", lt)
			}
		}
		r, err := objectstore.OpenExport(ctx, cfg, nil, "typed-"+c.dialect, "r1")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		if err := r.Rows(ctx, r.Manifest.Tables[0], func(row map[string]*string) error {
			var line []string
			for _, col := range c.cols {
				if v := row[col.Name]; v == nil {
					line = append(line, col.Name+"=NULL")
				} else {
					line = append(line, col.Name+"="+*v)
				}
			}
			got = append(got, strings.Join(line, "|"))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s rows read back:\n%s\nwant:\n%s", c.dialect, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestParquetTypeError: a value a typed column cannot hold fails the write
// naming the column, never the value.
func TestParquetTypeError(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "typeerr"), Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	ctx := context.Background()
	exp, err := objectstore.NewExport(ctx, cfg, "j", "r1", objectstore.ExportOptions{Formats: []objectstore.Format{objectstore.FormatParquet}, Dialect: objectstore.DialectPostgres})
	if err != nil {
		t.Fatal(err)
	}
	w := exp.Table("s", "t", []objectstore.Column{{Name: "born", Type: "timestamp with time zone"}})
	err = w.Write(ctx, []*string{str("infinity")})
	var te *objectstore.TypeError
	if !errors.As(err, &te) || te.Column != "born" || strings.Contains(err.Error(), "infinity") {
		t.Fatalf("error = %v, want a TypeError on column born without the value", err)
	}
}

// TestRetryDeletesStaleParts: a second attempt at a table that writes
// fewer parts than the first leaves only its own parts in the folder, and
// a part planted afterwards is not read back (only listed parts are).
func TestRetryDeletesStaleParts(t *testing.T) {
	t.Parallel()
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "retry"), Prefix: "p", Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	ctx := context.Background()
	cols := []objectstore.Column{{Name: "id", Type: "integer"}}
	attempt := func(rows int) objectstore.TableManifest {
		exp, err := objectstore.NewExport(ctx, cfg, "j", "run-1", objectstore.ExportOptions{RowsPerPart: 2, Dialect: objectstore.DialectPostgres})
		if err != nil {
			t.Fatal(err)
		}
		w := exp.Table("public", "t", cols)
		for i := range rows {
			if err := w.Write(ctx, []*string{str(strings.Repeat("1", 1+i%5))}); err != nil {
				t.Fatal(err)
			}
		}
		tm, err := w.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := exp.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		return tm
	}
	client, err := cfg.Client(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := func() []string {
		out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(cfg.Bucket), Prefix: aws.String("p/j/run-1/public.t/")})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), "p/j/run-1/public.t/"))
		}
		sort.Strings(keys)
		return keys
	}
	if first := attempt(9); len(first.Files) != 10 {
		t.Fatalf("first attempt wrote %d files, want 10 (5 parts × 2 formats)", len(first.Files))
	}
	if n := len(list()); n != 11 {
		t.Fatalf("after the first attempt the folder holds %d objects, want 11", n)
	}
	attempt(3)
	want := []string{"part-00000.jsonl.gz", "part-00000.parquet", "part-00001.jsonl.gz", "part-00001.parquet", "table.json"}
	if got := list(); !slices.Equal(got, want) {
		t.Fatalf("after a retry with fewer rows the folder holds %v, want %v", got, want)
	}
	// A leftover the retry could not delete (planted here) is never read.
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String("p/j/run-1/public.t/part-00002.jsonl.gz"), Body: bytes.NewReader(nil)}); err != nil {
		t.Fatal(err)
	}
	r, err := objectstore.OpenExport(ctx, cfg, nil, "j", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := r.Rows(ctx, r.Manifest.Tables[0], func(map[string]*string) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 3 || r.Manifest.Tables[0].Rows != 3 {
		t.Fatalf("read %d rows (manifest %d), want 3", n, r.Manifest.Tables[0].Rows)
	}
}

func isAdjustedTimestamp(v format.LogicalTypeValue) bool {
	ts, ok := v.(*format.TimestampType)
	return ok && ts.IsAdjustedToUTC
}

func isString(v format.LogicalTypeValue) bool {
	_, ok := v.(*format.StringType)
	return ok
}
