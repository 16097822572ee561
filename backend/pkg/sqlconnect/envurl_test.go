package sqlconnect

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"NEOSYNC_URL_PROD":  "postgres://app:s3cret@db.internal:5432/prod",
		"NEOSYNC_URL_BAD":   "postgres://app:s3cret@db.internal:notaport/prod",
		"NEOSYNC_URL_EMPTY": "",
		"PGPASSWORD":        "hunter2",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name    string
		cfg     Config
		wantURL string
		wantErr string
	}{
		{"resolved", Config{Driver: DriverPostgres, URLFromEnv: "NEOSYNC_URL_PROD"}, env["NEOSYNC_URL_PROD"], ""},
		{"no env url", Config{Driver: DriverPostgres, URL: "postgres://u@h/db"}, "postgres://u@h/db", ""},
		{"unset", Config{Driver: DriverPostgres, URLFromEnv: "NEOSYNC_URL_NOPE"}, "", "NEOSYNC_URL_NOPE is not set"},
		{"empty", Config{Driver: DriverPostgres, URLFromEnv: "NEOSYNC_URL_EMPTY"}, "", "NEOSYNC_URL_EMPTY is not set"},
		{"invalid value", Config{Driver: DriverPostgres, URLFromEnv: "NEOSYNC_URL_BAD"}, "", "the value of NEOSYNC_URL_BAD"},
		{"outside the prefix", Config{Driver: DriverPostgres, URLFromEnv: "PGPASSWORD"}, "", "is not a valid name"},
		{"with fields", Config{Driver: DriverPostgres, URLFromEnv: "NEOSYNC_URL_PROD", Host: "other"}, "", "cannot be combined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.cfg.FromEnv(lookup)
			if tt.wantErr != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Field != "url_from_env" || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("FromEnv() error = %v, want a url_from_env ConfigError containing %q", err, tt.wantErr)
				}
				for _, secret := range []string{"s3cret", "hunter2"} {
					if strings.Contains(err.Error(), secret) {
						t.Fatalf("error discloses a value: %v", err)
					}
				}
				return
			}
			if err != nil || got.URL != tt.wantURL || got.URLFromEnv != "" {
				t.Fatalf("FromEnv() = %+v, %v; want URL %q", got, err, tt.wantURL)
			}
		})
	}
}

func TestEnvURLValidateAndOpen(t *testing.T) {
	t.Parallel()
	cfg := Config{Driver: DriverMySQL, URLFromEnv: "NEOSYNC_URL_ORDERS_DB"}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if m := cfg.Masked(); m.URLFromEnv != cfg.URLFromEnv {
		t.Fatalf("Masked() changed the variable name: %+v", m)
	}
	// Whoever has not resolved the variable cannot open the connection,
	// and is told where it is resolved.
	_, err := Open(context.Background(), cfg)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "url_from_env" || !strings.Contains(err.Error(), "on the worker at run time") {
		t.Fatalf("Open() of an unresolved url_from_env = %v", err)
	}
}
