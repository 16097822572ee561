package syncdriver

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// FinalizeRun is one Finalize or Restore: what it built and what it
// could not.
type FinalizeRun struct {
	Dst Destination
	// Restore is true for Restore (best effort after a stopped run).
	Restore bool
	// Total counts the objects that had to be in place.
	Total int
	// Missing are the objects that could not be built.
	Missing []MissingConstraint
	// FailedKeys lists, per destination table, the keys (primary, unique)
	// that could not be built, to explain the foreign keys that need them.
	FailedKeys map[sqlschema.TableName][]string
}

// NewFinalizeRun starts a Finalize (restore false) or Restore of dst.
func NewFinalizeRun(dst Destination, restore bool) *FinalizeRun {
	return &FinalizeRun{Dst: dst, Restore: restore, FailedKeys: map[sqlschema.TableName][]string{}}
}

// Verb is "finalize" or "restore", for messages.
func (r *FinalizeRun) Verb() string {
	if r.Restore {
		return "restore"
	}
	return "finalize"
}

// Fail records m; a missing key is remembered for the foreign keys that
// reference it.
func (r *FinalizeRun) Fail(m MissingConstraint) {
	switch m.Kind {
	case KindPrimaryKey, KindUnique, KindUniqueIndex:
		r.FailedKeys[m.Table] = append(r.FailedKeys[m.Table], m.Name)
	}
	r.Missing = append(r.Missing, m)
}

// ObjectKind names what Finalize builds.
type ObjectKind string

// Object kinds, as they read in messages.
const (
	KindPrimaryKey  ObjectKind = "primary key"
	KindUnique      ObjectKind = "unique constraint"
	KindExclusion   ObjectKind = "exclusion constraint"
	KindCheck       ObjectKind = "check constraint"
	KindUniqueIndex ObjectKind = "unique index"
	KindIndex       ObjectKind = "index"
	KindForeignKey  ObjectKind = "foreign key"
)

// MissingReason says why an object could not be built.
type MissingReason string

// Reasons an object is missing.
const (
	// ReasonDuplicates: rows share a value of the key (Values distinct
	// values over Rows rows).
	ReasonDuplicates MissingReason = "duplicates"
	// ReasonNulls: Rows rows have NULL in a primary key column.
	ReasonNulls MissingReason = "nulls"
	// ReasonOrphans: Rows rows reference no row of the referenced table.
	ReasonOrphans MissingReason = "orphans"
	// ReasonReferencedKeyMissing: the foreign key references a key that
	// could not be built (listed too).
	ReasonReferencedKeyMissing MissingReason = "referenced_key_missing"
	// ReasonDefinitionDiffers: the destination has an object of that name
	// with another definition (Detail shows both).
	ReasonDefinitionDiffers MissingReason = "definition_differs"
	// ReasonError: the server refused for another reason (Detail).
	ReasonError MissingReason = "error"
)

// MissingConstraint is one key, index or foreign key of the source that
// the destination lacks after Finalize or Restore, and why. Example holds
// destination values (after transformation) and may hold data a column
// copied unchanged.
type MissingConstraint struct {
	// Table is the destination table.
	Table  sqlschema.TableName `json:"table"`
	Kind   ObjectKind          `json:"kind"`
	Name   string              `json:"name"`
	Reason MissingReason       `json:"reason"`
	// Columns are the key's or the foreign key's columns, when known.
	Columns []string `json:"columns,omitempty"`
	// Rows counts the offending rows (duplicates, NULL keys, orphans).
	Rows int64 `json:"rows,omitempty"`
	// Values counts the distinct duplicated key values.
	Values int64 `json:"values,omitempty"`
	// Example is one offending key as "(col, …)=(value, …)".
	Example string `json:"example,omitempty"`
	// Referenced is the table a foreign key references.
	Referenced *sqlschema.TableName `json:"referenced,omitempty"`
	// Detail is the server's message, or what else explains the reason.
	Detail string `json:"detail,omitempty"`
	// err is the server's error, for FinalizeError.Unwrap.
	err error
}

// WithCause returns m holding the server's error behind it, which
// FinalizeError.Unwrap returns (it is not part of m's JSON).
func (m MissingConstraint) WithCause(err error) MissingConstraint {
	m.err = err
	return m
}

