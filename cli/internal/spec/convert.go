package spec

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
)

// ConnectionConfig converts a validated connection to the API's config.
func (c *Connection) ConnectionConfig() *mgmtv1alpha1.ConnectionConfig {
	if c.S3 != nil {
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_AwsS3Config{AwsS3Config: protoconv.S3ConfigToProto(c.S3.config())}}
	}
	s := c.sql()
	var pool *mgmtv1alpha1.SqlConnectionOptions
	if p := s.Pool; p != nil && (p.MaxOpen != nil || p.MaxIdle != nil || p.MaxIdleTime != "" || p.MaxLifetime != "") {
		pool = &mgmtv1alpha1.SqlConnectionOptions{MaxConnectionLimit: p.MaxOpen, MaxIdleConnections: p.MaxIdle}
		if p.MaxIdleTime != "" {
			pool.MaxIdleDuration = &p.MaxIdleTime
		}
		if p.MaxLifetime != "" {
			pool.MaxOpenDuration = &p.MaxLifetime
		}
	}
	var tls *mgmtv1alpha1.ClientTlsConfig
	if t := s.TLS; t != nil && (t.RootCert != "" || t.ClientCert != "" || t.ClientKey != "" || t.ServerName != "") {
		tls = &mgmtv1alpha1.ClientTlsConfig{RootCert: optional(t.RootCert), ClientCert: optional(t.ClientCert), ClientKey: optional(t.ClientKey), ServerName: optional(t.ServerName)}
	}
	if c.MySQL != nil {
		my := &mgmtv1alpha1.MysqlConnectionConfig{ConnectionOptions: pool, ClientTls: tls, Tunnel: s.SSHTunnel.proto()}
		switch {
		case s.URLFromEnv != "":
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_UrlFromEnv{UrlFromEnv: s.URLFromEnv}
		case s.URL != "":
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_Url{Url: s.URL}
		default:
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_Connection{Connection: &mgmtv1alpha1.MysqlConnection{
				User: s.User, Pass: s.Password, Protocol: s.Protocol, Host: s.Host, Port: s.Port, Name: s.Database,
			}}
		}
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_MysqlConfig{MysqlConfig: my}}
	}
	pg := &mgmtv1alpha1.PostgresConnectionConfig{ConnectionOptions: pool, ClientTls: tls, Tunnel: s.SSHTunnel.proto()}
	switch {
	case s.URLFromEnv != "":
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_UrlFromEnv{UrlFromEnv: s.URLFromEnv}
	case s.URL != "":
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_Url{Url: s.URL}
	default:
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_Connection{Connection: &mgmtv1alpha1.PostgresConnection{
			Host: s.Host, Port: s.Port, Name: s.Database, User: s.User, Pass: s.Password, SslMode: optional(s.SSLMode),
		}}
	}
	return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_PgConfig{PgConfig: pg}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Resolver maps the names a job uses to API ids.
type Resolver interface {
	// ConnectionID returns the id of the named connection.
	ConnectionID(name string) (string, error)
	// UserDefinedTransformer returns the id and system source of the named
	// user-defined transformer.
	UserDefinedTransformer(name string) (id, source string, err error)
}

// JobDefinition is a job's desired state in API messages.
type JobDefinition struct {
	Name               string
	Source             *mgmtv1alpha1.JobSource
	Destinations       []*mgmtv1alpha1.JobDestinationCreate
	Mappings           []*mgmtv1alpha1.JobMapping
	VirtualForeignKeys []*mgmtv1alpha1.VirtualForeignConstraint
	// CronSchedule is nil when the job has no schedule.
	CronSchedule    *string
	WorkflowOptions *mgmtv1alpha1.WorkflowOptions
	SyncOptions     *mgmtv1alpha1.ActivityOptions
}

