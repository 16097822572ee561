// Package audit keeps each account's trail of writes: who created, changed,
// ran, cancelled or deleted what, and when. Events are recorded once, by the
// RPC layer's interceptor after a write succeeds, so no handler can forget.
package audit

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// Event is one write.
type Event struct {
	ID           int64
	AccountID    uuid.UUID
	ActorUserID  uuid.UUID
	Actor        string
	Action       string
	ResourceType string
	ResourceID   string
	Procedure    string
	CreatedAt    time.Time
}

// Service records and lists events.
type Service struct{ store *store.Store }

// NewService returns a Service.
func NewService(st *store.Store) *Service { return &Service{store: st} }

// Record stores e.
func (s *Service) Record(ctx context.Context, e Event) error {
	var actor *uuid.UUID
	if e.ActorUserID != uuid.Nil {
		actor = &e.ActorUserID
	}
	return s.store.InsertAuditEvent(ctx, store.InsertAuditEventParams{
		AccountID: e.AccountID, ActorUserID: actor, Actor: e.Actor, Action: e.Action,
		ResourceType: e.ResourceType, ResourceID: e.ResourceID, Procedure: e.Procedure,
	})
}

// Page size bounds.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// List returns an account's events, newest first, after the page token
// (the last event id of the previous page), and the next token.
func (s *Service) List(ctx context.Context, scope domain.Scope, accountID uuid.UUID, pageSize int, pageToken string) ([]Event, string, error) {
	if !scope.Allows(accountID) {
		return nil, "", domain.NotFound("account", accountID)
	}
	switch {
	case pageSize == 0:
		pageSize = DefaultPageSize
	case pageSize < 0 || pageSize > MaxPageSize:
		return nil, "", domain.Invalid("page_size", "must be between 1 and %d", MaxPageSize)
	}
	var before *int64
	if pageToken != "" {
		n, err := strconv.ParseInt(pageToken, 10, 64)
		if err != nil || n <= 0 {
			return nil, "", domain.Invalid("page_token", "is not a token this API returned")
		}
		before = &n
	}
	rows, err := s.store.ListAuditEvents(ctx, store.ListAuditEventsParams{AccountID: accountID, Limit: int32(pageSize), BeforeID: before})
	if err != nil {
		return nil, "", err
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		e := Event{ID: r.ID, AccountID: r.AccountID, Actor: r.Actor, Action: r.Action,
			ResourceType: r.ResourceType, ResourceID: r.ResourceID, Procedure: r.Procedure, CreatedAt: r.CreatedAt}
		if r.ActorUserID != nil {
			e.ActorUserID = *r.ActorUserID
		}
		out = append(out, e)
	}
	next := ""
	if len(out) == pageSize {
		next = strconv.FormatInt(out[len(out)-1].ID, 10)
	}
	return out, next, nil
}
