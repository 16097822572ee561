// Package dbtrace traces Postgres queries for the API's and the worker's
// traces. It is apart from package telemetry so the API's store can use it
// without importing Connect (the layering rules keep Connect above the
// store).
package dbtrace

import (
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
)

// Postgres returns a pgx query tracer recording a span per query, COPY and
// batch with the statement but never its arguments (they may hold the
// rows being copied).
func Postgres() pgx.QueryTracer {
	return otelpgx.NewTracer(otelpgx.WithDisableQuerySpanNamePrefix())
}
