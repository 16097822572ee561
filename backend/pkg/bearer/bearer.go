// Package bearer is the client half of API-key authentication: a Connect
// interceptor that sends `Authorization: Bearer <key>` on every call, unary
// and streaming. The worker, the CLI and the tests all authenticate this way.
package bearer

import (
	"context"

	"connectrpc.com/connect"
)

// Interceptor sends key as a bearer token; an empty key sends nothing, so
// the same client works against a single-user API.
func Interceptor(key string) connect.Interceptor { return token(key) }

type token string

func (t token) set(h interface{ Set(string, string) }) {
	if t != "" {
		h.Set("Authorization", "Bearer "+string(t))
	}
}

// WrapUnary adds the header to unary calls.
func (t token) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		t.set(req.Header())
		return next(ctx, req)
	}
}

// WrapStreamingClient adds the header to streams.
func (t token) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		t.set(conn.RequestHeader())
		return conn
	}
}

// WrapStreamingHandler leaves servers alone: this is a client interceptor.
func (t token) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
