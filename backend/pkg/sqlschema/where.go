package sqlschema

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// WhereError is a WHERE clause that is not a single SQL expression.
type WhereError struct {
	// Offset is the byte offset of the problem in the clause.
	Offset int
	Reason string
}

// Error describes the problem for people.
func (e *WhereError) Error() string {
	return fmt.Sprintf("the WHERE clause %s (at byte %d)", e.Reason, e.Offset)
}

// ValidateWhere checks that where is one expression in dialect d, so that
// wrapped as "WHERE (" + where + ")" it cannot close the parenthesis and
// continue the statement (1=1) UNION ALL SELECT … WHERE (1=1), start a
// second statement (;) or hide the rest of the statement (a comment).
//
// It lexes string literals and quoted identifiers the way the dialect does
// (Postgres: '…' with ” and E'…' with backslash escapes, "…"
// identifiers; MySQL: '…' and "…" with backslash escapes, `…`
// identifiers) and refuses, outside them: ';', comments (--, /* */ and
// MySQL's #), Postgres dollar quoting, and parentheses that do not balance.
// NUL bytes and invalid UTF-8 are refused everywhere. An empty or blank
// clause is valid (no filter).
func ValidateWhere(d Dialect, where string) error {
	if !utf8.ValidString(where) {
		return &WhereError{Offset: invalidUTF8Offset(where), Reason: "is not valid UTF-8"}
	}
	if i := strings.IndexByte(where, 0); i >= 0 {
		return &WhereError{Offset: i, Reason: "contains a NUL byte"}
	}
	depth := 0
	for i := 0; i < len(where); i++ {
		c := where[i]
		switch {
		case c == '\'':
			backslash := d == DialectMySQL || (i > 0 && (where[i-1] == 'E' || where[i-1] == 'e') && (i < 2 || !identChar(where[i-2])))
			end, ok := skipQuoted(where, i, '\'', backslash)
			if !ok {
				return &WhereError{Offset: i, Reason: "has an unterminated string literal"}
			}
			i = end
		case c == '"':
			end, ok := skipQuoted(where, i, '"', d == DialectMySQL)
			if !ok {
				return &WhereError{Offset: i, Reason: "has an unterminated quoted name or string"}
			}
			i = end
		case c == '`' && d == DialectMySQL:
			end, ok := skipQuoted(where, i, '`', false)
			if !ok {
				return &WhereError{Offset: i, Reason: "has an unterminated quoted name"}
			}
			i = end
		case c == ';':
			return &WhereError{Offset: i, Reason: "contains ';': it must be one expression, not statements"}
		case c == '-' && i+1 < len(where) && where[i+1] == '-',
			c == '/' && i+1 < len(where) && where[i+1] == '*',
			c == '#' && d == DialectMySQL:
			return &WhereError{Offset: i, Reason: "contains a comment"}
		case c == '$' && d == DialectPostgres && (i == 0 || !identChar(where[i-1])) && dollarQuote(where[i+1:]):
			return &WhereError{Offset: i, Reason: "uses dollar quoting; write string literals as '…'"}
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return &WhereError{Offset: i, Reason: "closes a parenthesis it did not open"}
			}
		}
	}
	if depth != 0 {
		return &WhereError{Offset: len(where), Reason: fmt.Sprintf("leaves %d parenthesis(es) open", depth)}
	}
	return nil
}

// skipQuoted returns the index of the quote closing the literal that opens
// at s[start], where a doubled quote is an escaped quote and, with
// backslash, so is any character after a backslash.
func skipQuoted(s string, start int, q byte, backslash bool) (int, bool) {
	for i := start + 1; i < len(s); i++ {
		switch {
		case backslash && s[i] == '\\':
			i++
		case s[i] == q:
			if i+1 < len(s) && s[i+1] == q {
				i++
				continue
			}
			return i, true
		}
	}
	return 0, false
}

// dollarQuote reports whether rest (what follows a '$') opens a Postgres
// dollar-quoted string: "$" or a tag of identifier characters then "$".
func dollarQuote(rest string) bool {
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c == '$' {
			return true
		}
		if !identChar(c) || (i == 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return false
}

func identChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func invalidUTF8Offset(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}
