package rpc

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain/anonymization"
)

// AnonymizationHandler serves AnonymizationService.
type AnonymizationHandler struct {
	mgmtv1alpha1connect.UnimplementedAnonymizationServiceHandler
	svc *anonymization.Service
}

// NewAnonymizationHandler returns the handler.
func NewAnonymizationHandler(s *anonymization.Service) *AnonymizationHandler {
	return &AnonymizationHandler{svc: s}
}

func transformerSpec(field string, t *mgmtv1alpha1.JobMappingTransformer) (*anonymization.TransformerSpec, error) {
	if t == nil {
		return nil, nil
	}
	spec := &anonymization.TransformerSpec{Source: t.GetSource(), Config: t.GetConfig().AsMap()}
	if t.UserDefinedTransformerId != nil {
		id, err := parseID(field+".user_defined_transformer_id", t.GetUserDefinedTransformerId())
		if err != nil {
			return nil, err
		}
		spec.UserDefinedID = &id
	}
	return spec, nil
}

func anonymizeRequest(mappings []*mgmtv1alpha1.TransformerMapping, defaults *mgmtv1alpha1.DefaultTransformers) (anonymization.Request, error) {
	var r anonymization.Request
	for i, m := range mappings {
		spec, err := transformerSpec(fmt.Sprintf("transformer_mappings[%d].transformer", i), m.GetTransformer())
		if err != nil {
			return r, err
		}
		if spec == nil {
			return r, invalid(fmt.Sprintf("transformer_mappings[%d].transformer", i), "is required")
		}
		r.Mappings = append(r.Mappings, anonymization.MappingSpec{Expression: m.GetExpression(), Transformer: *spec})
	}
	var err error
	if r.Defaults.String, err = transformerSpec("default_transformers.strings", defaults.GetStrings()); err != nil {
		return r, err
	}
	if r.Defaults.Number, err = transformerSpec("default_transformers.numbers", defaults.GetNumbers()); err != nil {
		return r, err
	}
	if r.Defaults.Boolean, err = transformerSpec("default_transformers.booleans", defaults.GetBooleans()); err != nil {
		return r, err
	}
	return r, nil
}

// AnonymizeMany anonymizes many documents, reporting failures per input index.
func (h *AnonymizationHandler) AnonymizeMany(ctx context.Context, req *connect.Request[mgmtv1alpha1.AnonymizeManyRequest]) (*connect.Response[mgmtv1alpha1.AnonymizeManyResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	r, err := anonymizeRequest(req.Msg.GetTransformerMappings(), req.Msg.GetDefaultTransformers())
	if err != nil {
		return nil, err
	}
	r.Inputs = req.Msg.GetInputData()
	r.HaltOnFailure = req.Msg.GetHaltOnFailure()
	res, err := h.svc.Anonymize(ctx, t.Scope, t.ID, r)
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.AnonymizeManyResponse{OutputData: res.Outputs}
	for _, e := range res.Errors {
		resp.Errors = append(resp.Errors, &mgmtv1alpha1.AnonymizeManyErrors{InputIndex: int64(e.Index), ErrorMessage: e.Message})
	}
	return connect.NewResponse(resp), nil
}

// AnonymizeSingle anonymizes one document; a failure is InvalidArgument.
func (h *AnonymizationHandler) AnonymizeSingle(ctx context.Context, req *connect.Request[mgmtv1alpha1.AnonymizeSingleRequest]) (*connect.Response[mgmtv1alpha1.AnonymizeSingleResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	r, err := anonymizeRequest(req.Msg.GetTransformerMappings(), req.Msg.GetDefaultTransformers())
	if err != nil {
		return nil, err
	}
	r.Inputs = []string{req.Msg.GetInputData()}
	r.HaltOnFailure = true
	res, err := h.svc.Anonymize(ctx, t.Scope, t.ID, r)
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		return nil, invalid("input_data", res.Errors[0].Message)
	}
	return connect.NewResponse(&mgmtv1alpha1.AnonymizeSingleResponse{OutputData: res.Outputs[0]}), nil
}
