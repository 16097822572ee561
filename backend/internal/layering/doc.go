// Package layering holds the import rules of the repository and checks them
// against the real package graph, so the dependency directions of DESIGN.md
// §2 are enforced by `make test` and `make lint` instead of by memory.
//
// The rules are data (Rules); Check is a pure function over packages as
// `go list -deps -json` describes them; the test in this package lists the
// three modules of the workspace (backend, worker, cli) and fails with every
// broken rule, the chain of imports that breaks it and the rule's reason.
// It needs only the go command, no linter, so it runs wherever the tests do.
package layering
