package apiclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// ErrKeyRejected is the API refusing the worker's key: unknown to the API's
// database, expired, or deleted. Retrying does not help; a new worker key
// (`neosync-api apikey create -worker`) does.
var ErrKeyRejected = errors.New("the worker's API key was rejected by the API (NEOSYNC_API_KEY)")

// KeyRejectedError is what CheckKey returns when the API refuses the key. It
// matches ErrKeyRejected with errors.Is.
type KeyRejectedError struct {
	// APIURL is the API that refused the key.
	APIURL string
	// Reason is the API's own message, e.g. "missing, invalid or expired API key".
	Reason string
}

// Error names the variable to fix and what to do about it.
func (e *KeyRejectedError) Error() string {
	return fmt.Sprintf("%s at %s: %s; create a worker key for this API's database with `neosync-api apikey create -worker`",
		ErrKeyRejected, e.APIURL, e.Reason)
}

// Is makes errors.Is(err, ErrKeyRejected) true.
func (e *KeyRejectedError) Is(target error) bool { return target == ErrKeyRejected }

// APIUnreachableError is the API not answering within CheckOptions.Wait.
type APIUnreachableError struct {
	APIURL string
	Err    error
}

// Error names the variable that points at the API.
func (e *APIUnreachableError) Error() string {
	return fmt.Sprintf("the API at %s (NEOSYNC_API_URL) did not answer: %v", e.APIURL, e.Err)
}

// Unwrap returns the last transport error.
func (e *APIUnreachableError) Unwrap() error { return e.Err }

// CheckOptions tune CheckKey.
type CheckOptions struct {
	// APIURL names the API in errors.
	APIURL string
	// Wait bounds how long an unreachable API is retried (0 = one attempt).
	Wait time.Duration
	// OnRetry, when set, is told about each failed attempt that will be retried.
	OnRetry func(attempt int, err error)
}

// CheckKey makes the cheapest authenticated call a worker key may make
// (UserAccountService/GetSystemInformation). A key the API refuses is a
// *KeyRejectedError at once; an API that does not answer is retried until
// opts.Wait has passed, then an *APIUnreachableError.
func (c Clients) CheckKey(ctx context.Context, opts CheckOptions) error {
	deadline := time.Now().Add(opts.Wait)
	backoff := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := c.Users.GetSystemInformation(callCtx, connect.NewRequest(&mgmtv1alpha1.GetSystemInformationRequest{}))
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch connect.CodeOf(err) {
		case connect.CodeUnauthenticated, connect.CodePermissionDenied:
			reason := err.Error()
			var ce *connect.Error
			if errors.As(err, &ce) {
				reason = ce.Message()
			}
			return &KeyRejectedError{APIURL: opts.APIURL, Reason: reason}
		case connect.CodeUnavailable, connect.CodeDeadlineExceeded:
			// Not started yet, restarting or overloaded: retry below.
		default:
			return fmt.Errorf("check the worker's API key at %s: %w", opts.APIURL, err)
		}
		if time.Now().Add(backoff).After(deadline) {
			return &APIUnreachableError{APIURL: opts.APIURL, Err: err}
		}
		if opts.OnRetry != nil {
			opts.OnRetry(attempt, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}
