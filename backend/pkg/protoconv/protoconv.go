// Package protoconv turns the API's protobuf messages into the data
// plane's values: a saved connection into a sqlconnect.Config and a job
// into the neutral jobresolve.Definition that jobresolve.Resolve turns into
// a syncplan.Job or a generation. The worker and the CLI share it, and the
// API's domain reaches the same resolver from its own job, so a job means
// the same thing wherever it runs.
package protoconv

import (
	"encoding/base64"
	"fmt"
	"time"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// FieldError is a connection config the converter cannot read; Field is
// the path inside the ConnectionConfig message (e.g. "pg_config.url").
type FieldError struct {
	Field, Reason string
}

// Error names the field and the problem.
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

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
		case *mgmt.PostgresConnectionConfig_UrlFromEnv:
			out.URLFromEnv = cc.UrlFromEnv
		case *mgmt.PostgresConnectionConfig_Connection:
			conn := cc.Connection
			out.Host, out.Port, out.Database, out.User, out.Password, out.SSLMode = conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetSslMode()
		default:
			return out, &FieldError{kind, "needs url, url_from_env or connection"}
		}
		opts, tls = cfg.PgConfig.GetConnectionOptions(), cfg.PgConfig.GetClientTls()
		out.Tunnel = Tunnel(cfg.PgConfig.GetTunnel())
		if _, isURL := cfg.PgConfig.GetConnectionConfig().(*mgmt.PostgresConnectionConfig_Url); isURL && out.URL == "" {
			return out, &FieldError{kind + ".url", "is empty"}
		}
	case *mgmt.ConnectionConfig_MysqlConfig:
		kind, out.Driver = "mysql_config", sqlconnect.DriverMySQL
		switch cc := cfg.MysqlConfig.GetConnectionConfig().(type) {
		case *mgmt.MysqlConnectionConfig_Url:
			out.URL = cc.Url
		case *mgmt.MysqlConnectionConfig_UrlFromEnv:
			out.URLFromEnv = cc.UrlFromEnv
		case *mgmt.MysqlConnectionConfig_Connection:
			conn := cc.Connection
			out.Host, out.Port, out.Database, out.User, out.Password, out.Protocol = conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetProtocol()
		default:
			return out, &FieldError{kind, "needs url, url_from_env or connection"}
		}
		opts, tls = cfg.MysqlConfig.GetConnectionOptions(), cfg.MysqlConfig.GetClientTls()
		out.Tunnel = Tunnel(cfg.MysqlConfig.GetTunnel())
		if _, isURL := cfg.MysqlConfig.GetConnectionConfig().(*mgmt.MysqlConnectionConfig_Url); isURL && out.URL == "" {
			return out, &FieldError{kind + ".url", "is empty"}
		}
	case *mgmt.ConnectionConfig_AwsS3Config:
		return S3Config(cfg.AwsS3Config), nil
	default:
		return out, &FieldError{"", "is required (pg_config, mysql_config or aws_s3_config)"}
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

// S3Config converts an S3 bucket connection; sqlconnect.Config.Validate
// checks its fields.
func S3Config(c *mgmt.AwsS3ConnectionConfig) sqlconnect.Config {
	cr := c.GetCredentials()
	return sqlconnect.Config{Driver: sqlconnect.DriverS3, S3: &objectstore.Config{
		Bucket: c.GetBucket(), Prefix: c.GetPathPrefix(), Region: c.GetRegion(), Endpoint: c.GetEndpoint(), ForcePathStyle: c.GetForcePathStyle(),
		AccessKeyID: cr.GetAccessKeyId(), SecretAccessKey: cr.GetSecretAccessKey(), SessionToken: cr.GetSessionToken(),
	}}
}

