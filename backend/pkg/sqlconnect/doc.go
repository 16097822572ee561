// Package sqlconnect turns a stored connection configuration into a live,
// bounded connection pool to a Postgres or MySQL/MariaDB database.
//
// It is shared by the API (to check connections and introspect them), the
// worker and the CLI, so every binary opens databases the same way: one
// Config type with JSON tags (it is the persisted form), one validation with
// field-naming errors, one classification of connection failures into kinds a
// user can act on (unreachable, authentication, unknown database, TLS), and
// secret masking for read paths.
package sqlconnect
