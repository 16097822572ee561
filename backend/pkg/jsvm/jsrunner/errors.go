package jsrunner

import "fmt"

// MemoryLimitError is the typed cause (transformers.ValueError.Err) of a
// call whose runner process the kernel stopped at its memory limit
// (Config.MemoryLimit): the process died, so the limit held exactly, and
// the next call starts a fresh one.
type MemoryLimitError struct {
	// Table and Column name where the transformer runs ("" when unknown:
	// an API preview has no table).
	Table, Column string
	// Limit is the memory limit in bytes.
	Limit int64
}

// Error names the transformer's column and the limit in MiB, the unit
// NEOSYNC_JS_MEMORY_MB is given in.
func (e *MemoryLimitError) Error() string {
	where := ""
	switch {
	case e.Table != "" && e.Column != "":
		where = " for " + e.Table + "." + e.Column
	case e.Column != "":
		where = " for column " + e.Column
	}
	return fmt.Sprintf("JavaScript transformer%s exceeded its %d MiB memory limit; its runner process was stopped and any global state was discarded", where, e.Limit>>20)
}
