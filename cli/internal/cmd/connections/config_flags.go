package connections

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

// configFlags describe a connection on the command line: a URL, or a type
// with discrete fields, plus pool and TLS options.
type configFlags struct {
	postgresURL string
	mysqlURL    string
	urlFromEnv  string
	kind        string
	host        string
	port        int32
	database    string
	user        string
	password    string
	sslMode     string
	protocol    string

	maxOpen     int32
	maxIdle     int32
	maxIdleTime string
	maxLifetime string

	rootCertFile   string
	clientCertFile string
	clientKeyFile  string
	serverName     string

	sshHost         string
	sshPort         int32
	sshUser         string
	sshKeyFile      string
	sshKnownHostKey string
	sshInsecure     bool

	s3 s3Flags
}

func (f *configFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.postgresURL, "postgres-url", "", "a postgres:// URL or key=value DSN")
	fl.StringVar(&f.mysqlURL, "mysql-url", "", "a mysql:// URL or user:pass@tcp(host:port)/db DSN (MySQL and MariaDB)")
	fl.StringVar(&f.urlFromEnv, "url-from-env", "", "with --type: a NEOSYNC_URL_* variable the worker reads the URL from when a job runs (never sent to the API)")
	fl.StringVar(&f.kind, "type", "", "postgres or mysql, with the discrete fields below or --url-from-env")
	fl.StringVar(&f.host, "host", "", "database host (with --type)")
	fl.Int32Var(&f.port, "port", 0, "database port (default 5432 or 3306)")
	fl.StringVar(&f.database, "database", "", "database name")
	fl.StringVar(&f.user, "user", "", "database user")
	fl.StringVar(&f.password, "password", "", "database password (prefer --password \"$PGPASSWORD\" to typing it)")
	fl.StringVar(&f.sslMode, "ssl-mode", "", "Postgres sslmode: disable, allow, prefer, require, verify-ca, verify-full")
	fl.StringVar(&f.protocol, "protocol", "", "MySQL protocol: tcp or unix")
	fl.Int32Var(&f.maxOpen, "max-open", 0, "most connections a job opens (0: default)")
	fl.Int32Var(&f.maxIdle, "max-idle", 0, "most idle connections kept (0: default)")
	fl.StringVar(&f.maxIdleTime, "max-idle-time", "", "close connections idle this long (e.g. 5m)")
	fl.StringVar(&f.maxLifetime, "max-lifetime", "", "close connections older than this (e.g. 1h)")
	fl.StringVar(&f.rootCertFile, "root-cert-file", "", "PEM file of the CA that signed the server's certificate")
	fl.StringVar(&f.clientCertFile, "client-cert-file", "", "PEM client certificate file")
	fl.StringVar(&f.clientKeyFile, "client-key-file", "", "PEM client key file")
	fl.StringVar(&f.serverName, "tls-server-name", "", "server name to verify the certificate against")
	fl.StringVar(&f.sshHost, "ssh-host", "", "reach the database through this SSH bastion (its host and port are then as the bastion sees them)")
	fl.Int32Var(&f.sshPort, "ssh-port", 0, "the bastion's SSH port (default 22)")
	fl.StringVar(&f.sshUser, "ssh-user", "", "the SSH user on the bastion")
	fl.StringVar(&f.sshKeyFile, "ssh-key-file", "", "PEM private key file for the bastion (unencrypted; use YAML's passphrase for an encrypted one)")
	fl.StringVar(&f.sshKnownHostKey, "ssh-known-host-key", "", "the bastion's host key as ssh-keyscan prints it (\"ssh-ed25519 AAAA…\")")
	fl.BoolVar(&f.sshInsecure, "ssh-insecure-skip-host-key-check", false, "accept any bastion host key (anyone on the path can read credentials and data)")
	f.s3.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions([]string{"postgres", "mysql"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("ssl-mode", cobra.FixedCompletions([]string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.MarkFlagsMutuallyExclusive("postgres-url", "mysql-url", "type")
	for _, db := range []string{"postgres-url", "mysql-url", "type"} {
		cmd.MarkFlagsMutuallyExclusive("s3-bucket", db)
	}
}

// given reports whether any connection flag was set.
func (f *configFlags) given() bool {
	return f.postgresURL != "" || f.mysqlURL != "" || f.kind != "" || f.host != "" || f.urlFromEnv != "" || f.s3.bucket != ""
}

// config builds and validates the connection config the flags describe.
func (f *configFlags) config(name string) (*mgmtv1alpha1.ConnectionConfig, error) {
	if f.s3.bucket != "" {
		if f.host != "" || f.user != "" || f.password != "" || f.database != "" || f.urlFromEnv != "" || f.sshHost != "" || f.rootCertFile != "" || f.maxOpen != 0 {
			return nil, errors.New("--s3-bucket describes a bucket: database flags (--host, --user, --ssh-*, TLS, pool) do not apply")
		}
		return f.s3.config()
	}
	if f.s3.given() {
		return nil, errors.New("the --s3-* flags need --s3-bucket")
	}
	sql := &spec.SQLConnection{}
	conn := spec.Connection{Name: name}
	discreteSet := f.host != "" || f.port != 0 || f.database != "" || f.user != "" || f.password != "" || f.sslMode != "" || f.protocol != ""
	switch {
	case f.urlFromEnv != "":
		if discreteSet || f.postgresURL != "" || f.mysqlURL != "" {
			return nil, errors.New("--url-from-env names where the worker finds the whole URL; give only --type beside it")
		}
		sql.URLFromEnv = f.urlFromEnv
		switch strings.ToLower(f.kind) {
		case "postgres", "postgresql", "pg":
			conn.Postgres = sql
		case "mysql", "mariadb":
			conn.MySQL = sql
		default:
			return nil, fmt.Errorf("--url-from-env needs --type postgres or --type mysql")
		}
	case f.postgresURL != "" || f.mysqlURL != "":
		if discreteSet {
			return nil, errors.New("give a URL (--postgres-url/--mysql-url) or the discrete fields (--type, --host, …), not both")
		}
		sql.URL = f.postgresURL + f.mysqlURL
		if f.postgresURL != "" {
			conn.Postgres = sql
		} else {
			conn.MySQL = sql
		}
	case f.kind != "":
		if f.host == "" || f.user == "" {
			return nil, errors.New("--type needs --host and --user (and usually --database)")
		}
		sql.Host, sql.Port, sql.Database, sql.User, sql.Password, sql.SSLMode, sql.Protocol =
			f.host, f.port, f.database, f.user, f.password, f.sslMode, f.protocol
		switch strings.ToLower(f.kind) {
		case "postgres", "postgresql", "pg":
			conn.Postgres = sql
		case "mysql", "mariadb":
			conn.MySQL = sql
		default:
			return nil, fmt.Errorf("--type %q: must be postgres or mysql", f.kind)
		}
	case discreteSet:
		return nil, errors.New("--host and the other discrete fields need --type postgres or --type mysql")
	default:
		return nil, errors.New("describe the database with --postgres-url, --mysql-url, or --type with --host, --user, --database")
	}
	if f.maxOpen != 0 || f.maxIdle != 0 || f.maxIdleTime != "" || f.maxLifetime != "" {
		sql.Pool = &spec.Pool{MaxIdleTime: f.maxIdleTime, MaxLifetime: f.maxLifetime}
		if f.maxOpen != 0 {
			sql.Pool.MaxOpen = &f.maxOpen
		}
		if f.maxIdle != 0 {
			sql.Pool.MaxIdle = &f.maxIdle
		}
	}
	if f.rootCertFile != "" || f.clientCertFile != "" || f.clientKeyFile != "" || f.serverName != "" {
		sql.TLS = &spec.TLS{ServerName: f.serverName}
		for _, p := range []struct {
			flag, path string
			into       *string
		}{{"--root-cert-file", f.rootCertFile, &sql.TLS.RootCert}, {"--client-cert-file", f.clientCertFile, &sql.TLS.ClientCert}, {"--client-key-file", f.clientKeyFile, &sql.TLS.ClientKey}} {
			if p.path == "" {
				continue
			}
			b, err := os.ReadFile(p.path)
			if err != nil {
				return nil, fmt.Errorf("%s: cannot read %s", p.flag, p.path)
			}
			*p.into = string(b)
		}
	}
	if f.sshHost != "" || f.sshUser != "" || f.sshKeyFile != "" || f.sshKnownHostKey != "" || f.sshInsecure {
		sql.SSHTunnel = &spec.SSHTunnel{Host: f.sshHost, Port: f.sshPort, User: f.sshUser, KnownHostKey: f.sshKnownHostKey, InsecureSkipHostKeyCheck: f.sshInsecure}
		if f.sshKeyFile != "" {
			b, err := os.ReadFile(f.sshKeyFile)
			if err != nil {
				return nil, fmt.Errorf("--ssh-key-file: cannot read %s", f.sshKeyFile)
			}
			sql.SSHTunnel.PrivateKey = string(b)
		}
	}
	if err := conn.Validate(); err != nil {
		return nil, err
	}
	return conn.ConnectionConfig(), nil
}
