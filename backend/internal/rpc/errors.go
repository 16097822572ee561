package rpc

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

// internalMessage is all a caller learns of an unexpected error; the cause
// goes to the server log.
const internalMessage = "internal error; the server log has the details"

// toConnect maps an error to the Connect error the caller sees. It is called
// in one place, the interceptor, on whatever the authenticator, the request
// checks or a handler (unary or streaming) returned, so handlers and domain
// code return their typed errors as they are.
//
// A *connect.Error anywhere in the chain is passed through; each domain error
// type has its code and its own message; context cancellation and deadlines
// keep their codes without the cause. Anything else is a bug or a broken
// dependency: it is logged here with its cause, once, and reported as
// Internal with a generic message, so no SQL, address or secret in a cause
// reaches the caller.
func toConnect(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	var (
		ce *connect.Error
		nf *domain.NotFoundError
		ve *domain.ValidationError
		ae *domain.AlreadyExistsError
		fp *domain.FailedPreconditionError
		pd *domain.PermissionDeniedError
		ue *domain.UnavailableError
		ui *domain.UnimplementedError
	)
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &nf):
		return connect.NewError(connect.CodeNotFound, nf)
	case errors.As(err, &ve):
		return connect.NewError(connect.CodeInvalidArgument, ve)
	case errors.As(err, &ae):
		return connect.NewError(connect.CodeAlreadyExists, ae)
	case errors.As(err, &fp):
		return connect.NewError(connect.CodeFailedPrecondition, fp)
	case errors.As(err, &pd):
		return connect.NewError(connect.CodePermissionDenied, pd)
	case errors.As(err, &ue):
		log.WarnContext(ctx, "dependency unavailable", slog.String("error", ue.Error()))
		return connect.NewError(connect.CodeUnavailable, ue)
	case errors.As(err, &ui):
		return connect.NewError(connect.CodeUnimplemented, ui)
	case errors.Is(err, domain.ErrUnauthenticated):
		return connect.NewError(connect.CodeUnauthenticated, domain.Unauthenticated(err))
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, errors.New("request canceled"))
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("request deadline exceeded"))
	}
	log.ErrorContext(ctx, "internal error", slog.String("error", err.Error()))
	return connect.NewError(connect.CodeInternal, errors.New(internalMessage))
}

// parseID parses a UUID request field; a missing or malformed id is a
// ValidationError naming the field.
func parseID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, invalid(field, "is required")
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, invalid(field, "must be a UUID")
	}
	return id, nil
}

// invalid is a ValidationError with reason taken verbatim (unlike
// domain.Invalid, which formats it: a reason may quote user input holding
// a '%').
func invalid(field, reason string) error {
	return &domain.ValidationError{Field: field, Reason: reason}
}
