package syncplan

import (
	"fmt"
	"slices"
	"strings"
)

// ValidationError lists every problem that makes a job impossible to run
// as configured. It is returned before anything is written.
type ValidationError struct {
	Problems []string
}

// Error lists the problems.
func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid sync job: " + e.Problems[0]
	}
	return fmt.Sprintf("invalid sync job: %d problems: %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// problems accumulates validation problems.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// err returns the problems, sorted so the message is stable, or nil.
func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: slices.Sorted(slices.Values(p))}
}
