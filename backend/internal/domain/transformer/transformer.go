// Package transformer exposes the system transformer catalogue to the API
// and manages user-defined transformers: saved, named configurations of a
// system transformer that job mappings can reference. It also previews a
// configuration on sample values and validates user JavaScript and regexes.
package transformer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// UserDefined is a saved transformer configuration.
type UserDefined struct {
	ID          uuid.UUID
	AccountID   uuid.UUID
	Name        string
	Description string
	Source      string
	Config      map[string]any
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Service serves the catalogue and user-defined transformers.
type Service struct {
	store    *store.Store
	registry *transformers.Registry
	js       *jsrunner.Runner
}

// NewService returns a Service over the shared registry; js runs the
// JavaScript transformers the API evaluates itself (previews, anonymization).
func NewService(st *store.Store, reg *transformers.Registry, js *jsrunner.Runner) *Service {
	return &Service{store: st, registry: reg, js: js}
}

// Evaluator is a transformer built for the API to run on a user's behalf.
// Close it when done: a JavaScript evaluator holds a runner process.
type Evaluator interface {
	Transform(value any, row map[string]any) (any, error)
	Close() error
}

// MaxJavaScriptRequestTime bounds the wall time of the JavaScript one
// request (a preview, an anonymization) runs: its runner process is killed
// then, whatever the per-call budgets.
const MaxJavaScriptRequestTime = 30 * time.Second

// jsEvaluator is a JavaScript transformer in a runner process.
type jsEvaluator struct {
	*jsrunner.Transformer
	cancel context.CancelFunc
}

func (e jsEvaluator) Close() error {
	err := e.Transformer.Close()
	e.cancel()
	return err
}

// instanceEvaluator is an in-process transformer (no JavaScript).
type instanceEvaluator struct{ *transformers.Instance }

func (instanceEvaluator) Close() error { return nil }

// Build builds a validated configuration for the API to evaluate.
// JavaScript runs in a child process with memory, CPU and time limits
// (package jsrunner), which ctx also stops: the API never runs user code in
// its own process. A bad parameter is a *transformers.ParamError.
func (s *Service) Build(ctx context.Context, source string, config map[string]any, opts transformers.Options) (Evaluator, error) {
	if transformers.IsJavaScript(source) {
		if s.js == nil {
			return nil, domain.FailedPrecondition("JavaScript transformers cannot run here: no JavaScript runner is configured")
		}
		jctx, cancel := context.WithTimeoutCause(ctx, MaxJavaScriptRequestTime,
			fmt.Errorf("the request used up its %v of JavaScript time", MaxJavaScriptRequestTime))
		tr, err := s.js.Build(jctx, source, config, opts)
		if err != nil {
			cancel()
			return nil, err
		}
		return jsEvaluator{tr, cancel}, nil
	}
	inst, err := s.registry.Build(source, config, opts)
	if err != nil {
		return nil, err
	}
	return instanceEvaluator{inst}, nil
}

// Registry returns the system registry.
func (s *Service) Registry() *transformers.Registry { return s.registry }

// System lists the system transformers.
func (s *Service) System() []*transformers.Definition { return s.registry.List() }

// SystemBySource returns one system transformer.
func (s *Service) SystemBySource(source string) (*transformers.Definition, error) {
	d, err := s.registry.Lookup(source)
	if err != nil {
		return nil, &domain.NotFoundError{Resource: "system transformer " + fmt.Sprintf("%q", source)}
	}
	return d, nil
}

// CheckConfig validates a source and its parameters, naming the field.
func (s *Service) CheckConfig(field, source string, config map[string]any) error {
	err := s.registry.Validate(source, config)
	var ue *transformers.UnknownTransformerError
	var pe *transformers.ParamError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue):
		return domain.Invalid(field+".source", "unknown transformer %q", source)
	case errors.As(err, &pe):
		return domain.Invalid(field+".config."+pe.Param, "%s", pe.Reason)
	}
	return domain.Invalid(field, "%s", err.Error())
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$`)

func validateName(name string) error {
	if !namePattern.MatchString(name) {
		return domain.Invalid("name", "must be 1–100 characters of letters, digits, spaces, '.', '_' and '-', starting with a letter or digit")
	}
	return nil
}

// Create saves a user-defined transformer.
func (s *Service) Create(ctx context.Context, scope domain.Scope, userID, accountID uuid.UUID, name, description, source string, config map[string]any) (UserDefined, error) {
	if !scope.Allows(accountID) {
		return UserDefined{}, domain.NotFound("account", accountID)
	}
	if err := validateName(name); err != nil {
		return UserDefined{}, err
	}
	if len(description) > 1000 {
		return UserDefined{}, domain.Invalid("description", "is longer than 1000 characters")
	}
	if err := s.CheckConfig("", source, config); err != nil {
		return UserDefined{}, trimField(err)
	}
	cfg, err := json.Marshal(nonNil(config))
	if err != nil {
		return UserDefined{}, err
	}
	row, err := s.store.CreateUserDefinedTransformer(ctx, store.CreateUserDefinedTransformerParams{
		AccountID: accountID, Name: name, Description: description, Source: source, Config: cfg, CreatedBy: &userID,
	})
	if store.IsUniqueViolation(err) {
		return UserDefined{}, &domain.AlreadyExistsError{Resource: "transformer", Field: "name", Value: name}
	}
	if err != nil {
		return UserDefined{}, err
	}
	return fromRow(row)
}

// Get returns one user-defined transformer.
func (s *Service) Get(ctx context.Context, scope domain.Scope, id uuid.UUID) (UserDefined, error) {
	row, err := s.store.GetUserDefinedTransformer(ctx, store.GetUserDefinedTransformerParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsNotFound(err) {
		return UserDefined{}, domain.NotFound("transformer", id)
	}
	if err != nil {
		return UserDefined{}, err
	}
	return fromRow(row)
}

// List returns an account's user-defined transformers.
func (s *Service) List(ctx context.Context, scope domain.Scope, accountID uuid.UUID) ([]UserDefined, error) {
	if !scope.Allows(accountID) {
		return nil, domain.NotFound("account", accountID)
	}
	rows, err := s.store.ListUserDefinedTransformers(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]UserDefined, 0, len(rows))
	for _, r := range rows {
		u, err := fromRow(r)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// Update changes name, description and parameters (the source is fixed).
func (s *Service) Update(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, name, description string, config map[string]any) (UserDefined, error) {
	cur, err := s.Get(ctx, scope, id)
	if err != nil {
		return UserDefined{}, err
	}
	if err := validateName(name); err != nil {
		return UserDefined{}, err
	}
	if err := s.CheckConfig("", cur.Source, config); err != nil {
		return UserDefined{}, trimField(err)
	}
	cfg, err := json.Marshal(nonNil(config))
	if err != nil {
		return UserDefined{}, err
	}
	row, err := s.store.UpdateUserDefinedTransformer(ctx, store.UpdateUserDefinedTransformerParams{
		ID: id, Name: name, Description: description, Config: cfg, UpdatedBy: &userID, AllAccounts: scope.All, AccountIds: scope.IDs(),
	})
	if store.IsNotFound(err) {
		return UserDefined{}, domain.NotFound("transformer", id)
	}
	if store.IsUniqueViolation(err) {
		return UserDefined{}, &domain.AlreadyExistsError{Resource: "transformer", Field: "name", Value: name}
	}
	if err != nil {
		return UserDefined{}, err
	}
	return fromRow(row)
}

// Delete removes a user-defined transformer no job uses.
func (s *Service) Delete(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	cur, err := s.Get(ctx, scope, id)
	if err != nil {
		return err
	}
	jobs, err := s.store.JobsUsingTransformer(ctx, store.JobsUsingTransformerParams{AccountID: cur.AccountID, TransformerID: id.String()})
	if err != nil {
		return err
	}
	if len(jobs) > 0 {
		return domain.FailedPrecondition("transformer %q is used by job(s) %v; change their mappings first", cur.Name, jobs)
	}
	n, err := s.store.DeleteUserDefinedTransformer(ctx, store.DeleteUserDefinedTransformerParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.NotFound("transformer", id)
	}
	return nil
}

// IsNameAvailable reports whether name is free in the account.
func (s *Service) IsNameAvailable(ctx context.Context, scope domain.Scope, accountID uuid.UUID, name string) (bool, error) {
	if !scope.Allows(accountID) {
		return false, domain.NotFound("account", accountID)
	}
	if err := validateName(name); err != nil {
		return false, err
	}
	taken, err := s.store.IsTransformerNameTaken(ctx, store.IsTransformerNameTakenParams{AccountID: accountID, Name: name})
	return !taken, err
}

// MaxPreviewSamples bounds a preview request.
const MaxPreviewSamples = 100

// MaxPreviewJavaScriptTime bounds the JavaScript time one preview may ask
// for: its samples times its per-call budget (timeout_ms).
const MaxPreviewJavaScriptTime = 10 * time.Second

// Preview runs a configuration on sample values; per-sample failures are
// reported in errs at the same index (outputs[i] is then nil). JavaScript
// runs in a runner process that ctx (the request's) stops when the client
// goes away, and at most MaxPreviewJavaScriptTime of budget is accepted.
func (s *Service) Preview(ctx context.Context, scope domain.Scope, accountID uuid.UUID, source string, config map[string]any, samples []any, key *string) (outputs []any, errs []string, err error) {
	if !scope.Allows(accountID) {
		return nil, nil, domain.NotFound("account", accountID)
	}
	if len(samples) > MaxPreviewSamples {
		return nil, nil, domain.Invalid("sample_values", "at most %d samples", MaxPreviewSamples)
	}
	if err := s.CheckConfig("", source, config); err != nil {
		return nil, nil, trimField(err)
	}
	if transformers.IsJavaScript(source) {
		n := max(len(samples), 1)
		budget := transformers.JavaScriptBudget(config)
		if total := time.Duration(n) * budget; total > MaxPreviewJavaScriptTime {
			return nil, nil, domain.Invalid("sample_values", "%d samples × timeout_ms %d allow %v of JavaScript, more than the %v a preview may run; send fewer samples or lower timeout_ms",
				n, budget.Milliseconds(), total, MaxPreviewJavaScriptTime)
		}
	}
	opts := transformers.Options{}
	if key != nil {
		opts.Key = []byte(*key)
	}
	inst, err := s.Build(ctx, source, config, opts)
	var pe *transformers.ParamError
	switch {
	case errors.As(err, &pe):
		return nil, nil, domain.Invalid("config."+pe.Param, "%s", pe.Reason)
	case err != nil && ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case err != nil:
		return nil, nil, err
	}
	defer inst.Close()
	outputs = make([]any, len(samples))
	errs = make([]string, len(samples))
	if len(samples) == 0 {
		outputs, errs = make([]any, 1), make([]string, 1)
		samples = []any{nil}
	}
	for i, v := range samples {
		out, err := inst.Transform(v, nil)
		if err != nil {
			errs[i] = err.Error()
			continue
		}
		if transformers.IsColumnDefault(out) {
			out = "(column default)"
		}
		outputs[i] = out
	}
	return outputs, errs, nil
}

// trimField turns ".source" / ".config.x" into "source" / "config.x".
func trimField(err error) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) && len(ve.Field) > 0 && ve.Field[0] == '.' {
		return &domain.ValidationError{Field: ve.Field[1:], Reason: ve.Reason}
	}
	return err
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func fromRow(r store.UserDefinedTransformer) (UserDefined, error) {
	u := UserDefined{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Description: r.Description, Source: r.Source, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Config, &u.Config); err != nil {
		return UserDefined{}, fmt.Errorf("transformer %s: decode config: %w", r.ID, err)
	}
	return u, nil
}

// CheckMapping validates a job mapping's transformer: a system source with
// valid parameters, or a user-defined transformer of the same account.
func (s *Service) CheckMapping(ctx context.Context, accountID uuid.UUID, field, source string, config map[string]any, userDefinedID *uuid.UUID) error {
	if userDefinedID != nil {
		_, err := s.Get(ctx, domain.Scope{AccountIDs: []uuid.UUID{accountID}}, *userDefinedID)
		return err
	}
	return s.CheckConfig(field, source, config)
}
