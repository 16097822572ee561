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
			pgExtensions, pgEnums, pgDomains, pgComposites, pgFunctions, pgSequences, pgPartitions, pgInheritance, pgRowSecurity, pgTableConstraintDefs, pgIndexDefs, pgCollations,
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
	slices.SortFunc(d.Tables, func(a, b TableDefinition) int { return CompareTableNames(a.Table, b.Table) })
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

// pgDependentInSchemas joins the namespace n of the object a pg_depend
// row u describes — a table, index or column (pg_class), a column default,
// a constraint, a type or domain, a function — for pgSchemaFilter: "an
// object of the read schemas depends on u's referenced object".
const pgDependentInSchemas = `JOIN pg_catalog.pg_namespace n ON n.oid = CASE u.classid
      WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_class c WHERE c.oid = u.objid)
      WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_attrdef ad
        JOIN pg_catalog.pg_class c ON c.oid = ad.adrelid WHERE ad.oid = u.objid)
      WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT con.connamespace FROM pg_catalog.pg_constraint con WHERE con.oid = u.objid)
      WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN (SELECT t.typnamespace FROM pg_catalog.pg_type t WHERE t.oid = u.objid)
      WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN (SELECT p.pronamespace FROM pg_catalog.pg_proc p WHERE p.oid = u.objid)
    END`

// pgExtensions lists every installed extension but plpgsql (it is in every
// database), wherever its objects live: a column of a copied schema may
// use a type an extension put in another schema.
func pgExtensions(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT e.extname::text, en.nspname::text, e.extversion::text,
  ARRAY(SELECT tn.nspname::text || '.' || t.typname::text FROM pg_catalog.pg_depend dep
    JOIN pg_catalog.pg_type t ON t.oid = dep.objid JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
    WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND dep.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
      AND dep.refobjid = e.oid AND dep.deptype = 'e' ORDER BY 1),
  EXISTS (SELECT 1 FROM pg_catalog.pg_depend m
    JOIN pg_catalog.pg_depend u ON u.refclassid = m.classid AND u.refobjid = m.objid AND u.deptype = 'n'
    ` + pgDependentInSchemas + `
    WHERE m.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND m.refobjid = e.oid AND m.deptype = 'e'
      AND ` + pgSchemaFilter + `)
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace en ON en.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY 1`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres extensions: %w", err)
	}
	d.Extensions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Extension, error) {
		var e Extension
		err := r.Scan(&e.Name, &e.Schema, &e.Version, &e.Types, &e.Used)
		return e, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres extensions: %w", err)
	}
	return nil
}

// pgComposites reads stand-alone composite types (not the row types of
// tables), in OID order so a type comes after the types it uses.
func pgComposites(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, t.typname::text,
  ARRAY(SELECT a.attname::text FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
  ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
  ARRAY(SELECT COALESCE(CASE WHEN a.attcollation <> at.typcollation THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END, '')
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c' AND ` + pgSchemaFilter + ` AND ` + pgNotExtension("pg_catalog.pg_type", "t.oid") + `
ORDER BY t.oid`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres composite types: %w", err)
	}
	d.Composites, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CompositeType, error) {
		var ct CompositeType
		var names, types, colls []string
		if err := r.Scan(&ct.Schema, &ct.Name, &names, &types, &colls); err != nil {
			return ct, err
		}
		for i := range names {
			ct.Attributes = append(ct.Attributes, Attribute{Name: names[i], Type: types[i], Collation: colls[i]})
		}
		return ct, nil
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres composite types: %w", err)
	}
	return nil
}

