package connectiondata

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/pkg/piiscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// DefaultPIISampleSize is the number of rows ScanPII reads per table when
// the caller does not say.
const DefaultPIISampleSize = 200

// PIIFinding is a column found to hold personal data.
type PIIFinding struct {
	Column sqlschema.Column
	piiscan.Finding
}

// PIIScan is the result of ScanPII.
type PIIScan struct {
	// Findings are sorted by schema, table and column position.
	Findings      []PIIFinding
	TablesScanned int
}

// ScanPII samples up to sampleSize rows (0: DefaultPIISampleSize) of every
// table in schemas (none: every user schema) and runs the PII scanner over
// each column. Each table's read is bounded by sqlschema.SampleTimeout; a
// table dropped while the scan runs is skipped. Sampled values stay in
// this function: findings carry counts only.
func (s *Service) ScanPII(ctx context.Context, scope domain.Scope, id uuid.UUID, schemas []string, sampleSize int) (PIIScan, error) {
	if sampleSize == 0 {
		sampleSize = DefaultPIISampleSize
	}
	if sampleSize < 1 || sampleSize > sqlschema.MaxSampleRows {
		return PIIScan{}, domain.Invalid("sample_size", "must be between 1 and %d (0 means %d)", sqlschema.MaxSampleRows, DefaultPIISampleSize)
	}
	var out PIIScan
	err := s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		cols, err := i.Columns(ctx, schemas)
		if err != nil {
			return err
		}
		for _, table := range groupByTable(cols) {
			found, err := scanTable(ctx, i, table, sampleSize)
			if errors.Is(err, sqlschema.ErrTableNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out.TablesScanned++
			out.Findings = append(out.Findings, found...)
		}
		return nil
	})
	return out, err
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

// scanTable samples one table and scans each of its columns.
func scanTable(ctx context.Context, i sqlschema.Inspector, cols []sqlschema.Column, limit int) ([]PIIFinding, error) {
	t := sqlschema.TableName{Schema: cols[0].Schema, Table: cols[0].Table}
	names, rows, err := i.SampleRows(ctx, t, limit)
	if err != nil {
		return nil, err
	}
	scols := make([]piiscan.Column, len(cols))
	for k, c := range cols {
		scols[k] = piiscan.Column{Name: c.Name, DataType: c.DataType}
	}
	found := piiscan.ScanSample(scols, names, rows)
	var out []PIIFinding
	for _, c := range cols {
		if f, ok := found[c.Name]; ok {
			out = append(out, PIIFinding{Column: c, Finding: f})
		}
	}
	return out, nil
}
