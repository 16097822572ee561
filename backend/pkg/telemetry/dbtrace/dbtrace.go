// Package dbtrace traces database queries for the API's and the worker's
// traces: Postgres through pgx's tracer hook, MySQL/MariaDB by wrapping the
// database/sql connector. It is apart from package telemetry so the API's
// store can use it without importing Connect (the layering rules keep
// Connect above the store).
package dbtrace

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/XSAM/otelsql"
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Postgres returns a pgx query tracer recording a span per query, COPY and
// batch with the statement but never its arguments (they may hold the
// rows being copied).
func Postgres() pgx.QueryTracer {
	return otelpgx.NewTracer(otelpgx.WithDisableQuerySpanNamePrefix())
}

// MySQL returns an opener of traced MySQL/MariaDB pools: a span per
// statement (query, exec, prepared statement, transaction end) carrying
// db.system.name "mysql" and the statement text, never its arguments —
// they may hold the rows being copied, and a LOAD DATA's rows are not
// arguments at all. Row iteration, session resets and pings make no span:
// a table copy would otherwise add one span per result set and per pooled
// checkout. Spans are made only under a parent span, so a connection
// used outside a traced call (a pool's background ping) records nothing.
func MySQL() func(driver.Connector) *sql.DB {
	opts := []otelsql.Option{
		otelsql.WithAttributes(attribute.String("db.system.name", "mysql")),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			OmitRows:             true,
			OmitConnResetSession: true,
			OmitConnectorConnect: true,
			DisableErrSkip:       true,
			SpanFilter: func(ctx context.Context, _ otelsql.Method, _ string, _ []driver.NamedValue) bool {
				return trace.SpanContextFromContext(ctx).IsValid()
			},
		}),
	}
	return func(c driver.Connector) *sql.DB { return otelsql.OpenDB(c, opts...) }
}
