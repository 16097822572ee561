package sqlconnect

import (
	"errors"
	"strings"
	"testing"
)

func TestMaskedAndWithSecretsFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    Config
		secret string
	}{
		{"pg url", Config{Driver: DriverPostgres, URL: "postgres://app:s3cr%40t@db:5432/prod?sslmode=disable"}, "s3cr@t"},
		{"pg url query password", Config{Driver: DriverPostgres, URL: "postgres://db:5432/prod?user=app&password=qpass"}, "qpass"},
		{"pg dsn", Config{Driver: DriverPostgres, URL: "host=db user=app password=kvpass dbname=prod"}, "kvpass"},
		{"mysql url", Config{Driver: DriverMySQL, URL: "mysql://app:mypass@db:3306/prod"}, "mypass"},
		{"mysql dsn", Config{Driver: DriverMySQL, URL: "app:dsnpass@tcp(db:3306)/prod"}, "dsnpass"},
		{"discrete", Config{Driver: DriverPostgres, Host: "db", User: "app", Password: "fieldpass", TLS: &TLSOptions{ClientCert: "c", ClientKey: "KEYPEM"}}, "fieldpass"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			masked := tc.cfg.Masked()
			all := masked.URL + masked.Password
			if masked.TLS != nil {
				all += masked.TLS.ClientKey
			}
			if strings.Contains(all, tc.secret) || strings.Contains(all, "KEYPEM") {
				t.Fatalf("masked config still holds a secret: %+v", masked)
			}
			if !strings.Contains(all, Mask) {
				t.Fatalf("masked config shows no mask: %+v", masked)
			}
			restored := masked.WithSecretsFrom(tc.cfg)
			if got := restored.Secrets(); len(got) == 0 || got[0] != tc.secret {
				t.Fatalf("restored secrets = %v, want %q first", got, tc.secret)
			}
			if restored.TLS != nil && restored.TLS.ClientKey != "KEYPEM" {
				t.Fatalf("client key not restored")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"ok discrete", Config{Driver: DriverPostgres, Host: "db", User: "u"}, ""},
		{"ok url", Config{Driver: DriverMySQL, URL: "mysql://u:p@h:3306/d"}, ""},
		{"bad driver", Config{Driver: "oracle"}, "driver"},
		{"no host", Config{Driver: DriverPostgres, User: "u"}, "host"},
		{"no user", Config{Driver: DriverPostgres, Host: "h"}, "user"},
		{"bad port", Config{Driver: DriverPostgres, Host: "h", User: "u", Port: 70000}, "port"},
		{"bad sslmode", Config{Driver: DriverPostgres, Host: "h", User: "u", SSLMode: "sometimes"}, "ssl_mode"},
		{"bad pg url", Config{Driver: DriverPostgres, URL: "postgres://u@h:notaport/d"}, "url"},
		{"bad mysql url", Config{Driver: DriverMySQL, URL: "not a dsn"}, "url"},
		{"half tls", Config{Driver: DriverPostgres, Host: "h", User: "u", TLS: &TLSOptions{ClientCert: "x"}}, "client_tls"},
		{"pool", Config{Driver: DriverPostgres, Host: "h", User: "u", Pool: PoolOptions{MaxOpen: -1}}, "connection_options.max_connection_limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("Validate = %v, want ConfigError on %q", err, tc.field)
			}
		})
	}
}

func TestUserAndDatabaseNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg      Config
		user, db string
	}{
		{Config{Driver: DriverPostgres, URL: "postgres://app:pw@h:5432/prod"}, "app", "prod"},
		{Config{Driver: DriverPostgres, URL: "host=h user=kv dbname=d"}, "kv", "d"},
		{Config{Driver: DriverMySQL, URL: "mysql://root@h:3306/shop"}, "root", "shop"},
		{Config{Driver: DriverMySQL, URL: "u:p@tcp(h:3306)/db"}, "u", "db"},
		{Config{Driver: DriverMySQL, Host: "h", User: "f", Database: "x"}, "f", "x"},
	} {
		if u, d := tc.cfg.UserName(), tc.cfg.DatabaseName(); u != tc.user || d != tc.db {
			t.Errorf("%+v: user %q db %q, want %q %q", tc.cfg, u, d, tc.user, tc.db)
		}
	}
}
