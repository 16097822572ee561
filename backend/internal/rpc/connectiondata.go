package rpc

import (
	"context"
	"unicode/utf8"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain/connectiondata"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// ConnectionDataHandler serves ConnectionDataService.
type ConnectionDataHandler struct {
	mgmtv1alpha1connect.UnimplementedConnectionDataServiceHandler
	data *connectiondata.Service
}

// NewConnectionDataHandler returns the handler.
func NewConnectionDataHandler(d *connectiondata.Service) *ConnectionDataHandler {
	return &ConnectionDataHandler{data: d}
}

// GetConnectionSchema lists every column.
func (h *ConnectionDataHandler) GetConnectionSchema(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionSchemaRequest]) (*connect.Response[mgmtv1alpha1.GetConnectionSchemaResponse], error) {
	t, err := resolve(ctx, "connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	cols, err := h.data.Columns(ctx, t.Scope, t.ID, req.Msg.GetSchemas())
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.DatabaseColumn, 0, len(cols))
	for _, c := range cols {
		out = append(out, columnToProto(c))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetConnectionSchemaResponse{Columns: out}), nil
}

// GetConnectionTableConstraints lists keys per table.
func (h *ConnectionDataHandler) GetConnectionTableConstraints(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionTableConstraintsRequest]) (*connect.Response[mgmtv1alpha1.GetConnectionTableConstraintsResponse], error) {
	t, err := resolve(ctx, "connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	cons, err := h.data.Constraints(ctx, t.Scope, t.ID, req.Msg.GetSchemas())
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.TableConstraints, 0, len(cons))
	for _, tc := range cons {
		out = append(out, constraintsToProto(tc))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetConnectionTableConstraintsResponse{Tables: out}), nil
}

// GetAllSchemasAndTables lists tables.
func (h *ConnectionDataHandler) GetAllSchemasAndTables(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetAllSchemasAndTablesRequest]) (*connect.Response[mgmtv1alpha1.GetAllSchemasAndTablesResponse], error) {
	t, err := resolve(ctx, "connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	tables, err := h.data.Tables(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.SchemaTable, 0, len(tables))
	for _, tbl := range tables {
		out = append(out, tableToProto(tbl))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetAllSchemasAndTablesResponse{Tables: out}), nil
}

// GetTableRowCount counts rows.
func (h *ConnectionDataHandler) GetTableRowCount(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetTableRowCountRequest]) (*connect.Response[mgmtv1alpha1.GetTableRowCountResponse], error) {
	t, err := resolve(ctx, "connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	n, err := h.data.RowCount(ctx, t.Scope, t.ID, sqlschema.TableName{Schema: req.Msg.GetSchema(), Table: req.Msg.GetTable()}, req.Msg.GetWhereClause())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetTableRowCountResponse{Count: n}), nil
}

// GetConnectionDataStream streams a table's rows in batches.
func (h *ConnectionDataHandler) GetConnectionDataStream(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionDataStreamRequest], stream *connect.ServerStream[mgmtv1alpha1.GetConnectionDataStreamResponse]) error {
	t, err := resolve(ctx, "connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return err
	}
	table := sqlschema.TableName{Schema: req.Msg.GetSchema(), Table: req.Msg.GetTable()}
	return h.data.Stream(ctx, t.Scope, t.ID, table, req.Msg.GetWhereClause(), int(req.Msg.GetBatchSize()), func(columns []string, batch [][]*string) error {
		return stream.Send(batchToProto(columns, batch))
	})
}

// batchToProto encodes one batch of rows; a NULL is IsNull, and a value
// that is not UTF-8 (a protobuf string must be) travels as Binary.
func batchToProto(columns []string, batch [][]*string) *mgmtv1alpha1.GetConnectionDataStreamResponse {
	msg := &mgmtv1alpha1.GetConnectionDataStreamResponse{Columns: columns, Rows: make([]*mgmtv1alpha1.Row, 0, len(batch))}
	for _, row := range batch {
		r := &mgmtv1alpha1.Row{Values: make([]*mgmtv1alpha1.RowValue, len(row))}
		for i, v := range row {
			switch {
			case v == nil:
				r.Values[i] = &mgmtv1alpha1.RowValue{Value: &mgmtv1alpha1.RowValue_IsNull{IsNull: true}}
			case !utf8.ValidString(*v):
				r.Values[i] = &mgmtv1alpha1.RowValue{Value: &mgmtv1alpha1.RowValue_Binary{Binary: []byte(*v)}}
			default:
				r.Values[i] = &mgmtv1alpha1.RowValue{Value: &mgmtv1alpha1.RowValue_Text{Text: *v}}
			}
		}
		msg.Rows = append(msg.Rows, r)
	}
	return msg
}
