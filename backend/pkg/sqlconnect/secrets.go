package sqlconnect

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Masked returns a copy with every secret (password, in the URL too, and the
// TLS client key) replaced by Mask, for read paths that must not disclose them.
func (c Config) Masked() Config {
	out := c
	if out.Password != "" {
		out.Password = Mask
	}
	if out.URL != "" {
		out.URL = replaceURLPassword(out.Driver, out.URL, func(string) string { return Mask })
	}
	if c.TLS != nil {
		t := *c.TLS
		if t.ClientKey != "" {
			t.ClientKey = Mask
		}
		out.TLS = &t
	}
	if c.Tunnel != nil {
		t := *c.Tunnel
		for _, s := range []*string{&t.PrivateKey, &t.Passphrase, &t.Password} {
			if *s != "" {
				*s = Mask
			}
		}
		out.Tunnel = &t
	}
	out.S3 = maskS3(c.S3)
	return out
}

// WithSecretsFrom returns c where every secret equal to Mask is replaced by
// the corresponding secret of stored, so a client may send a masked config
// back unchanged without erasing the password.
func (c Config) WithSecretsFrom(stored Config) Config {
	out := c
	storedPassword := stored.Password
	if stored.URL != "" {
		storedPassword = urlPassword(stored.Driver, stored.URL)
	}
	if out.Password == Mask {
		out.Password = storedPassword
	}
	if out.URL != "" {
		out.URL = replaceURLPassword(out.Driver, out.URL, func(p string) string {
			if p == Mask {
				return storedPassword
			}
			return p
		})
	}
	if out.TLS != nil && out.TLS.ClientKey == Mask {
		t := *out.TLS
		t.ClientKey = ""
		if stored.TLS != nil {
			t.ClientKey = stored.TLS.ClientKey
		}
		out.TLS = &t
	}
	if out.Tunnel != nil {
		t := *out.Tunnel
		var was SSHTunnel
		if stored.Tunnel != nil {
			was = *stored.Tunnel
		}
		for _, p := range []struct{ now, was *string }{{&t.PrivateKey, &was.PrivateKey}, {&t.Passphrase, &was.Passphrase}, {&t.Password, &was.Password}} {
			if *p.now == Mask {
				*p.now = *p.was
			}
		}
		out.Tunnel = &t
	}
	out.S3 = restoreS3(out.S3, stored.S3)
	return out
}

// Secrets lists every secret value in c, so callers can scrub them from
// messages that a driver might have echoed.
func (c Config) Secrets() []string {
	var s []string
	add := func(v string) {
		if v != "" && v != Mask {
			s = append(s, v)
		}
	}
	add(c.Password)
	if c.URL != "" {
		add(urlPassword(c.Driver, c.URL))
	}
	if c.TLS != nil {
		add(c.TLS.ClientKey)
	}
	if c.Tunnel != nil {
		add(c.Tunnel.PrivateKey)
		add(c.Tunnel.Passphrase)
		add(c.Tunnel.Password)
	}
	if c.S3 != nil {
		add(c.S3.SecretAccessKey)
		add(c.S3.SessionToken)
	}
	return s
}

func urlPassword(d Driver, raw string) string {
	var p string
	replaceURLPassword(d, raw, func(old string) string { p = old; return old })
	return p
}

// replaceURLPassword rewrites the password inside a URL or DSN. Strings it
// cannot parse are returned unchanged (validation reports them).
func replaceURLPassword(d Driver, raw string, fn func(string) string) string {
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			if err == nil {
				// Postgres URLs may carry the password as a query parameter.
				return replaceQueryPassword(u, raw, fn)
			}
			return raw
		}
		if p, ok := u.User.Password(); ok {
			// url.URL escapes '*' in userinfo; splice the new password in
			// through a placeholder so the mask stays readable.
			const placeholder = "NEOSYNCPASSWORDPLACEHOLDER"
			u.User = url.UserPassword(u.User.Username(), placeholder)
			next := fn(p)
			rendered := replaceQueryPassword(u, u.String(), fn)
			return strings.Replace(rendered, placeholder, escapeUserinfoPassword(next), 1)
		}
		return replaceQueryPassword(u, u.String(), fn)
	}
	switch d {
	case DriverMySQL:
		mc, err := mysql.ParseDSN(raw)
		if err != nil || mc.Passwd == "" {
			return raw
		}
		mc.Passwd = fn(mc.Passwd)
		return mc.FormatDSN()
	case DriverPostgres:
		// key=value DSN: rewrite the password=... pair.
		if _, err := pgx.ParseConfig(raw); err != nil {
			return raw
		}
		fields := strings.Fields(raw)
		for i, f := range fields {
			if v, ok := strings.CutPrefix(f, "password="); ok {
				fields[i] = "password=" + fn(strings.Trim(v, "'"))
			}
		}
		return strings.Join(fields, " ")
	}
	return raw
}

