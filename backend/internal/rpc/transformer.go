package rpc

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// TransformersHandler serves TransformersService.
type TransformersHandler struct {
	mgmtv1alpha1connect.UnimplementedTransformersServiceHandler
	svc *transformer.Service
}

// NewTransformersHandler returns the handler.
func NewTransformersHandler(s *transformer.Service) *TransformersHandler {
	return &TransformersHandler{svc: s}
}

func systemTransformerToProto(d *transformers.Definition) *mgmtv1alpha1.SystemTransformer {
	out := &mgmtv1alpha1.SystemTransformer{
		Source: d.Source, Name: d.Name, Description: d.Description, OutputDataType: string(d.Output),
		SupportsConsistentMode: d.Consistent, IsGenerator: d.Generator,
	}
	for _, t := range d.InputTypes {
		out.InputDataTypes = append(out.InputDataTypes, string(t))
	}
	for _, j := range d.JobTypes {
		out.JobTypes = append(out.JobTypes, string(j))
	}
	for _, p := range d.Params {
		tp := &mgmtv1alpha1.TransformerParameter{Name: p.Name, Type: string(p.Type), Description: p.Description, Min: p.Min, Max: p.Max, AllowedValues: p.Allowed, Required: p.Required}
		if c := p.AppliesWhen; c != nil {
			tp.AppliesWhen = &mgmtv1alpha1.ParameterCondition{Parameter: c.Param, Values: c.Values}
		}
		if p.Default != nil {
			if v, err := structpb.NewValue(jsonable(p.Default)); err == nil {
				tp.DefaultValue = v
			}
		}
		out.Parameters = append(out.Parameters, tp)
	}
	return out
}

// jsonable converts parameter defaults to types structpb accepts.
func jsonable(v any) any {
	switch x := v.(type) {
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func userDefinedToProto(u transformer.UserDefined) *mgmtv1alpha1.UserDefinedTransformer {
	cfg, _ := structpb.NewStruct(u.Config)
	return &mgmtv1alpha1.UserDefinedTransformer{
		Id: u.ID.String(), AccountId: u.AccountID.String(), Name: u.Name, Description: u.Description, Source: u.Source, Config: cfg,
		CreatedAt: timestamppb.New(u.CreatedAt), UpdatedAt: timestamppb.New(u.UpdatedAt),
	}
}

// GetSystemTransformers lists the catalogue.
func (h *TransformersHandler) GetSystemTransformers(_ context.Context, _ *connect.Request[mgmtv1alpha1.GetSystemTransformersRequest]) (*connect.Response[mgmtv1alpha1.GetSystemTransformersResponse], error) {
	defs := h.svc.System()
	out := make([]*mgmtv1alpha1.SystemTransformer, 0, len(defs))
	for _, d := range defs {
		out = append(out, systemTransformerToProto(d))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetSystemTransformersResponse{Transformers: out}), nil
}

// GetSystemTransformerBySource returns one system transformer.
func (h *TransformersHandler) GetSystemTransformerBySource(_ context.Context, req *connect.Request[mgmtv1alpha1.GetSystemTransformerBySourceRequest]) (*connect.Response[mgmtv1alpha1.GetSystemTransformerBySourceResponse], error) {
	d, err := h.svc.SystemBySource(req.Msg.GetSource())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetSystemTransformerBySourceResponse{Transformer: systemTransformerToProto(d)}), nil
}

// GetUserDefinedTransformers lists an account's transformers.
func (h *TransformersHandler) GetUserDefinedTransformers(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetUserDefinedTransformersRequest]) (*connect.Response[mgmtv1alpha1.GetUserDefinedTransformersResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	list, err := h.svc.List(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.UserDefinedTransformer, 0, len(list))
	for _, u := range list {
		out = append(out, userDefinedToProto(u))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetUserDefinedTransformersResponse{Transformers: out}), nil
}

// GetUserDefinedTransformerById returns one transformer.
func (h *TransformersHandler) GetUserDefinedTransformerById(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetUserDefinedTransformerByIdRequest]) (*connect.Response[mgmtv1alpha1.GetUserDefinedTransformerByIdResponse], error) {
	t, err := resolve(ctx, "transformer_id", req.Msg.GetTransformerId())
	if err != nil {
		return nil, err
	}
	u, err := h.svc.Get(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetUserDefinedTransformerByIdResponse{Transformer: userDefinedToProto(u)}), nil
}

