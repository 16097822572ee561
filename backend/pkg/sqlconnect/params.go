package sqlconnect

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// ParamError is a connection parameter the connection policy refuses: one
// that would make the API or worker read its own files (certificates,
// password and service files, LOAD DATA LOCAL of any file), or one that is
// simply not on the dialect's allow-list.
type ParamError struct {
	Param  string
	Reason string
}

// Error names the parameter and says what to do instead.
func (e *ParamError) Error() string {
	return fmt.Sprintf("parameter %q is not allowed: %s", e.Param, e.Reason)
}

const fileReason = "it makes the Neosync process read a file on its own host"

// pgRefused explains the Postgres parameters that read files.
var pgRefused = map[string]string{
	"passfile":    fileReason + "; give the password in the connection instead",
	"service":     fileReason + " (pg_service.conf); give host, port and database instead",
	"servicefile": fileReason + "; give host, port and database instead",
	"sslrootcert": fileReason + "; give the CA certificate inline as PEM (client_tls.root_cert)",
	"sslcert":     fileReason + "; give the client certificate inline as PEM (client_tls.client_cert)",
	"sslkey":      fileReason + "; give the client key inline as PEM (client_tls.client_key)",
	"sslpassword": "client keys are given inline, unencrypted, and stored encrypted by Neosync",
	"krbsrvname":  "Kerberos uses the Neosync host's credentials",
	"krbspn":      "Kerberos uses the Neosync host's credentials",
}

// pgAllowed are the Postgres connection-string keys a tenant may set
// (pgx's canonical names: dbname is database).
var pgAllowed = map[string]bool{
	"host": true, "port": true, "database": true, "user": true, "password": true,
	"sslmode": true, "sslsni": true, "connect_timeout": true, "application_name": true,
	"target_session_attrs": true, "channel_binding": true, "search_path": true,
}

// mysqlRefused explains the MySQL parameters that are refused outright.
var mysqlRefused = map[string]string{
	"allowAllFiles":            "it lets the database server read any file on the Neosync host with LOAD DATA LOCAL INFILE",
	"serverPubKey":             "it names a key registered inside the Neosync process",
	"allowCleartextPasswords":  "it sends the password unencrypted",
	"allowFallbackToPlaintext": "it silently drops TLS",
}

// mysqlAllowed are the go-sql-driver DSN keys a tenant may set.
var mysqlAllowed = map[string]bool{
	"charset": true, "collation": true, "loc": true, "timeout": true, "readTimeout": true, "writeTimeout": true,
	"tls": true, "maxAllowedPacket": true, "parseTime": true, "allowNativePasswords": true, "checkConnLiveness": true,
	"multiStatements": true, "interpolateParams": true, "rejectReadOnly": true, "time_zone": true, "sql_mode": true,
}

// mysqlTLSValues are the tls= values that do not name a process-wide
// registered TLS configuration.
var mysqlTLSValues = map[string]bool{"true": true, "false": true, "skip-verify": true, "preferred": true}

func allowedList(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// checkPostgresParams applies the Postgres allow-list to settings parsed
// from a tenant's URL or DSN.
func checkPostgresParams(settings map[string]string) error {
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reason, ok := pgRefused[k]; ok {
			return &ParamError{Param: k, Reason: reason}
		}
		if !pgAllowed[k] {
			return &ParamError{Param: k, Reason: "it is not one of " + allowedList(pgAllowed)}
		}
	}
	return nil
}

// checkMySQLParams applies the MySQL allow-list to the keys of a tenant's
// URL or DSN query.
func checkMySQLParams(q url.Values) error {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if reason, ok := mysqlRefused[k]; ok {
			return &ParamError{Param: k, Reason: reason}
		}
		if !mysqlAllowed[k] {
			return &ParamError{Param: k, Reason: "it is not one of " + allowedList(mysqlAllowed)}
		}
		if k == "tls" && !mysqlTLSValues[q.Get(k)] {
			return &ParamError{Param: k, Reason: "must be true, false, skip-verify or preferred; give certificates inline as PEM (client_tls)"}
		}
	}
	return nil
}

// mysqlDSNQuery returns the parameters of a go-sql-driver DSN
// (user:pass@tcp(host:port)/db?k=v&…), which follow the last '/'.
func mysqlDSNQuery(dsn string) (url.Values, error) {
	i := strings.LastIndexByte(dsn, '/')
	if i < 0 {
		return url.Values{}, nil
	}
	_, q, ok := strings.Cut(dsn[i+1:], "?")
	if !ok {
		return url.Values{}, nil
	}
	return url.ParseQuery(q)
}