// Definition converts a validated job, resolving names through r.
func (j *Job) Definition(r Resolver) (*JobDefinition, error) {
	where := fmt.Sprintf("job %q", j.Name)
	d := &JobDefinition{Name: j.Name, CronSchedule: optional(j.Schedule)}
	if s := j.Source; s != nil {
		id, err := r.ConnectionID(s.Connection)
		if err != nil {
			return nil, fmt.Errorf("%s: source: %w", where, err)
		}
		prf, ok := consistentPRF[s.ConsistentPRF]
		if !ok {
			return nil, fmt.Errorf("%s: source: consistent_prf is %q; use v1, v2 or leave it out", where, s.ConsistentPRF)
		}
		sync := &mgmtv1alpha1.SyncSourceOptions{ConnectionId: id, SubsetByForeignKeyConstraints: s.SubsetByForeignKeys, HaltOnNewColumnAddition: s.HaltOnNewColumn,
			ConsistentPrf: prf}
		if s.RangeRows != 0 {
			sync.RangeRows = &s.RangeRows
		}
		if p := s.LeakPolicy; p != nil {
			sync.LeakPolicy = &mgmtv1alpha1.LeakPolicy{WarnRate: p.WarnRate, FailRate: p.FailRate, ReidentifiedFailRate: p.ReidentifiedFailRate}
		}
		if im := s.S3Import; im != nil {
			sync.S3Import = &mgmtv1alpha1.S3ImportOptions{ExportJobName: im.ExportJob, RunId: optional(im.RunID)}
		}
		for _, sub := range s.Subsets {
			sync.Subsets = append(sync.Subsets, &mgmtv1alpha1.JobSourceSubset{Schema: sub.Schema, Table: sub.Table, WhereClause: sub.Where})
		}
		d.Source = &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: sync}}
	} else {
		g := j.Generate
		id, err := r.ConnectionID(g.Connection)
		if err != nil {
			return nil, fmt.Errorf("%s: generate: %w", where, err)
		}
		gen := &mgmtv1alpha1.GenerateSourceOptions{FkSourceConnectionId: id}
		for _, t := range g.Tables {
			gen.Tables = append(gen.Tables, &mgmtv1alpha1.GenerateSourceTable{Schema: t.Schema, Table: t.Table, RowCount: t.RowCount})
		}
		d.Source = &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Generate{Generate: gen}}
	}
	for i, dest := range j.Destinations {
		id, err := r.ConnectionID(dest.Connection)
		if err != nil {
			return nil, fmt.Errorf("%s: destinations[%d]: %w", where, i, err)
		}
		d.Destinations = append(d.Destinations, &mgmtv1alpha1.JobDestinationCreate{ConnectionId: id, Options: dest.options()})
	}
	for _, m := range j.Mappings {
		for _, c := range m.Columns {
			t, err := c.Transformer.proto(r)
			if err != nil {
				return nil, fmt.Errorf("%s: mappings %s.%s.%s: %w", where, m.Schema, m.Table, c.Column, err)
			}
			d.Mappings = append(d.Mappings, &mgmtv1alpha1.JobMapping{Schema: m.Schema, Table: m.Table, Column: c.Column, Transformer: t})
		}
	}
	for _, v := range j.VirtualForeignKeys {
		d.VirtualForeignKeys = append(d.VirtualForeignKeys, &mgmtv1alpha1.VirtualForeignConstraint{
			Schema: v.Schema, Table: v.Table, Columns: v.Columns,
			ReferencedSchema: v.References.Schema, ReferencedTable: v.References.Table, ReferencedColumns: v.References.Columns,
		})
	}
	d.WorkflowOptions = &mgmtv1alpha1.WorkflowOptions{}
	if o := j.WorkflowOptions; o != nil {
		d.WorkflowOptions.RunTimeoutSeconds = seconds(o.RunTimeout)
	}
	d.SyncOptions = &mgmtv1alpha1.ActivityOptions{}
	if o := j.SyncOptions; o != nil {
		d.SyncOptions = &mgmtv1alpha1.ActivityOptions{
			ScheduleToCloseTimeoutSeconds: seconds(o.ScheduleToCloseTimeout),
			StartToCloseTimeoutSeconds:    seconds(o.StartToCloseTimeout),
			HeartbeatTimeoutSeconds:       seconds(o.HeartbeatTimeout),
		}
		if o.MaxAttempts > 0 {
			d.SyncOptions.MaxAttempts = &o.MaxAttempts
		}
	}
	return d, nil
}

