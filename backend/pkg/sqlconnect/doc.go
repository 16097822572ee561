// Package sqlconnect turns a stored connection configuration into a live,
// bounded connection pool to a Postgres or MySQL/MariaDB database.
//
// It is shared by the API (to check connections and introspect them), the
// worker and the CLI, so every binary opens databases the same way: one
// Config type with JSON tags (it is the persisted form), one validation with
// field-naming errors, one classification of connection failures into kinds a
// user can act on (unreachable, authentication, unknown database, TLS), and
// secret masking for read paths.
//
// It is also the one place the connection policy lives, because a tenant's
// connection string is attacker-controlled input to a process that holds
// other tenants' secrets:
//
//   - Parameters: each dialect has an allow-list; anything that makes the
//     process read its own files (Postgres passfile, service, servicefile,
//     sslrootcert/sslcert/sslkey paths; MySQL allowAllFiles) is refused with
//     a *ParamError naming it. Certificates are given inline as PEM (TLS).
//     LOAD DATA LOCAL only ever serves the sync engine's own registered
//     readers, whose names are unguessable.
//   - Environment: the pgx configuration is rendered from what the tenant
//     wrote, with every setting pgx would otherwise take from PG* variables,
//     ~/.pgpass, ~/.pg_service.conf or ~/.postgresql given explicitly, and
//     its session parameters replaced. go-sql-driver reads no environment.
//   - Network: every dial goes through a Policy's netpolicy.Dialer, which
//     checks the resolved addresses at connect time; refused and unreachable
//     addresses fail with the same message. Policy.Protected refuses the
//     API's own database on every new session.
package sqlconnect
