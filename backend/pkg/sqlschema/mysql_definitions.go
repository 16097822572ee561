package sqlschema

import (
	"context"
	"database/sql"
	"fmt"
)

// MySQLDefinitions reads SHOW CREATE TABLE for every base table of the
// schemas selected as in [Inspector] (nil: all user schemas), one
// statement per table. MySQL has no separate type or sequence objects, so
// only Tables is filled.
func MySQLDefinitions(ctx context.Context, db *sql.DB, schemas []string) (*Definitions, error) {
	tables, err := NewMySQLInspector(db).Tables(ctx, schemas)
	if err != nil {
		return nil, err
	}
	d := &Definitions{}
	for _, t := range tables {
		q, err := DialectMySQL.QualifiedName(t)
		if err != nil {
			return nil, err
		}
		var name, stmt string
		if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE "+q).Scan(&name, &stmt); err != nil {
			if err == sql.ErrNoRows {
				return nil, fmt.Errorf("%w: %s", ErrTableNotFound, t)
			}
			return nil, fmt.Errorf("sqlschema: show create table %s: %w", t, err)
		}
		d.Tables = append(d.Tables, TableDefinition{Table: t, CreateStatement: stmt})
	}
	return d, nil
}
