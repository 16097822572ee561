package syncplan

import (
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// columnRef returns table.column quoted for the dialect.
func columnRef(d sqlschema.Dialect, t sqlschema.TableName, col string) (string, error) {
	qt, err := d.QualifiedName(t)
	if err != nil {
		return "", err
	}
	qc, err := d.QuoteIdentifier(col)
	if err != nil {
		return "", err
	}
	return qt + "." + qc, nil
}

// userPredicate wraps a user's WHERE text as one parenthesised boolean,
// on its own lines so a trailing line comment cannot swallow the closing
// parenthesis. It returns "" for a blank predicate.
func userPredicate(where string) string {
	if strings.TrimSpace(where) == "" {
		return ""
	}
	return "(\n" + where + "\n)"
}

// followCondition is the semi-join that keeps a child row only when the
// parent it references through fk is kept (parentFilter) or when the
// reference is NULL (MATCH SIMPLE: any NULL column means no reference):
//
//	(c.a IS NULL OR c.b IS NULL OR (c.a, c.b) IN (SELECT p.x, p.y FROM p WHERE <parentFilter>))
//
// Both sides are qualified with their table so neither the user's
// predicates nor nested semi-joins can resolve a name to the wrong table.
func followCondition(d sqlschema.Dialect, child sqlschema.TableName, fk ForeignKey, parentFilter string) (string, error) {
	var nulls, left, right []string
	for i, c := range fk.Columns {
		l, err := columnRef(d, child, c)
		if err != nil {
			return "", err
		}
		r, err := columnRef(d, fk.Referenced, fk.ReferencedColumns[i])
		if err != nil {
			return "", err
		}
		nulls = append(nulls, l+" IS NULL")
		left = append(left, l)
		right = append(right, r)
	}
	parent, err := d.QualifiedName(fk.Referenced)
	if err != nil {
		return "", err
	}
	lhs := strings.Join(left, ", ")
	if len(left) > 1 {
		lhs = "(" + lhs + ")"
	}
	in := lhs + " IN (SELECT " + strings.Join(right, ", ") + " FROM " + parent + " WHERE " + parentFilter + ")"
	return "(" + strings.Join(append(nulls, in), " OR ") + ")", nil
}

// andAll joins non-empty predicates with AND.
func andAll(preds []string) string {
	var keep []string
	for _, p := range preds {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\nAND ")
}
