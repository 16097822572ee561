package sqlschema

import (
	"errors"
	"fmt"
)

// ErrTableNotFound is returned (wrapped) by [Inspector.RowCount] and
// [Inspector.StreamRows] when the requested table does not exist as a base
// table, or is not visible to the connected user. Existence is checked in
// the catalog before any data query runs, so callers can reliably map it to
// a "not found" response with errors.Is instead of parsing server messages.
var ErrTableNotFound = errors.New("sqlschema: table not found")

// IdentifierError reports a name that cannot be represented as a quoted SQL
// identifier (it is empty or contains a NUL byte). It is returned instead of
// producing SQL that the server would reject or, worse, interpret
// differently from what the caller intended.
type IdentifierError struct {
	// Name is the offending identifier exactly as supplied.
	Name string
	// Reason is a short human readable explanation.
	Reason string
}

// Error implements the error interface.
func (e *IdentifierError) Error() string {
	return fmt.Sprintf("sqlschema: invalid identifier %q: %s", e.Name, e.Reason)
}
