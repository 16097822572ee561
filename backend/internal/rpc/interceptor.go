package rpc

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/audit"
)

// authenticator resolves the caller from an Authorization header;
// *auth.Authenticator is the one the server uses.
type authenticator interface {
	Authenticate(ctx context.Context, authorization string) (*auth.Principal, error)
}

// authInterceptor is the edge of every RPC, unary and streaming alike: it
// authenticates the call and enforces the worker's procedure allow-list
// before any handler runs, refuses requests carrying a NUL byte or invalid
// UTF-8 in any string (naming the field), applies the role table (rules,
// the one place roles are enforced), records the audit event of each
// successful write, maps whatever error the call ends with to its Connect
// code (toConnect, the only place that does) and logs each call.
type authInterceptor struct {
	authn authenticator
	authz *auth.Authorizer
	audit *audit.Service
	log   *slog.Logger
}

// NewInterceptor returns the interceptor every handler is mounted with.
// Handlers rely on it: they return domain errors unmapped and take the
// caller from the context it fills.
func NewInterceptor(authn *auth.Authenticator, authz *auth.Authorizer, trail *audit.Service, log *slog.Logger) connect.Interceptor {
	return &authInterceptor{authn: authn, authz: authz, audit: trail, log: log}
}

// authenticate puts the caller in ctx, or returns why there is none.
func (i *authInterceptor) authenticate(ctx context.Context, procedure, header string) (context.Context, error) {
	if header == "" && publicProcedures[procedure] {
		return ctx, nil
	}
	p, err := i.authn.Authenticate(ctx, header)
	if err != nil {
		return ctx, err
	}
	if err := auth.Authorize(p, procedure); err != nil {
		return ctx, err
	}
	return auth.WithPrincipal(ctx, p), nil
}

// WrapUnary authenticates, checks the request's strings, runs the handler
// and maps its error.
func (i *authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		procedure := req.Spec().Procedure
		ctx, err := i.authenticate(ctx, procedure, req.Header().Get("Authorization"))
		if err == nil {
			err = checkStrings(req.Any())
		}
		var d decision
		p, _ := auth.FromContext(ctx)
		if err == nil {
			d, err = i.authorize(ctx, p, procedure, req.Any())
		}
		var resp connect.AnyResponse
		if err == nil {
			resp, err = next(ctx, req)
		}
		if err == nil {
			i.record(ctx, p, procedure, d, req.Any(), resp.Any())
		}
		return resp, i.finish(ctx, procedure, start, err)
	}
}

// WrapStreamingClient leaves outgoing streams alone: the API makes none.
func (i *authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler authenticates, checks every message received, runs
// the handler and maps the error it ends the stream with.
func (i *authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		procedure := conn.Spec().Procedure
		ctx, err := i.authenticate(ctx, procedure, conn.RequestHeader().Get("Authorization"))
		if err == nil {
			p, _ := auth.FromContext(ctx)
			err = next(ctx, checkedConn{StreamingHandlerConn: conn, authorize: func(msg any) error {
				_, err := i.authorize(ctx, p, procedure, msg)
				return err
			}})
		}
		return i.finish(ctx, procedure, start, err)
	}
}

// finish maps the call's error to the one the caller sees and logs the call
// with its code.
func (i *authInterceptor) finish(ctx context.Context, procedure string, start time.Time, err error) error {
	err = toConnect(ctx, i.log, err)
	attrs := []slog.Attr{slog.String("procedure", procedure), slog.Duration("duration", time.Since(start))}
	if err != nil {
		attrs = append(attrs, slog.String("code", connect.CodeOf(err).String()))
		i.log.LogAttrs(ctx, slog.LevelInfo, "rpc", attrs...)
		return err
	}
	attrs = append(attrs, slog.String("code", "ok"))
	i.log.LogAttrs(ctx, slog.LevelDebug, "rpc", attrs...)
	return nil
}

// checkedConn applies checkStrings and the role table to every message a
// stream receives. A refused message's error reaches the interceptor
// through the handler's return, like any other error.
type checkedConn struct {
	connect.StreamingHandlerConn
	authorize func(msg any) error
}

// Receive reads the next message and refuses it when a string is bad or
// the caller's role does not allow it.
func (c checkedConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	if err := checkStrings(msg); err != nil {
		return err
	}
	return c.authorize(msg)
}
