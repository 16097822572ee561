package rpc

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/connectiondata"
)

// ScanConnectionPii reports the columns of a connection that hold personal
// data, each with a suggested transformer, and the tables it could not
// sample within its time limit.
func (h *ConnectionDataHandler) ScanConnectionPii(ctx context.Context, req *connect.Request[mgmtv1alpha1.ScanConnectionPiiRequest]) (*connect.Response[mgmtv1alpha1.ScanConnectionPiiResponse], error) {
	t, err := resolve(ctx, "connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	scan, err := h.data.ScanPII(ctx, t.Scope, t.ID, connectiondata.PIIScanOptions{
		Schemas: req.Msg.GetSchemas(), SampleSize: int(req.Msg.GetSampleSize()), TimeLimit: time.Duration(req.Msg.GetTimeLimitSeconds()) * time.Second,
	})
	if err != nil {
		return nil, err
	}
	out := &mgmtv1alpha1.ScanConnectionPiiResponse{TablesScanned: int32(scan.TablesScanned)}
	for _, u := range scan.NotScanned {
		out.TablesNotScanned = append(out.TablesNotScanned, &mgmtv1alpha1.PiiUnscannedTable{Schema: u.Table.Schema, Table: u.Table.Table, Reason: u.Reason})
	}
	for _, f := range scan.Findings {
		pf, err := piiFindingToProto(f)
		if err != nil {
			return nil, err
		}
		out.Findings = append(out.Findings, pf)
	}
	return connect.NewResponse(out), nil
}

func piiFindingToProto(f connectiondata.PIIFinding) (*mgmtv1alpha1.PiiFinding, error) {
	cfg, err := structpb.NewStruct(f.Suggestion.Config)
	if err != nil {
		return nil, err
	}
	ev := &mgmtv1alpha1.PiiEvidence{
		Sampled:   int32(f.Evidence.Sampled),
		NonNull:   int32(f.Evidence.NonNull),
		Matched:   int32(f.Evidence.Matched),
		NameMatch: f.Evidence.NameMatch,
	}
	if len(f.Evidence.TextKinds) > 0 {
		ev.TextKinds = make(map[string]int32, len(f.Evidence.TextKinds))
		for k, n := range f.Evidence.TextKinds {
			ev.TextKinds[string(k)] = int32(n)
		}
	}
	return &mgmtv1alpha1.PiiFinding{
		Schema:               f.Column.Schema,
		Table:                f.Column.Table,
		Column:               f.Column.Name,
		DataType:             f.Column.DataType,
		Kind:                 string(f.Kind),
		Confidence:           f.Confidence,
		Evidence:             ev,
		SuggestedTransformer: &mgmtv1alpha1.JobMappingTransformer{Source: f.Suggestion.Source, Config: cfg},
	}, nil
}
