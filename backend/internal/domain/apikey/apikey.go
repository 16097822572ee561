// Package apikey creates, lists, regenerates and revokes API keys.
//
// A key is 32 random bytes behind a recognisable prefix (so secret scanners
// can spot a leaked one). Only its SHA-256 hash is stored: a key has 256 bits
// of entropy, so a fast hash is enough and lookups stay O(1). The value is
// returned once, by Create and Regenerate.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

const (
	// AccountKeyPrefix starts every account key.
	AccountKeyPrefix = "neo_ak_"
	// WorkerKeyPrefix starts every worker key.
	WorkerKeyPrefix = "neo_wk_"
	// MaxLifetime bounds an account key's expiry.
	MaxLifetime = 366 * 24 * time.Hour
)

// Key is an API key's metadata; the value is never part of it.
type Key struct {
	ID         uuid.UUID
	AccountID  uuid.UUID
	UserID     uuid.UUID
	Name       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
}

// Hash is how a key value is stored and looked up.
func Hash(value string) []byte {
	sum := sha256.Sum256([]byte(value))
	return sum[:]
}

// newValue draws a fresh key value.
func newValue(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Service manages API keys within the caller's scope.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// NewService returns a Service.
func NewService(st *store.Store) *Service { return &Service{store: st, now: time.Now} }

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$`)

func (s *Service) validate(name string, expiresAt time.Time) error {
	if !namePattern.MatchString(name) {
		return domain.Invalid("name", "must be 1–100 characters of letters, digits, spaces, '.', '_' and '-', starting with a letter or digit")
	}
	return s.validateExpiry(expiresAt)
}

func (s *Service) validateExpiry(expiresAt time.Time) error {
	now := s.now()
	if expiresAt.IsZero() {
		return domain.Invalid("expires_at", "is required")
	}
	if !expiresAt.After(now) {
		return domain.Invalid("expires_at", "must be in the future")
	}
	if expiresAt.After(now.Add(MaxLifetime)) {
		return domain.Invalid("expires_at", "must be at most one year away")
	}
	return nil
}

// Create makes an account key and returns it with its value (shown once).
func (s *Service) Create(ctx context.Context, scope domain.Scope, createdBy uuid.UUID, accountID uuid.UUID, name string, expiresAt time.Time) (Key, string, error) {
	if !scope.Allows(accountID) {
		return Key{}, "", domain.NotFound("account", accountID)
	}
	if err := s.validate(name, expiresAt); err != nil {
		return Key{}, "", err
	}
	return s.create(ctx, accountID, createdBy, name, expiresAt)
}

func (s *Service) create(ctx context.Context, accountID, createdBy uuid.UUID, name string, expiresAt time.Time) (Key, string, error) {
	value, err := newValue(AccountKeyPrefix)
	if err != nil {
		return Key{}, "", err
	}
	var row store.ApiKey
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.CreateUser(ctx, store.CreateUserParams{Kind: "machine", DisplayName: "API key: " + name})
		if err != nil {
			return err
		}
		var creator *uuid.UUID
		if createdBy != uuid.Nil {
			creator = &createdBy
		}
		row, err = q.CreateApiKey(ctx, store.CreateApiKeyParams{
			KeyType: "account", AccountID: &accountID, UserID: u.ID, Name: name,
			KeyHash: Hash(value), ExpiresAt: expiresAt, CreatedBy: creator,
		})
		return err
	})
	if store.IsUniqueViolation(err) {
		return Key{}, "", &domain.AlreadyExistsError{Resource: "api key", Field: "name", Value: name}
	}
	if err != nil {
		return Key{}, "", err
	}
	return fromRow(row), value, nil
}

// Get returns one key's metadata.
func (s *Service) Get(ctx context.Context, scope domain.Scope, id uuid.UUID) (Key, error) {
	row, err := s.store.GetAccountApiKey(ctx, store.GetAccountApiKeyParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsNotFound(err) {
		return Key{}, domain.NotFound("api key", id)
	}
	if err != nil {
		return Key{}, err
	}
	return fromRow(row), nil
}

// List returns an account's keys.
func (s *Service) List(ctx context.Context, scope domain.Scope, accountID uuid.UUID) ([]Key, error) {
	if !scope.Allows(accountID) {
		return nil, domain.NotFound("account", accountID)
	}
	rows, err := s.store.ListAccountApiKeys(ctx, &accountID)
	if err != nil {
		return nil, err
	}
	keys := make([]Key, 0, len(rows))
	for _, r := range rows {
		keys = append(keys, fromRow(r))
	}
	return keys, nil
}

// Regenerate replaces a key's value (the old one stops working at once) and
// its expiry, returning the new value once.
func (s *Service) Regenerate(ctx context.Context, scope domain.Scope, id uuid.UUID, expiresAt time.Time) (Key, string, error) {
	if err := s.validateExpiry(expiresAt); err != nil {
		return Key{}, "", err
	}
	value, err := newValue(AccountKeyPrefix)
	if err != nil {
		return Key{}, "", err
	}
	row, err := s.store.RegenerateAccountApiKey(ctx, store.RegenerateAccountApiKeyParams{
		ID: id, KeyHash: Hash(value), ExpiresAt: expiresAt, AllAccounts: scope.All, AccountIds: scope.IDs(),
	})
	if store.IsNotFound(err) {
		return Key{}, "", domain.NotFound("api key", id)
	}
	if err != nil {
		return Key{}, "", err
	}
	return fromRow(row), value, nil
}

// Delete revokes a key and removes its machine user.
func (s *Service) Delete(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		userID, err := q.DeleteAccountApiKey(ctx, store.DeleteAccountApiKeyParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
		if store.IsNotFound(err) {
			return domain.NotFound("api key", id)
		}
		if err != nil {
			return err
		}
		return q.DeleteMachineUser(ctx, userID)
	})
}

// Bootstrap creates an account key for the named team account, creating the
// account when it does not exist. It is for operators (`neosync-api apikey
// create`), who need a first key before any API call can be authenticated.
func (s *Service) Bootstrap(ctx context.Context, accountName, keyName string, expiresAt time.Time) (Key, string, error) {
	if err := s.validate(keyName, expiresAt); err != nil {
		return Key{}, "", err
	}
	if err := ValidateAccountName(accountName); err != nil {
		return Key{}, "", err
	}
	acct, err := s.store.GetTeamAccountByName(ctx, accountName)
	if store.IsNotFound(err) {
		acct, err = s.store.CreateAccount(ctx, store.CreateAccountParams{Name: accountName, AccountType: "team"})
	}
	if err != nil {
		return Key{}, "", err
	}
	return s.create(ctx, acct.ID, uuid.Nil, keyName, expiresAt)
}

// CreateWorkerKey creates a worker key (all accounts, worker procedures only).
func (s *Service) CreateWorkerKey(ctx context.Context, name string, expiresAt time.Time) (string, error) {
	if !namePattern.MatchString(name) {
		return "", domain.Invalid("name", "must be 1–100 characters of letters, digits, spaces, '.', '_' and '-'")
	}
	if !expiresAt.After(s.now()) {
		return "", domain.Invalid("expires_at", "must be in the future")
	}
	value, err := newValue(WorkerKeyPrefix)
	if err != nil {
		return "", err
	}
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.CreateUser(ctx, store.CreateUserParams{Kind: "machine", DisplayName: "worker: " + name})
		if err != nil {
			return err
		}
		_, err = q.CreateApiKey(ctx, store.CreateApiKeyParams{KeyType: "worker", UserID: u.ID, Name: name, KeyHash: Hash(value), ExpiresAt: expiresAt})
		return err
	})
	return value, err
}

var accountNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// ValidateAccountName checks a team account slug.
func ValidateAccountName(name string) error {
	if !accountNamePattern.MatchString(name) || strings.Contains(name, "--") {
		return domain.Invalid("name", "must be 3–63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit")
	}
	return nil
}

func fromRow(r store.ApiKey) Key {
	k := Key{ID: r.ID, UserID: r.UserID, Name: r.Name, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt}
	if r.AccountID != nil {
		k.AccountID = *r.AccountID
	}
	return k
}
