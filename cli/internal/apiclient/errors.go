package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"regexp"
	"strings"
	"syscall"

	"connectrpc.com/connect"
)

// Error is a failed API call explained in one line. It wraps the Connect
// error, so connect.CodeOf and errors.As still see the code.
type Error struct {
	// Code is the Connect code of the failure.
	Code    connect.Code
	message string
	cause   error
}

// Error returns the one-line explanation.
func (e *Error) Error() string { return e.message }

// Unwrap returns the underlying Connect error.
func (e *Error) Unwrap() error { return e.cause }

// NotLoggedIn is the message for a missing or rejected API key.
const NotLoggedIn = "not logged in or the API key is invalid: run neosync login"

// unavailableFeatures names, per RPC, what a user was trying to do when the
// server answers Unimplemented (today: everything that needs the worker).
var unavailableFeatures = map[string]string{
	"CreateJobRun":     "triggering a job run",
	"GetJobRuns":       "listing job runs",
	"GetJobRun":        "reading a job run",
	"GetJobRunEvents":  "reading run events",
	"CancelJobRun":     "canceling a job run",
	"TerminateJobRun":  "terminating a job run",
	"DeleteJobRun":     "deleting a job run",
	"GetJobRecentRuns": "listing recent runs",
	"GetJobNextRuns":   "listing upcoming runs",
	"PauseJob":         "pausing and resuming jobs",
}

// httpStatus matches the message connect-go gives a plain HTTP error
// ("404 Not Found"), which means the URL is not a Neosync API.
var httpStatus = regexp.MustCompile(`^(HTTP status )?[1-5][0-9][0-9]( |$)`)

// translate maps a Connect error to an *Error with a one-line message.
func translate(err error, url, procedure string, hasKey bool) error {
	code := connect.CodeOf(err)
	msg := serverMessage(err)
	method := path.Base(procedure)
	var out string
	switch {
	case errors.Is(err, context.Canceled):
		out = "canceled"
		code = connect.CodeCanceled
	case isUnreachable(err):
		out = fmt.Sprintf("cannot reach the Neosync API at %s: %s", url, dialCause(err))
		code = connect.CodeUnavailable
	case errors.Is(err, context.DeadlineExceeded) || code == connect.CodeDeadlineExceeded:
		out = fmt.Sprintf("the Neosync API at %s did not answer in time", url)
	case code == connect.CodeUnauthenticated:
		out = NotLoggedIn
	case code == connect.CodeUnimplemented && httpStatus.MatchString(msg):
		out = fmt.Sprintf("%s does not look like a Neosync API (%s for %s): check NEOSYNC_API_URL", url, msg, method)
	case code == connect.CodeUnimplemented:
		what := unavailableFeatures[method]
		if what == "" {
			what = method
		}
		out = what + " is not available yet on this server"
	case code == connect.CodeUnavailable && isTransport(err):
		out = fmt.Sprintf("cannot reach the Neosync API at %s: %s", url, orDefault(msg, "unavailable"))
	case code == connect.CodeUnavailable:
		// The API answered: one of its dependencies (the workflow engine) is down.
		out = "the Neosync API is up but cannot serve this now: " + orDefault(msg, "unavailable")
	case code == connect.CodeInternal:
		out = "the Neosync API failed: " + orDefault(msg, "internal error")
	case code == connect.CodeUnknown && msg == "":
		out = fmt.Sprintf("unexpected answer from %s (%s)", url, method)
	case code == connect.CodePermissionDenied:
		out = "permission denied: " + orDefault(msg, method)
	default:
		// InvalidArgument, NotFound, AlreadyExists, FailedPrecondition: the
		// server's message names the field or the resource.
		out = orDefault(msg, code.String())
	}
	if code == connect.CodeUnauthenticated && !hasKey {
		out = fmt.Sprintf("not logged in: the API at %s requires an API key; run neosync login --api-key KEY (or neosync login, when it signs people in with an identity provider)", url)
	}
	return &Error{Code: code, message: oneLine(out), cause: err}
}

// serverMessage is the message the server sent, without the code prefix.
func serverMessage(err error) string {
	var ce *connect.Error
	if errors.As(err, &ce) {
		return ce.Message()
	}
	return err.Error()
}

func isUnreachable(err error) bool {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.Is(err, syscall.ECONNREFUSED)
}

// isTransport reports whether err happened on the way to the server
// (connection reset, broken pipe, EOF) rather than being sent by it.
func isTransport(err error) bool {
	var netErr net.Error
	var errno syscall.Errno
	return errors.As(err, &netErr) || errors.As(err, &errno) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// dialCause reduces a dial error to its reason ("connection refused").
func dialCause(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "no such host " + dnsErr.Name
	}
	var sysErr *os.SyscallError
	if errors.As(err, &sysErr) {
		return sysErr.Err.Error()
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		if opErr.Timeout() {
			return "connection timed out"
		}
		if opErr.Err != nil {
			return opErr.Err.Error()
		}
	}
	return serverMessage(err)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// IsCode reports whether err (or what it wraps) carries code.
func IsCode(err error, code connect.Code) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Code == code
	}
	return connect.CodeOf(err) == code
}
