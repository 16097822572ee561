package rpc

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// ConnectionConfigFromProto converts the API's connection config to the
// domain's. S3 is declared in the contract but not accepted yet.
func connectionConfigFromProto(field string, c *mgmtv1alpha1.ConnectionConfig) (sqlconnect.Config, error) {
	switch cfg := c.GetConfig().(type) {
	case *mgmtv1alpha1.ConnectionConfig_PgConfig:
		pg := cfg.PgConfig
		out := sqlconnect.Config{Driver: sqlconnect.DriverPostgres}
		switch cc := pg.GetConnectionConfig().(type) {
		case *mgmtv1alpha1.PostgresConnectionConfig_Url:
			out.URL = cc.Url
			if out.URL == "" {
				return out, invalid(field+".pg_config.url", "is empty")
			}
		case *mgmtv1alpha1.PostgresConnectionConfig_Connection:
			conn := cc.Connection
			out.Host, out.Port, out.Database, out.User, out.Password, out.SSLMode =
				conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetSslMode()
		default:
			return out, invalid(field+".pg_config", "needs url or connection")
		}
		var err error
		out.Pool, err = poolFromProto(field+".pg_config.connection_options", pg.GetConnectionOptions())
		out.TLS = tlsFromProto(pg.GetClientTls())
		return out, err
	case *mgmtv1alpha1.ConnectionConfig_MysqlConfig:
		my := cfg.MysqlConfig
		out := sqlconnect.Config{Driver: sqlconnect.DriverMySQL}
		switch cc := my.GetConnectionConfig().(type) {
		case *mgmtv1alpha1.MysqlConnectionConfig_Url:
			out.URL = cc.Url
			if out.URL == "" {
				return out, invalid(field+".mysql_config.url", "is empty")
			}
		case *mgmtv1alpha1.MysqlConnectionConfig_Connection:
			conn := cc.Connection
			out.Host, out.Port, out.Database, out.User, out.Password, out.Protocol =
				conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetProtocol()
		default:
			return out, invalid(field+".mysql_config", "needs url or connection")
		}
		var err error
		out.Pool, err = poolFromProto(field+".mysql_config.connection_options", my.GetConnectionOptions())
		out.TLS = tlsFromProto(my.GetClientTls())
		return out, err
	case *mgmtv1alpha1.ConnectionConfig_AwsS3Config:
		return sqlconnect.Config{}, unimplemented("S3 connections are declared but not supported yet")
	}
	return sqlconnect.Config{}, invalid(field, "is required (pg_config or mysql_config)")
}

func poolFromProto(field string, o *mgmtv1alpha1.SqlConnectionOptions) (sqlconnect.PoolOptions, error) {
	var p sqlconnect.PoolOptions
	if o == nil {
		return p, nil
	}
	p.MaxOpen = int(o.GetMaxConnectionLimit())
	p.MaxIdle = int(o.GetMaxIdleConnections())
	if o.MaxIdleDuration != nil {
		d, err := time.ParseDuration(o.GetMaxIdleDuration())
		if err != nil {
			return p, invalid(field+".max_idle_duration", "must be a duration like 30s or 5m")
		}
		p.MaxIdleTime = d
	}
	if o.MaxOpenDuration != nil {
		d, err := time.ParseDuration(o.GetMaxOpenDuration())
		if err != nil {
			return p, invalid(field+".max_open_duration", "must be a duration like 30s or 5m")
		}
		p.MaxLifetime = d
	}
	return p, nil
}

func tlsFromProto(t *mgmtv1alpha1.ClientTlsConfig) *sqlconnect.TLSOptions {
	if t == nil {
		return nil
	}
	return &sqlconnect.TLSOptions{RootCert: t.GetRootCert(), ClientCert: t.GetClientCert(), ClientKey: t.GetClientKey(), ServerName: t.GetServerName()}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func connectionConfigToProto(c sqlconnect.Config) *mgmtv1alpha1.ConnectionConfig {
	var opts *mgmtv1alpha1.SqlConnectionOptions
	if c.Pool != (sqlconnect.PoolOptions{}) {
		opts = &mgmtv1alpha1.SqlConnectionOptions{}
		if c.Pool.MaxOpen > 0 {
			v := int32(c.Pool.MaxOpen)
			opts.MaxConnectionLimit = &v
		}
		if c.Pool.MaxIdle > 0 {
			v := int32(c.Pool.MaxIdle)
			opts.MaxIdleConnections = &v
		}
		if c.Pool.MaxIdleTime > 0 {
			opts.MaxIdleDuration = optString(c.Pool.MaxIdleTime.String())
		}
		if c.Pool.MaxLifetime > 0 {
			opts.MaxOpenDuration = optString(c.Pool.MaxLifetime.String())
		}
	}
	var tls *mgmtv1alpha1.ClientTlsConfig
	if c.TLS != nil {
		tls = &mgmtv1alpha1.ClientTlsConfig{RootCert: optString(c.TLS.RootCert), ClientCert: optString(c.TLS.ClientCert), ClientKey: optString(c.TLS.ClientKey), ServerName: optString(c.TLS.ServerName)}
	}
	if c.Driver == sqlconnect.DriverMySQL {
		my := &mgmtv1alpha1.MysqlConnectionConfig{ConnectionOptions: opts, ClientTls: tls}
		if c.URL != "" {
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_Url{Url: c.URL}
		} else {
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_Connection{Connection: &mgmtv1alpha1.MysqlConnection{
				User: c.User, Pass: c.Password, Protocol: c.Protocol, Host: c.Host, Port: int32(c.Port), Name: c.Database,
			}}
		}
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_MysqlConfig{MysqlConfig: my}}
	}
	pg := &mgmtv1alpha1.PostgresConnectionConfig{ConnectionOptions: opts, ClientTls: tls}
	if c.URL != "" {
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_Url{Url: c.URL}
	} else {
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_Connection{Connection: &mgmtv1alpha1.PostgresConnection{
			Host: c.Host, Port: int32(c.Port), Name: c.Database, User: c.User, Pass: c.Password, SslMode: optString(c.SSLMode),
		}}
	}
	return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_PgConfig{PgConfig: pg}}
}

// connectionToProto encodes a connection; secrets are masked unless reveal.
func connectionToProto(c connection.Connection, reveal bool) *mgmtv1alpha1.Connection {
	cfg := c.Config
	if !reveal {
		cfg = cfg.Masked()
	}
	return &mgmtv1alpha1.Connection{
		Id: c.ID.String(), Name: c.Name, AccountId: c.AccountID.String(), ConnectionConfig: connectionConfigToProto(cfg),
		CreatedAt: timestamppb.New(c.CreatedAt), UpdatedAt: timestamppb.New(c.UpdatedAt),
	}
}
