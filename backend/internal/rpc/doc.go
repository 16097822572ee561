// Package rpc holds the Connect handlers of every mgmt.v1alpha1 service.
//
// A handler is thin: it decodes the request (parsing ids and converting
// protobuf messages to domain values), takes the caller from the context,
// calls one domain function and encodes the result. Domain errors become
// Connect codes in one place (errors.go); internal causes are logged and
// never shown to the caller. RPCs whose feature has not landed answer
// Unimplemented through the generated Unimplemented handlers.
package rpc
