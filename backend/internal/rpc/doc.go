// Package rpc holds the Connect handlers of every mgmt.v1alpha1 service.
//
// A handler is thin: it decodes the request (converting protobuf messages
// to domain values), resolves the caller and the resource or account the
// request names (resolve.go), makes one domain call scoped to that caller
// and encodes the result. Handlers and domain code return typed domain
// errors as they are; the interceptor (interceptor.go) maps every error a
// call ends with, unary or streaming, to its Connect code in one place
// (errors.go), where internal causes are logged and never shown to the
// caller. RPCs whose feature has not landed answer Unimplemented through the
// generated Unimplemented handlers.
package rpc
