package sqlconnect

import (
	"errors"
	"net/url"
	"strings"
)

// parsePostgresSettings reads a postgres:// URL or a keyword/value DSN into
// pgx's canonical setting names, without consulting the environment or any
// file: what is returned is exactly what the tenant wrote.
func parsePostgresSettings(raw string) (map[string]string, error) {
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		return parsePostgresURL(raw)
	}
	return parseKeywordValue(raw)
}

func canonicalPGKey(k string) string {
	if k == "dbname" {
		return "database"
	}
	return k
}

// parsePostgresURL splits the URL by hand so a host list (h1:5432,h2:5432),
// which net/url rejects, is accepted as pgx accepts it.
func parsePostgresURL(raw string) (map[string]string, error) {
	_, rest, _ := strings.Cut(raw, "://")
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	rest, query, _ := strings.Cut(rest, "?")
	authority, path, _ := strings.Cut(rest, "/")
	settings := map[string]string{}
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		var err error
		if settings["user"], err = url.PathUnescape(user); err != nil {
			return nil, errors.New("the user name is not valid URL escaping")
		}
		if hasPass {
			if settings["password"], err = url.PathUnescape(pass); err != nil {
				return nil, errors.New("the password is not valid URL escaping")
			}
		}
	}
	var hosts, ports []string
	for _, hp := range strings.Split(authority, ",") {
		if hp == "" {
			continue
		}
		host, port := hp, ""
		if strings.HasPrefix(hp, "[") {
			end := strings.IndexByte(hp, ']')
			if end < 0 {
				return nil, errors.New("an IPv6 host is missing its ']'")
			}
			host, port = hp[1:end], strings.TrimPrefix(hp[end+1:], ":")
		} else if i := strings.LastIndexByte(hp, ':'); i >= 0 {
			host, port = hp[:i], hp[i+1:]
		}
		h, err := url.PathUnescape(host)
		if err != nil {
			return nil, errors.New("the host is not valid URL escaping")
		}
		hosts = append(hosts, h)
		ports = append(ports, port)
	}
	if len(hosts) > 0 {
		settings["host"] = strings.Join(hosts, ",")
		if strings.Join(ports, "") != "" {
			settings["port"] = strings.Join(ports, ",")
		}
	}
	if path != "" {
		db, err := url.PathUnescape(path)
		if err != nil {
			return nil, errors.New("the database name is not valid URL escaping")
		}
		settings["database"] = db
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, errors.New("the query string is not valid URL escaping")
	}
	for k, v := range q {
		if len(v) > 0 {
			settings[canonicalPGKey(k)] = v[len(v)-1]
		}
	}
	return settings, nil
}

// parseKeywordValue reads libpq's "key=value key='quoted value'" form.
func parseKeywordValue(s string) (map[string]string, error) {
	settings := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t\n\r\v\f")
		if s == "" {
			return settings, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil, errors.New("expected key=value")
		}
		key := strings.TrimSpace(s[:eq])
		if key == "" || strings.ContainsAny(key, " \t\n\r\v\f") {
			return nil, errors.New("expected key=value")
		}
		s = strings.TrimLeft(s[eq+1:], " \t\n\r\v\f")
		var val strings.Builder
		if strings.HasPrefix(s, "'") {
			s = s[1:]
			closed := false
			for len(s) > 0 {
				c := s[0]
				s = s[1:]
				if c == '\\' && len(s) > 0 {
					val.WriteByte(s[0])
					s = s[1:]
					continue
				}
				if c == '\'' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, errors.New("unterminated quoted value")
			}
		} else {
			for len(s) > 0 && !strings.ContainsRune(" \t\n\r\v\f", rune(s[0])) {
				c := s[0]
				s = s[1:]
				if c == '\\' && len(s) > 0 {
					c = s[0]
					s = s[1:]
				}
				val.WriteByte(c)
			}
		}
		settings[canonicalPGKey(key)] = val.String()
	}
}

// keywordValue renders settings as a keyword/value DSN, every value quoted.
func keywordValue(keys []string, settings map[string]string) string {
	var b strings.Builder
	for _, k := range keys {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteString("='")
		v := strings.ReplaceAll(settings[k], `\`, `\\`)
		b.WriteString(strings.ReplaceAll(v, `'`, `\'`))
		b.WriteByte('\'')
	}
	return b.String()
}
