package activities

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("table public.x: batch 3: %w", err) }
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"missing column", wrap(&pgconn.PgError{Code: "42703", Message: `column "nope" does not exist`}), ErrTypeValidation},
		{"missing table", wrap(&pgconn.PgError{Code: "42P01"}), ErrTypeValidation},
		{"not null", wrap(&pgconn.PgError{Code: "23502"}), ErrTypeData},
		{"unique", wrap(&pgconn.PgError{Code: "23505"}), ErrTypeData},
		{"bad password", wrap(&pgconn.PgError{Code: "28P01"}), ErrTypeAuthentication},
		{"no database", wrap(&pgconn.PgError{Code: "3D000"}), ErrTypeValidation},
		{"permission", wrap(&pgconn.PgError{Code: "42501"}), ErrTypePermission},
		{"read-only destination", wrap(&pgconn.PgError{Code: "25006"}), ErrTypeValidation},
		{"deadlock", wrap(&pgconn.PgError{Code: "40P01"}), ""},
		{"serialization", wrap(&pgconn.PgError{Code: "40001"}), ""},
		{"admin shutdown", wrap(&pgconn.PgError{Code: "57P01"}), ""},
		{"connection lost", wrap(&pgconn.PgError{Code: "08006"}), ""},
		{"lock not available", wrap(&pgconn.PgError{Code: "55P03"}), ""},
		{"mysql access denied", wrap(&mysql.MySQLError{Number: 1045}), ErrTypeAuthentication},
		{"mysql unknown column", wrap(&mysql.MySQLError{Number: 1054}), ErrTypeValidation},
		{"mysql no table", wrap(&mysql.MySQLError{Number: 1146}), ErrTypeValidation},
		{"mysql duplicate", wrap(&mysql.MySQLError{Number: 1062}), ErrTypeData},
		{"mysql null", wrap(&mysql.MySQLError{Number: 1048}), ErrTypeData},
		{"collision with a user's row", wrap(&sqlsync.CollisionError{Err: &pgconn.PgError{Code: "23505"}}), ErrTypeData},
		{"mysql collision with a user's row", wrap(&sqlsync.CollisionError{Err: &mysql.MySQLError{Number: 1062}}), ErrTypeData},
		{"mysql deadlock", wrap(&mysql.MySQLError{Number: 1213}), ""},
		{"mysql lock wait", wrap(&mysql.MySQLError{Number: 1205}), ""},
		{"unreachable", wrap(&sqlconnect.ConnectError{Kind: sqlconnect.KindUnreachable}), ""},
		{"wrong password", wrap(&sqlconnect.ConnectError{Kind: sqlconnect.KindAuthentication}), ErrTypeAuthentication},
		{"unknown database", wrap(&sqlconnect.ConnectError{Kind: sqlconnect.KindUnknownDatabase}), ErrTypeValidation},
		{"plan", wrap(&syncplan.ValidationError{Problems: []string{"x"}}), ErrTypeValidation},
		{"rejected value", wrap(&transformers.ValueError{Transformer: "transform_email", Reason: "not an email"}), ErrTypeData},
		{"bad parameter", wrap(&transformers.ParamError{Transformer: "t", Param: "p"}), ErrTypeValidation},
		{"canceled", wrap(context.Canceled), ""},
		{"finalize", wrap(&sqlsync.FinalizeError{Destination: "dst"}), ErrTypeData},
		{"same database", wrap(&sqlsync.SameDatabaseError{Destination: "dst"}), ErrTypeValidation},
		{"truncate reach", wrap(&sqlsync.TruncateCascadeError{}), ErrTypeValidation},
		{"inheritance between the job's destination tables", wrap(&sqlsync.InheritanceError{}), ErrTypeValidation},
		{"generate into the schema's database", wrap(&generate.SchemaDatabaseError{Destination: "dst"}), ErrTypeValidation},
		{"generate into another kind of database", wrap(&generate.KindError{Destination: "dst", Schema: "postgres", Dest: "mysql"}), ErrTypeValidation},
		{"generate over rows", wrap(&generate.OccupiedError{Destination: "dst", Tables: []sqlschema.TableName{{Schema: "public", Table: "t"}}}), ErrTypeValidation},
		{"unknown", errors.New("something odd"), ""},
	}
	for _, c := range cases {
		if got := classify(c.err); got != c.want {
			t.Errorf("%s: classify = %q, want %q", c.name, got, c.want)
		}
		err := dataError(c.err)
		if got := isNonRetryable(err); got != (c.want != "") {
			t.Errorf("%s: non-retryable = %v, want %v", c.name, got, c.want != "")
		}
		if msg := RootMessage(err); msg != c.err.Error() {
			t.Errorf("%s: message %q changed to %q", c.name, c.err.Error(), msg)
		}
	}
}
