package syncdriver

import (
	"fmt"
	"strings"
)

// ColumnsMismatch is the error of a destination table that cannot take
// the copy's columns: missing are columns it lacks, generated are columns
// it computes itself while the source stores them. Both dialects' checks
// of an existing destination table end with it; nil when both are empty.
func ColumnsMismatch(missing, generated []string) error {
	if len(missing) > 0 {
		return fmt.Errorf("the destination table has no column %s", strings.Join(missing, ", "))
	}
	if len(generated) > 0 {
		return fmt.Errorf("destination column %s is generated there but not in the source", strings.Join(generated, ", "))
	}
	return nil
}
