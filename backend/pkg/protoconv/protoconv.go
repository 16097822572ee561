// Package protoconv turns the API's protobuf messages into the data
// plane's values: a saved connection into a sqlconnect.Config and a job into
// a syncplan.Job. The worker and the CLI share it, so a job means the same
// thing wherever it runs.
package protoconv

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// FieldError is a connection config the converter cannot read; Field is
// the path inside the ConnectionConfig message (e.g. "pg_config.url").
type FieldError struct {
	Field, Reason string
}

// Error names the field and the problem.
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// ErrUnsupported is a connection kind the data plane cannot use yet (S3).
var ErrUnsupported = errors.New("S3 connections are declared but not supported yet")

// ConnectionConfig converts a connection config. It checks only what the
// conversion needs (a kind, a URL or fields, parseable durations);
// sqlconnect.Config.Validate (run by Open and by the API) checks the rest.
func ConnectionConfig(c *mgmt.ConnectionConfig) (sqlconnect.Config, error) {
	var out sqlconnect.Config
	var opts *mgmt.SqlConnectionOptions
	var tls *mgmt.ClientTlsConfig
	var kind string
	switch cfg := c.GetConfig().(type) {
	case *mgmt.ConnectionConfig_PgConfig:
		kind, out.Driver = "pg_config", sqlconnect.DriverPostgres
		switch cc := cfg.PgConfig.GetConnectionConfig().(type) {
		case *mgmt.PostgresConnectionConfig_Url:
			out.URL = cc.Url
		case *mgmt.PostgresConnectionConfig_Connection:
			conn := cc.Connection
			out.Host, out.Port, out.Database, out.User, out.Password, out.SSLMode = conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetSslMode()
		default:
			return out, &FieldError{kind, "needs url or connection"}
		}
		opts, tls = cfg.PgConfig.GetConnectionOptions(), cfg.PgConfig.GetClientTls()
		if _, isURL := cfg.PgConfig.GetConnectionConfig().(*mgmt.PostgresConnectionConfig_Url); isURL && out.URL == "" {
			return out, &FieldError{kind + ".url", "is empty"}
		}
	case *mgmt.ConnectionConfig_MysqlConfig:
		kind, out.Driver = "mysql_config", sqlconnect.DriverMySQL
		switch cc := cfg.MysqlConfig.GetConnectionConfig().(type) {
		case *mgmt.MysqlConnectionConfig_Url:
			out.URL = cc.Url
		case *mgmt.MysqlConnectionConfig_Connection:
			conn := cc.Connection
			out.Host, out.Port, out.Database, out.User, out.Password, out.Protocol = conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetProtocol()
		default:
			return out, &FieldError{kind, "needs url or connection"}
		}
		opts, tls = cfg.MysqlConfig.GetConnectionOptions(), cfg.MysqlConfig.GetClientTls()
		if _, isURL := cfg.MysqlConfig.GetConnectionConfig().(*mgmt.MysqlConnectionConfig_Url); isURL && out.URL == "" {
			return out, &FieldError{kind + ".url", "is empty"}
		}
	case *mgmt.ConnectionConfig_AwsS3Config:
		return out, ErrUnsupported
	default:
		return out, &FieldError{"", "is required (pg_config or mysql_config)"}
	}
	if opts != nil {
		out.Pool.MaxOpen = int(opts.GetMaxConnectionLimit())
		out.Pool.MaxIdle = int(opts.GetMaxIdleConnections())
		for _, d := range []struct {
			name string
			in   *string
			out  *time.Duration
		}{
			{"max_idle_duration", opts.MaxIdleDuration, &out.Pool.MaxIdleTime},
			{"max_open_duration", opts.MaxOpenDuration, &out.Pool.MaxLifetime},
		} {
			if d.in == nil {
				continue
			}
			v, err := time.ParseDuration(*d.in)
			if err != nil {
				return out, &FieldError{kind + ".connection_options." + d.name, "must be a duration like 30s or 5m"}
			}
			*d.out = v
		}
	}
	if tls != nil {
		out.TLS = &sqlconnect.TLSOptions{RootCert: tls.GetRootCert(), ClientCert: tls.GetClientCert(), ClientKey: tls.GetClientKey(), ServerName: tls.GetServerName()}
	}
	return out, nil
}

// Resolved is what SyncJob needs besides the job: its connections by id
// (unmasked) and the user-defined transformers its mappings reference.
type Resolved struct {
	Connections  map[string]*mgmt.Connection
	Transformers map[string]*mgmt.UserDefinedTransformer
}

