// Package domain holds what every domain package shares: the typed errors
// that the RPC layer maps to status codes in one place, and the tenant scope
// derived from the caller. Concepts live in sub-packages named after them
// (account, apikey, connection, job, connectiondata).
package domain

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// NotFoundError means the resource does not exist for this caller. Another
// account's resource gives exactly the same error as a random id.
type NotFoundError struct {
	Resource string
	ID       string
}

// Error describes the problem for people.
func (e *NotFoundError) Error() string {
	if e.ID == "" {
		return e.Resource + " not found"
	}
	return fmt.Sprintf("%s %s not found", e.Resource, e.ID)
}

// NotFound builds a NotFoundError.
func NotFound(resource string, id uuid.UUID) error {
	return &NotFoundError{Resource: resource, ID: id.String()}
}

// ValidationError is bad input; Field uses the API's field path.
type ValidationError struct {
	Field  string
	Reason string
}

// Error describes the problem for people.
func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Invalid builds a ValidationError.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Within names where a ValidationError's field sits in a list of the
// request ("sketches[3]" and "range.table" give "sketches[3].range.table");
// any other error is returned as it is.
func Within(at string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &ValidationError{Field: at + "." + ve.Field, Reason: ve.Reason}
	}
	return err
}

// AlreadyExistsError is a name or key collision.
type AlreadyExistsError struct {
	Resource string
	Field    string
	Value    string
}

// Error describes the problem for people.
func (e *AlreadyExistsError) Error() string {
	return fmt.Sprintf("%s with %s %q already exists", e.Resource, e.Field, e.Value)
}

// FailedPreconditionError means the request is valid but the system is not in
// a state to perform it (a connection still in use, a database unreachable).
type FailedPreconditionError struct {
	Reason string
}

// Error describes the problem for people.
func (e *FailedPreconditionError) Error() string { return e.Reason }

// FailedPrecondition builds a FailedPreconditionError.
func FailedPrecondition(format string, args ...any) error {
	return &FailedPreconditionError{Reason: fmt.Sprintf(format, args...)}
}

// PermissionDeniedError means the caller is known but may not do this.
type PermissionDeniedError struct {
	Reason string
}

// Error describes the problem for people.
func (e *PermissionDeniedError) Error() string { return e.Reason }

// ErrUnauthenticated means no valid credential was presented.
var ErrUnauthenticated = errors.New("missing, invalid or expired API key")

// UnauthenticatedError is ErrUnauthenticated with a reason safe to show the
// caller (an expired token, a token for another audience).
type UnauthenticatedError struct {
	Reason string
}

// Error describes the problem for people.
func (e *UnauthenticatedError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrUnauthenticated) hold.
func (e *UnauthenticatedError) Is(target error) bool { return target == ErrUnauthenticated }

// Unauthenticated returns the error to show for an unauthenticated call:
// err's UnauthenticatedError when it has one, else ErrUnauthenticated.
func Unauthenticated(err error) error {
	var ue *UnauthenticatedError
	if errors.As(err, &ue) {
		return ue
	}
	return ErrUnauthenticated
}

// UnavailableError means a dependency (the workflow engine) cannot be
// reached; the request may succeed later.
type UnavailableError struct {
	Reason string
}

// Error describes the problem for people.
func (e *UnavailableError) Error() string { return e.Reason }

// UnimplementedError means the request asks for something the API declares
// but does not do yet (an S3 connection); Reason says what.
type UnimplementedError struct {
	Reason string
}

// Error describes the problem for people.
func (e *UnimplementedError) Error() string { return e.Reason }
