package rpc

import (
	"context"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/auth"
)

// target is what a handler acts on: the authenticated caller, whose Scope
// filters every domain call, and the id of the one resource (or account)
// the request names.
type target struct {
	*auth.Principal
	ID uuid.UUID
}

// resolve opens every handler that acts on a resource or an account, so
// each reads decode → resolve → one domain call → encode. It takes the
// caller from the context (the interceptor put it there) and parses the id
// in the named request field; a missing or malformed id is a
// ValidationError naming that field. The resource itself is loaded by the
// domain call, scoped to the caller, so another account's resource is
// NotFound exactly like a random id.
//
// Errors are returned as they are; the interceptor maps them.
func resolve(ctx context.Context, field, raw string) (target, error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return target{}, err
	}
	id, err := parseID(field, raw)
	if err != nil {
		return target{}, err
	}
	return target{Principal: p, ID: id}, nil
}
