package objectstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// Format is the encoding of a part file.
type Format string

const (
	// FormatJSONLinesGzip is one JSON object per row, gzip-compressed.
	FormatJSONLinesGzip Format = "jsonl.gz"
	// FormatJSONLinesZstd is one JSON object per row, zstd-compressed.
	FormatJSONLinesZstd Format = "jsonl.zst"
	// FormatParquet is Apache Parquet, each column typed from the source
	// column's declared type (ParquetTypeOf), pages compressed with
	// ExportOptions.Compression.
	FormatParquet Format = "parquet"
)

// Compression is the codec of Parquet pages (JSON Lines files name theirs
// in their Format).
type Compression string

const (
	// CompressionZstd is Zstandard (the default).
	CompressionZstd Compression = "zstd"
	// CompressionGzip is gzip, for readers without Zstandard.
	CompressionGzip Compression = "gzip"
)

// Encoding names for ParseFormats: what a job chooses.
const (
	EncodingJSONLines = "jsonl"
	EncodingParquet   = "parquet"
)

// ParseFormats turns a job's choice — encodings ("jsonl", "parquet"; none
// means both) and a compression ("gzip" or "zstd"; "" means gzip for JSON
// Lines and zstd for Parquet, the defaults) — into the formats to write
// and the Parquet codec. An unknown or repeated name is a *ConfigError
// naming "formats" or "compression".
func ParseFormats(encodings []string, compression string) ([]Format, Compression, error) {
	codec := CompressionZstd
	switch compression {
	case "", string(CompressionZstd):
	case string(CompressionGzip):
		codec = CompressionGzip
	default:
		return nil, "", &ConfigError{"compression", fmt.Sprintf("%q is not a compression (gzip or zstd)", compression)}
	}
	if len(encodings) == 0 {
		encodings = []string{EncodingJSONLines, EncodingParquet}
	}
	var out []Format
	seen := map[string]bool{}
	for _, e := range encodings {
		if seen[e] {
			return nil, "", &ConfigError{"formats", fmt.Sprintf("%q is listed twice", e)}
		}
		seen[e] = true
		switch e {
		case EncodingJSONLines:
			if compression == string(CompressionZstd) {
				out = append(out, FormatJSONLinesZstd)
			} else {
				out = append(out, FormatJSONLinesGzip)
			}
		case EncodingParquet:
			out = append(out, FormatParquet)
		default:
			return nil, "", &ConfigError{"formats", fmt.Sprintf("%q is not a format (jsonl or parquet)", e)}
		}
	}
	return out, codec, nil
}

// DefaultFormats is what an export writes when no format is chosen.
var DefaultFormats = []Format{FormatJSONLinesGzip, FormatParquet}

// DefaultRowsPerPart bounds a part file (and the rows held in memory per
// table and format) when ExportOptions.RowsPerPart is 0.
const DefaultRowsPerPart = 100_000

// MaxPartBytes closes a part early once its compressed JSON Lines reach
// this size, so wide rows cannot grow a part's buffer without bound.
const MaxPartBytes = 64 << 20

// ManifestName is the manifest's object name under a run's folder.
const ManifestName = "manifest.json"

// ExportOptions shape an export.
type ExportOptions struct {
	// Formats to write; nil means DefaultFormats. Every format gets the
	// same parts, so part N of each holds the same rows.
	Formats []Format
	// RowsPerPart is the rows per part file (DefaultRowsPerPart if 0).
	RowsPerPart int
	// Network is the policy the S3 client dials through (nil allows all).
	Network *netpolicy.Policy
	// Compression is the Parquet page codec (CompressionZstd if "").
	Compression Compression
	// Dialect is how the source prints values (DialectPostgres or
	// DialectMySQL): it types Parquet columns (ParquetTypeOf). "" writes
	// every Parquet column as a string.
	Dialect string
}

// Column is one exported column: its name, the source's declared type and
// the Parquet type it is written as (recorded in the manifest; JSON Lines
// values are the source's text form).
type Column struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	// Parquet is the column's type in Parquet files; Export.Table sets it
	// from Type and the export's dialect when it is empty.
	Parquet ParquetType `json:"parquet,omitempty"`
}

// File is one uploaded part file.
type File struct {
	Key    string `json:"key"`
	Format Format `json:"format"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// TableManifest describes one exported table.
type TableManifest struct {
	Schema  string   `json:"schema"`
	Table   string   `json:"table"`
	Columns []Column `json:"columns"`
	Rows    int64    `json:"rows"`
	Files   []File   `json:"files"`
}

// Manifest is a run's manifest.json: what was exported, so a reader can
// check counts and checksums before trusting the files.
type Manifest struct {
	Version int      `json:"version"`
	Job     string   `json:"job"`
	RunID   string   `json:"run_id"`
	Formats []Format `json:"formats"`
	// Dialect is the source's (ExportOptions.Dialect): how a reader turns
	// Parquet values back into text the same kind of database reads.
	Dialect   string          `json:"dialect,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	Tables    []TableManifest `json:"tables"`
}