// S3ConfigToProto is S3Config's inverse.
func S3ConfigToProto(c *objectstore.Config) *mgmt.AwsS3ConnectionConfig {
	out := &mgmt.AwsS3ConnectionConfig{Bucket: c.Bucket, ForcePathStyle: c.ForcePathStyle}
	for _, f := range []struct {
		v   string
		dst **string
	}{{c.Prefix, &out.PathPrefix}, {c.Region, &out.Region}, {c.Endpoint, &out.Endpoint}} {
		if f.v != "" {
			v := f.v
			*f.dst = &v
		}
	}
	if c.AccessKeyID != "" || c.SecretAccessKey != "" || c.SessionToken != "" {
		out.Credentials = &mgmt.AwsS3Credentials{}
		for _, f := range []struct {
			v   string
			dst **string
		}{{c.AccessKeyID, &out.Credentials.AccessKeyId}, {c.SecretAccessKey, &out.Credentials.SecretAccessKey}, {c.SessionToken, &out.Credentials.SessionToken}} {
			if f.v != "" {
				v := f.v
				*f.dst = &v
			}
		}
	}
	return out
}

// Tunnel converts an SSH tunnel (nil for none).
func Tunnel(t *mgmt.SshTunnel) *sqlconnect.SSHTunnel {
	if t == nil {
		return nil
	}
	return &sqlconnect.SSHTunnel{
		Host: t.GetHost(), Port: int(t.GetPort()), User: t.GetUser(), PrivateKey: t.GetPrivateKey(), Password: t.GetPassword(),
		Passphrase: t.GetPassphrase(), KnownHostKey: t.GetKnownHostKey(), InsecureSkipHostKeyCheck: t.GetInsecureSkipHostKeyCheck(),
	}
}

// TunnelToProto is Tunnel's inverse (nil for none).
func TunnelToProto(t *sqlconnect.SSHTunnel) *mgmt.SshTunnel {
	if t == nil {
		return nil
	}
	out := &mgmt.SshTunnel{Host: t.Host, Port: int32(t.Port), User: t.User, KnownHostKey: t.KnownHostKey, InsecureSkipHostKeyCheck: t.InsecureSkipHostKeyCheck}
	if t.Passphrase != "" {
		out.Passphrase = &t.Passphrase
	}
	if t.PrivateKey != "" {
		out.Auth = &mgmt.SshTunnel_PrivateKey{PrivateKey: t.PrivateKey}
	} else {
		out.Auth = &mgmt.SshTunnel_Password{Password: t.Password}
	}
	return out
}

// Definition converts a job into the resolver's neutral form; its
// connections and user-defined transformers are left as ids for
// [jobresolve.Resolve]. The only failure is a transformer key that is not
// base64 (the worker alone receives the key).
func Definition(j *mgmt.Job) (jobresolve.Definition, error) {
	d := jobresolve.Definition{Name: j.GetName()}
	if k := j.GetTransformerKey(); k != "" {
		key, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return jobresolve.Definition{}, fmt.Errorf("job %s: transformer key is not base64", j.GetName())
		}
		d.Key = key
	}
	if s := j.GetSource().GetSync(); s != nil {
		d.Sync = &jobresolve.SyncSource{ConnectionID: s.GetConnectionId(), SubsetByForeignKeys: s.GetSubsetByForeignKeyConstraints(), HaltOnNewColumn: s.GetHaltOnNewColumnAddition(),
			PRF: PRFVersion(s.GetConsistentPrf()), LeakPolicy: LeakPolicy(s.GetLeakPolicy()), RangeRows: s.GetRangeRows()}
		if im := s.GetS3Import(); im != nil {
			d.Sync.Import = &syncplan.Import{Job: im.GetExportJobName(), RunID: im.GetRunId()}
		}
		for _, sub := range s.GetSubsets() {
			d.Sync.Subsets = append(d.Sync.Subsets, syncplan.Subset{Schema: sub.GetSchema(), Table: sub.GetTable(), Where: sub.GetWhereClause()})
		}
	}
	if g := j.GetSource().GetGenerate(); g != nil {
		d.Generate = &jobresolve.GenerateSource{SchemaConnectionID: g.GetFkSourceConnectionId()}
		for _, t := range g.GetTables() {
			d.Generate.Tables = append(d.Generate.Tables, jobresolve.GenerateTable{Table: sqlschema.TableName{Schema: t.GetSchema(), Table: t.GetTable()}, RowCount: t.GetRowCount()})
		}
	}
	for _, m := range j.GetMappings() {
		t := syncplan.Transformer{Source: m.GetTransformer().GetSource()}
		if cfg := m.GetTransformer().GetConfig(); cfg != nil {
			t.Params = cfg.AsMap()
		}
		d.Mappings = append(d.Mappings, jobresolve.Mapping{Schema: m.GetSchema(), Table: m.GetTable(), Column: m.GetColumn(),
			Transformer: t, UserDefinedID: m.GetTransformer().GetUserDefinedTransformerId()})
	}
	for _, v := range j.GetVirtualForeignKeys() {
		d.VirtualForeignKeys = append(d.VirtualForeignKeys, syncplan.VirtualForeignKey{
			Table: sqlschema.TableName{Schema: v.GetSchema(), Table: v.GetTable()}, Columns: v.GetColumns(),
			Referenced: sqlschema.TableName{Schema: v.GetReferencedSchema(), Table: v.GetReferencedTable()}, ReferencedColumns: v.GetReferencedColumns(),
		})
	}
	for _, dst := range j.GetDestinations() {
		d.Destinations = append(d.Destinations, jobresolve.Destination{ConnectionID: dst.GetConnectionId(), Options: DestinationOptions(dst.GetOptions())})
	}
	return d, nil
}

