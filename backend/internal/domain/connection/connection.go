// Package connection stores named database connections for an account.
//
// The whole configuration is encrypted at rest with secretbox, bound to the
// account and connection ids; only the driver is stored in clear. Reads mask
// secrets for everyone but the worker, and an update that sends the mask back
// keeps the stored secret only for the same host, port, user and database. Check opens a connection (bounded by CheckTimeout)
// and reports the role's privileges, so a user learns before saving a job
// whether the role can read or write what the job needs.
package connection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/secretbox"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// CheckTimeout bounds connecting to a user's database, so an unreachable
// host is reported quickly instead of hanging a request.
const CheckTimeout = 10 * time.Second

// Connection is a saved connection.
type Connection struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	Name      string
	Config    sqlconnect.Config
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CheckResult is the outcome of trying a configuration.
type CheckResult struct {
	Connected bool
	// Error is a readable reason (secrets scrubbed) when Connected is false.
	Error      string
	Grantee    string
	Privileges []sqlschema.TablePrivileges
}

// Service manages connections.
type Service struct {
	store  *store.Store
	box    *secretbox.Box
	policy *sqlconnect.Policy
	env    EnvURLs
}

// NewService returns a Service that opens every connection under policy
// (nil allows every address) and treats url_from_env connections as env
// says.
func NewService(st *store.Store, box *secretbox.Box, policy *sqlconnect.Policy, env EnvURLs) *Service {
	return &Service{store: st, box: box, policy: policy, env: env}
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// ValidateName checks a connection name.
func ValidateName(name string) error {
	if !namePattern.MatchString(name) {
		return domain.Invalid("name", "must be 1–100 characters of letters, digits, '.', '_' and '-', starting with a letter or digit")
	}
	return nil
}

// validateConfig maps sqlconnect's errors to field-naming validation
// errors, and refuses url_from_env where the instance does not allow it.
func (s *Service) validateConfig(cfg sqlconnect.Config) error {
	if cfg.URLFromEnv != "" && !s.env.Allowed {
		return domain.Invalid("connection_config.url_from_env", "is turned off on this instance: with several accounts, any account could name any NEOSYNC_URL_* variable of the workers (an operator allows it with NEOSYNC_URL_FROM_ENV=on)")
	}
	if err := cfg.Validate(); err != nil {
		return configInvalid(err)
	}
	return nil
}

func configInvalid(err error) error {
	var ce *sqlconnect.ConfigError
	if errors.As(err, &ce) {
		return domain.Invalid("connection_config."+ce.Field, "%s", ce.Reason)
	}
	return domain.Invalid("connection_config", "%s", err.Error())
}

func binding(accountID, id uuid.UUID) []byte {
	return []byte("neosync/connection/v1/" + accountID.String() + "/" + id.String())
}

func (s *Service) seal(accountID, id uuid.UUID, cfg sqlconnect.Config) ([]byte, error) {
	pt, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	return s.box.Seal(pt, binding(accountID, id))
}

func (s *Service) fromRow(r store.Connection) (Connection, error) {
	pt, err := s.box.Open(r.ConfigCiphertext, binding(r.AccountID, r.ID))
	if err != nil {
		// Not the caller's mistake, but nothing a retry fixes either: say
		// what an operator must do.
		return Connection{}, domain.FailedPrecondition("connection %q cannot be decrypted: the API's NEOSYNC_ENCRYPTION_KEY is not the key it was saved with (restore that key, or delete and re-create the connection)", r.Name)
	}
	var cfg sqlconnect.Config
	if err := json.Unmarshal(pt, &cfg); err != nil {
		return Connection{}, fmt.Errorf("connection %s: decode config: %w", r.ID, err)
	}
	return Connection{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Config: cfg, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}

// Create saves a new connection.
func (s *Service) Create(ctx context.Context, scope domain.Scope, userID, accountID uuid.UUID, name string, cfg sqlconnect.Config) (Connection, error) {
	if !scope.Allows(accountID) {
		return Connection{}, domain.NotFound("account", accountID)
	}
	if err := ValidateName(name); err != nil {
		return Connection{}, err
	}
	if err := s.validateConfig(cfg); err != nil {
		return Connection{}, err
	}
	id := uuid.New()
	ct, err := s.seal(accountID, id, cfg)
	if err != nil {
		return Connection{}, err
	}
	row, err := s.store.CreateConnection(ctx, store.CreateConnectionParams{
		ID: id, AccountID: accountID, Name: name, ConnectionType: string(cfg.Driver), ConfigCiphertext: ct, CreatedBy: &userID,
	})
	if store.IsUniqueViolation(err) {
		return Connection{}, &domain.AlreadyExistsError{Resource: "connection", Field: "name", Value: name}
	}
	if err != nil {
		return Connection{}, err
	}
	return s.fromRow(row)
}

// Get returns a connection with its secrets (callers mask for display).
func (s *Service) Get(ctx context.Context, scope domain.Scope, id uuid.UUID) (Connection, error) {
	row, err := s.store.GetConnection(ctx, store.GetConnectionParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsNotFound(err) {
		return Connection{}, domain.NotFound("connection", id)
	}
	if err != nil {
		return Connection{}, err
	}
	return s.fromRow(row)
}

// List returns an account's connections.
func (s *Service) List(ctx context.Context, scope domain.Scope, accountID uuid.UUID) ([]Connection, error) {
	if !scope.Allows(accountID) {
		return nil, domain.NotFound("account", accountID)
	}
	rows, err := s.store.ListConnections(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]Connection, 0, len(rows))
	for _, r := range rows {
		c, err := s.fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Update replaces the name and config; masked secrets keep the stored value
// only while the config still points at the same host, port, user and
// database (otherwise the secret must be sent again).
func (s *Service) Update(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, name string, cfg sqlconnect.Config) (Connection, error) {
	if err := ValidateName(name); err != nil {
		return Connection{}, err
	}
	current, err := s.Get(ctx, scope, id)
	if err != nil {
		return Connection{}, err
	}
	cfg, err = cfg.RestoreSecrets(current.Config)
	if err != nil {
		return Connection{}, configInvalid(err)
	}
	if err := s.validateConfig(cfg); err != nil {
		return Connection{}, err
	}
	ct, err := s.seal(current.AccountID, id, cfg)
	if err != nil {
		return Connection{}, err
	}
	row, err := s.store.UpdateConnection(ctx, store.UpdateConnectionParams{
		ID: id, Name: name, ConnectionType: string(cfg.Driver), ConfigCiphertext: ct, UpdatedBy: &userID,
		AllAccounts: scope.All, AccountIds: scope.IDs(),
	})
	if store.IsNotFound(err) {
		return Connection{}, domain.NotFound("connection", id)
	}
	if store.IsUniqueViolation(err) {
		return Connection{}, &domain.AlreadyExistsError{Resource: "connection", Field: "name", Value: name}
	}
	if err != nil {
		return Connection{}, err
	}
	return s.fromRow(row)
}

// Delete removes a connection no job uses.
func (s *Service) Delete(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	if _, err := s.Get(ctx, scope, id); err != nil {
		return err
	}
	n, err := s.store.DeleteConnection(ctx, store.DeleteConnectionParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsForeignKeyViolation(err) {
		jobs, _ := s.store.JobsUsingConnection(ctx, &id)
		return domain.FailedPrecondition("connection %s is used by job(s) %v; remove it from them first", id, jobs)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.NotFound("connection", id)
	}
	return nil
}

// IsNameAvailable reports whether name is free in the account.
func (s *Service) IsNameAvailable(ctx context.Context, scope domain.Scope, accountID uuid.UUID, name string) (bool, error) {
	if !scope.Allows(accountID) {
		return false, domain.NotFound("account", accountID)
	}
	if err := ValidateName(name); err != nil {
		return false, err
	}
	taken, err := s.store.IsConnectionNameTaken(ctx, store.IsConnectionNameTakenParams{AccountID: accountID, Name: name})
	return !taken, err
}

// Check connects with cfg and reports the outcome. Connection failures are a
// result, not an error; an invalid config is a ValidationError.
func (s *Service) Check(ctx context.Context, cfg sqlconnect.Config) (CheckResult, error) {
	if err := s.validateConfig(cfg); err != nil {
		return CheckResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	if cfg.Driver == sqlconnect.DriverS3 {
		return s.checkS3(ctx, cfg)
	}
	cfg, err := s.env.resolve(cfg)
	if err != nil {
		return CheckResult{Connected: false, Error: err.Error()}, nil
	}
	db, err := s.policy.Open(ctx, cfg)
	if err != nil {
		return CheckResult{Connected: false, Error: err.Error()}, nil
	}
	defer db.Close()
	insp := Inspector(db)
	var schemas []string
	if cfg.Driver == sqlconnect.DriverMySQL && cfg.DatabaseName() != "" {
		// A MySQL connection names one database; another database's grants
		// are not what the user is checking.
		schemas = []string{cfg.DatabaseName()}
	}
	privs, err := insp.Privileges(ctx, schemas)
	if err != nil {
		return CheckResult{Connected: true, Error: "connected, but could not read privileges: " + scrub(err.Error(), cfg)}, nil
	}
	return CheckResult{Connected: true, Grantee: cfg.UserName(), Privileges: privs}, nil
}

// checkS3 lists the bucket's prefix, writes a probe object and deletes it
// (objectstore.Check), dialing under the connection policy. The grantee
// is the access key id ("anonymous" without one); there are no table
// privileges to report.
func (s *Service) checkS3(ctx context.Context, cfg sqlconnect.Config) (CheckResult, error) {
	if err := objectstore.Check(ctx, *cfg.S3, s.policy.NetworkPolicy()); err != nil {
		return CheckResult{Connected: false, Error: scrub(err.Error(), cfg)}, nil
	}
	grantee := cfg.S3.AccessKeyID
	if grantee == "" {
		grantee = "anonymous"
	}
	return CheckResult{Connected: true, Grantee: grantee}, nil
}

// CheckByID checks a saved connection.
func (s *Service) CheckByID(ctx context.Context, scope domain.Scope, id uuid.UUID) (CheckResult, error) {
	c, err := s.Get(ctx, scope, id)
	if err != nil {
		return CheckResult{}, err
	}
	return s.Check(ctx, c.Config)
}

// Open opens a saved connection for reading its schema or data. A failure to
// connect is a FailedPrecondition naming the connection and the reason.
func (s *Service) Open(ctx context.Context, scope domain.Scope, id uuid.UUID) (*sqlconnect.DB, error) {
	c, err := s.Get(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	octx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	var db *sqlconnect.DB
	cfg, err := s.env.resolve(c.Config)
	if err == nil {
		db, err = s.policy.Open(octx, cfg)
	}
	if err != nil {
		return nil, domain.FailedPrecondition("cannot connect to connection %q: %s", c.Name, err.Error())
	}
	return db, nil
}

// ProtectedDatabases are the databases no tenant connection may use (the
// API's own), as the connection policy identifies them; workers ask for
// them so they refuse the same sessions. None when the policy protects
// nothing.
func (s *Service) ProtectedDatabases(ctx context.Context) ([]sqlconnect.Identity, error) {
	if s.policy == nil || s.policy.Protected == nil {
		return nil, nil
	}
	return s.policy.Protected(ctx)
}

// OpenConfig opens an unsaved configuration (under the same network policy
// as a saved one) for reading its schema. An invalid config is a
// ValidationError; a failure to connect a FailedPrecondition with the
// reason.
func (s *Service) OpenConfig(ctx context.Context, cfg sqlconnect.Config) (*sqlconnect.DB, error) {
	if err := s.validateConfig(cfg); err != nil {
		return nil, err
	}
	octx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	cfg, err := s.env.resolve(cfg)
	if err != nil {
		return nil, domain.FailedPrecondition("cannot connect to the source: %s", err.Error())
	}
	db, err := s.policy.Open(octx, cfg)
	if err != nil {
		return nil, domain.FailedPrecondition("cannot connect to the source: %s", scrub(err.Error(), cfg))
	}
	return db, nil
}

// Inspector returns the schema reader for an open database.
func Inspector(db *sqlconnect.DB) sqlschema.Inspector {
	if db.Driver == sqlconnect.DriverMySQL {
		return sqlschema.NewMySQLInspector(db.MySQL)
	}
	return sqlschema.NewPostgresInspector(db.Postgres)
}

func scrub(msg string, cfg sqlconnect.Config) string {
	for _, s := range cfg.Secrets() {
		msg = regexp.MustCompile(regexp.QuoteMeta(s)).ReplaceAllString(msg, sqlconnect.Mask)
	}
	return msg
}
