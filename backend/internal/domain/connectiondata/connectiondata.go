// Package connectiondata reads the structure and rows of a saved connection:
// columns, keys, tables, row counts and a batched row stream. Each call opens
// the connection, reads inside the database's catalog or a read-only
// transaction, and closes it.
package connectiondata

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Batch sizes for Stream.
const (
	DefaultBatchSize = 1000
	MaxBatchSize     = 10_000
)

// Service reads connection data.
type Service struct {
	connections *connection.Service
}

// NewService returns a Service.
func NewService(c *connection.Service) *Service { return &Service{connections: c} }

func (s *Service) inspect(ctx context.Context, scope domain.Scope, id uuid.UUID, fn func(sqlschema.Inspector) error) error {
	db, err := s.connections.Open(ctx, scope, id)
	if err != nil {
		return err
	}
	defer db.Close()
	return mapErr(fn(connection.Inspector(db)))
}

func mapErr(err error) error {
	if errors.Is(err, sqlschema.ErrTableNotFound) {
		return &domain.NotFoundError{Resource: "table"}
	}
	var ie *sqlschema.IdentifierError
	if errors.As(err, &ie) {
		return domain.Invalid("table", "%s", ie.Error())
	}
	return err
}

// Columns lists every column of the connection's user tables.
func (s *Service) Columns(ctx context.Context, scope domain.Scope, id uuid.UUID, schemas []string) (cols []sqlschema.Column, err error) {
	err = s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		cols, err = i.Columns(ctx, schemas)
		return err
	})
	return cols, err
}

// Constraints lists keys per table.
func (s *Service) Constraints(ctx context.Context, scope domain.Scope, id uuid.UUID, schemas []string) (cons []sqlschema.TableConstraints, err error) {
	err = s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		cons, err = i.Constraints(ctx, schemas)
		return err
	})
	return cons, err
}

// Tables lists the connection's user tables.
func (s *Service) Tables(ctx context.Context, scope domain.Scope, id uuid.UUID) (tables []sqlschema.TableName, err error) {
	err = s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		tables, err = i.Tables(ctx, nil)
		return err
	})
	return tables, err
}

// RowCount counts a table's rows matching an optional WHERE predicate. A
// predicate the database rejects is a ValidationError with its message.
func (s *Service) RowCount(ctx context.Context, scope domain.Scope, id uuid.UUID, t sqlschema.TableName, where string) (n int64, err error) {
	if t.Schema == "" || t.Table == "" {
		return 0, domain.Invalid("table", "schema and table are required")
	}
	err = s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		n, err = i.RowCount(ctx, t, where)
		var we *sqlschema.WhereError
		if errors.As(err, &we) {
			return domain.Invalid("where_clause", "%s", we.Error())
		}
		if err != nil && where != "" && !errors.Is(err, sqlschema.ErrTableNotFound) && ctx.Err() == nil {
			return domain.Invalid("where_clause", "%s", err.Error())
		}
		return err
	})
	return n, err
}

// Stream calls fn with batches of a table's rows in text form.
func (s *Service) Stream(ctx context.Context, scope domain.Scope, id uuid.UUID, t sqlschema.TableName, where string, batchSize int, fn func(columns []string, batch [][]*string) error) error {
	if t.Schema == "" || t.Table == "" {
		return domain.Invalid("table", "schema and table are required")
	}
	if batchSize == 0 {
		batchSize = DefaultBatchSize
	}
	if batchSize < 0 || batchSize > MaxBatchSize {
		return domain.Invalid("batch_size", "must be between 1 and %d", MaxBatchSize)
	}
	return s.inspect(ctx, scope, id, func(i sqlschema.Inspector) error {
		err := i.StreamRows(ctx, t, where, batchSize, fn)
		var (
			we *sqlschema.WhereError
			se *sqlschema.StallError
		)
		switch {
		case errors.As(err, &we):
			return domain.Invalid("where_clause", "%s", we.Error())
		case errors.As(err, &se) && where != "":
			return domain.Invalid("where_clause", "%s", se.Error())
		case errors.As(err, &se):
			return domain.FailedPrecondition("%s", se.Error())
		}
		return err
	})
}