// CreateUserDefinedTransformer saves a configuration.
func (h *TransformersHandler) CreateUserDefinedTransformer(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateUserDefinedTransformerRequest]) (*connect.Response[mgmtv1alpha1.CreateUserDefinedTransformerResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	m := req.Msg
	u, err := h.svc.Create(ctx, t.Scope, t.UserID, t.ID, m.GetName(), m.GetDescription(), m.GetSource(), m.GetConfig().AsMap())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateUserDefinedTransformerResponse{Transformer: userDefinedToProto(u)}), nil
}

// UpdateUserDefinedTransformer changes a configuration.
func (h *TransformersHandler) UpdateUserDefinedTransformer(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateUserDefinedTransformerRequest]) (*connect.Response[mgmtv1alpha1.UpdateUserDefinedTransformerResponse], error) {
	t, err := resolve(ctx, "transformer_id", req.Msg.GetTransformerId())
	if err != nil {
		return nil, err
	}
	m := req.Msg
	u, err := h.svc.Update(ctx, t.Scope, t.UserID, t.ID, m.GetName(), m.GetDescription(), m.GetConfig().AsMap())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateUserDefinedTransformerResponse{Transformer: userDefinedToProto(u)}), nil
}

// DeleteUserDefinedTransformer removes a configuration no job uses.
func (h *TransformersHandler) DeleteUserDefinedTransformer(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteUserDefinedTransformerRequest]) (*connect.Response[mgmtv1alpha1.DeleteUserDefinedTransformerResponse], error) {
	t, err := resolve(ctx, "transformer_id", req.Msg.GetTransformerId())
	if err != nil {
		return nil, err
	}
	if err := h.svc.Delete(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteUserDefinedTransformerResponse{}), nil
}

// IsTransformerNameAvailable reports whether a name is free.
func (h *TransformersHandler) IsTransformerNameAvailable(ctx context.Context, req *connect.Request[mgmtv1alpha1.IsTransformerNameAvailableRequest]) (*connect.Response[mgmtv1alpha1.IsTransformerNameAvailableResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	ok, err := h.svc.IsNameAvailable(ctx, t.Scope, t.ID, req.Msg.GetTransformerName())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.IsTransformerNameAvailableResponse{IsAvailable: ok}), nil
}

// ValidateUserJavascriptCode compiles user code and reports line and column.
func (h *TransformersHandler) ValidateUserJavascriptCode(_ context.Context, req *connect.Request[mgmtv1alpha1.ValidateUserJavascriptCodeRequest]) (*connect.Response[mgmtv1alpha1.ValidateUserJavascriptCodeResponse], error) {
	resp := &mgmtv1alpha1.ValidateUserJavascriptCodeResponse{Valid: true}
	if err := transformers.ValidateJavaScript(req.Msg.GetCode()); err != nil {
		msg := err.Error()
		resp.Valid, resp.Error = false, &msg
	}
	return connect.NewResponse(resp), nil
}

// ValidateUserRegexCode compiles a regular expression (RE2 syntax).
func (h *TransformersHandler) ValidateUserRegexCode(_ context.Context, req *connect.Request[mgmtv1alpha1.ValidateUserRegexCodeRequest]) (*connect.Response[mgmtv1alpha1.ValidateUserRegexCodeResponse], error) {
	resp := &mgmtv1alpha1.ValidateUserRegexCodeResponse{Valid: true}
	if err := transformers.ValidateRegex(req.Msg.GetUserProvidedRegex()); err != nil {
		msg := err.Error()
		resp.Valid, resp.Error = false, &msg
	}
	return connect.NewResponse(resp), nil
}

// PreviewTransformer runs a configuration on sample values.
func (h *TransformersHandler) PreviewTransformer(ctx context.Context, req *connect.Request[mgmtv1alpha1.PreviewTransformerRequest]) (*connect.Response[mgmtv1alpha1.PreviewTransformerResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	samples := make([]any, 0, len(req.Msg.GetSampleValues()))
	for _, v := range req.Msg.GetSampleValues() {
		samples = append(samples, sampleValue(v))
	}
	outs, errs, err := h.svc.Preview(ctx, t.Scope, t.ID, req.Msg.GetSource(), req.Msg.GetConfig().AsMap(), samples, req.Msg.Key)
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.PreviewTransformerResponse{Errors: errs}
	for _, o := range outs {
		v, err := structpb.NewValue(previewValue(o))
		if err != nil {
			v = structpb.NewStringValue(err.Error())
		}
		resp.Outputs = append(resp.Outputs, v)
	}
	return connect.NewResponse(resp), nil
}

// sampleValue turns a JSON value into a transformer input (integral numbers
// become int64).
func sampleValue(v *structpb.Value) any {
	x := v.AsInterface()
	if f, ok := x.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return x
}

func previewValue(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case []byte:
		return string(x)
	case interface{ String() string }:
		return x.String()
	}
	return v
}
