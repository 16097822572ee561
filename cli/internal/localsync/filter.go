package localsync

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Filter selects tables by "schema.table" patterns. An empty Include keeps
// every table; Exclude wins over Include. A pattern "schema.*" matches
// every table of the schema.
type Filter struct {
	Include []string
	Exclude []string
}

func matches(patterns []string, t sqlschema.TableName) bool {
	for _, p := range patterns {
		schema, table, ok := strings.Cut(p, ".")
		if !ok {
			continue
		}
		if schema == t.Schema && (table == "*" || table == t.Table) {
			return true
		}
	}
	return false
}

// Validate reports a pattern that is not schema.table.
func (f Filter) Validate() error {
	for _, p := range append(slices.Clone(f.Include), f.Exclude...) {
		if s, t, ok := strings.Cut(p, "."); !ok || s == "" || t == "" {
			return fmt.Errorf("table filter %q: want schema.table or schema.*", p)
		}
	}
	return nil
}

// Keep reports whether the filter keeps t.
func (f Filter) Keep(t sqlschema.TableName) bool {
	if len(f.Include) > 0 && !matches(f.Include, t) {
		return false
	}
	return !matches(f.Exclude, t)
}
