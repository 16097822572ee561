// Package sqlschema reads the structure of a PostgreSQL or MySQL/MariaDB
// database (tables, columns, keys, privileges) and streams table rows in the
// server's text representation.
//
// It is shared by the Neosync API server (connection checks and schema
// browsing), the worker (copying and anonymizing data) and the CLI, so it is a
// pure library: it depends only on database/sql, pgx and the MySQL driver, and
// it never reads configuration or global state.
//
// # Safety contract
//
// Neosync runs against production databases. Therefore:
//
//   - Every identifier placed in generated SQL goes through
//     [QuotePostgresIdentifier] or [QuoteMySQLIdentifier] (via
//     [Dialect.QuoteIdentifier] and [Dialect.QualifiedName]); names are never
//     formatted into SQL raw. Catalog queries pass names as bind parameters.
//   - Generated SQL always uses fully qualified schema.table names so the
//     result never depends on search_path or the connection's default
//     database.
//   - The only user supplied SQL accepted is the optional row filter (the
//     "where" argument of [Inspector.RowCount] and [Inspector.StreamRows]).
//     It is executed inside a READ ONLY transaction and as a single
//     statement (PostgreSQL extended protocol; a server side prepare on
//     MySQL), so it can neither modify data nor smuggle in a second statement
//     such as "COMMIT; DELETE ...".
//
// # Catalog queries
//
// Each Inspector method issues a small, fixed number of catalog queries (one
// per kind of object, never one per table), so inspecting schemas with
// thousands of tables stays cheap. On MySQL some results are joined in Go
// rather than in SQL because information_schema compares names
// case-insensitively, which would confuse tables named "T" and "t".
// Results are sorted with Go's byte-wise string ordering so that output is
// deterministic and identical across dialects and server collations.
//
// PostgreSQL 12 or newer is required (generated columns). On MySQL both
// MySQL 8 and MariaDB 10.2+ are understood; see [Column] for the places
// where the two servers report things differently.
package sqlschema
