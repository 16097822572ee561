package mysqlsync

import (
	"context"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// References implements syncdriver.Driver: every foreign key of
// information_schema.
func (Driver) References(ctx context.Context, db *sqlconnect.DB) ([]syncplan.Reference, error) {
	var refs []syncplan.Reference
	rows, err := db.MySQL.QueryContext(ctx, `SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME
FROM information_schema.REFERENTIAL_CONSTRAINTS ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var r syncplan.Reference
		if err := rows.Scan(&r.Child.Schema, &r.Child.Table, &r.Name, &r.Parent.Schema, &r.Parent.Table); err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, rows.Err()
}
