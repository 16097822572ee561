package sqlschema

import (
	"errors"
	"testing"
	"time"
)

// TestStreamRowsStall checks that a WHERE clause that keeps the server
// busy without producing rows is stopped after the stall timeout with a
// *StallError, while a stream whose consumer is slower than the timeout
// still completes: only time spent waiting on the database counts.
//
// Not parallel: it shortens the package's stall timeout, which the
// parallel tests must not see (they start after the sequential ones).
func TestStreamRowsStall(t *testing.T) {
	saved := streamStallTimeout
	streamStallTimeout = 300 * time.Millisecond
	t.Cleanup(func() { streamStallTimeout = saved })
	sleepers := map[string]string{"postgres": "pg_sleep(1) IS NOT NULL", "mysql": "SLEEP(1) = 0"}
	for _, tc := range rowsEnvs {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.env(t)
			ctx := testCtx(t)
			big := TableName{e.schema, "big"}
			start := time.Now()
			err := e.insp.StreamRows(ctx, big, sleepers[tc.name], 10, func([]string, [][]*string) error { return nil })
			var se *StallError
			if !errors.As(err, &se) {
				t.Fatalf("StreamRows(%q) = %v; want *StallError", sleepers[tc.name], err)
			}
			if took := time.Since(start); took > time.Minute {
				t.Fatalf("the stalled stream ran %s", took) // 2,500 rows × 1 s each without the guard
			}
			batches := 0
			err = e.insp.StreamRows(ctx, big, "", 1000, func([]string, [][]*string) error {
				batches++
				time.Sleep(500 * time.Millisecond) // a slow client, longer than the stall timeout
				return nil
			})
			if err != nil || batches != 3 {
				t.Fatalf("slow consumer: %v after %d batches; want 3 batches and no error", err, batches)
			}
		})
	}
}