func replaceQueryPassword(u *url.URL, current string, fn func(string) string) string {
	q := u.Query()
	if p := q.Get("password"); p != "" {
		const placeholder = "NEOSYNCQUERYPLACEHOLDER"
		next := fn(p)
		q.Set("password", placeholder)
		u.RawQuery = q.Encode()
		escaped := url.QueryEscape(next)
		if next == Mask {
			escaped = Mask
		}
		return strings.Replace(u.String(), placeholder, escaped, 1)
	}
	return current
}

// escapeUserinfoPassword escapes a password for a URL's userinfo, leaving
// the mask readable.
func escapeUserinfoPassword(p string) string {
	if p == Mask {
		return Mask
	}
	return strings.TrimPrefix(url.UserPassword("", p).String(), ":")
}

// target is where a configuration sends its secrets.
type target struct{ host, port, user, database string }

func (c Config) target() target {
	switch c.Driver {
	case DriverPostgres:
		s, err := c.postgresSettings()
		if err != nil {
			return target{}
		}
		port := s["port"]
		if port == "" {
			port = "5432"
		}
		return target{host: strings.ToLower(s["host"]), port: port, user: s["user"], database: s["database"]}
	case DriverMySQL:
		mc, err := c.mysqlConfig()
		if err != nil {
			return target{}
		}
		host, port, err := net.SplitHostPort(mc.Addr)
		if err != nil || mc.Net == "unix" {
			host, port = mc.Net+":"+mc.Addr, ""
		}
		return target{host: strings.ToLower(host), port: port, user: mc.User, database: mc.DBName}
	}
	return target{}
}

// RestoreSecrets is WithSecretsFrom for an update: a masked secret is kept
// only while the configuration still sends it to the same host, port, user
// and database; otherwise a *ConfigError names the masked field, so a
// client cannot re-point a stored password at a server of its choosing.
func (c Config) RestoreSecrets(stored Config) (Config, error) {
	field := ""
	switch {
	case c.Password == Mask:
		field = "password"
	case c.URL != "" && urlPassword(c.Driver, c.URL) == Mask:
		field = "url"
	case c.TLS != nil && c.TLS.ClientKey == Mask:
		field = "client_tls.client_key"
	}
	if err := c.tunnelSecretsStay(stored); err != nil {
		return c, err
	}
	if err := c.s3SecretsStay(stored); err != nil {
		return c, err
	}
	if field == "" {
		return c.WithSecretsFrom(stored), nil
	}
	now, was := c.target(), stored.target()
	changed := ""
	switch {
	case c.Driver != stored.Driver:
		changed = "driver"
	case now.host != was.host:
		changed = "host"
	case now.port != was.port:
		changed = "port"
	case now.user != was.user:
		changed = "user"
	case now.database != was.database:
		changed = "database"
	}
	if changed != "" {
		return c, &ConfigError{Field: field, Reason: fmt.Sprintf("is masked (%s) but the %s changed: a stored secret is only kept for the same host, port, user and database; send the secret again", Mask, changed)}
	}
	return c.WithSecretsFrom(stored), nil
}

// tunnelSecretsStay refuses masked tunnel secrets once the tunnel points
// at another bastion, user or host key, for the same reason as above.
func (c Config) tunnelSecretsStay(stored Config) error {
	t := c.Tunnel
	if t == nil || (t.PrivateKey != Mask && t.Passphrase != Mask && t.Password != Mask) {
		return nil
	}
	changed := ""
	switch was := stored.Tunnel; {
	case was == nil:
		changed = "tunnel"
	case t.addr() != was.addr():
		changed = "tunnel host or port"
	case t.User != was.User:
		changed = "tunnel user"
	case t.KnownHostKey != was.KnownHostKey || t.InsecureSkipHostKeyCheck != was.InsecureSkipHostKeyCheck:
		changed = "tunnel host key"
	}
	if changed != "" {
		return &ConfigError{Field: "tunnel", Reason: fmt.Sprintf("a secret is masked (%s) but the %s changed: send the tunnel's secret again", Mask, changed)}
	}
	return nil
}
