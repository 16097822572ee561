package sqlschema

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgSchemaFilter restricts n.nspname to the schemas in $1, or to all user
// schemas when $1 is empty.
const pgSchemaFilter = `(
  (pg_catalog.cardinality($1::text[]) = 0
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_)')
  OR n.nspname = ANY($1::text[])
)`

// pgBaseTable restricts c to base tables (ordinary and partitioned).
const pgBaseTable = `c.relkind IN ('r', 'p')`

type pgInspector struct {
	pool *pgxpool.Pool
}

// NewPostgresInspector returns an [Inspector] for the PostgreSQL database
// behind pool. The pool's exec mode is respected for catalog queries; user
// supplied predicates are always run with the extended protocol (one
// statement) in a READ ONLY transaction.
func NewPostgresInspector(pool *pgxpool.Pool) Inspector {
	return &pgInspector{pool: pool}
}

// Dialect returns [DialectPostgres].
func (p *pgInspector) Dialect() Dialect { return DialectPostgres }

// readTx runs fn in a READ ONLY transaction. With catalogPath the
// transaction's search_path is pg_catalog only, so format_type and
// pg_get_expr schema-qualify every user object and no user object can shadow
// a catalog function; it is not used when a user predicate runs, because the
// predicate is written against the user's normal search_path.
func (p *pgInspector) readTx(ctx context.Context, catalogPath bool, fn func(tx pgx.Tx) error) error {
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("sqlschema: begin read only transaction: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if catalogPath {
		if _, err := tx.Exec(ctx, "SET LOCAL search_path TO pg_catalog"); err != nil {
			return fmt.Errorf("sqlschema: set search_path: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	// Rolled back, not committed: a read has nothing to keep, and what a
	// user predicate did despite READ ONLY (lo_import creates large
	// objects) is undone.
	if err := tx.Rollback(ctx); err != nil {
		return fmt.Errorf("sqlschema: end read only transaction: %w", err)
	}
	return nil
}

// Tables implements [Inspector.Tables].
func (p *pgInspector) Tables(ctx context.Context, schemas []string) ([]TableName, error) {
	q := `SELECT n.nspname::text, c.relname::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ` + pgBaseTable + ` AND ` + pgSchemaFilter
	rows, err := p.pool.Query(ctx, q, nonNilSchemas(schemas))
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query postgres tables: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TableName, error) {
		var t TableName
		err := r.Scan(&t.Schema, &t.Table)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlschema: read postgres tables: %w", err)
	}
	sortTableNames(out)
	return out, nil
}

const pgColumnsQuery = `SELECT n.nspname::text, c.relname::text, a.attname::text, a.attnum::int8,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  NOT a.attnotnull,
  CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
  CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' ELSE '' END,
  CASE a.attgenerated WHEN 's' THEN 'STORED' WHEN 'v' THEN 'VIRTUAL' ELSE '' END,
  CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
  information_schema._pg_char_max_length(tt.id, tt.mod)::int8,
  information_schema._pg_numeric_precision(tt.id, tt.mod)::int8,
  information_schema._pg_numeric_scale(tt.id, tt.mod)::int8,
  (SELECT pg_catalog.array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
     FROM pg_catalog.pg_enum e
     WHERE e.enumtypid = CASE WHEN bt.typcategory = 'A' THEN bt.typelem ELSE bt.oid END),
  COALESCE(bt.typcategory = 'A', false)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
CROSS JOIN LATERAL (SELECT information_schema._pg_truetypid(a.*, t.*) AS id,
                           information_schema._pg_truetypmod(a.*, t.*) AS mod) tt
LEFT JOIN pg_catalog.pg_type bt ON bt.oid = tt.id
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef
WHERE a.attnum > 0 AND NOT a.attisdropped AND ` + pgBaseTable + ` AND ` + pgSchemaFilter

// Columns implements [Inspector.Columns].
func (p *pgInspector) Columns(ctx context.Context, schemas []string) ([]Column, error) {
	var out []Column
	err := p.readTx(ctx, true, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, pgColumnsQuery, nonNilSchemas(schemas))
		if err != nil {
			return fmt.Errorf("sqlschema: query postgres columns: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Column, error) {
			var c Column
			var ord int64
			err := r.Scan(&c.Schema, &c.Table, &c.Name, &ord, &c.DataType, &c.IsNullable,
				&c.Default, &c.IdentityGeneration, &c.GeneratedKind, &c.GeneratedExpression,
				&c.CharacterMaximumLength, &c.NumericPrecision, &c.NumericScale,
				&c.EnumValues, &c.IsArray)
			c.OrdinalPosition = int(ord)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("sqlschema: read postgres columns: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortColumns(out)
	return out, nil
}

// pgConstraintsQuery returns one row per constraint with its column lists
// expanded in constraint order (WITH ORDINALITY over conkey/confkey).
const pgConstraintsQuery = `SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text,
  ARRAY(SELECT a.attname::text
        FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(num, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
        ORDER BY k.ord),
  ARRAY(SELECT NOT a.attnotnull
        FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY k(num, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
        ORDER BY k.ord),
  COALESCE(rn.nspname::text, ''), COALESCE(rc.relname::text, ''),
  ARRAY(SELECT a.attname::text
        FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY k(num, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
        ORDER BY k.ord)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype IN ('p', 'u', 'f') AND ` + pgBaseTable + ` AND ` + pgSchemaFilter

// Constraints implements [Inspector.Constraints].
func (p *pgInspector) Constraints(ctx context.Context, schemas []string) ([]TableConstraints, error) {
	rows, err := p.pool.Query(ctx, pgConstraintsQuery, nonNilSchemas(schemas))
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query postgres constraints: %w", err)
	}
	defer rows.Close()
	b := newConstraintBuilder()
	for rows.Next() {
		var (
			t                TableName
			name, kind       string
			cols, refCols    []string
			nullable         []bool
			refSchema, refTb string
		)
		if err := rows.Scan(&t.Schema, &t.Table, &name, &kind, &cols, &nullable, &refSchema, &refTb, &refCols); err != nil {
			return nil, fmt.Errorf("sqlschema: read postgres constraints: %w", err)
		}
		switch kind {
		case "p":
			b.table(t).PrimaryKey = cols
		case "u":
			b.addUnique(t, UniqueConstraint{Name: name, Columns: cols})
		case "f":
			b.addForeignKey(t, ForeignKey{
				Name: name, Columns: cols, ColumnsNullable: nullable,
				Referenced:        TableName{Schema: refSchema, Table: refTb},
				ReferencedColumns: refCols,
			})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read postgres constraints: %w", err)
	}
	return b.result(), nil
}

// pgPrivilegeNames are the table privileges has_table_privilege accepts on
// every supported PostgreSQL version.
var pgPrivilegeNames = []string{"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"}

const pgPrivilegesQuery = `SELECT n.nspname::text, c.relname::text,
  ARRAY(SELECT p.priv FROM pg_catalog.unnest($2::text[]) p(priv)
        WHERE pg_catalog.has_table_privilege(c.oid, p.priv) ORDER BY p.priv)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ` + pgBaseTable + ` AND ` + pgSchemaFilter + `
  AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')`

// Privileges implements [Inspector.Privileges].
func (p *pgInspector) Privileges(ctx context.Context, schemas []string) ([]TablePrivileges, error) {
	rows, err := p.pool.Query(ctx, pgPrivilegesQuery, nonNilSchemas(schemas), pgPrivilegeNames)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query postgres privileges: %w", err)
	}
	defer rows.Close()
	var out []TablePrivileges
	for rows.Next() {
		var tp TablePrivileges
		if err := rows.Scan(&tp.Table.Schema, &tp.Table.Table, &tp.Privileges); err != nil {
			return nil, fmt.Errorf("sqlschema: read postgres privileges: %w", err)
		}
		if len(tp.Privileges) > 0 {
			out = append(out, tp)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read postgres privileges: %w", err)
	}
	sortPrivileges(out)
	return out, nil
}
