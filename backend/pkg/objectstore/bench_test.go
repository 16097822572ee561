package objectstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
)

// BenchmarkExport writes a six-column table (typed Parquet and gzip JSON
// Lines, the defaults) to a real S3-compatible server: 200,000 rows at two
// part sizes, and 1,000,000 rows, and reports rows/s, the peak live heap (the
// heap marked live by the last GC, sampled every 1,000 rows: what the
// parts held in memory cost) and the process's peak RSS so far (VmHWM,
// which never decreases, so the second size's figure covers both). Run with
// `go test -run '^$' -bench Export -benchtime 1x ./pkg/objectstore`.
func BenchmarkExport(b *testing.B) {
	srv := tests3.Start(b)
	cfg := objectstore.Config{Bucket: srv.Bucket(b, "bench"), Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	cols := []objectstore.Column{{Name: "id", Type: "bigint"}, {Name: "email", Type: "text"}, {Name: "name", Type: "text"},
		{Name: "score", Type: "double precision"}, {Name: "created_at", Type: "timestamp with time zone"}, {Name: "balance", Type: "numeric(12,2)"}}
	for _, c := range []struct{ rows, perPart int }{{200_000, 10_000}, {200_000, objectstore.DefaultRowsPerPart}, {1_000_000, objectstore.DefaultRowsPerPart}} {
		rows, perPart := c.rows, c.perPart
		b.Run(fmt.Sprintf("rows=%d/rows-per-part=%d", rows, perPart), func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			var peak uint64
			live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
			for i := 0; i < b.N; i++ {
				runtime.GC()
				exp, err := objectstore.NewExport(ctx, cfg, "bench", fmt.Sprintf("r%d-p%d-%d", rows, perPart, i), objectstore.ExportOptions{RowsPerPart: perPart, Dialect: objectstore.DialectPostgres})
				if err != nil {
					b.Fatal(err)
				}
				w := exp.Table("public", "users", cols)
				row := make([]*string, len(cols))
				for n := range rows {
					id := strconv.Itoa(n)
					email := "user" + id + "@example.com"
					name := "Name " + id
					score := strconv.FormatFloat(float64(n)/7, 'g', -1, 64)
					at := fmt.Sprintf("2024-01-%02d 10:%02d:%02d.%06d+00", 1+n%28, n%60, n%60, n%1_000_000)
					bal := strconv.Itoa(n%100000) + "." + strconv.Itoa(10+n%90)
					row[0], row[1], row[2], row[3], row[4], row[5] = &id, &email, &name, &score, &at, &bal
					if err := w.Write(ctx, row); err != nil {
						b.Fatal(err)
					}
					if n%1000 == 0 {
						metrics.Read(live)
						peak = max(peak, live[0].Value.Uint64())
					}
				}
				if _, err := w.Close(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
			b.ReportMetric(float64(peakRSS())/1024, "peak-RSS-MiB")
		})
	}
}

// peakRSS is the process's VmHWM in KiB (0 where /proc is missing).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