// SyncJob converts a sync job into the data plane's job.
func SyncJob(j *mgmt.Job, r Resolved) (syncplan.Job, error) {
	sync := j.GetSource().GetSync()
	if sync == nil {
		return syncplan.Job{}, fmt.Errorf("job %s is not a sync job", j.GetName())
	}
	src, ok := r.Connections[sync.GetConnectionId()]
	if !ok {
		return syncplan.Job{}, fmt.Errorf("job %s: source connection %s was not resolved", j.GetName(), sync.GetConnectionId())
	}
	srcCfg, err := ConnectionConfig(src.GetConnectionConfig())
	if err != nil {
		return syncplan.Job{}, fmt.Errorf("source connection %q: %w", src.GetName(), err)
	}
	out := syncplan.Job{Source: srcCfg, SubsetByForeignKeys: sync.GetSubsetByForeignKeyConstraints(), HaltOnNewColumn: sync.GetHaltOnNewColumnAddition()}
	if k := j.GetTransformerKey(); k != "" {
		if out.Key, err = base64.StdEncoding.DecodeString(k); err != nil {
			return syncplan.Job{}, fmt.Errorf("job %s: transformer key is not base64", j.GetName())
		}
	}
	for _, d := range j.GetDestinations() {
		conn, ok := r.Connections[d.GetConnectionId()]
		if !ok {
			return syncplan.Job{}, fmt.Errorf("job %s: destination connection %s was not resolved", j.GetName(), d.GetConnectionId())
		}
		cfg, err := ConnectionConfig(conn.GetConnectionConfig())
		if err != nil {
			return syncplan.Job{}, fmt.Errorf("destination connection %q: %w", conn.GetName(), err)
		}
		out.Destinations = append(out.Destinations, syncplan.Destination{Name: conn.GetName(), Conn: cfg, Options: DestinationOptions(d.GetOptions())})
	}
	out.Mappings, err = Mappings(j.GetMappings(), r.Transformers)
	if err != nil {
		return syncplan.Job{}, err
	}
	for _, s := range sync.GetSubsets() {
		out.Subsets = append(out.Subsets, syncplan.Subset{Schema: s.GetSchema(), Table: s.GetTable(), Where: s.GetWhereClause()})
	}
	for _, v := range j.GetVirtualForeignKeys() {
		out.VirtualForeignKeys = append(out.VirtualForeignKeys, syncplan.VirtualForeignKey{
			Table: sqlschema.TableName{Schema: v.GetSchema(), Table: v.GetTable()}, Columns: v.GetColumns(),
			Referenced: sqlschema.TableName{Schema: v.GetReferencedSchema(), Table: v.GetReferencedTable()}, ReferencedColumns: v.GetReferencedColumns(),
		})
	}
	return out, nil
}

// Mappings converts column mappings, resolving user-defined transformers.
func Mappings(in []*mgmt.JobMapping, udts map[string]*mgmt.UserDefinedTransformer) ([]syncplan.Mapping, error) {
	out := make([]syncplan.Mapping, 0, len(in))
	for _, m := range in {
		t := syncplan.Transformer{Source: m.GetTransformer().GetSource()}
		if cfg := m.GetTransformer().GetConfig(); cfg != nil {
			t.Params = cfg.AsMap()
		}
		if id := m.GetTransformer().GetUserDefinedTransformerId(); id != "" {
			u, ok := udts[id]
			if !ok {
				return nil, fmt.Errorf("mapping %s.%s.%s: user-defined transformer %s was not resolved", m.GetSchema(), m.GetTable(), m.GetColumn(), id)
			}
			t.Source = u.GetSource()
			t.Params = u.GetConfig().AsMap()
		}
		out = append(out, syncplan.Mapping{Schema: m.GetSchema(), Table: m.GetTable(), Column: m.GetColumn(), Transformer: t})
	}
	return out, nil
}

// DestinationOptions converts a destination's options.
func DestinationOptions(o *mgmt.JobDestinationOptions) syncplan.DestinationOptions {
	return syncplan.DestinationOptions{
		InitSchema: o.GetInitTableSchema(), Truncate: o.GetTruncateBeforeInsert(), TruncateCascade: o.GetTruncateCascade(),
		OnConflict: syncplan.OnConflict(o.GetOnConflict()), BatchSize: int(o.GetBatchSize()),
	}
}

// ConnectionIDs lists the connections a job needs resolved.
func ConnectionIDs(j *mgmt.Job) []string {
	var ids []string
	if s := j.GetSource().GetSync(); s != nil {
		ids = append(ids, s.GetConnectionId())
	}
	if g := j.GetSource().GetGenerate(); g != nil {
		ids = append(ids, g.GetFkSourceConnectionId())
	}
	for _, d := range j.GetDestinations() {
		ids = append(ids, d.GetConnectionId())
	}
	return ids
}

// TransformerIDs lists the user-defined transformers a job references.
func TransformerIDs(j *mgmt.Job) []string {
	var ids []string
	for _, m := range j.GetMappings() {
		if id := m.GetTransformer().GetUserDefinedTransformerId(); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}
