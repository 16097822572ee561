package generate

import (
	"context"
	"errors"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// SchemaDatabaseError is the refusal to generate into the database the
// plan's schema was read from: generating empties and refills every
// planned table, so it would replace that database's own rows.
type SchemaDatabaseError struct {
	// Destination is the destination's name.
	Destination string
	// Database and Server are the schema's database and server.
	Database, Server string
	// Table is a planned table the destination would replace.
	Table sqlschema.TableName
}

// Error names the database and what to do.
func (e *SchemaDatabaseError) Error() string {
	return fmt.Sprintf("destination %s reaches the schema connection's own database (%q on server %s): a generate job empties and refills every table it generates, so it would replace the rows of %s there; point the destination's connection at another database",
		e.Destination, e.Database, e.Server, e.Table)
}

// KindError is the refusal to generate into a database of another kind
// than the one the plan's schema was read from: the plan's DDL and
// statements are in the schema's SQL dialect.
type KindError struct {
	// Destination is the destination's name.
	Destination string
	// Schema and Dest are the schema's dialect and the destination's.
	Schema, Dest sqlschema.Dialect
}

// Error names both kinds and what to do.
func (e *KindError) Error() string {
	return fmt.Sprintf("destination %s is a %s database and the job's schema is read from %s: a generate job writes into the kind of database its schema comes from; point the destination at a %s database",
		e.Destination, e.Dest.Name(), e.Schema.Name(), e.Schema.Name())
}

// OccupiedError is the refusal to replace rows the job did not write: a
// destination without truncate_before_insert whose planned tables already
// hold rows.
type OccupiedError struct {
	// Destination is the destination's name.
	Destination string
	// Tables are the planned tables that hold rows, as named there.
	Tables []sqlschema.TableName
}

// Error names the first table, how many more there are, and what to do.
func (e *OccupiedError) Error() string {
	more := ""
	if len(e.Tables) > 1 {
		more = fmt.Sprintf(" (and %d more of the job's tables)", len(e.Tables)-1)
	}
	return fmt.Sprintf("destination %s: table %s already holds rows%s, and generating replaces a table's rows; nothing was written. Turn on truncate before insert for this destination to replace them, or point it at empty tables",
		e.Destination, e.Tables[0], more)
}

// Target resolves destination dst of plan p with the sync engine's rules
// (sqlsync.Engine.ResolveDestination) before anything is written to it:
// it returns p as named in dst (Plan.In) — on MySQL/MariaDB the tables go
// into the database dst's connection uses, not the schema connection's —
// and dst as resolved. A destination that reaches the database the schema
// was read from (Plan.Source) is refused with a *SchemaDatabaseError, a
// database of another kind than the schema's with a *KindError.
func Target(ctx context.Context, e *sqlsync.Engine, p *Plan, dst sqlsync.Destination) (*Plan, sqlsync.Destination, error) {
	if dst.DB != nil && sqlschema.Dialect(dst.DB.Driver) != p.Dialect {
		return nil, dst, &KindError{Destination: dst.Name, Schema: p.Dialect, Dest: sqlschema.Dialect(dst.DB.Driver)}
	}
	sp := &syncplan.Plan{Dialect: p.Dialect, Source: p.Source, Tables: make([]syncplan.Table, len(p.Tables))}
	for i, t := range p.Tables {
		sp.Tables[i].Name = t.Name
	}
	rd, err := e.ResolveDestination(ctx, sp, nil, dst)
	var same *sqlsync.SameDatabaseError
	if errors.As(err, &same) {
		return nil, rd, &SchemaDatabaseError{Destination: dst.Name, Database: same.SourceDatabase, Server: same.Server, Table: same.Table}
	}
	if err != nil {
		return nil, rd, err
	}
	return p.In(rd.Options.DestTable), rd, nil
}

// CheckReplace refuses (*OccupiedError) to generate plan p, as named in
// destination dst (Target), when dst does not say truncate_before_insert
// and a planned table already holds rows there.
func CheckReplace(ctx context.Context, p *Plan, dst sqlsync.Destination) error {
	if dst.Options.Truncate {
		return nil
	}
	occupied, err := Occupied(ctx, p, dst.DB)
	if err != nil {
		return fmt.Errorf("destination %s: %w", dst.Name, err)
	}
	if len(occupied) > 0 {
		return &OccupiedError{Destination: dst.Name, Tables: occupied}
	}
	return nil
}