// TableManifestName is the object beside a table's part files that
// describes them; Finish gathers these into the run's manifest, so tables
// may be written by different processes (one activity per table) and a
// retried table simply rewrites its parts and its description.
const TableManifestName = "table.json"

// Export writes one run's tables into a bucket under
// <prefix>/<job>/<run id>/. Tables may be written concurrently, by one
// process or several.
type Export struct {
	client *s3.Client
	cfg    Config
	base   string
	opts   ExportOptions
	job    string
	runID  string
}

// segmentPattern is what a job name or run id may be as a key segment.
var segmentPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

// NewExport prepares an export of run runID of job into cfg's bucket.
func NewExport(ctx context.Context, cfg Config, job, runID string, opts ExportOptions) (*Export, error) {
	for _, s := range []struct{ what, v string }{{"job name", job}, {"run id", runID}} {
		if !segmentPattern.MatchString(s.v) {
			return nil, fmt.Errorf("objectstore: %s %q cannot be a key segment (letters, digits, '.', '_', '-')", s.what, s.v)
		}
	}
	if opts.Formats == nil {
		opts.Formats = DefaultFormats
	}
	for _, f := range opts.Formats {
		if f != FormatJSONLinesGzip && f != FormatJSONLinesZstd && f != FormatParquet {
			return nil, fmt.Errorf("objectstore: unknown format %q (jsonl.gz, jsonl.zst or parquet)", f)
		}
	}
	if opts.RowsPerPart <= 0 {
		opts.RowsPerPart = DefaultRowsPerPart
	}
	switch opts.Compression {
	case "":
		opts.Compression = CompressionZstd
	case CompressionZstd, CompressionGzip:
	default:
		return nil, fmt.Errorf("objectstore: unknown compression %q (gzip or zstd)", opts.Compression)
	}
	if opts.Dialect != "" && opts.Dialect != DialectPostgres && opts.Dialect != DialectMySQL {
		return nil, fmt.Errorf("objectstore: unknown dialect %q", opts.Dialect)
	}
	client, err := cfg.Client(ctx, opts.Network)
	if err != nil {
		return nil, err
	}
	return &Export{client: client, cfg: cfg, base: cfg.Key(job, runID), opts: opts, job: job, runID: runID}, nil
}

// Base is the run's folder key (without a trailing '/').
func (e *Export) Base() string { return e.base }

// TableDir is a table's folder name: "<schema>.<table>" with each name
// path-escaped and its dots escaped, so any identifier (with '/', '..',
// quotes or unicode) maps to one folder and never leaves the run's.
func TableDir(schema, table string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.PathEscape(s), ".", "%2E") }
	return esc(schema) + "." + esc(table)
}

// Table starts writing one table; Close it to upload the last part and
// record it for the manifest.
func (e *Export) Table(schema, table string, cols []Column) *TableWriter {
	cols = slices.Clone(cols)
	for i := range cols {
		if cols[i].Parquet == "" {
			cols[i].Parquet = ParquetTypeOf(e.opts.Dialect, cols[i].Type)
		}
	}
	return &TableWriter{e: e, m: TableManifest{Schema: schema, Table: table, Columns: cols, Files: []File{}}, dir: e.base + "/" + TableDir(schema, table)}
}

// Finish gathers every closed table's description (TableManifestName)
// under the run's folder, uploads manifest.json and returns it. Tables are
// listed in key order.
func (e *Export) Finish(ctx context.Context) (Manifest, error) {
	m := Manifest{Version: 1, Job: e.job, RunID: e.runID, Formats: e.opts.Formats, Dialect: e.opts.Dialect, CreatedAt: time.Now().UTC(), Tables: []TableManifest{}}
	pages := s3.NewListObjectsV2Paginator(e.client, &s3.ListObjectsV2Input{Bucket: aws.String(e.cfg.Bucket), Prefix: aws.String(e.base + "/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return m, e.cfg.stepError("list the run's tables in", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if rest := strings.TrimPrefix(key, e.base+"/"); strings.Count(rest, "/") != 1 || !strings.HasSuffix(rest, "/"+TableManifestName) {
				continue
			}
			tm, err := e.readTable(ctx, key)
			if err != nil {
				return m, err
			}
			m.Tables = append(m.Tables, tm)
		}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if _, err := e.put(ctx, e.base+"/"+ManifestName, body, "application/json"); err != nil {
		return m, err
	}
	return m, nil
}

func (e *Export) readTable(ctx context.Context, key string) (TableManifest, error) {
	var tm TableManifest
	out, err := e.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(e.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return tm, e.cfg.stepError("read "+key+" from", err)
	}
	defer out.Body.Close()
	if err := json.NewDecoder(io.LimitReader(out.Body, 64<<20)).Decode(&tm); err != nil {
		return tm, fmt.Errorf("objectstore: %s: %w", key, err)
	}
	return tm, nil
}

// put uploads one object and returns its SHA-256 (hex).
func (e *Export) put(ctx context.Context, key string, body []byte, contentType string) (string, error) {
	sum := sha256.Sum256(body)
	_, err := e.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(e.cfg.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String(contentType),
	})
	if err != nil {
		return "", e.cfg.stepError("upload "+key+" to", err)
	}
	return hex.EncodeToString(sum[:]), nil
}

