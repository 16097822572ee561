package syncplan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// ValidationError lists every problem that makes a job impossible to run
// as configured. It is returned before anything is written.
type ValidationError struct {
	Problems []string
	// Findings are the same problems with the table and column each one
	// is about, for callers that show them in place (the API, the web
	// app's mapping editor).
	Findings []Finding
}

// Error lists the problems.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid sync job: " + e.Problems[0]
	}
	return fmt.Sprintf("invalid sync job: %d problems: %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// Finding is one problem or warning about a job. Table and Column say
// what it is about when it is about one table or one column (Column is
// "" for a table; both are zero for the job as a whole); Message is the
// whole sentence, naming them too, so it reads on its own.
type Finding struct {
	Table   sqlschema.TableName `json:"table,omitzero"`
	Column  string              `json:"column,omitempty"`
	Message string              `json:"message"`
}

// String returns the message.
func (f Finding) String() string { return f.Message }

// Report is what [Validate] finds: problems make the job impossible to
// run (NewPlan refuses it with a [ValidationError]); warnings are things
// a user should know before running it (the plan's Warnings).
type Report struct {
	Problems []Finding `json:"problems,omitempty"`
	Warnings []Finding `json:"warnings,omitempty"`
}

// Err returns the problems as a *[ValidationError], or nil when there are
// none.
func (r Report) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	msgs := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msgs[i] = p.Message
	}
	return &ValidationError{Problems: msgs, Findings: slices.Clone(r.Problems)}
}

// findings accumulates problems or warnings.
type findings []Finding

func (f *findings) add(format string, args ...any) {
	*f = append(*f, Finding{Message: fmt.Sprintf(format, args...)})
}

// addColumn adds a finding about column c of t ("" for the table).
func (f *findings) addColumn(t sqlschema.TableName, c, format string, args ...any) {
	*f = append(*f, Finding{Table: t, Column: c, Message: fmt.Sprintf(format, args...)})
}

// sorted returns the findings sorted by message, without repeats, so
// reports are stable.
func (f findings) sorted() []Finding {
	out := slices.Clone(f)
	slices.SortFunc(out, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Message, b.Message), strings.Compare(a.Table.String(), b.Table.String()), strings.Compare(a.Column, b.Column))
	})
	return slices.CompactFunc(out, func(a, b Finding) bool { return a == b })
}
