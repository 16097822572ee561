package envconfig

import (
	"fmt"
	"io"
	"log/slog"
)

// Log is how a binary logs: the one *slog.Logger it builds at start and
// injects everywhere.
type Log struct {
	Level  slog.Level // LOG_LEVEL: debug, info [default], warn or error
	Format string     // LOG_FORMAT: text [default] or json
}

// LogEnvNames are the variables ReadLog reads.
var LogEnvNames = []string{"LOG_LEVEL", "LOG_FORMAT"}

// ReadLog reads and validates the LOG_* variables.
func ReadLog(getenv Getenv) (Log, error) {
	l := Log{Format: Lookup(getenv, "LOG_FORMAT", "text")}
	if err := l.Level.UnmarshalText([]byte(Lookup(getenv, "LOG_LEVEL", "info"))); err != nil {
		return l, &Error{Var: "LOG_LEVEL", Problem: "must be debug, info, warn or error"}
	}
	if l.Format != "text" && l.Format != "json" {
		return l, &Error{Var: "LOG_FORMAT", Problem: fmt.Sprintf("must be text or json, got %q", l.Format)}
	}
	return l, nil
}

// NewLogger builds the binary's logger writing to w.
func (l Log) NewLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: l.Level}
	if l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
