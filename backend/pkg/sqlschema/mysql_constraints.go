package sqlschema

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// mysqlKeyRow is one row of information_schema.KEY_COLUMN_USAGE.
type mysqlKeyRow struct {
	table     TableName
	name      string
	column    string
	ordinal   int64
	refSchema sql.NullString
	refTable  sql.NullString
	refColumn sql.NullString
}

// Constraints implements [Inspector.Constraints]. KEY_COLUMN_USAGE lists
// exactly the columns of PRIMARY KEY (always named PRIMARY), UNIQUE and
// FOREIGN KEY constraints (the ones with a referenced table), so it is read
// alone, plus one query for column nullability; the two are joined in Go
// with exact, case-sensitive names.
func (m *mysqlInspector) Constraints(ctx context.Context, schemas []string) ([]TableConstraints, error) {
	f := newMySQLSchemaFilter("TABLE_SCHEMA", schemas)
	q := `SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION,
  REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE WHERE ` + f.cond
	rows, err := m.db.QueryContext(ctx, q, f.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query mysql constraints: %w", err)
	}
	defer rows.Close()
	var keys []mysqlKeyRow
	for rows.Next() {
		var k mysqlKeyRow
		if err := rows.Scan(&k.table.Schema, &k.table.Table, &k.name, &k.column, &k.ordinal,
			&k.refSchema, &k.refTable, &k.refColumn); err != nil {
			return nil, fmt.Errorf("sqlschema: read mysql constraints: %w", err)
		}
		if f.keep(k.table.Schema) {
			keys = append(keys, k)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read mysql constraints: %w", err)
	}
	nullable, err := m.columnNullability(ctx, f)
	if err != nil {
		return nil, err
	}
	// Group rows per (table, constraint, is-foreign-key): a UNIQUE key and a
	// foreign key may share a name on the same table.
	slices.SortFunc(keys, func(a, b mysqlKeyRow) int {
		return cmp.Or(CompareTableNames(a.table, b.table), cmp.Compare(a.name, b.name),
			cmp.Compare(boolInt(a.refTable.Valid), boolInt(b.refTable.Valid)), cmp.Compare(a.ordinal, b.ordinal))
	})
	b := newConstraintBuilder()
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j].table == keys[i].table && keys[j].name == keys[i].name &&
			keys[j].refTable.Valid == keys[i].refTable.Valid {
			j++
		}
		group := keys[i:j]
		first := group[0]
		cols := make([]string, len(group))
		for x, k := range group {
			cols[x] = k.column
		}
		switch {
		case first.refTable.Valid:
			fk := ForeignKey{
				Name: first.name, Columns: cols,
				ColumnsNullable:   make([]bool, len(group)),
				Referenced:        TableName{Schema: first.refSchema.String, Table: first.refTable.String},
				ReferencedColumns: make([]string, len(group)),
			}
			for x, k := range group {
				fk.ColumnsNullable[x] = nullable[columnKey{k.table, k.column}]
				fk.ReferencedColumns[x] = k.refColumn.String
			}
			b.addForeignKey(first.table, fk)
		case first.name == "PRIMARY":
			b.table(first.table).PrimaryKey = cols
		default:
			b.addUnique(first.table, UniqueConstraint{Name: first.name, Columns: cols})
		}
		i = j
	}
	return b.result(), nil
}

type columnKey struct {
	table  TableName
	column string
}

// columnNullability returns IS_NULLABLE for every column in the filter.
func (m *mysqlInspector) columnNullability(ctx context.Context, f mysqlSchemaFilter) (map[columnKey]bool, error) {
	q := `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS WHERE ` + f.cond
	rows, err := m.db.QueryContext(ctx, q, f.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query mysql column nullability: %w", err)
	}
	defer rows.Close()
	out := map[columnKey]bool{}
	for rows.Next() {
		var k columnKey
		var n string
		if err := rows.Scan(&k.table.Schema, &k.table.Table, &k.column, &n); err != nil {
			return nil, fmt.Errorf("sqlschema: read mysql column nullability: %w", err)
		}
		out[k] = n == "YES"
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read mysql column nullability: %w", err)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
