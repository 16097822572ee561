package rpc

import (
	"errors"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// connectionConfigFromProto converts a request's connection config with the
// converter the worker and the CLI share, naming the offending field.
func connectionConfigFromProto(field string, c *mgmtv1alpha1.ConnectionConfig) (sqlconnect.Config, error) {
	cfg, err := protoconv.ConnectionConfig(c)
	var fe *protoconv.FieldError
	switch {
	case errors.As(err, &fe):
		if fe.Field != "" {
			field += "." + fe.Field
		}
		return cfg, invalid(field, fe.Reason)
	}
	return cfg, err
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
	if c.Driver == sqlconnect.DriverS3 && c.S3 != nil {
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_AwsS3Config{AwsS3Config: protoconv.S3ConfigToProto(c.S3)}}
	}
	if c.Driver == sqlconnect.DriverMySQL {
		my := &mgmtv1alpha1.MysqlConnectionConfig{ConnectionOptions: opts, ClientTls: tls, Tunnel: protoconv.TunnelToProto(c.Tunnel)}
		switch {
		case c.URLFromEnv != "":
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_UrlFromEnv{UrlFromEnv: c.URLFromEnv}
		case c.URL != "":
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_Url{Url: c.URL}
		default:
			my.ConnectionConfig = &mgmtv1alpha1.MysqlConnectionConfig_Connection{Connection: &mgmtv1alpha1.MysqlConnection{
				User: c.User, Pass: c.Password, Protocol: c.Protocol, Host: c.Host, Port: int32(c.Port), Name: c.Database,
			}}
		}
		return &mgmtv1alpha1.ConnectionConfig{Config: &mgmtv1alpha1.ConnectionConfig_MysqlConfig{MysqlConfig: my}}
	}
	pg := &mgmtv1alpha1.PostgresConnectionConfig{ConnectionOptions: opts, ClientTls: tls, Tunnel: protoconv.TunnelToProto(c.Tunnel)}
	switch {
	case c.URLFromEnv != "":
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_UrlFromEnv{UrlFromEnv: c.URLFromEnv}
	case c.URL != "":
		pg.ConnectionConfig = &mgmtv1alpha1.PostgresConnectionConfig_Url{Url: c.URL}
	default:
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
