// Package anonymization anonymizes JSON documents outside any job: it
// resolves transformer specs (system or user-defined) for an account, builds
// them from the shared registry and runs pkg/anonymize over each input.
package anonymization

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/pkg/anonymize"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// MaxInputs bounds one AnonymizeMany call.
const MaxInputs = 1000

// TransformerSpec names a system transformer with parameters, or a
// user-defined transformer.
type TransformerSpec struct {
	Source        string
	Config        map[string]any
	UserDefinedID *uuid.UUID
}

// MappingSpec maps a jq path expression to a transformer.
type MappingSpec struct {
	Expression  string
	Transformer TransformerSpec
}

// DefaultSpecs are per-JSON-type defaults; nil leaves such values unchanged.
type DefaultSpecs struct {
	String, Number, Boolean *TransformerSpec
}

// Request is one anonymization call.
type Request struct {
	Inputs        []string
	Mappings      []MappingSpec
	Defaults      DefaultSpecs
	HaltOnFailure bool
}

// InputError is one input's failure.
type InputError struct {
	Index   int
	Message string
}

// Result holds outputs (empty string for failed inputs) and failures.
type Result struct {
	Outputs []string
	Errors  []InputError
}

// Service runs anonymization.
type Service struct {
	transformers *transformer.Service
}

// NewService returns a Service.
func NewService(t *transformer.Service) *Service { return &Service{transformers: t} }

// build builds one spec; JavaScript runs in a runner process bounded by ctx.
// The caller closes what it returns.
func (s *Service) build(ctx context.Context, accountID uuid.UUID, field string, spec TransformerSpec) (transformer.Evaluator, error) {
	source, config := spec.Source, spec.Config
	if spec.UserDefinedID != nil {
		u, err := s.transformers.Get(ctx, domain.Scope{AccountIDs: []uuid.UUID{accountID}}, *spec.UserDefinedID)
		if err != nil {
			return nil, err
		}
		source, config = u.Source, u.Config
	}
	if err := s.transformers.CheckConfig(field, source, config); err != nil {
		return nil, err
	}
	return s.transformers.Build(ctx, source, config, transformers.Options{})
}

// Anonymize runs the request for an account.
func (s *Service) Anonymize(ctx context.Context, scope domain.Scope, accountID uuid.UUID, r Request) (Result, error) {
	if !scope.Allows(accountID) {
		return Result{}, domain.NotFound("account", accountID)
	}
	if len(r.Inputs) == 0 {
		return Result{}, domain.Invalid("input_data", "is empty")
	}
	if len(r.Inputs) > MaxInputs {
		return Result{}, domain.Invalid("input_data", "at most %d documents per call", MaxInputs)
	}
	var built []transformer.Evaluator
	defer func() {
		for _, b := range built {
			_ = b.Close()
		}
	}()
	var mappings []anonymize.Mapping
	for i, m := range r.Mappings {
		inst, err := s.build(ctx, accountID, fmt.Sprintf("transformer_mappings[%d].transformer", i), m.Transformer)
		if err != nil {
			return Result{}, err
		}
		built = append(built, inst)
		mappings = append(mappings, anonymize.Mapping{Expression: m.Expression, Transformer: inst})
	}
	var defaults anonymize.Defaults
	for _, d := range []struct {
		field string
		spec  *TransformerSpec
		dst   *anonymize.Transformer
	}{
		{"default_transformers.strings", r.Defaults.String, &defaults.String},
		{"default_transformers.numbers", r.Defaults.Number, &defaults.Number},
		{"default_transformers.booleans", r.Defaults.Boolean, &defaults.Boolean},
	} {
		if d.spec == nil {
			continue
		}
		inst, err := s.build(ctx, accountID, d.field, *d.spec)
		if err != nil {
			return Result{}, err
		}
		built = append(built, inst)
		*d.dst = inst
	}
	a, err := anonymize.New(mappings, defaults)
	if err != nil {
		var pe *anonymize.PathError
		if errors.As(err, &pe) {
			return Result{}, domain.Invalid(fmt.Sprintf("transformer_mappings[%d].expression", pe.Index), "%s", pe.Reason)
		}
		return Result{}, err
	}
	res := Result{Outputs: make([]string, len(r.Inputs))}
	for i, in := range r.Inputs {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		out, err := a.Anonymize(in)
		if err != nil {
			res.Errors = append(res.Errors, InputError{Index: i, Message: err.Error()})
			if r.HaltOnFailure {
				break
			}
			continue
		}
		res.Outputs[i] = out
	}
	return res, nil
}