// String describes the missing object for people, in one line.
func (m MissingConstraint) String() string {
	head := fmt.Sprintf("%s %s on %s: ", m.Kind, m.Name, m.Table)
	eg := ""
	if m.Example != "" {
		eg = ", e.g. " + m.Example
	}
	switch m.Reason {
	case ReasonDuplicates:
		if m.Rows > 0 {
			return head + fmt.Sprintf("%s over %s%s", plural(m.Values, "duplicated value"), plural(m.Rows, "row"), eg)
		}
		return head + "duplicated values" + eg
	case ReasonNulls:
		return head + fmt.Sprintf("%s with NULL in (%s)", plural(m.Rows, "row"), strings.Join(m.Columns, ", "))
	case ReasonOrphans:
		ref := ""
		if m.Referenced != nil {
			ref = " of " + m.Referenced.String()
		}
		if m.Rows > 0 {
			return head + fmt.Sprintf("%s reference no row%s%s", plural(m.Rows, "row"), ref, eg)
		}
		return head + "rows reference no row" + ref + eg
	case ReasonReferencedKeyMissing, ReasonDefinitionDiffers:
		return head + m.Detail
	}
	return head + m.Detail
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// maxListedMissing bounds how many missing objects FinalizeError's
// message lists (all of them are in Missing).
const maxListedMissing = 20

// FinalizeError is a Finalize (or Restore) that built every object it
// could but not all of them: Missing lists the others. It is permanent —
// retrying does not help until the destination's rows are fixed — and its
// message is meant for the run page and `neosync runs get`.
type FinalizeError struct {
	Destination string `json:"destination"`
	// Restore is true when the error comes from Restore.
	Restore bool `json:"restore,omitempty"`
	// Total is the number of objects Finalize had to have in place.
	Total   int                 `json:"total"`
	Missing []MissingConstraint `json:"missing"`
}

// Unwrap returns the server's errors behind the missing objects (a
// *pgconn.PgError or *mysql.MySQLError each), so that errors.As finds
// their SQLSTATE or error number, e.g. 23505 for a duplicate.
func (e *FinalizeError) Unwrap() []error {
	var errs []error
	for _, m := range e.Missing {
		if m.err != nil {
			errs = append(errs, m.err)
		}
	}
	return errs
}

// Error lists the missing objects on one line.
func (e *FinalizeError) Error() string {
	var b strings.Builder
	verb := "finalize"
	if e.Restore {
		verb = "restore"
	}
	n := len(e.Missing)
	fmt.Fprintf(&b, "%s destination %s: %d of %d keys, indexes and foreign keys could not be built (the other %d are in place): ",
		verb, e.Destination, n, e.Total, e.Total-n)
	for i, m := range e.Missing {
		if i == maxListedMissing {
			fmt.Fprintf(&b, "; and %d more", n-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(m.String())
	}
	return b.String()
}

// SameDefinition compares two printed definitions, ignoring differences
// in white space.
func SameDefinition(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// KeyExample renders a key as "(a, b)=(value)"; value is the row's text.
func KeyExample(cols []string, value string) string {
	if value == "" {
		return ""
	}
	const max = 200
	if len(value) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(value[cut]) {
			cut--
		}
		value = value[:cut] + "…"
	}
	return "(" + strings.Join(cols, ", ") + ")=" + value
}

// DefinitionDiffersError is a destination object of the name wanted with
// another definition: Finalize reports it missing (ReasonDefinitionDiffers)
// rather than replace the destination's own object.
type DefinitionDiffersError struct{ Have, Want string }

// Error shows both definitions.
func (e *DefinitionDiffersError) Error() string {
	return fmt.Sprintf("the destination has another definition under that name: %s (the source's: %s)", e.Have, e.Want)
}

// ReferencesCopied reports whether the foreign key named fk of t points at
// a copied table (the plan lists only those).
func ReferencesCopied(t syncplan.Table, fk string, copied map[sqlschema.TableName]bool) bool {
	for _, f := range t.ForeignKeys {
		if f.Name == fk && !f.Virtual {
			return copied[f.Referenced]
		}
	}
	return false
}