// pgPartitions records partition keys of partitioned tables and the
// parent and bound of partitions.
func pgPartitions(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text,
  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) ELSE '' END,
  pn.nspname::text, pc.relname::text,
  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) ELSE '' END
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
WHERE (c.relkind = 'p' OR c.relispartition) AND ` + pgBaseTable + ` AND ` + pgSchemaFilter
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres partitions: %w", err)
	}
	defer rows.Close()
	idx := tableIndex(d)
	for rows.Next() {
		var t TableName
		var key, bound string
		var ps, pt *string
		if err := rows.Scan(&t.Schema, &t.Table, &key, &ps, &pt, &bound); err != nil {
			return fmt.Errorf("sqlschema: read postgres partitions: %w", err)
		}
		td := pgTableDef(d, idx, t)
		td.PartitionKey = key
		if ps != nil && pt != nil {
			td.PartitionOf = &TableName{Schema: *ps, Table: *pt}
			td.PartitionBound = bound
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlschema: read postgres partitions: %w", err)
	}
	return nil
}

// pgInheritance records the table inheritance links (not partitions')
// whose parent is in schemas.
func pgInheritance(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text, chn.nspname::text, ch.relname::text
FROM pg_catalog.pg_inherits i
JOIN pg_catalog.pg_class c ON c.oid = i.inhparent JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_class ch ON ch.oid = i.inhrelid JOIN pg_catalog.pg_namespace chn ON chn.oid = ch.relnamespace
WHERE NOT ch.relispartition AND ` + pgBaseTable + ` AND ` + pgSchemaFilter + `
ORDER BY 1, 2, 3, 4`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres table inheritance: %w", err)
	}
	d.Inheritance, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Inheritance, error) {
		var in Inheritance
		err := r.Scan(&in.Parent.Schema, &in.Parent.Table, &in.Child.Schema, &in.Child.Table)
		return in, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres table inheritance: %w", err)
	}
	return nil
}

// pgRowSecurity records the tables whose row-level security applies to
// the role reading the catalog (its policies filter what it reads).
func pgRowSecurity(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT n.nspname::text, c.relname::text
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relrowsecurity AND pg_catalog.row_security_active(c.oid) AND ` + pgBaseTable + ` AND ` + pgSchemaFilter + `
ORDER BY 1, 2`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres row-level security: %w", err)
	}
	d.RowSecurity, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (TableName, error) {
		var t TableName
		err := r.Scan(&t.Schema, &t.Table)
		return t, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres row-level security: %w", err)
	}
	return nil
}

// pgFunctions records the functions of schemas that an object of schemas
// calls — a column default, a generated column, a check, an index
// expression or predicate, a domain's check, another function's
// SQL-standard body (what pg_depend records) — and that no extension
// created. Only those: a function's body runs on the destination with
// its connection's privileges whenever such an object calls it, so the
// source's other functions (tenant input) are not carried over. The
// transaction's search_path is pg_catalog, so the signature and the
// definition qualify user types and names.
func pgFunctions(ctx context.Context, tx pgx.Tx, schemas []string, d *Definitions) error {
	q := `SELECT fn.nspname::text, f.proname::text, f.oid::pg_catalog.regprocedure::text, pg_catalog.pg_get_functiondef(f.oid)
FROM pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace
WHERE f.prokind = 'f' AND fn.nspname = ANY(ARRAY(SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE ` + pgSchemaFilter + `))
  AND ` + pgNotExtension("pg_catalog.pg_proc", "f.oid") + `
  AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend u ` + pgDependentInSchemas + `
    WHERE u.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND u.refobjid = f.oid AND u.deptype = 'n' AND ` + pgSchemaFilter + `)
ORDER BY 1, 3`
	rows, err := tx.Query(ctx, q, schemas)
	if err != nil {
		return fmt.Errorf("sqlschema: query postgres functions: %w", err)
	}
	d.Functions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Function, error) {
		var f Function
		err := r.Scan(&f.Schema, &f.Name, &f.Signature, &f.Definition)
		return f, err
	})
	if err != nil {
		return fmt.Errorf("sqlschema: read postgres functions: %w", err)
	}
	return nil
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
	q := `SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text, pg_catalog.pg_get_constraintdef(con.oid),
  con.conparentid <> 0 OR NOT con.conislocal
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
		if err := rows.Scan(&t.Schema, &t.Table, &c.Name, &c.Kind, &c.Definition, &c.Inherited); err != nil {
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
	q := `SELECT n.nspname::text, c.relname::text, i.relname::text, pg_catalog.pg_get_indexdef(x.indexrelid), i.relispartition
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
		if err := rows.Scan(&t.Schema, &t.Table, &ix.Name, &ix.Definition, &ix.Inherited); err != nil {
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
