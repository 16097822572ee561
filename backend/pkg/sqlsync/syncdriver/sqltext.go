package syncdriver

import (
	"maps"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Quoter builds SQL text for one dialect. Every identifier goes through
// sqlschema's quoting helper; the only error a name can produce is an
// *sqlschema.IdentifierError (empty name or NUL byte), which Quoter keeps
// and reports from err, so SQL can be assembled without checking each
// name.
type Quoter struct {
	d   sqlschema.Dialect
	bad error
}

// NewQuoter returns a Quoter for dialect d.
func NewQuoter(d sqlschema.Dialect) *Quoter { return &Quoter{d: d} }

// ID quotes one identifier.
func (q *Quoter) ID(name string) string {
	s, err := q.d.QuoteIdentifier(name)
	if err != nil && q.bad == nil {
		q.bad = err
	}
	return s
}

// Table quotes a qualified table name.
func (q *Quoter) Table(t sqlschema.TableName) string {
	s, err := q.d.QualifiedName(t)
	if err != nil && q.bad == nil {
		q.bad = err
	}
	return s
}

// List quotes names and joins them with ", ", each prefixed by prefix
// (e.g. "s." for a table alias).
func (q *Quoter) List(prefix string, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = prefix + q.ID(n)
	}
	return strings.Join(parts, ", ")
}

// Equal returns "a.c1 = b.c1 AND a.c2 = b.c2" for the columns.
func (q *Quoter) Equal(a, b string, cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = a + "." + q.ID(c) + " = " + b + "." + q.ID(c)
	}
	return strings.Join(parts, " AND ")
}

// Err returns the first quoting error.
func (q *Quoter) Err() error { return q.bad }

// Where returns " WHERE p1 AND p2" for the non-empty predicates, or "".
func Where(preds ...string) string {
	var keep []string
	for _, p := range preds {
		if p != "" {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(keep, "\nAND ")
}

// Parenthesize wraps a non-empty predicate in parentheses.
func Parenthesize(p string) string {
	if p == "" {
		return ""
	}
	return "(" + p + ")"
}

// SortedNames returns m's keys in order.
func SortedNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
