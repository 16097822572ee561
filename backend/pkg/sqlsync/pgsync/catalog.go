package pgsync

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// pgDestColumn is a destination column as the copy needs it.
type pgDestColumn struct {
	name     string
	dataType string // format_type, schema qualified
	typeOID  uint32
	// patch rewrites the user-defined type OIDs that values of the type
	// embed (arrays, composites); nil when there are none.
	patch     *oidPatch
	generated bool
	identity  string // "a" (ALWAYS), "d" (BY DEFAULT) or ""
}

// pgDestColumns reads t's columns in the destination. A missing table is
// an error wrapping sqlschema.ErrTableNotFound.
func pgDestColumns(ctx context.Context, c *pgx.Conn, t sqlschema.TableName) (map[string]pgDestColumn, error) {
	const q = `SELECT a.attname::text,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  a.atttypid::int8,
  a.attgenerated <> '', a.attidentity::text
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`
	// format_type qualifies user types only when they are not visible on
	// the search_path: pin it to pg_catalog, as sqlschema does.
	tx, err := c.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SET LOCAL search_path TO pg_catalog"); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, q, t.Schema, t.Table)
	if err != nil {
		return nil, fmt.Errorf("read destination columns of %s: %w", t, err)
	}
	out := map[string]pgDestColumn{}
	for rows.Next() {
		var dc pgDestColumn
		var typ int64
		if err := rows.Scan(&dc.name, &dc.dataType, &typ, &dc.generated, &dc.identity); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read destination columns of %s: %w", t, err)
		}
		dc.typeOID = uint32(typ)
		out[dc.name] = dc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read destination columns of %s: %w", t, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: destination table %s", sqlschema.ErrTableNotFound, t)
	}
	for name, dc := range out {
		if dc.typeOID < firstNormalOID {
			continue
		}
		if dc.patch, err = pgOIDPatch(ctx, tx.Conn(), dc.typeOID); err != nil {
			return nil, fmt.Errorf("destination column %s.%s: %w", t, name, err)
		}
		out[name] = dc
	}
	return out, tx.Commit(ctx)
}

// pgTypeInfo describes a source field type.
type pgTypeInfo struct {
	name string // schema.name, unquoted, for pgx.Conn.LoadTypes
}

// pgTypes looks up the given type OIDs in c's catalog.
func pgTypes(ctx context.Context, c *pgx.Conn, oids []uint32) (map[uint32]pgTypeInfo, error) {
	const q = `SELECT t.oid::int8, n.nspname::text || '.' || t.typname::text
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid = ANY($1::oid[])`
	rows, err := c.Query(ctx, q, oids)
	if err != nil {
		return nil, fmt.Errorf("read source types: %w", err)
	}
	defer rows.Close()
	out := map[uint32]pgTypeInfo{}
	for rows.Next() {
		var oid int64
		var ti pgTypeInfo
		if err := rows.Scan(&oid, &ti.name); err != nil {
			return nil, fmt.Errorf("read source types: %w", err)
		}
		out[uint32(oid)] = ti
	}
	return out, rows.Err()
}

// pgLoadTypes registers in c's type map the user-defined types among
// oids (enums, domains, composites and arrays of them), so their values
// can be decoded for transformers.
func pgLoadTypes(ctx context.Context, c *pgx.Conn, oids []uint32, info map[uint32]pgTypeInfo) error {
	m := c.TypeMap()
	var names []string
	for _, oid := range oids {
		if _, ok := m.TypeForOID(oid); ok {
			continue
		}
		if ti, ok := info[oid]; ok {
			names = append(names, ti.name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	types, err := c.LoadTypes(ctx, names)
	if err != nil {
		return fmt.Errorf("load source types %v: %w", names, err)
	}
	m.RegisterTypes(types)
	return nil
}

// typmods matches the modifiers format_type prints, e.g. "(255)" or
// "(10,2)", so types can be compared regardless of them.
var typmods = regexp.MustCompile(`\(\d+(,\d+)?\)`)

// pgBaseTypeDiffers reports whether two printed types differ beyond their
// modifiers (a different length is left for the destination to check,
// rather than truncated by a cast).
func pgBaseTypeDiffers(src, dst string) bool {
	return typmods.ReplaceAllString(src, "") != typmods.ReplaceAllString(dst, "")
}
