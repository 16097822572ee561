package pgsync

import (
	"context"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// References implements syncdriver.Driver: the declared foreign keys (not
// their copies on partitions), then the table inheritance links (not
// partitions'), which a truncate of the parent follows as well.
func (Driver) References(ctx context.Context, db *sqlconnect.DB) ([]syncplan.Reference, error) {
	var refs []syncplan.Reference
	rows, err := db.Postgres.Query(ctx, `SELECT cn.nspname, c.relname, con.conname, pn.nspname, p.relname
FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_catalog.pg_class p ON p.oid = con.confrelid JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
WHERE con.contype = 'f' AND con.conparentid = 0
ORDER BY 1, 2, 3`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r syncplan.Reference
		if err := rows.Scan(&r.Child.Schema, &r.Child.Table, &r.Name, &r.Parent.Schema, &r.Parent.Table); err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.Postgres.Query(ctx, `SELECT cn.nspname, c.relname, pn.nspname, p.relname
FROM pg_catalog.pg_inherits i
  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
WHERE NOT c.relispartition
ORDER BY 1, 2, 3, 4`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r := syncplan.Reference{Inherits: true}
		if err := rows.Scan(&r.Child.Schema, &r.Child.Table, &r.Parent.Schema, &r.Parent.Table); err != nil {
			return nil, err
		}
		refs = append(refs, r)
	}
	return refs, rows.Err()
}