// TableWriter writes one table's rows as part files, one part of each
// format per RowsPerPart rows. It is not safe for concurrent use.
type TableWriter struct {
	e     *Export
	m     TableManifest
	dir   string
	parts []partWriter
	rows  int64
	part  int
}

// Write adds one row: the values of the table's columns in order, each the
// source's text form or nil for NULL.
func (w *TableWriter) Write(ctx context.Context, row []*string) error {
	if len(row) != len(w.m.Columns) {
		return fmt.Errorf("objectstore: table %s.%s: a row has %d values for %d columns", w.m.Schema, w.m.Table, len(row), len(w.m.Columns))
	}
	if w.parts == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	for _, p := range w.parts {
		if err := p.write(row); err != nil {
			return fmt.Errorf("objectstore: table %s.%s: %w", w.m.Schema, w.m.Table, err)
		}
	}
	w.rows++
	if w.rows >= int64(w.e.opts.RowsPerPart) || w.largest() >= MaxPartBytes {
		return w.flush(ctx)
	}
	return nil
}

// largest is the largest encoded size among the open parts.
func (w *TableWriter) largest() int {
	n := 0
	for _, p := range w.parts {
		n = max(n, p.size())
	}
	return n
}

func (w *TableWriter) open() error {
	w.parts = make([]partWriter, 0, len(w.e.opts.Formats))
	for _, f := range w.e.opts.Formats {
		p, err := newPartWriter(f, w.m.Columns, w.e.opts)
		if err != nil {
			return err
		}
		w.parts = append(w.parts, p)
	}
	return nil
}

// flush closes the current part of every format and uploads it.
func (w *TableWriter) flush(ctx context.Context) error {
	if w.parts == nil || w.rows == 0 {
		return nil
	}
	for i, p := range w.parts {
		body, err := p.close()
		if err != nil {
			return fmt.Errorf("objectstore: table %s.%s: %w", w.m.Schema, w.m.Table, err)
		}
		f := w.e.opts.Formats[i]
		key := fmt.Sprintf("%s/part-%05d.%s", w.dir, w.part, f)
		sum, err := w.e.put(ctx, key, body, p.contentType())
		if err != nil {
			return err
		}
		w.m.Files = append(w.m.Files, File{Key: key, Format: f, Rows: w.rows, Bytes: int64(len(body)), SHA256: sum})
	}
	w.m.Rows += w.rows
	w.rows, w.parts = 0, nil
	w.part++
	return nil
}

// Close uploads the last part and the table's description
// (TableManifestName) for the run's manifest, then deletes every other
// object in the table's folder: the parts of an earlier attempt that wrote
// more parts than this one (a retry after a crash, or after the source
// shrank). The description lists only this attempt's parts and readers
// read only listed parts, so a leftover that could not be deleted is
// never imported either. A table without rows has no files and 0 rows.
func (w *TableWriter) Close(ctx context.Context) (TableManifest, error) {
	if err := w.flush(ctx); err != nil {
		return w.m, err
	}
	body, err := json.Marshal(w.m)
	if err != nil {
		return w.m, err
	}
	if _, err = w.e.put(ctx, w.dir+"/"+TableManifestName, body, "application/json"); err != nil {
		return w.m, err
	}
	return w.m, w.deleteStale(ctx)
}

// deleteStale deletes the objects of the table's folder that its
// description does not list.
func (w *TableWriter) deleteStale(ctx context.Context) error {
	live := map[string]bool{w.dir + "/" + TableManifestName: true}
	for _, f := range w.m.Files {
		live[f.Key] = true
	}
	pages := s3.NewListObjectsV2Paginator(w.e.client, &s3.ListObjectsV2Input{Bucket: aws.String(w.e.cfg.Bucket), Prefix: aws.String(w.dir + "/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return w.e.cfg.stepError("list "+w.dir+" in", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if live[key] {
				continue
			}
			if _, err := w.e.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(w.e.cfg.Bucket), Key: aws.String(key)}); err != nil {
				return w.e.cfg.stepError("delete the stale part "+key+" from", err)
			}
		}
	}
	return nil
}
