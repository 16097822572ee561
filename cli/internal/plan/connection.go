package plan

import (
	"reflect"
	"time"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// ConnectionDiff lists what differs between a desired connection config and
// the stored one, which the API returns with secrets masked. The desired
// config is masked the same way (by the API's own sqlconnect.Masked) before
// comparing, so an unchanged connection is never reported as changed; a
// changed password alone is invisible, which is why updateSecrets forces an
// update of any connection that carries secrets.
func ConnectionDiff(desired, stored *mgmtv1alpha1.ConnectionConfig, updateSecrets bool) []string {
	want := sqlConfig(desired)
	have := sqlConfig(stored)
	masked := want.Masked()
	var diff []string
	add := func(field string, differs bool) {
		if differs {
			diff = append(diff, field)
		}
	}
	add("type", masked.Driver != have.Driver)
	add("url", masked.URL != have.URL)
	add("host", masked.Host != have.Host)
	add("port", masked.Port != have.Port)
	add("database", masked.Database != have.Database)
	add("user", masked.User != have.User)
	add("password", masked.Password != have.Password)
	add("ssl_mode", masked.SSLMode != have.SSLMode)
	add("protocol", masked.Protocol != have.Protocol)
	add("pool", masked.Pool != have.Pool)
	add("tls", !reflect.DeepEqual(masked.TLS, have.TLS))
	if masked.S3 != nil || have.S3 != nil {
		var w, h objectstore.Config
		if masked.S3 != nil {
			w = *masked.S3
		}
		if have.S3 != nil {
			h = *have.S3
		}
		add("bucket", w.Bucket != h.Bucket)
		add("path_prefix", w.Prefix != h.Prefix)
		add("region", w.Region != h.Region)
		add("endpoint", w.Endpoint != h.Endpoint)
		add("force_path_style", w.ForcePathStyle != h.ForcePathStyle)
		add("access_key_id", w.AccessKeyID != h.AccessKeyID)
		add("secret_access_key", w.SecretAccessKey != h.SecretAccessKey)
	}
	if len(diff) == 0 && updateSecrets && len(want.Secrets()) > 0 {
		diff = append(diff, "secrets")
	}
	return diff
}

// sqlConfig mirrors the API's conversion of a ConnectionConfig, so both
// sides of a comparison are normalized identically (durations, empty TLS).
func sqlConfig(c *mgmtv1alpha1.ConnectionConfig) sqlconnect.Config {
	var out sqlconnect.Config
	var pool *mgmtv1alpha1.SqlConnectionOptions
	var tls *mgmtv1alpha1.ClientTlsConfig
	switch cfg := c.GetConfig().(type) {
	case *mgmtv1alpha1.ConnectionConfig_PgConfig:
		out.Driver = sqlconnect.DriverPostgres
		pg := cfg.PgConfig
		if pg.GetUrl() != "" {
			out.URL = pg.GetUrl()
		} else if pg.GetUrlFromEnv() != "" {
			out.URLFromEnv = pg.GetUrlFromEnv()
		} else if conn := pg.GetConnection(); conn != nil {
			out.Host, out.Port, out.Database, out.User, out.Password, out.SSLMode =
				conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetSslMode()
		}
		pool, tls = pg.GetConnectionOptions(), pg.GetClientTls()
		out.Tunnel = protoconv.Tunnel(pg.GetTunnel())
	case *mgmtv1alpha1.ConnectionConfig_MysqlConfig:
		out.Driver = sqlconnect.DriverMySQL
		my := cfg.MysqlConfig
		if my.GetUrl() != "" {
			out.URL = my.GetUrl()
		} else if my.GetUrlFromEnv() != "" {
			out.URLFromEnv = my.GetUrlFromEnv()
		} else if conn := my.GetConnection(); conn != nil {
			out.Host, out.Port, out.Database, out.User, out.Password, out.Protocol =
				conn.GetHost(), int(conn.GetPort()), conn.GetName(), conn.GetUser(), conn.GetPass(), conn.GetProtocol()
		}
		pool, tls = my.GetConnectionOptions(), my.GetClientTls()
		out.Tunnel = protoconv.Tunnel(my.GetTunnel())
	case *mgmtv1alpha1.ConnectionConfig_AwsS3Config:
		out = protoconv.S3Config(cfg.AwsS3Config)
	}
	if pool != nil {
		out.Pool.MaxOpen = int(pool.GetMaxConnectionLimit())
		out.Pool.MaxIdle = int(pool.GetMaxIdleConnections())
		out.Pool.MaxIdleTime, _ = time.ParseDuration(pool.GetMaxIdleDuration())
		out.Pool.MaxLifetime, _ = time.ParseDuration(pool.GetMaxOpenDuration())
	}
	if tls != nil {
		out.TLS = &sqlconnect.TLSOptions{RootCert: tls.GetRootCert(), ClientCert: tls.GetClientCert(), ClientKey: tls.GetClientKey(), ServerName: tls.GetServerName()}
		if *out.TLS == (sqlconnect.TLSOptions{}) {
			out.TLS = nil
		}
	}
	return out
}
