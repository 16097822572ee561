package sqlschema

import "fmt"

// Dialect names a SQL dialect. It selects the identifier quoting rules used
// when generating SQL.
type Dialect string

const (
	// DialectPostgres is PostgreSQL (double quoted identifiers).
	DialectPostgres Dialect = "postgres"
	// DialectMySQL is MySQL and MariaDB (backtick quoted identifiers).
	DialectMySQL Dialect = "mysql"
)

// Name is how messages name the dialect's databases: "PostgreSQL",
// "MySQL/MariaDB" (an unknown dialect by its value).
func (d Dialect) Name() string {
	switch d {
	case DialectPostgres:
		return "PostgreSQL"
	case DialectMySQL:
		return "MySQL/MariaDB"
	}
	return string(d)
}

// QuoteIdentifier quotes one identifier for the dialect using
// [QuotePostgresIdentifier] or [QuoteMySQLIdentifier]. An unknown dialect is
// an error rather than a guess, because a wrong quoting style would change
// the meaning of the generated SQL.
func (d Dialect) QuoteIdentifier(name string) (string, error) {
	switch d {
	case DialectPostgres:
		return QuotePostgresIdentifier(name)
	case DialectMySQL:
		return QuoteMySQLIdentifier(name)
	default:
		return "", fmt.Errorf("sqlschema: unknown dialect %q", string(d))
	}
}

// QualifiedName returns the quoted, fully qualified name schema.table for
// the dialect, e.g. "public"."users" or `app`.`users`. Both parts are
// required (an empty schema is an *[IdentifierError]) so that generated SQL
// never depends on search_path or the connection's default database.
func (d Dialect) QualifiedName(t TableName) (string, error) {
	s, err := d.QuoteIdentifier(t.Schema)
	if err != nil {
		return "", err
	}
	n, err := d.QuoteIdentifier(t.Table)
	if err != nil {
		return "", err
	}
	return s + "." + n, nil
}

// quoteAll quotes every name for the dialect.
func (d Dialect) quoteAll(names []string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		q, err := d.QuoteIdentifier(n)
		if err != nil {
			return nil, err
		}
		out[i] = q
	}
	return out, nil
}
