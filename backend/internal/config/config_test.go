package config

import (
	"net/netip"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("ab", 32)
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"defaults", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key}, ""},
		{"missing key", map[string]string{}, "NEOSYNC_ENCRYPTION_KEY is required"},
		{"short key", map[string]string{"NEOSYNC_ENCRYPTION_KEY": "abc"}, "NEOSYNC_ENCRYPTION_KEY must be 32 bytes"},
		{"bad mode", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_AUTH_MODE": "magic"}, "NEOSYNC_AUTH_MODE must be"},
		{"oidc without issuer", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_AUTH_MODE": "oidc", "NEOSYNC_OIDC_AUDIENCE": "web"}, "NEOSYNC_OIDC_ISSUER"},
		{"oidc bad issuer", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_AUTH_MODE": "oidc", "NEOSYNC_OIDC_ISSUER": "idp.example.com", "NEOSYNC_OIDC_AUDIENCE": "web"}, "NEOSYNC_OIDC_ISSUER"},
		{"oidc without audience", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_AUTH_MODE": "oidc", "NEOSYNC_OIDC_ISSUER": "https://idp.example.com"}, "NEOSYNC_OIDC_AUDIENCE"},
		{"bad addr", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_LISTEN_ADDR": "8080"}, "NEOSYNC_LISTEN_ADDR"},
		{"bad db url", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_DB_URL": "mysql://x"}, "NEOSYNC_DB_URL"},
		{"bad migrate", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "DB_AUTO_MIGRATE": "maybe"}, "DB_AUTO_MIGRATE"},
		{"half mtls", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "TEMPORAL_CERT": "x"}, "TEMPORAL_CERT and TEMPORAL_KEY"},
		{"bad log level", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"bad allow", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_CONNECTION_ALLOW": "10.0.0.0/99"}, "NEOSYNC_CONNECTION_ALLOW"},
		{"bad deny", map[string]string{"NEOSYNC_ENCRYPTION_KEY": key, "NEOSYNC_CONNECTION_DENY": "loopback,h@st"}, "NEOSYNC_CONNECTION_DENY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(func(k string) string { return tc.env[k] })
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if c.ListenAddr != DefaultListenAddr || !c.IsLoopback() || c.AuthMode != "none" {
					t.Fatalf("unexpected defaults: %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestConnectionPolicyDefaults checks loopback is allowed for the single
// user of auth mode none and refused by default once several accounts share
// the API, unless the operator says otherwise.
func TestConnectionPolicyDefaults(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("ab", 32)
	loopback := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, true},
		{map[string]string{"NEOSYNC_AUTH_MODE": "apikey"}, false},
		{map[string]string{"NEOSYNC_AUTH_MODE": "apikey", "NEOSYNC_CONNECTION_DENY": "none"}, true},
		{map[string]string{"NEOSYNC_AUTH_MODE": "apikey", "NEOSYNC_CONNECTION_ALLOW": "127.0.0.1"}, true},
		{map[string]string{"NEOSYNC_CONNECTION_DENY": "127.0.0.0/8"}, false},
	} {
		tc.env["NEOSYNC_ENCRYPTION_KEY"] = key
		c, err := Load(func(k string) string { return tc.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ConnectionNetwork.AllowsAddr("", loopback); got != tc.want {
			t.Errorf("%v: loopback allowed = %v, want %v", tc.env, got, tc.want)
		}
	}
}

func TestURLFromEnvSetting(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("ab", 32)
	for _, tc := range []struct {
		env     map[string]string
		want    bool
		wantErr string
	}{
		{map[string]string{}, true, ""},
		{map[string]string{"NEOSYNC_AUTH_MODE": "apikey"}, false, ""},
		{map[string]string{"NEOSYNC_AUTH_MODE": "apikey", "NEOSYNC_URL_FROM_ENV": "on"}, true, ""},
		{map[string]string{"NEOSYNC_URL_FROM_ENV": "off"}, false, ""},
		{map[string]string{"NEOSYNC_URL_FROM_ENV": "yes"}, false, "NEOSYNC_URL_FROM_ENV must be on or off"},
	} {
		tc.env["NEOSYNC_ENCRYPTION_KEY"] = key
		tc.env["NEOSYNC_URL_PROD"] = "postgres://u@h/db"
		tc.env["NEOSYNC_API_KEY"] = "not-a-url"
		c, err := Load(func(k string) string { return tc.env[k] })
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want %q", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil || c.URLFromEnv != tc.want {
			t.Errorf("%v: URLFromEnv = %v, %v; want %v", tc.env, c.URLFromEnv, err, tc.want)
			continue
		}
		// The API's lookup sees NEOSYNC_URL_* only.
		if v, ok := c.LookupEnv("NEOSYNC_URL_PROD"); !ok || v != "postgres://u@h/db" {
			t.Errorf("LookupEnv(NEOSYNC_URL_PROD) = %q, %v", v, ok)
		}
		if _, ok := c.LookupEnv("NEOSYNC_API_KEY"); ok {
			t.Error("LookupEnv reads variables outside NEOSYNC_URL_*")
		}
	}
}
