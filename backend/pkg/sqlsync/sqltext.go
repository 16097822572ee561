package sqlsync

import (
	"maps"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// quoter builds SQL text for one dialect. Every identifier goes through
// sqlschema's quoting helper; the only error a name can produce is an
// *sqlschema.IdentifierError (empty name or NUL byte), which quoter keeps
// and reports from err, so SQL can be assembled without checking each
// name.
type quoter struct {
	d   sqlschema.Dialect
	bad error
}

func newQuoter(d sqlschema.Dialect) *quoter { return &quoter{d: d} }

// id quotes one identifier.
func (q *quoter) id(name string) string {
	s, err := q.d.QuoteIdentifier(name)
	if err != nil && q.bad == nil {
		q.bad = err
	}
	return s
}

// table quotes a qualified table name.
func (q *quoter) table(t sqlschema.TableName) string {
	s, err := q.d.QualifiedName(t)
	if err != nil && q.bad == nil {
		q.bad = err
	}
	return s
}

// list quotes names and joins them with ", ", each prefixed by prefix
// (e.g. "s." for a table alias).
func (q *quoter) list(prefix string, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = prefix + q.id(n)
	}
	return strings.Join(parts, ", ")
}

// equal returns "a.c1 = b.c1 AND a.c2 = b.c2" for the columns.
func (q *quoter) equal(a, b string, cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = a + "." + q.id(c) + " = " + b + "." + q.id(c)
	}
	return strings.Join(parts, " AND ")
}

// err returns the first quoting error.
func (q *quoter) err() error { return q.bad }

// where returns " WHERE p1 AND p2" for the non-empty predicates, or "".
func where(preds ...string) string {
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

// sortedNames returns m's keys in order.
func sortedNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
