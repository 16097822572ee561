// Package exitcode gives every way the neosync command can fail its
// documented exit code, so scripts and CI can tell a typo from a missing
// resource from a run that failed:
//
//	0    success
//	1    any other failure (the API refused the request, a database error, …)
//	2    usage: unknown command or flag, wrong arguments, a required flag missing
//	3    not found or not allowed: no such connection, job or run; not logged in;
//	     permission denied
//	4    a run ended without completing (failed, canceled or terminated)
//	130  interrupted (Ctrl-C or SIGTERM)
//
// Commands mark their errors with [Usage], [NotFound] or [RunFailed]; API
// errors are classified by their Connect code in [Of].
package exitcode

import (
	"errors"
	"fmt"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/cli/internal/apiclient"
)

// The exit codes of the neosync command.
const (
	// Failure is any failure without a more specific code.
	Failure = 1
	// UsageCode is a command line the command cannot run.
	UsageCode = 2
	// NotFoundCode is a resource that does not exist or may not be used.
	NotFoundCode = 3
	// RunFailedCode is a run that ended without completing.
	RunFailedCode = 4
	// Interrupted is a command stopped by a signal (128 + SIGINT).
	Interrupted = 130
)

// codedError carries an exit code; its message is the wrapped error's.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

func with(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// Usage marks err as a mistake in the command line (exit code 2).
func Usage(err error) error { return with(UsageCode, err) }

// NotFound marks err as naming a resource that does not exist (exit code 3).
func NotFound(err error) error { return with(NotFoundCode, err) }

// NotFoundf is NotFound of a formatted error.
func NotFoundf(format string, args ...any) error { return NotFound(fmt.Errorf(format, args...)) }

// RunFailed marks err as the outcome of a run that did not complete (exit code 4).
func RunFailed(err error) error { return with(RunFailedCode, err) }

// Of is the exit code for err: 0 for nil, the code it was marked with, 3
// for an API answer of NotFound, Unauthenticated or PermissionDenied, and 1
// otherwise.
func Of(err error) int {
	if err == nil {
		return 0
	}
	var c *codedError
	if errors.As(err, &c) {
		return c.code
	}
	for _, code := range []connect.Code{connect.CodeNotFound, connect.CodeUnauthenticated, connect.CodePermissionDenied} {
		if apiclient.IsCode(err, code) {
			return NotFoundCode
		}
	}
	return Failure
}
