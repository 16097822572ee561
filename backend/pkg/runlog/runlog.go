// Package runlog is what the worker and the API agree on about a run's
// log lines: the levels, the size limits, and the masking of attributes
// whose name says they hold a secret. Neosync never logs a secret; the
// masking is a second line of defence applied by the worker before a line
// leaves it and again by the API before it is stored.
package runlog

import (
	"strings"
	"unicode/utf8"
)

// Limits on what one call and one line may carry.
const (
	// MaxBatch is the most lines one AddJobRunLogs call may carry.
	MaxBatch = 500
	// MaxMessage and MaxValue bound a line's message and each attribute
	// value, in bytes (longer ones are cut and marked).
	MaxMessage = 4096
	MaxValue   = 1024
	// MaxAttributes is the most attributes a line keeps.
	MaxAttributes = 32
)

// Mask replaces the value of an attribute that looks secret.
const Mask = "********"

// secretWords mark attribute names whose values are masked.
var secretWords = []string{"password", "passwd", "secret", "token", "apikey", "api_key", "credential", "private_key", "authorization"}

// IsSecretName reports whether an attribute named name must be masked.
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Level normalizes a level name to debug, info, warn or error; ok is false
// for anything else.
func Level(s string) (string, bool) {
	switch l := strings.ToLower(s); l {
	case "debug", "info", "warn", "error":
		return l, true
	case "warning":
		return "warn", true
	}
	return "", false
}

// Clean returns the line's message and attributes within the limits, with
// secret-looking attributes masked and invalid UTF-8 replaced.
func Clean(message string, attrs map[string]string) (string, map[string]string) {
	out := make(map[string]string, min(len(attrs), MaxAttributes))
	for k, v := range attrs {
		if len(out) == MaxAttributes {
			break
		}
		if IsSecretName(k) {
			v = Mask
		}
		out[cut(k, 128)] = cut(v, MaxValue)
	}
	return cut(message, MaxMessage), out
}

func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