func (d Destination) options() *mgmtv1alpha1.JobDestinationOptions {
	return &mgmtv1alpha1.JobDestinationOptions{
		InitTableSchema: d.InitSchema, TruncateBeforeInsert: d.TruncateBeforeInsert, TruncateCascade: d.TruncateCascade,
		OnConflict: d.OnConflict, BatchSize: d.BatchSize,
		ExportFormats: d.ExportFormats, ExportCompression: d.ExportCompression,
	}
}

// config is the bucket in the data plane's terms (validated there).
func (s *S3Connection) config() *objectstore.Config {
	return &objectstore.Config{Bucket: s.Bucket, Prefix: s.PathPrefix, Region: s.Region, Endpoint: s.Endpoint, ForcePathStyle: s.ForcePathStyle,
		AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken}
}

func (t Transformer) proto(r Resolver) (*mgmtv1alpha1.JobMappingTransformer, error) {
	if t.UserDefined != "" {
		id, source, err := r.UserDefinedTransformer(t.UserDefined)
		if err != nil {
			return nil, err
		}
		return &mgmtv1alpha1.JobMappingTransformer{Source: source, UserDefinedTransformerId: &id}, nil
	}
	out := &mgmtv1alpha1.JobMappingTransformer{Source: t.Source}
	if len(t.Config) > 0 {
		cfg, err := structpb.NewStruct(normalizeConfig(t.Config).(map[string]any))
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		out.Config = cfg
	}
	return out, nil
}

// normalizeConfig turns what YAML decodes (ints, timestamps, nested maps)
// into what structpb accepts.
func normalizeConfig(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeConfig(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = normalizeConfig(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeConfig(e)
		}
		return out
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// seconds converts a validated duration ("" or whole seconds) to the API's
// optional seconds; zero is unset, as the API reports it.
func seconds(v string) *int64 {
	if v == "" {
		return nil
	}
	d, _ := time.ParseDuration(v)
	if d <= 0 {
		return nil
	}
	s := int64(d / time.Second)
	return &s
}

// CreateRequest is the CreateJob request for d in account accountID.
func (d *JobDefinition) CreateRequest(accountID string) *mgmtv1alpha1.CreateJobRequest {
	return &mgmtv1alpha1.CreateJobRequest{
		AccountId: accountID, JobName: d.Name, Source: d.Source, Destinations: d.Destinations, Mappings: d.Mappings,
		CronSchedule: d.CronSchedule, VirtualForeignKeys: d.VirtualForeignKeys, WorkflowOptions: d.WorkflowOptions, SyncOptions: d.SyncOptions,
	}
}

// proto converts a tunnel (nil for none).
func (t *SSHTunnel) proto() *mgmtv1alpha1.SshTunnel {
	if t == nil {
		return nil
	}
	out := &mgmtv1alpha1.SshTunnel{Host: t.Host, Port: t.Port, User: t.User, Passphrase: optional(t.Passphrase), KnownHostKey: t.KnownHostKey, InsecureSkipHostKeyCheck: t.InsecureSkipHostKeyCheck}
	if t.PrivateKey != "" {
		out.Auth = &mgmtv1alpha1.SshTunnel_PrivateKey{PrivateKey: t.PrivateKey}
	} else {
		out.Auth = &mgmtv1alpha1.SshTunnel_Password{Password: t.Password}
	}
	return out
}

// consistentPRF maps a job file's consistent_prf to the API's enum.
var consistentPRF = map[string]mgmtv1alpha1.ConsistentPrf{
	"":   mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_UNSPECIFIED,
	"v1": mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_V1,
	"v2": mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_V2,
}
