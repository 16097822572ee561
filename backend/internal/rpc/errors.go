package rpc

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

// toConnect maps a domain error to a Connect error. Unknown errors are
// logged with their cause and reported as Internal without details.
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
	case errors.Is(err, domain.ErrUnauthenticated):
		return connect.NewError(connect.CodeUnauthenticated, domain.ErrUnauthenticated)
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, errors.New("request canceled"))
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, errors.New("request deadline exceeded"))
	}
	log.ErrorContext(ctx, "internal error", slog.String("error", err.Error()))
	return connect.NewError(connect.CodeInternal, errors.New("internal error; the server log has the details"))
}

// parseID parses a UUID request field, naming the field when it is malformed.
func parseID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, connect.NewError(connect.CodeInvalidArgument, &domain.ValidationError{Field: field, Reason: "is required"})
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, connect.NewError(connect.CodeInvalidArgument, &domain.ValidationError{Field: field, Reason: "must be a UUID"})
	}
	return id, nil
}

func invalid(field, reason string) error {
	return connect.NewError(connect.CodeInvalidArgument, &domain.ValidationError{Field: field, Reason: reason})
}

func unimplemented(msg string) error {
	return connect.NewError(connect.CodeUnimplemented, errors.New(msg))
}
