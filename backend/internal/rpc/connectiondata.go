package rpc

import (
	"context"
	"log/slog"
	"unicode/utf8"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/connectiondata"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// ConnectionDataHandler serves ConnectionDataService.
type ConnectionDataHandler struct {
	mgmtv1alpha1connect.UnimplementedConnectionDataServiceHandler
	data *connectiondata.Service
	log  *slog.Logger
}

// NewConnectionDataHandler returns the handler.
func NewConnectionDataHandler(d *connectiondata.Service, log *slog.Logger) *ConnectionDataHandler {
	return &ConnectionDataHandler{data: d, log: log}
}

func optInt64(p *int64) *int64 { return p }

// GetConnectionSchema lists every column.
func (h *ConnectionDataHandler) GetConnectionSchema(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionSchemaRequest]) (*connect.Response[mgmtv1alpha1.GetConnectionSchemaResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	id, err := parseID("connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	cols, err := h.data.Columns(ctx, p.Scope, id, req.Msg.GetSchemas())
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	out := make([]*mgmtv1alpha1.DatabaseColumn, 0, len(cols))
	for _, c := range cols {
		out = append(out, &mgmtv1alpha1.DatabaseColumn{
			Schema: c.Schema, Table: c.Table, Column: c.Name, DataType: c.DataType, IsNullable: c.IsNullable,
			ColumnDefault: c.Default, IdentityGeneration: c.IdentityGeneration, GeneratedType: c.GeneratedKind,
			GenerationExpression: c.GeneratedExpression, OrdinalPosition: int32(c.OrdinalPosition),
			CharacterMaximumLength: optInt64(c.CharacterMaximumLength), NumericPrecision: optInt64(c.NumericPrecision),
			NumericScale: optInt64(c.NumericScale), EnumValues: c.EnumValues, IsArray: c.IsArray,
		})
	}
	return connect.NewResponse(&mgmtv1alpha1.GetConnectionSchemaResponse{Columns: out}), nil
}

func tableToProto(t sqlschema.TableName) *mgmtv1alpha1.SchemaTable {
	return &mgmtv1alpha1.SchemaTable{Schema: t.Schema, Table: t.Table}
}

// GetConnectionTableConstraints lists keys per table.
func (h *ConnectionDataHandler) GetConnectionTableConstraints(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionTableConstraintsRequest]) (*connect.Response[mgmtv1alpha1.GetConnectionTableConstraintsResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	id, err := parseID("connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	cons, err := h.data.Constraints(ctx, p.Scope, id, req.Msg.GetSchemas())
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	out := make([]*mgmtv1alpha1.TableConstraints, 0, len(cons))
	for _, tc := range cons {
		pt := &mgmtv1alpha1.TableConstraints{Table: tableToProto(tc.Table), PrimaryKeyColumns: tc.PrimaryKey}
		for _, fk := range tc.ForeignKeys {
			notNull := make([]bool, len(fk.ColumnsNullable))
			for i, n := range fk.ColumnsNullable {
				notNull[i] = !n
			}
			pt.ForeignKeys = append(pt.ForeignKeys, &mgmtv1alpha1.ForeignKeyConstraint{
				ConstraintName: fk.Name, Columns: fk.Columns, NotNullable: notNull,
				ReferencedTable: tableToProto(fk.Referenced), ReferencedColumns: fk.ReferencedColumns,
			})
		}
		for _, u := range tc.UniqueConstraints {
			pt.UniqueConstraints = append(pt.UniqueConstraints, &mgmtv1alpha1.UniqueConstraint{ConstraintName: u.Name, Columns: u.Columns})
		}
		out = append(out, pt)
	}
	return connect.NewResponse(&mgmtv1alpha1.GetConnectionTableConstraintsResponse{Tables: out}), nil
}

// GetAllSchemasAndTables lists tables.
func (h *ConnectionDataHandler) GetAllSchemasAndTables(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetAllSchemasAndTablesRequest]) (*connect.Response[mgmtv1alpha1.GetAllSchemasAndTablesResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	id, err := parseID("connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	tables, err := h.data.Tables(ctx, p.Scope, id)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	out := make([]*mgmtv1alpha1.SchemaTable, 0, len(tables))
	for _, t := range tables {
		out = append(out, tableToProto(t))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetAllSchemasAndTablesResponse{Tables: out}), nil
}

// GetTableRowCount counts rows.
func (h *ConnectionDataHandler) GetTableRowCount(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetTableRowCountRequest]) (*connect.Response[mgmtv1alpha1.GetTableRowCountResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	id, err := parseID("connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return nil, err
	}
	n, err := h.data.RowCount(ctx, p.Scope, id, sqlschema.TableName{Schema: req.Msg.GetSchema(), Table: req.Msg.GetTable()}, req.Msg.GetWhereClause())
	if err != nil {
		return nil, toConnect(ctx, h.log, err)
	}
	return connect.NewResponse(&mgmtv1alpha1.GetTableRowCountResponse{Count: n}), nil
}

// GetConnectionDataStream streams a table's rows in batches.
func (h *ConnectionDataHandler) GetConnectionDataStream(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionDataStreamRequest], stream *connect.ServerStream[mgmtv1alpha1.GetConnectionDataStreamResponse]) error {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return toConnect(ctx, h.log, err)
	}
	id, err := parseID("connection_id", req.Msg.GetConnectionId())
	if err != nil {
		return err
	}
	t := sqlschema.TableName{Schema: req.Msg.GetSchema(), Table: req.Msg.GetTable()}
	err = h.data.Stream(ctx, p.Scope, id, t, req.Msg.GetWhereClause(), int(req.Msg.GetBatchSize()), func(columns []string, batch [][]*string) error {
		msg := &mgmtv1alpha1.GetConnectionDataStreamResponse{Columns: columns, Rows: make([]*mgmtv1alpha1.Row, 0, len(batch))}
		for _, row := range batch {
			r := &mgmtv1alpha1.Row{Values: make([]*mgmtv1alpha1.RowValue, len(row))}
			for i, v := range row {
				switch {
				case v == nil:
					r.Values[i] = &mgmtv1alpha1.RowValue{Value: &mgmtv1alpha1.RowValue_IsNull{IsNull: true}}
				case !utf8.ValidString(*v):
					// A protobuf string must be UTF-8.
					r.Values[i] = &mgmtv1alpha1.RowValue{Value: &mgmtv1alpha1.RowValue_Binary{Binary: []byte(*v)}}
				default:
					r.Values[i] = &mgmtv1alpha1.RowValue{Value: &mgmtv1alpha1.RowValue_Text{Text: *v}}
				}
			}
			msg.Rows = append(msg.Rows, r)
		}
		return stream.Send(msg)
	})
	return toConnect(ctx, h.log, err)
}
