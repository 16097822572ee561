package synccmd

import (
	"context"
	"errors"
	"fmt"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/localsync"
	"github.com/neosyncio/neosync/cli/internal/lookup"
)

// source is the resolved source of a sync: a connection, and with --job
// the job's mappings and subsets.
type source struct {
	connectionID string
	label        string
	dialect      sqlschema.Dialect
	job          *mgmtv1alpha1.Job
	// schemas restricts the tables read: a MySQL connection's database
	// (the server holds others); nil for every schema.
	schemas []string
}

func dialectOf(conn *mgmtv1alpha1.Connection) (sqlschema.Dialect, error) {
	cfg := conn.GetConnectionConfig()
	switch {
	case cfg.GetPgConfig() != nil:
		return sqlschema.DialectPostgres, nil
	case cfg.GetMysqlConfig() != nil:
		return sqlschema.DialectMySQL, nil
	}
	return "", fmt.Errorf("connection %s is not a PostgreSQL or MySQL database; neosync sync copies only those", conn.GetName())
}

func resolveSource(ctx context.Context, c *apiclient.Client, accountID string, f *flags) (*source, error) {
	conns, err := lookup.Connections(ctx, c, accountID)
	if err != nil {
		return nil, err
	}
	src := &source{}
	var conn *mgmtv1alpha1.Connection
	switch {
	case f.job != "":
		j, err := lookup.Job(ctx, c, accountID, f.job)
		if err != nil {
			return nil, err
		}
		sync := j.GetSource().GetSync()
		if sync == nil {
			return nil, fmt.Errorf("job %s is not a data sync job (it has no source connection to copy)", j.GetName())
		}
		for _, conn2 := range conns {
			if conn2.GetId() == sync.GetConnectionId() {
				conn = conn2
			}
		}
		if conn == nil {
			return nil, fmt.Errorf("job %s: its source connection no longer exists", j.GetName())
		}
		src.job = j
		src.label = fmt.Sprintf("job %s (source %s)", j.GetName(), conn.GetName())
	case f.connectionID != "":
		for _, c := range conns {
			if c.GetId() == f.connectionID {
				conn = c
			}
		}
		if conn == nil {
			return nil, fmt.Errorf("no connection with id %q (see neosync connections list)", f.connectionID)
		}
	default:
		if conn = lookup.FindConnection(conns, f.connection); conn == nil {
			return nil, fmt.Errorf("no connection named %q (see neosync connections list)", f.connection)
		}
	}
	if src.label == "" {
		src.label = "connection " + conn.GetName()
	}
	src.connectionID = conn.GetId()
	if src.dialect, err = dialectOf(conn); err != nil {
		return nil, err
	}
	if src.dialect == sqlschema.DialectMySQL {
		if cfg, err := protoconv.ConnectionConfig(conn.GetConnectionConfig()); err == nil && cfg.DatabaseName() != "" {
			src.schemas = []string{cfg.DatabaseName()}
		}
	}
	return src, nil
}

// plan reads the source's columns and constraints through the API and
// computes the sync's plan: the connection's tables the filter keeps, or
// the job's mapped tables with its transformers, subsets and virtual
// foreign keys.
func (s *source) plan(ctx context.Context, c *apiclient.Client, filter localsync.Filter, reg *transformers.Registry) (*syncplan.Plan, error) {
	colsResp, err := c.Data.GetConnectionSchema(ctx, connect.NewRequest(&mgmtv1alpha1.GetConnectionSchemaRequest{ConnectionId: s.connectionID, Schemas: s.schemas}))
	if err != nil {
		return nil, err
	}
	consResp, err := c.Data.GetConnectionTableConstraints(ctx, connect.NewRequest(&mgmtv1alpha1.GetConnectionTableConstraintsRequest{ConnectionId: s.connectionID, Schemas: s.schemas}))
	if err != nil {
		return nil, err
	}
	var cols []sqlschema.Column
	for _, col := range colsResp.Msg.GetColumns() {
		cols = append(cols, columnFromProto(col))
	}
	var cons []sqlschema.TableConstraints
	for _, tc := range consResp.Msg.GetTables() {
		cons = append(cons, constraintsFromProto(tc))
	}
	schema := localsync.Schema(s.dialect, cols, cons)
	base, err := s.baseJob(ctx, c)
	if err != nil {
		return nil, err
	}
	job, err := localsync.Job(schema, filter, base)
	if err != nil {
		return nil, err
	}
	plan, err := syncplan.NewPlan(schema, job, reg)
	if err != nil {
		if s.job != nil {
			return nil, fmt.Errorf("job %s: %w", s.job.GetName(), err)
		}
		return nil, err
	}
	return plan, nil
}

