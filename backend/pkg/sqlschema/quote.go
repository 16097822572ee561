package sqlschema

import "strings"

// QuotePostgresIdentifier returns name as a PostgreSQL quoted identifier:
// wrapped in double quotes with embedded double quotes doubled, e.g.
// a"b -> "a""b".
//
// Quoting is always applied, even for plain lower case names, because it is
// the only way to preserve case, spaces, unicode and reserved words
// faithfully. The only names rejected (with an *[IdentifierError]) are the
// empty string and names containing a NUL byte, which PostgreSQL cannot
// represent. Note that the server truncates identifiers longer than
// NAMEDATALEN-1 (63) bytes; that is left to the server to report.
func QuotePostgresIdentifier(name string) (string, error) {
	return quoteWith(name, '"')
}

// QuoteMySQLIdentifier returns name as a MySQL/MariaDB quoted identifier:
// wrapped in backticks with every embedded backtick doubled (the name a`b
// becomes a quoted identifier of six characters containing four backticks).
//
// Backticks are used (not double quotes) because they denote identifiers
// regardless of the ANSI_QUOTES sql_mode. The only names rejected (with an
// *[IdentifierError]) are the empty string and names containing a NUL byte.
// Other server restrictions (e.g. trailing spaces, characters outside the
// Basic Multilingual Plane, 64 character limit) are reported by the server.
func QuoteMySQLIdentifier(name string) (string, error) {
	return quoteWith(name, '`')
}

func quoteWith(name string, q byte) (string, error) {
	if name == "" {
		return "", &IdentifierError{Name: name, Reason: "identifier is empty"}
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", &IdentifierError{Name: name, Reason: "identifier contains a NUL byte"}
	}
	var b strings.Builder
	b.Grow(len(name) + 2)
	b.WriteByte(q)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == q {
			b.WriteByte(q)
		}
		b.WriteByte(c)
	}
	b.WriteByte(q)
	return b.String(), nil
}
