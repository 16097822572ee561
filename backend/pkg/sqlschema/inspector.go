package sqlschema

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Inspector reads a database's structure and data. Implementations are
// returned by [NewPostgresInspector] and [NewMySQLInspector] and are safe for
// concurrent use (they hold no state besides the connection pool).
//
// The schemas argument filters by schema (database on MySQL): nil or empty
// means all user schemas, i.e. everything except pg_catalog,
// information_schema, pg_toast* and pg_temp* on PostgreSQL and mysql,
// information_schema, performance_schema and sys on MySQL. Explicitly listed
// schemas are matched exactly (case sensitive) and are never excluded.
//
// Only base tables are reported (views, sequences and foreign tables are
// not); on PostgreSQL partitioned tables and their partitions are both base
// tables, as in information_schema.tables.
type Inspector interface {
	// Dialect reports the SQL dialect of the inspected database.
	Dialect() Dialect
	// Tables lists base tables, sorted by schema then name.
	Tables(ctx context.Context, schemas []string) ([]TableName, error)
	// Columns lists the columns of all base tables, sorted by schema,
	// table and ordinal position.
	Columns(ctx context.Context, schemas []string) ([]Column, error)
	// Constraints returns primary key, foreign key and unique constraints,
	// one entry per table that has at least one of them, sorted by table.
	// Check and exclusion constraints are not reported.
	Constraints(ctx context.Context, schemas []string) ([]TableConstraints, error)
	// RowCount counts the rows of t matching where, an optional raw SQL
	// predicate supplied by the user (a subset filter; "" or blank means
	// all rows). The predicate must pass [ValidateWhere] (else a
	// *[WhereError]); it runs inside a READ ONLY transaction that is rolled
	// back, as a single statement bounded by [RowCountTimeout], so the
	// predicate can neither keep a change nor run long; a predicate the
	// database rejects returns its error wrapped. A table that does not
	// exist yields an error wrapping [ErrTableNotFound].
	RowCount(ctx context.Context, t TableName, where string) (int64, error)
	// EstimatedRowCount returns the catalog's estimate of t's rows without
	// reading the table — PostgreSQL's reltuples (summed over the leaf
	// partitions of a partitioned table; for a table never vacuumed or
	// analyzed, which has none, the planner's estimate from the table's
	// size in pages, as EXPLAIN gives it), MySQL's TABLE_ROWS — or -1
	// when there is none. It sizes progress bars and key ranges: exact
	// counts of large tables take as long as a scan.
	EstimatedRowCount(ctx context.Context, t TableName) (int64, error)
	// Privileges returns the current user's effective privileges per base
	// table, one entry per table on which at least one privilege is held,
	// sorted by table (privileges sorted by name).
	//
	// PostgreSQL: has_table_privilege for SELECT, INSERT, UPDATE, DELETE,
	// TRUNCATE, REFERENCES and TRIGGER (this includes privileges inherited
	// through role membership); privileges on tables in schemas where the
	// role lacks USAGE are not effective and are omitted.
	//
	// MySQL: the union of the global (USER_PRIVILEGES), database
	// (SCHEMA_PRIVILEGES) and table (TABLE_PRIVILEGES) grants of
	// CURRENT_USER(), restricted to privileges that apply to tables
	// (SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX,
	// ALTER, CREATE VIEW, SHOW VIEW, TRIGGER, DELETE HISTORY). Column level
	// grants and privileges obtained through roles are not included,
	// because information_schema does not expose them for the current user.
	Privileges(ctx context.Context, schemas []string) ([]TablePrivileges, error)
	// StreamRows reads every row of t matching where (see RowCount) and
	// calls fn once per batch of at most batchSize rows, in the order the
	// server returns them. All columns are selected explicitly in ordinal
	// order, and columns is passed to every call (the same slice; do not
	// modify it). Values are the server's text representation (PostgreSQL
	// text result format, MySQL text protocol); NULL is a nil pointer. Each
	// batch is freshly allocated, so fn may keep it, and memory use does
	// not grow with the table size. fn is not called for an empty result.
	// An error returned by fn stops the stream and is returned wrapped.
	// The predicate must pass [ValidateWhere]; the read happens inside a
	// READ ONLY transaction that is rolled back. It has no statement
	// timeout, because streaming a large table legitimately takes long: it
	// ends when ctx does (a caller going away). batchSize must be at
	// least 1.
	//
	// PostgreSQL: the transaction pins bytea_output=hex, DateStyle=ISO,
	// IntervalStyle=postgres and extra_float_digits=3 so the text is
	// unambiguous and round-trips (bytea is "\x..." hex, floats exact).
	//
	// MySQL: the driver decodes integer and floating point columns of the
	// text protocol; they are re-formatted with strconv, so integers are
	// exactly the server's text while FLOAT/DOUBLE use the shortest text
	// that parses back to the same value (this can differ from the
	// server's rounded display, e.g. FLOAT 1.2345678 instead of 1.23457,
	// and is the lossless choice for copying). Other values (strings,
	// DECIMAL, dates, BLOB/BIT as raw bytes) are the server's text. The DSN
	// should not set parseTime=true; if it does, DATE and DATETIME values
	// are re-formatted from time.Time and may differ from the server's text.
	StreamRows(ctx context.Context, t TableName, where string, batchSize int, fn func(columns []string, batch [][]*string) error) error
	// SampleRows reads at most limit rows of t (1 to [MaxSampleRows]) —
	// the first ones the server returns, with no ORDER BY, so the read
	// stops early on a large table — for looking at what a table holds
	// (PII detection). Columns and values are as in StreamRows (every
	// column in ordinal order, the server's text, NULL as nil). The read
	// runs in a READ ONLY transaction that is rolled back, as one
	// statement bounded by [SampleTimeout]. A table that does not exist
	// yields an error wrapping [ErrTableNotFound].
	SampleRows(ctx context.Context, t TableName, limit int) (columns []string, rows [][]*string, err error)
}

// SampleTimeout bounds the statement of [Inspector.SampleRows].
const SampleTimeout = 10 * time.Second

// MaxSampleRows is the largest limit [Inspector.SampleRows] accepts.
const MaxSampleRows = 10_000

// RowCountTimeout bounds the statement of [Inspector.RowCount] (Postgres
// statement_timeout, MariaDB max_statement_time, MySQL max_execution_time).
const RowCountTimeout = 30 * time.Second

// errBadBatchSize is returned by StreamRows for batchSize < 1.
var errBadBatchSize = errors.New("sqlschema: batchSize must be at least 1")

// wherePredicate wraps a user predicate so that it is evaluated as one
// parenthesised boolean expression. The predicate is placed on its own lines
// so a trailing line comment in it cannot swallow the closing parenthesis.
// It returns "" for a blank predicate.
func wherePredicate(where string) string {
	if strings.TrimSpace(where) == "" {
		return ""
	}
	return " WHERE (\n" + where + "\n)"
}

// nonNilSchemas returns schemas as a non-nil slice (pgx encodes a nil slice
// as SQL NULL).
func nonNilSchemas(schemas []string) []string {
	if schemas == nil {
		return []string{}
	}
	return schemas
}
