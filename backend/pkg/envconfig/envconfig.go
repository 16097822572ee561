// Package envconfig reads the environment variables the API and the worker
// share — TEMPORAL_* and LOG_* — with one set of defaults and one set of
// messages, so the two binaries cannot drift apart. Each binary still has
// one Config struct read once in cmd/ (River UI's shape); it embeds the
// values read here. Every error names the variable at fault, so a
// misconfigured binary refuses to start with a message saying what to fix.
package envconfig

import "strings"

// Getenv reads one variable; os.Getenv in main, a map in tests.
type Getenv func(string) string

// Lookup returns the variable's value without surrounding spaces, or def
// when it is unset or blank.
func Lookup(getenv Getenv, name, def string) string {
	if v := strings.TrimSpace(getenv(name)); v != "" {
		return v
	}
	return def
}

// Error is a variable with a value the binary cannot start with.
type Error struct {
	// Var names the variable (or the variables, for a pair that goes
	// together); Problem says what is wrong and what is accepted.
	Var, Problem string
}

func (e *Error) Error() string { return e.Var + " " + e.Problem }
