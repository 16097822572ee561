package sqlsync

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Finalize completes dst after every table and update pass: with
// InitSchema it adds the primary keys, unique and exclusion constraints,
// indexes and foreign keys the destination lacks; on PostgreSQL it moves
// every sequence behind a serial or identity column past the largest
// value loaded, so the application's next insert does not collide.
// (InnoDB's AUTO_INCREMENT already moves past explicit values.)
//
// It adds only what is missing: an object the destination already has
// under the same name with the same definition is kept (a retried
// Finalize after a partial attempt, or one whose predecessor added the
// object while this one was waiting, never fails with "already exists"),
// a foreign key left NOT VALID is validated. So it is idempotent.
//
// It is all-or-nothing from the user's point of view: when an object
// cannot be built (a duplicated value under a unique key, an orphan
// under a foreign key), Finalize goes on and builds every other one —
// primary keys, unique constraints and unique indexes first, then foreign
// keys, then the other indexes — and then returns a *FinalizeError that
// lists each missing object with the reason, the offending rows' count
// and an example key. Retrying does not help until the data is fixed, so
// callers treat a *FinalizeError as permanent; any other error (the
// connection lost, the statement canceled) is worth a retry.
func (e *Engine) Finalize(ctx context.Context, plan *syncplan.Plan, dst Destination) error {
	return e.finalize(ctx, plan, dst, false)
}

// Restore puts back, after a run that stopped before Finalize (failed,
// canceled, terminated), every key, index and foreign key of the plan
// that the destination lacks — those PrepareDestination dropped for the
// load and those InitSchema left for Finalize — and resets the sequences,
// so a stopped run never leaves its destination without keys. It is
// Finalize in best-effort mode: tables that do not exist (PrepareDestination
// never ran, or stopped before creating them) are skipped, and objects
// that cannot be built over the rows present (an incomplete copy leaves
// orphans) are reported, not fatal: it builds every other one and
// returns a *FinalizeError listing the missing, nil when nothing is
// missing, and another error only when it could not run at all. It is
// safe at any point of a run and idempotent. A caller whose context was
// canceled must give it a fresh one (context.WithoutCancel and a
// deadline).
func (e *Engine) Restore(ctx context.Context, plan *syncplan.Plan, dst Destination) error {
	return e.finalize(ctx, plan, dst, true)
}

func (e *Engine) finalize(ctx context.Context, plan *syncplan.Plan, dst Destination, restore bool) error {
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return err
	}
	run := &finalizeRun{dst: dst, restore: restore, failedKeys: map[sqlschema.TableName][]string{}}
	switch dst.DB.Driver {
	case sqlconnect.DriverPostgres:
		err = pgFinalize(ctx, plan, run)
	default:
		err = mysqlFinalize(ctx, plan, run)
	}
	if err != nil {
		return fmt.Errorf("sqlsync: %s destination %s: %w", run.verb(), dst.Name, err)
	}
	if len(run.missing) > 0 {
		e.Logger.WarnContext(ctx, "constraints missing after "+run.verb(), "destination", dst.Name, "missing", len(run.missing))
		return &FinalizeError{Destination: dst.Name, Restore: restore, Total: run.total, Missing: run.missing}
	}
	return nil
}

// finalizeRun is one Finalize or Restore: what it built and what it
// could not.
type finalizeRun struct {
	dst     Destination
	restore bool
	total   int
	missing []MissingConstraint
	// failedKeys lists, per destination table, the keys (primary, unique)
	// that could not be built, to explain the foreign keys that need them.
	failedKeys map[sqlschema.TableName][]string
}

func (r *finalizeRun) verb() string {
	if r.restore {
		return "restore"
	}
	return "finalize"
}

// fail records m; a missing key is remembered for the foreign keys that
// reference it.
func (r *finalizeRun) fail(m MissingConstraint) {
	switch m.Kind {
	case KindPrimaryKey, KindUnique, KindUniqueIndex:
		r.failedKeys[m.Table] = append(r.failedKeys[m.Table], m.Name)
	}
	r.missing = append(r.missing, m)
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

// sameDefinition compares two printed definitions, ignoring differences
// in white space.
func sameDefinition(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// keyExample renders a key as "(a, b)=(value)"; value is the row's text.
func keyExample(cols []string, value string) string {
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
