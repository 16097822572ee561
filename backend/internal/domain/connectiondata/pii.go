package connectiondata

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/pkg/piiscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// DefaultPIISampleSize is the number of rows ScanPII reads per table when
// the caller does not say.
const DefaultPIISampleSize = 200

// DefaultPIITimeLimit bounds a whole ScanPII when the caller does not say;
// MaxPIITimeLimit is the longest a caller may ask for.
const (
	DefaultPIITimeLimit = time.Minute
	MaxPIITimeLimit     = 10 * time.Minute
)

// piiScanParallel is the number of tables ScanPII samples at once: enough
// to keep a schema of thousands of small tables (each sample a few round
// trips) within the time limit, few enough to leave the source alone.
const piiScanParallel = 4

// PIIScanOptions tune ScanPII; the zero value scans every user schema with
// the defaults.
type PIIScanOptions struct {
	// Schemas restricts the scan (none: every user schema).
	Schemas []string
	// SampleSize is the number of rows read per table (0:
	// DefaultPIISampleSize).
	SampleSize int
	// TimeLimit bounds the whole scan (0: DefaultPIITimeLimit).
	TimeLimit time.Duration
}

// PIIFinding is a column found to hold personal data.
type PIIFinding struct {
	Column sqlschema.Column
	piiscan.Finding
}

// UnscannedTable is a table ScanPII did not sample, and why.
type UnscannedTable struct {
	Table  sqlschema.TableName
	Reason string
}

// PIIScan is the result of ScanPII.
type PIIScan struct {
	// Findings are sorted by schema, table and column position.
	Findings      []PIIFinding
	TablesScanned int
	// NotScanned are the tables not sampled (the time limit, a statement
	// timeout, a missing privilege), sorted by schema and table; empty
	// when the scan is complete.
	NotScanned []UnscannedTable
}

// ScanPII samples up to o.SampleSize rows of every table in o.Schemas and
// runs the PII scanner over each column. The whole scan is bounded by
// o.TimeLimit and each table's read by sqlschema.SampleTimeout; a table
// not sampled in time, or whose read fails, is listed in NotScanned with
// the reason rather than failing the scan, so a schema of thousands of
// tables always gets an answer. A table dropped while the scan runs is
// skipped. Sampled values stay in this function: findings carry counts
// only.
func (s *Service) ScanPII(ctx context.Context, scope domain.Scope, id uuid.UUID, o PIIScanOptions) (PIIScan, error) {
	if o.SampleSize == 0 {
		o.SampleSize = DefaultPIISampleSize
	}
	if o.SampleSize < 1 || o.SampleSize > sqlschema.MaxSampleRows {
		return PIIScan{}, domain.Invalid("sample_size", "must be between 1 and %d (0 means %d)", sqlschema.MaxSampleRows, DefaultPIISampleSize)
	}
	if o.TimeLimit == 0 {
		o.TimeLimit = DefaultPIITimeLimit
	}
	if o.TimeLimit < time.Second || o.TimeLimit > MaxPIITimeLimit {
		return PIIScan{}, domain.Invalid("time_limit_seconds", "must be between 1 and %d (0 means %d)", int(MaxPIITimeLimit.Seconds()), int(DefaultPIITimeLimit.Seconds()))
	}
	var out PIIScan
	err := s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		cols, err := i.Columns(ctx, o.Schemas)
		if err != nil {
			return err
		}
		out, err = scanTables(ctx, i, groupByTable(cols), o)
		return err
	})
	return out, err
}

// tableScan is the outcome of one table's sample.
type tableScan struct {
	found   []PIIFinding
	scanned bool
	reason  string // why it was not scanned ("" when scanned or dropped)
}

// scanTables samples tables, piiScanParallel at a time, within o.TimeLimit,
// and gathers the outcomes in table order. It fails only when ctx ends.
func scanTables(ctx context.Context, i sqlschema.Inspector, tables [][]sqlschema.Column, o PIIScanOptions) (PIIScan, error) {
	limited, cancel := context.WithTimeout(ctx, o.TimeLimit)
	defer cancel()
	outcomes := make([]tableScan, len(tables))
	next := make(chan int)
	var wg sync.WaitGroup
	for range piiScanParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				outcomes[k] = scanTable(limited, i, tables[k], o)
			}
		}()
	}
	for k := range tables {
		if limited.Err() != nil {
			outcomes[k].reason = timeLimitReason(o.TimeLimit)
			continue
		}
		select {
		case next <- k:
		case <-limited.Done():
			outcomes[k].reason = timeLimitReason(o.TimeLimit)
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return PIIScan{}, err
	}
	var out PIIScan
	for k, r := range outcomes {
		switch {
		case r.scanned:
			out.TablesScanned++
			out.Findings = append(out.Findings, r.found...)
		case r.reason != "":
			t := tables[k][0]
			out.NotScanned = append(out.NotScanned, UnscannedTable{Table: sqlschema.TableName{Schema: t.Schema, Table: t.Table}, Reason: r.reason})
		}
	}
	return out, nil
}

// timeLimitReason says a table was not scanned within the time limit.
func timeLimitReason(limit time.Duration) string {
	return fmt.Sprintf("not sampled within the scan's time limit of %s", limit)
}

// groupByTable splits columns, sorted by table, into one slice per table.
func groupByTable(cols []sqlschema.Column) [][]sqlschema.Column {
	var out [][]sqlschema.Column
	for i := 0; i < len(cols); {
		j := i + 1
		for j < len(cols) && cols[j].Schema == cols[i].Schema && cols[j].Table == cols[i].Table {
			j++
		}
		out = append(out, cols[i:j])
		i = j
	}
	return out
}

// scanTable samples one table (ctx carries the scan's time limit) and
// scans each of its columns.
func scanTable(ctx context.Context, i sqlschema.Inspector, cols []sqlschema.Column, o PIIScanOptions) tableScan {
	t := sqlschema.TableName{Schema: cols[0].Schema, Table: cols[0].Table}
	names, rows, err := i.SampleRows(ctx, t, o.SampleSize)
	switch {
	case errors.Is(err, sqlschema.ErrTableNotFound):
		return tableScan{}
	case err != nil && ctx.Err() != nil:
		return tableScan{reason: timeLimitReason(o.TimeLimit)}
	case err != nil:
		return tableScan{reason: err.Error()}
	}
	scols := make([]piiscan.Column, len(cols))
	for k, c := range cols {
		scols[k] = piiscan.Column{Name: c.Name, DataType: c.DataType}
	}
	found := piiscan.ScanSample(scols, names, rows)
	out := tableScan{scanned: true}
	for _, c := range cols {
		if f, ok := found[c.Name]; ok {
			out.found = append(out.found, PIIFinding{Column: c, Finding: f})
		}
	}
	return out
}
