package sqlsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/mysqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// SameDatabaseError is the refusal to write a destination that is the
// source itself: its connection reaches the source's server (as the
// servers report it, not as the URLs spell it) and a copied table would be
// written onto itself — truncated, overwritten, deleted from on resume.
type SameDatabaseError struct {
	// Destination is the destination's name.
	Destination string
	// Server identifies the server both connections reach
	// (sqlconnect.Identity.Server).
	Server string
	// SourceDatabase and DestinationDatabase are the databases the two
	// connections use.
	SourceDatabase, DestinationDatabase string
	// Table is a source table the destination would overwrite.
	Table sqlschema.TableName
}

// Error names both databases and what to do.
func (e *SameDatabaseError) Error() string {
	where := fmt.Sprintf("both connections reach database %q on the same server (%s)", e.SourceDatabase, e.Server)
	if e.DestinationDatabase != e.SourceDatabase {
		dest := fmt.Sprintf("database %q", e.DestinationDatabase)
		if e.DestinationDatabase == "" {
			dest = "no database (so tables keep their source database)"
		}
		where = fmt.Sprintf("the source connection reaches database %q and the destination connection %s on the same server (%s)", e.SourceDatabase, dest, e.Server)
	}
	return fmt.Sprintf("sqlsync: destination %s is the source itself: %s, so the sync would overwrite the source table %s; "+
		"point the destination's connection at another database, or map the source's schemas elsewhere with schema_map", e.Destination, where, e.Table)
}

// ResolveDestination returns dst as the engine writes it, refusing a
// destination that is the source itself (*SameDatabaseError): the
// resolution every engine step starts with (see resolve), for a caller
// that writes a plan's tables by itself — data generation writes the
// generated rows into dst.Options.DestTable of each planned table. src
// may be nil when plan.Source is set.
func (e *Engine) ResolveDestination(ctx context.Context, plan *syncplan.Plan, src *sqlconnect.DB, dst Destination) (Destination, error) {
	return e.resolve(ctx, plan, src, dst)
}

// resolve returns dst as the engine writes it, after checking that it is
// not the source. It is the one place where a destination's table names
// are decided, and every step that touches a destination starts with it:
//
//   - PostgreSQL: a connection reaches one database, the one its URL
//     names; tables keep their schema (or DestinationOptions.SchemaMap's).
//   - MySQL/MariaDB: a schema is a database of the server, so the source's
//     database maps to the database the destination's connection uses
//     (DATABASE(), from its URL) unless SchemaMap maps it explicitly:
//     writing into a database named like the source's would, on the
//     source's own server, write into the source. The source's database is
//     the plan's only schema, or, for a plan over several databases, the
//     one the source connection uses; the others keep their names. A
//     destination URL without a database keeps every name.
//
// It refuses (*SameDatabaseError) when the destination's server is the
// source's — sqlconnect.Identity, recorded in the plan by
// syncplan.BuildPlan, or asked of src when the plan has none — and a
// copied table resolves to itself: on MySQL any such table, on
// PostgreSQL one in the source's own database. Without a known source
// identity (a plan from syncplan.NewPlan and no source connection, as in
// the stream path) nothing can be compared and nothing is refused.
func (e *Engine) resolve(ctx context.Context, plan *syncplan.Plan, src *sqlconnect.DB, dst Destination) (Destination, error) {
	if dst.DB == nil {
		return dst, fmt.Errorf("sqlsync: destination %s: no connection", dst.Name)
	}
	did, err := dst.DB.Identity(ctx)
	if err != nil {
		return dst, fmt.Errorf("sqlsync: destination %s: %w", dst.Name, err)
	}
	sid := plan.Source
	if sid == nil && src != nil {
		id, err := src.Identity(ctx)
		if err != nil {
			return dst, fmt.Errorf("sqlsync: source: %w", err)
		}
		sid = &id
	}
	if dst.DB.Driver == sqlconnect.DriverMySQL {
		srcDB := ""
		if sid != nil {
			srcDB = sid.Database
		}
		dst.Options.SchemaMap = mysqlsync.SchemaMap(plan, dst.Options.SchemaMap, srcDB, did.Database)
	}
	if sid == nil || !sid.SameServer(did) || (dst.DB.Driver == sqlconnect.DriverPostgres && sid.Database != did.Database) {
		return dst, nil
	}
	for _, t := range plan.Tables {
		if dst.Options.DestTable(t.Name) == t.Name {
			return dst, &SameDatabaseError{Destination: dst.Name, Server: did.Server,
				SourceDatabase: sid.Database, DestinationDatabase: did.Database, Table: t.Name}
		}
	}
	return dst, nil
}
