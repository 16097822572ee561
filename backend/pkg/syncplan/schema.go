package syncplan

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Schema is the part of the source's catalog a plan is computed from.
type Schema struct {
	Dialect     sqlschema.Dialect
	Tables      []sqlschema.TableName
	Columns     []sqlschema.Column
	Constraints []sqlschema.TableConstraints
	Definitions *sqlschema.Definitions
}

// ReadSchema inspects the given schemas of db (nil: all user schemas).
func ReadSchema(ctx context.Context, db *sqlconnect.DB, schemas []string) (*Schema, error) {
	var insp sqlschema.Inspector
	var defs func() (*sqlschema.Definitions, error)
	switch db.Driver {
	case sqlconnect.DriverPostgres:
		insp = sqlschema.NewPostgresInspector(db.Postgres)
		defs = func() (*sqlschema.Definitions, error) {
			return sqlschema.PostgresDefinitions(ctx, db.Postgres, schemas)
		}
	case sqlconnect.DriverMySQL:
		insp = sqlschema.NewMySQLInspector(db.MySQL)
		defs = func() (*sqlschema.Definitions, error) { return sqlschema.MySQLDefinitions(ctx, db.MySQL, schemas) }
	default:
		return nil, fmt.Errorf("syncplan: unsupported driver %q", db.Driver)
	}
	s := &Schema{Dialect: insp.Dialect()}
	var err error
	if s.Tables, err = insp.Tables(ctx, schemas); err != nil {
		return nil, err
	}
	if s.Columns, err = insp.Columns(ctx, schemas); err != nil {
		return nil, err
	}
	if s.Constraints, err = insp.Constraints(ctx, schemas); err != nil {
		return nil, err
	}
	if s.Definitions, err = defs(); err != nil {
		return nil, err
	}
	return s, nil
}
