package rpc

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/internal/auth"
)

// authInterceptor authenticates every call and enforces the worker's
// procedure allow-list before any handler runs, refuses requests carrying
// a NUL byte or invalid UTF-8 in any string (naming the field), and logs
// each call.
type authInterceptor struct {
	authn *auth.Authenticator
	log   *slog.Logger
}

// NewInterceptor returns the interceptor every handler is mounted with.
func NewInterceptor(authn *auth.Authenticator, log *slog.Logger) connect.Interceptor {
	return &authInterceptor{authn: authn, log: log}
}

func (i *authInterceptor) authenticate(ctx context.Context, procedure, header string) (context.Context, error) {
	p, err := i.authn.Authenticate(ctx, header)
	if err != nil {
		return ctx, toConnect(ctx, i.log, err)
	}
	if err := auth.Authorize(p, procedure); err != nil {
		return ctx, toConnect(ctx, i.log, err)
	}
	return auth.WithPrincipal(ctx, p), nil
}

func (i *authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		start := time.Now()
		procedure := req.Spec().Procedure
		ctx, err := i.authenticate(ctx, procedure, req.Header().Get("Authorization"))
		if err == nil {
			err = toConnect(ctx, i.log, checkStrings(req.Any()))
		}
		var resp connect.AnyResponse
		if err == nil {
			resp, err = next(ctx, req)
		}
		i.logCall(ctx, procedure, start, err)
		return resp, err
	}
}

func (i *authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		procedure := conn.Spec().Procedure
		ctx, err := i.authenticate(ctx, procedure, conn.RequestHeader().Get("Authorization"))
		if err == nil {
			err = next(ctx, checkedConn{StreamingHandlerConn: conn, ctx: ctx, log: i.log})
		}
		i.logCall(ctx, procedure, start, err)
		return err
	}
}

func (i *authInterceptor) logCall(ctx context.Context, procedure string, start time.Time, err error) {
	attrs := []slog.Attr{slog.String("procedure", procedure), slog.Duration("duration", time.Since(start))}
	if err != nil {
		attrs = append(attrs, slog.String("code", connect.CodeOf(err).String()))
		i.log.LogAttrs(ctx, slog.LevelInfo, "rpc", attrs...)
		return
	}
	attrs = append(attrs, slog.String("code", "ok"))
	i.log.LogAttrs(ctx, slog.LevelDebug, "rpc", attrs...)
}

// checkedConn applies checkStrings to every message a stream receives.
type checkedConn struct {
	connect.StreamingHandlerConn
	ctx context.Context
	log *slog.Logger
}

// Receive reads the next message and refuses it when a string is bad.
func (c checkedConn) Receive(msg any) error {
	if err := c.StreamingHandlerConn.Receive(msg); err != nil {
		return err
	}
	return toConnect(c.ctx, c.log, checkStrings(msg))
}
