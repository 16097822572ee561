package sqlschema

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresDefinitions reads enums, domains, sequences, constraints,
// indexes and column collations of the schemas selected as in [Inspector]
// (nil: all user schemas). Everything is read in one READ ONLY transaction
// whose search_path is pg_catalog, so every printed definition schema
// qualifies user objects and does not depend on the reader's search_path.
// Objects that belong to an extension are skipped (the extension creates
// them).
func PostgresDefinitions(ctx context.Context, pool *pgxpool.Pool, schemas []string) (*Definitions, error) {
	p := &pgInspector{pool: pool}
	d := &Definitions{}
	err := p.readTx(ctx, true, func(tx pgx.Tx) error {
		s := nonNilSchemas(schemas)
		steps := []func(context.Context, pgx.Tx, []string, *Definitions) error{
			pgEnums, pgDomains, pgSequences, pgTableConstraintDefs, pgIndexDefs, pgCollations,
		}
		for _, step := range steps {
			if err := step(ctx, tx, s, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(d.Tables, func(a, b TableDefinition) int { return compareTableName(a.Table, b.Table) })
	for i := range d.Tables {
		t := &d.Tables[i]
		slices.SortFunc(t.Constraints, func(a, b ConstraintDefinition) int {
			if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		slices.SortFunc(t.Indexes, func(a, b NamedDefinition) int { return strings.Compare(a.Name, b.Name) })
	}
	return d, nil
}

// pgNotExtension excludes objects (class id $cls, object id $obj) that an
// extension created.
func pgNotExtension(classTable, objID string) string {
	return `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
  WHERE dep.classid = '` + classTable + `'::pg_catalog.regclass AND dep.objid = ` + objID + ` AND dep.deptype = 'e')`
}

func pgEnums(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, t.typname::text,
  ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ` + pgSchemaFilter + ` AND ` + pgNotExtension("pg_catalog.pg_type", "t.oid") + `
ORDER BY 1, 2`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres enums: %w", err)
	}
	d.Enums, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EnumType, error) {
		var e EnumType
		err := r.Scan(&e.Schema, &e.Name, &e.Labels)
		return e, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres enums: %w", err)
	}
	return nil
}

func pgDomains(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, t.typname::text, pg_catalog.format_type(t.typbasetype, t.typtypmod),
  t.typnotnull, t.typdefault,
  ARRAY(SELECT c.conname::text FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
  ARRAY(SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname)
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND ` + pgSchemaFilter + ` AND ` + pgNotExtension("pg_catalog.pg_type", "t.oid") + `
ORDER BY t.oid`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres domains: %w", err)
	}
	d.Domains, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DomainType, error) {
		var dt DomainType
		var names, defs []string
		err := r.Scan(&dt.Schema, &dt.Name, &dt.BaseType, &dt.NotNull, &dt.Default, &names, &defs)
		for i := range names {
			dt.Checks = append(dt.Checks, NamedDefinition{Name: names[i], Definition: defs[i]})
		}
		return dt, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres domains: %w", err)
	}
	return nil
}

func pgSequences(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text, pg_catalog.format_type(s.seqtypid, NULL),
  s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
  tn.nspname::text, tc.relname::text, a.attname::text
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_depend own ON own.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND own.objid = c.oid
  AND own.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND own.refobjsubid > 0 AND own.deptype = 'a'
LEFT JOIN pg_catalog.pg_class tc ON tc.oid = own.refobjid
LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = own.refobjid AND a.attnum = own.refobjsubid
WHERE ` + pgSchemaFilter + ` AND ` + pgNotExtension("pg_catalog.pg_class", "c.oid") + `
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND i.objid = c.oid AND i.deptype = 'i')
ORDER BY 1, 2`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres sequences: %w", err)
	}
	d.Sequences, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Sequence, error) {
		var s Sequence
		var ts, tt, tcol *string
		err := r.Scan(&s.Schema, &s.Name, &s.DataType, &s.Start, &s.Increment, &s.Min, &s.Max, &s.Cache, &s.Cycle, &ts, &tt, &tcol)
		if ts != nil && tt != nil && tcol != nil {
			s.OwnedBy = &ColumnRef{Table: TableName{Schema: *ts, Table: *tt}, Column: *tcol}
		}
		return s, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres sequences: %w", err)
	}
	return nil
}

// pgTableDef returns d's entry for t, creating it.
func pgTableDef(d *Definitions, idx map[TableName]int, t TableName) *TableDefinition {
	i, ok := idx[t]
	if !ok {
		i = len(d.Tables)
		idx[t] = i
		d.Tables = append(d.Tables, TableDefinition{Table: t})
	}
	return &d.Tables[i]
}

func tableIndex(d *Definitions) map[TableName]int {
	idx := make(map[TableName]int, len(d.Tables))
	for i, t := range d.Tables {
		idx[t.Table] = i
	}
	return idx
}

func pgTableConstraintDefs(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c', 'x') AND ` + pgBaseTable + ` AND ` + pgSchemaFilter
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres constraint definitions: %w", err)
	}
	defer rows.Close()
	idx := tableIndex(d)
	for rows.Next() {
		var t TableName
		var c ConstraintDefinition
		if err := rows.Scan(&t.Schema, &t.Table, &c.Name, &c.Kind, &c.Definition); err != nil {
			return fmt.Errorf("sqlschema: read postgres constraint definitions: %w", err)
		}
		td := pgTableDef(d, idx, t)
		td.Constraints = append(td.Constraints, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlschema: read postgres constraint definitions: %w", err)
	}
	return nil
}

func pgIndexDefs(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text, i.relname::text, pg_catalog.pg_get_indexdef(x.indexrelid)
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ` + pgBaseTable + ` AND ` + pgSchemaFilter + `
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
    WHERE con.conrelid = x.indrelid AND con.conindid = x.indexrelid AND con.contype IN ('p', 'u', 'x'))`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres indexes: %w", err)
	}
	defer rows.Close()
	idx := tableIndex(d)
	for rows.Next() {
		var t TableName
		var ix NamedDefinition
		if err := rows.Scan(&t.Schema, &t.Table, &ix.Name, &ix.Definition); err != nil {
			return fmt.Errorf("sqlschema: read postgres indexes: %w", err)
		}
		td := pgTableDef(d, idx, t)
		td.Indexes = append(td.Indexes, ix)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlschema: read postgres indexes: %w", err)
	}
	return nil
}

func pgCollations(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text, a.attname::text,
  pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attcollation <> t.typcollation
  AND ` + pgBaseTable + ` AND ` + pgSchemaFilter
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres collations: %w", err)
	}
	defer rows.Close()
	idx := tableIndex(d)
	for rows.Next() {
		var t TableName
		var col, coll string
		if err := rows.Scan(&t.Schema, &t.Table, &col, &coll); err != nil {
			return fmt.Errorf("sqlschema: read postgres collations: %w", err)
		}
		td := pgTableDef(d, idx, t)
		if td.Collations == nil {
			td.Collations = map[string]string{}
		}
		td.Collations[col] = coll
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlschema: read postgres collations: %w", err)
	}
	return nil
}
