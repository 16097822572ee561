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

func TestTunnelValidation(t *testing.T) {
	t.Parallel()
	const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	base := func() *SSHTunnel {
		return &SSHTunnel{Host: "bastion", User: "ops", Password: "pw", KnownHostKey: hostKey}
	}
	for name, tc := range map[string]struct {
		mod   func(*SSHTunnel)
		field string
	}{
		"no host":           {func(t *SSHTunnel) { t.Host = "" }, "tunnel.host"},
		"no user":           {func(t *SSHTunnel) { t.User = "" }, "tunnel.user"},
		"no auth":           {func(t *SSHTunnel) { t.Password = "" }, "tunnel"},
		"no host key":       {func(t *SSHTunnel) { t.KnownHostKey = "" }, "tunnel.known_host_key"},
		"garbage host key":  {func(t *SSHTunnel) { t.KnownHostKey = "not a key" }, "tunnel.known_host_key"},
		"garbage key":       {func(t *SSHTunnel) { t.Password, t.PrivateKey = "", "-----BEGIN NOPE-----" }, "tunnel.private_key"},
		"insecure and key":  {func(t *SSHTunnel) { t.InsecureSkipHostKeyCheck = true }, "tunnel.known_host_key"},
		"port out of range": {func(t *SSHTunnel) { t.Port = 70000 }, "tunnel.port"},
	} {
		tun := base()
		tc.mod(tun)
		err := Config{Driver: DriverPostgres, URL: "postgres://u@db/x", Tunnel: tun}.Validate()
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field {
			t.Errorf("%s: Validate() = %v, want a ConfigError on %s", name, err, tc.field)
		}
	}
	ok := base()
	ok.KnownHostKey, ok.InsecureSkipHostKeyCheck = "", true
	if err := (Config{Driver: DriverPostgres, URL: "postgres://u@db/x", Tunnel: ok}).Validate(); err != nil {
		t.Errorf("an explicit insecure_skip_host_key_check: %v", err)
	}
	if err := (Config{Driver: DriverPostgres, URL: "postgres://u@/x?host=/run/postgresql", Tunnel: base()}).Validate(); err == nil {
		t.Error("a tunnel to a Unix socket was accepted")
	}
}

// TestTunnelSecrets: tunnel secrets are masked on reads, kept when the
// mask comes back for the same bastion, and refused when the mask comes
// back for another bastion (which would receive the stored key).
func TestTunnelSecrets(t *testing.T) {
	t.Parallel()
	const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
	stored := Config{Driver: DriverPostgres, URL: "postgres://u@db/x", Tunnel: &SSHTunnel{Host: "bastion", User: "ops", Password: "tunnel-secret", KnownHostKey: hostKey}}
	masked := stored.Masked()
	if masked.Tunnel.Password != Mask || stored.Tunnel.Password != "tunnel-secret" {
		t.Fatalf("Masked() = %+v (stored changed: %v)", masked.Tunnel, stored.Tunnel.Password != "tunnel-secret")
	}
	if !slicesContains(stored.Secrets(), "tunnel-secret") {
		t.Fatal("Secrets() leaves out the tunnel password, so errors would not scrub it")
	}
	back, err := masked.RestoreSecrets(stored)
	if err != nil || back.Tunnel.Password != "tunnel-secret" {
		t.Fatalf("RestoreSecrets(same bastion) = %+v, %v", back.Tunnel, err)
	}
	moved := masked
	tun := *masked.Tunnel
	tun.Host = "attacker.example"
	moved.Tunnel = &tun
	if _, err := moved.RestoreSecrets(stored); err == nil || !strings.Contains(err.Error(), "tunnel host or port changed") {
		t.Fatalf("RestoreSecrets(another bastion) = %v, want a refusal", err)
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
