package generate

import (
	"context"
	"fmt"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// occupiedChunk is how many tables one Occupied statement asks about.
const occupiedChunk = 100

// Occupied returns the tables of p that hold rows in dst, in plan order
// (p's names, as written there: see Plan.In). Generating a table
// replaces its rows (GenerateTable empties it first, so that a retry
// redoes it), so a caller asks this before the first table is written
// whether a run would delete rows it did not write. It costs one
// statement per 100 tables, each row test stopping at the first row.
func Occupied(ctx context.Context, p *Plan, dst *sqlconnect.DB) ([]sqlschema.TableName, error) {
	d := dialectOf(dst)
	var out []sqlschema.TableName
	for start := 0; start < len(p.Tables); start += occupiedChunk {
		chunk := p.Tables[start:min(start+occupiedChunk, len(p.Tables))]
		tests := make([]string, len(chunk))
		for i, t := range chunk {
			q, err := d.QualifiedName(t.Name)
			if err != nil {
				return nil, err
			}
			tests[i] = "CASE WHEN EXISTS (SELECT 1 FROM " + q + ") THEN 1 ELSE 0 END"
		}
		q := "SELECT " + strings.Join(tests, ", ")
		got := make([]int64, len(chunk))
		dest := make([]any, len(chunk))
		for i := range got {
			dest[i] = &got[i]
		}
		var err error
		if dst.Postgres != nil {
			err = dst.Postgres.QueryRow(ctx, q).Scan(dest...)
		} else {
			err = dst.MySQL.QueryRowContext(ctx, q).Scan(dest...)
		}
		if err != nil {
			return nil, fmt.Errorf("check whether %s … %s hold rows: %w", chunk[0].Name, chunk[len(chunk)-1].Name, err)
		}
		for i, n := range got {
			if n != 0 {
				out = append(out, chunk[i].Name)
			}
		}
	}
	return out, nil
}
