package domain

import (
	"slices"

	"github.com/google/uuid"
)

// Scope is the set of accounts a caller may read and write. Every store query
// on an account's resource is filtered by it.
type Scope struct {
	// All is true only for the worker, which runs jobs of every account.
	All        bool
	AccountIDs []uuid.UUID
}

// Allows reports whether the scope covers accountID.
func (s Scope) Allows(accountID uuid.UUID) bool {
	return s.All || slices.Contains(s.AccountIDs, accountID)
}

// IDs returns the account ids for store queries (never nil, so the SQL array
// parameter is an empty array rather than NULL).
func (s Scope) IDs() []uuid.UUID {
	if s.AccountIDs == nil {
		return []uuid.UUID{}
	}
	return s.AccountIDs
}
