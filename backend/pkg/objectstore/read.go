package objectstore

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/zstd"

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

func (r *Reader) get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, r.cfg.stepError("read "+key+" from", err)
	}
	return out.Body, nil
}

// Rows calls fn with every row of t, read from its JSON Lines files (gzip
// or zstd) in part order, each row by column name (nil for NULL). Each
// file's SHA-256 and row count are checked against the manifest; a file
// that differs fails with its key.
func (r *Reader) Rows(ctx context.Context, t TableManifest, fn func(row map[string]*string) error) error {
	for _, f := range t.Files {
		if f.Format != FormatJSONLinesGzip && f.Format != FormatJSONLinesZstd {
			continue
		}
		if err := r.readFile(ctx, f, fn); err != nil {
			return err
		}
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