// baseJob is the job's mappings (user-defined transformers resolved
// through the API), subsets and virtual foreign keys; empty for a
// connection. The CLI reads the source through the API and writes its own
// destination, so the job is resolved without connections.
func (s *source) baseJob(ctx context.Context, c *apiclient.Client) (syncplan.Job, error) {
	if s.job == nil {
		return syncplan.Job{}, nil
	}
	def, err := protoconv.Definition(s.job)
	if err != nil {
		return syncplan.Job{}, err
	}
	res := jobresolve.Resolved{Transformers: map[string]syncplan.Transformer{}}
	for _, id := range def.TransformerIDs() {
		resp, err := c.Transformers.GetUserDefinedTransformerById(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserDefinedTransformerByIdRequest{TransformerId: id}))
		if err != nil {
			return syncplan.Job{}, fmt.Errorf("job %s: user-defined transformer %s: %w", s.job.GetName(), id, err)
		}
		res.Transformers[id] = protoconv.Transformer(resp.Msg.GetTransformer())
	}
	rj, err := jobresolve.Resolve(def, res)
	if err != nil {
		return syncplan.Job{}, fmt.Errorf("job %s: %w", s.job.GetName(), err)
	}
	job := *rj.Sync
	if len(job.Mappings) == 0 {
		return syncplan.Job{}, fmt.Errorf("job %s maps no table", s.job.GetName())
	}
	// neosync sync has never applied these two settings of the job (a
	// column added since the job was saved is copied unchanged; no job key
	// is given to the CLI); kept as they were.
	job.HaltOnNewColumn, job.Key = false, nil
	return job, nil
}

func optInt(p *int64) *int64 { return p }

func columnFromProto(c *mgmtv1alpha1.DatabaseColumn) sqlschema.Column {
	return sqlschema.Column{
		Schema: c.GetSchema(), Table: c.GetTable(), Name: c.GetColumn(), OrdinalPosition: int(c.GetOrdinalPosition()),
		DataType: c.GetDataType(), IsNullable: c.GetIsNullable(), Default: c.ColumnDefault,
		IdentityGeneration: c.GetIdentityGeneration(), GeneratedKind: c.GetGeneratedType(), GeneratedExpression: c.GenerationExpression,
		CharacterMaximumLength: optInt(c.CharacterMaximumLength), NumericPrecision: optInt(c.NumericPrecision), NumericScale: optInt(c.NumericScale),
		EnumValues: c.GetEnumValues(), IsArray: c.GetIsArray(),
	}
}

func tableName(t *mgmtv1alpha1.SchemaTable) sqlschema.TableName {
	return sqlschema.TableName{Schema: t.GetSchema(), Table: t.GetTable()}
}

func constraintsFromProto(tc *mgmtv1alpha1.TableConstraints) sqlschema.TableConstraints {
	out := sqlschema.TableConstraints{Table: tableName(tc.GetTable()), PrimaryKey: tc.GetPrimaryKeyColumns()}
	for _, fk := range tc.GetForeignKeys() {
		nullable := make([]bool, len(fk.GetNotNullable()))
		for i, nn := range fk.GetNotNullable() {
			nullable[i] = !nn
		}
		out.ForeignKeys = append(out.ForeignKeys, sqlschema.ForeignKey{
			Name: fk.GetConstraintName(), Columns: fk.GetColumns(), ColumnsNullable: nullable,
			Referenced: tableName(fk.GetReferencedTable()), ReferencedColumns: fk.GetReferencedColumns(),
		})
	}
	for _, u := range tc.GetUniqueConstraints() {
		out.UniqueConstraints = append(out.UniqueConstraints, sqlschema.UniqueConstraint{Name: u.GetConstraintName(), Columns: u.GetColumns()})
	}
	return out
}

// apiSource is the localsync.Streamer of the API:
// ConnectionDataService.GetConnectionDataStream and GetTableRowCount.
type apiSource struct {
	data         mgmtv1alpha1connect.ConnectionDataServiceClient
	connectionID string
	batchSize    int32
}

// Stream implements localsync.Streamer.
func (a *apiSource) Stream(ctx context.Context, t sqlschema.TableName, where string, fn func([]string, [][]*string) error) error {
	req := &mgmtv1alpha1.GetConnectionDataStreamRequest{ConnectionId: a.connectionID, Schema: t.Schema, Table: t.Table, BatchSize: a.batchSize}
	if where != "" {
		req.WhereClause = &where
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // an error from fn abandons the stream
	stream, err := a.data.GetConnectionDataStream(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	defer stream.Close()
	for stream.Receive() {
		msg := stream.Msg()
		rows := make([][]*string, len(msg.GetRows()))
		for i, r := range msg.GetRows() {
			vals := make([]*string, len(r.GetValues()))
			for j, v := range r.GetValues() {
				switch x := v.GetValue().(type) {
				case *mgmtv1alpha1.RowValue_Text:
					vals[j] = &x.Text
				case *mgmtv1alpha1.RowValue_Binary:
					s := string(x.Binary)
					vals[j] = &s
				}
			}
			rows[i] = vals
		}
		if err := fn(msg.GetColumns(), rows); err != nil {
			return err
		}
	}
	if err := stream.Err(); err != nil {
		var ae *apiclient.Error
		if errors.As(err, &ae) {
			return ae
		}
		return err
	}
	return nil
}

// Count implements localsync.Streamer.
func (a *apiSource) Count(ctx context.Context, t sqlschema.TableName, where string) (int64, error) {
	req := &mgmtv1alpha1.GetTableRowCountRequest{ConnectionId: a.connectionID, Schema: t.Schema, Table: t.Table}
	if where != "" {
		req.WhereClause = &where
	}
	resp, err := a.data.GetTableRowCount(ctx, connect.NewRequest(req))
	if err != nil {
		return 0, err
	}
	return resp.Msg.GetCount(), nil
}
