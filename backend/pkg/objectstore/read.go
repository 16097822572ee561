package objectstore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// MaxLineBytes bounds one JSON Lines row when reading an export back.
const MaxLineBytes = 64 << 20

// Reader reads an export back: its manifest and its tables' rows.
type Reader struct {
	client   *s3.Client
	cfg      Config
	base     string
	Manifest Manifest
}

// OpenExport reads the manifest of run runID of job in cfg's bucket.
func OpenExport(ctx context.Context, cfg Config, np *netpolicy.Policy, job, runID string) (*Reader, error) {
	for _, s := range []struct{ what, v string }{{"job name", job}, {"run id", runID}} {
		if !segmentPattern.MatchString(s.v) {
			return nil, fmt.Errorf("objectstore: %s %q is not a key segment (letters, digits, '.', '_', '-')", s.what, s.v)
		}
	}
	client, err := cfg.Client(ctx, np)
	if err != nil {
		return nil, err
	}
	r := &Reader{client: client, cfg: cfg, base: cfg.Key(job, runID)}
	body, err := r.get(ctx, r.base+"/"+ManifestName)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	if err := json.NewDecoder(io.LimitReader(body, 256<<20)).Decode(&r.Manifest); err != nil {
		return nil, fmt.Errorf("objectstore: %s/%s: %w", r.base, ManifestName, err)
	}
	return r, nil
}

// ErrNoExport is a job without any finished export (no manifest) in the
// bucket.
var ErrNoExport = errors.New("no finished export (manifest.json) of the job in the bucket")

// LatestRun returns the run id of job's most recent finished export in
// cfg's bucket: among the runs under <prefix>/<job>/ that have a
// manifest, the one whose manifest was written last.
func LatestRun(ctx context.Context, cfg Config, np *netpolicy.Policy, job string) (string, error) {
	if !segmentPattern.MatchString(job) {
		return "", fmt.Errorf("objectstore: job name %q is not a key segment (letters, digits, '.', '_', '-')", job)
	}
	client, err := cfg.Client(ctx, np)
	if err != nil {
		return "", err
	}
	base := cfg.Key(job) + "/"
	var best string
	var bestAt time.Time
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(cfg.Bucket), Prefix: aws.String(base), Delimiter: aws.String("/")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", cfg.stepError("list the exports of "+job+" in", err)
		}
		for _, p := range page.CommonPrefixes {
			run := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(p.Prefix), base), "/")
			if !segmentPattern.MatchString(run) {
				continue
			}
			head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(cfg.Bucket), Key: aws.String(base + run + "/" + ManifestName)})
			if err != nil {
				var nf *types.NotFound
				if errors.As(err, &nf) {
					continue // a run that has not finished (or failed)
				}
				return "", cfg.stepError("read the manifest of run "+run+" in", err)
			}
			at := aws.ToTime(head.LastModified)
			if best == "" || at.After(bestAt) || (at.Equal(bestAt) && run > best) {
				best, bestAt = run, at
			}
		}
	}
	if best == "" {
		return "", fmt.Errorf("objectstore: %s: %w", job, ErrNoExport)
	}
	return best, nil
}

func (r *Reader) get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, r.cfg.stepError("read "+key+" from", err)
	}
	return out.Body, nil
}

// Rows calls fn with every row of t in part order, each row by column
// name (nil for NULL) in the source's text form. It reads the JSON Lines
// files (gzip or zstd) when the export has them, else the Parquet files
// (typed values turned back into text, see ParquetType). Only the files
// the manifest lists are read, and each file's SHA-256 and row count are
// checked against it; a file that differs fails with its key.
func (r *Reader) Rows(ctx context.Context, t TableManifest, fn func(row map[string]*string) error) error {
	jsonLines := slices.ContainsFunc(t.Files, func(f File) bool { return f.Format != FormatParquet })
	for _, f := range t.Files {
		var err error
		switch {
		case jsonLines && f.Format != FormatParquet:
			err = r.readFile(ctx, f, fn)
		case !jsonLines && f.Format == FormatParquet:
			err = r.readParquet(ctx, t, f, fn)
		default:
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readParquet reads one Parquet part (held in memory: a part is bounded by
// RowsPerPart and MaxPartBytes) after checking its checksum.
func (r *Reader) readParquet(ctx context.Context, t TableManifest, f File, fn func(map[string]*string) error) error {
	body, err := r.get(ctx, f.Key)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(body, f.Bytes+1))
	body.Close()
	if err != nil {
		return fmt.Errorf("objectstore: %s: %w", f.Key, err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
		return fmt.Errorf("objectstore: %s does not match the manifest (sha256 %s; the manifest says %s)", f.Key, got, f.SHA256)
	}
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("objectstore: %s: %w", f.Key, err)
	}
	schema := pf.Schema()
	leaf := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		lc, ok := schema.Lookup(c.Name)
		if !ok {
			return fmt.Errorf("objectstore: %s has no column %q", f.Key, c.Name)
		}
		leaf[i] = lc.ColumnIndex
	}
	pr := parquet.NewReader(pf)
	defer pr.Close()
	buf := make([]parquet.Row, 256)
	var rows int64
	for {
		n, err := pr.ReadRows(buf)
		for _, row := range buf[:n] {
			out := make(map[string]*string, len(t.Columns))
			for i, c := range t.Columns {
				v := row[leaf[i]]
				if v.IsNull() {
					out[c.Name] = nil
					continue
				}
				s := textValue(c.Parquet, r.Manifest.Dialect, v)
				out[c.Name] = &s
			}
			if err := fn(out); err != nil {
				return err
			}
			rows++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("objectstore: %s: %w", f.Key, err)
		}
	}
	if rows != f.Rows {
		return fmt.Errorf("objectstore: %s does not match the manifest (%d rows; the manifest says %d)", f.Key, rows, f.Rows)
	}
	return nil
}

func (r *Reader) readFile(ctx context.Context, f File, fn func(map[string]*string) error) error {
	body, err := r.get(ctx, f.Key)
	if err != nil {
		return err
	}
	defer body.Close()
	sum := sha256.New()
	var dec io.Reader
	tee := io.TeeReader(body, sum)
	if f.Format == FormatJSONLinesGzip {
		zr, err := gzip.NewReader(tee)
		if err != nil {
			return fmt.Errorf("objectstore: %s: %w", f.Key, err)
		}
		dec = zr
	} else {
		zr, err := zstd.NewReader(tee)
		if err != nil {
			return fmt.Errorf("objectstore: %s: %w", f.Key, err)
		}
		defer zr.Close()
		dec = zr
	}
	sc := bufio.NewScanner(dec)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	var rows int64
	for sc.Scan() {
		row := map[string]*string{}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return fmt.Errorf("objectstore: %s: row %d: %w", f.Key, rows+1, err)
		}
		if err := fn(row); err != nil {
			return err
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("objectstore: %s: %w", f.Key, err)
	}
	// Drain what the decompressor left so the checksum covers the file.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return fmt.Errorf("objectstore: %s: %w", f.Key, err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != f.SHA256 || rows != f.Rows {
		return fmt.Errorf("objectstore: %s does not match the manifest (%d rows, sha256 %s; the manifest says %d rows, %s)", f.Key, rows, got, f.Rows, f.SHA256)
	}
	return nil
}
