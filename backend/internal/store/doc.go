// Package store owns every SQL statement the API runs against its own
// Postgres database.
//
// Queries live in queries/*.sql and are compiled by sqlc into the *.gen.go
// files of this package (never edited by hand; `make generate` rewrites
// them). Migrations live in migrations/ and are embedded into the binary, so
// `neosync-api migrate up` needs nothing on disk. Callers above this package
// see Go types only; they never build SQL.
package store