// Connection converts a connection (unmasked, as the API gives it to a
// worker) for [jobresolve.Resolved]; a config the converter cannot read is
// kept as the connection's Err, for Resolve to report with its role.
func Connection(c *mgmt.Connection) jobresolve.Connection {
	cfg, err := ConnectionConfig(c.GetConnectionConfig())
	return jobresolve.Connection{Name: c.GetName(), Config: cfg, Err: err}
}

// Transformer converts a user-defined transformer into the system
// transformer it configures, for [jobresolve.Resolved].
func Transformer(u *mgmt.UserDefinedTransformer) syncplan.Transformer {
	return syncplan.Transformer{Source: u.GetSource(), Params: u.GetConfig().AsMap()}
}

// DestinationOptions converts a destination's options.
func DestinationOptions(o *mgmt.JobDestinationOptions) syncplan.DestinationOptions {
	return syncplan.DestinationOptions{
		InitSchema: o.GetInitTableSchema(), Truncate: o.GetTruncateBeforeInsert(), TruncateCascade: o.GetTruncateCascade(),
		OnConflict: syncplan.OnConflict(o.GetOnConflict()), BatchSize: int(o.GetBatchSize()),
		ExportFormats: o.GetExportFormats(), ExportCompression: o.GetExportCompression(),
	}
}

// PRFVersion is the transformers' PRF version of a job's consistent_prf.
// Unspecified is v1: a job the API returns always names its version, and
// one saved before versions existed has v1.
func PRFVersion(p mgmt.ConsistentPrf) transformers.PRFVersion {
	if p == mgmt.ConsistentPrf_CONSISTENT_PRF_V2 {
		return transformers.PRFv2
	}
	return transformers.PRFv1
}

// ConsistentPrf is the job field of a transformers' PRF version.
func ConsistentPrf(v transformers.PRFVersion) mgmt.ConsistentPrf {
	if v == transformers.PRFv2 {
		return mgmt.ConsistentPrf_CONSISTENT_PRF_V2
	}
	return mgmt.ConsistentPrf_CONSISTENT_PRF_V1
}

// LeakPolicy is a job's leak thresholds (unset fields are 0: the
// defaults).
func LeakPolicy(p *mgmt.LeakPolicy) leakscan.Policy {
	return leakscan.Policy{WarnRate: p.GetWarnRate(), FailRate: p.GetFailRate(), ReidentifiedFailRate: p.GetReidentifiedFailRate()}
}

// LeakPolicyProto is the job field of leak thresholds: nil when all are
// the defaults, else the fields that are set.
func LeakPolicyProto(p leakscan.Policy) *mgmt.LeakPolicy {
	if p == (leakscan.Policy{}) {
		return nil
	}
	out := &mgmt.LeakPolicy{}
	if p.WarnRate != 0 {
		out.WarnRate = &p.WarnRate
	}
	if p.FailRate != 0 {
		out.FailRate = &p.FailRate
	}
	if p.ReidentifiedFailRate != 0 {
		out.ReidentifiedFailRate = &p.ReidentifiedFailRate
	}
	return out
}
