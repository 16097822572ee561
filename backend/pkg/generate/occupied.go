package generate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// occupiedChunk is how many tables one Occupied statement asks about.
const occupiedChunk = 100

// Occupied returns the tables of p that hold rows in dst, in plan order
// (p's names, as written there: see Plan.In). Generating a table
// replaces its rows (GenerateTable empties it first, so that a retry
// redoes it), so a caller asks this before the first table is written
// whether a run would delete rows it did not write. A planned table the
// destination lacks holds no rows. It costs a catalog query and one
// statement per 100 present tables, each row test stopping at the first
// row.
func Occupied(ctx context.Context, p *Plan, dst *sqlconnect.DB) ([]sqlschema.TableName, error) {
	d := dialectOf(dst)
	present, err := existing(ctx, p, dst)
	if err != nil {
		return nil, err
	}
	var out []sqlschema.TableName
	for start := 0; start < len(present); start += occupiedChunk {
		chunk := present[start:min(start+occupiedChunk, len(present))]
		tests := make([]string, len(chunk))
		for i, t := range chunk {
			q, err := d.QualifiedName(t)
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
			return nil, fmt.Errorf("check whether %s … %s hold rows: %w", chunk[0], chunk[len(chunk)-1], err)
		}
		for i, n := range got {
			if n != 0 {
				out = append(out, chunk[i])
			}
		}
	}
	return out, nil
}

// existing returns the tables of p that exist in dst, in plan order: a
// missing one holds no rows (init_schema creates it; without it the
// generation fails on it with the database's message).
func existing(ctx context.Context, p *Plan, dst *sqlconnect.DB) ([]sqlschema.TableName, error) {
	found := map[sqlschema.TableName]bool{}
	var schemas []string
	for _, t := range p.Tables {
		if !slices.Contains(schemas, t.Name.Schema) {
			schemas = append(schemas, t.Name.Schema)
		}
	}
	q := "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1)"
	var err error
	if dst.Postgres != nil {
		var rows pgx.Rows
		if rows, err = dst.Postgres.Query(ctx, q, schemas); err == nil {
			var t sqlschema.TableName
			_, err = pgx.ForEachRow(rows, []any{&t.Schema, &t.Table}, func() error { found[t] = true; return nil })
		}
	} else {
		q = "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(schemas)), ", ") + ")"
		args := make([]any, len(schemas))
		for i, s := range schemas {
			args[i] = s
		}
		var rows *sql.Rows
		if rows, err = dst.MySQL.QueryContext(ctx, q, args...); err == nil {
			defer rows.Close()
			for rows.Next() {
				var t sqlschema.TableName
				if err = rows.Scan(&t.Schema, &t.Table); err != nil {
					break
				}
				found[t] = true
			}
			if err == nil {
				err = rows.Err()
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("list the destination's tables: %w", err)
	}
	var out []sqlschema.TableName
	for _, t := range p.Tables {
		if found[t.Name] {
			out = append(out, t.Name)
		}
	}
	return out, nil
}
