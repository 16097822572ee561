package spec

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// namePattern is the API's rule for connection and job names.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

var sslModes = map[string]bool{"disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

// Validate checks every rule that needs no server: required fields, one of
// each either/or, unique names, known enum values, durations. It returns
// the first problem, naming the resource and the field.
func (f *File) Validate() error {
	if f.Version != 0 && f.Version != 1 {
		return fmt.Errorf("version %d is not supported (this CLI reads version 1)", f.Version)
	}
	if len(f.Connections) == 0 && len(f.Jobs) == 0 {
		return fmt.Errorf("declares no connections and no jobs")
	}
	names := map[string]bool{}
	for i := range f.Connections {
		c := &f.Connections[i]
		where := fmt.Sprintf("connections[%d]", i)
		if c.Name != "" {
			where = fmt.Sprintf("connection %q", c.Name)
		}
		if err := c.validate(where); err != nil {
			return err
		}
		if names[c.Name] {
			return fmt.Errorf("%s is declared twice", where)
		}
		names[c.Name] = true
	}
	jobNames := map[string]bool{}
	for i := range f.Jobs {
		j := &f.Jobs[i]
		where := fmt.Sprintf("jobs[%d]", i)
		if j.Name != "" {
			where = fmt.Sprintf("job %q", j.Name)
		}
		if err := j.validate(where); err != nil {
			return err
		}
		if jobNames[j.Name] {
			return fmt.Errorf("%s is declared twice", where)
		}
		jobNames[j.Name] = true
	}
	return nil
}

func validateName(where, name string) error {
	if name == "" {
		return fmt.Errorf("%s: name is required", where)
	}
	if !namePattern.MatchString(name) {
		return fmt.Errorf("%s: name must be 1–100 characters of letters, digits, '.', '_' and '-', starting with a letter or digit", where)
	}
	return nil
}

// sql returns the one configured dialect block, or nil.
func (c *Connection) sql() *SQLConnection {
	if c.Postgres != nil {
		return c.Postgres
	}
	return c.MySQL
}

func (c *Connection) validate(where string) error {
	if err := validateName(where, c.Name); err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{c.Postgres != nil, c.MySQL != nil, c.S3 != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("%s: set exactly one of postgres, mysql or s3", where)
	}
	if c.S3 != nil {
		if err := c.S3.config().Validate(); err != nil {
			return fmt.Errorf("%s: s3.%w", where, err)
		}
		return nil
	}
	kind := "postgres"
	if c.MySQL != nil {
		kind = "mysql"
	}
	s := c.sql()
	w := where + ": " + kind
	hasFields := s.Host != "" || s.Port != 0 || s.Database != "" || s.User != "" || s.Password != "" || s.SSLMode != "" || s.Protocol != ""
	switch {
	case s.URLFromEnv != "" && (s.URL != "" || hasFields):
		return fmt.Errorf("%s.url_from_env: names where the worker finds the whole URL; set no url or connection fields beside it", w)
	case s.URLFromEnv != "":
		if !sqlconnect.ValidEnvURLName(s.URLFromEnv) {
			return fmt.Errorf("%s.url_from_env: %q must be %s followed by upper-case letters, digits or '_'", w, s.URLFromEnv, sqlconnect.EnvURLPrefix)
		}
	case s.URL != "" && hasFields:
		return fmt.Errorf("%s: set url or the discrete fields (host, port, database, user, password), not both", w)
	case s.URL == "" && !hasFields:
		return fmt.Errorf("%s: url (or host and user) is required", w)
	case s.URL == "":
		if s.Host == "" {
			return fmt.Errorf("%s.host: is required", w)
		}
		if s.User == "" {
			return fmt.Errorf("%s.user: is required", w)
		}
		if s.Port < 0 || s.Port > 65535 {
			return fmt.Errorf("%s.port: must be between 1 and 65535", w)
		}
	default:
		if err := checkURLScheme(kind, s.URL); err != nil {
			return fmt.Errorf("%s.url: %w", w, err)
		}
	}
	if s.SSLMode != "" && (kind != "postgres" || !sslModes[s.SSLMode]) {
		if kind != "postgres" {
			return fmt.Errorf("%s.ssl_mode: applies to postgres only (use tls: for mysql)", w)
		}
		return fmt.Errorf("%s.ssl_mode: %q is not one of disable, allow, prefer, require, verify-ca, verify-full", w, s.SSLMode)
	}
	if s.Protocol != "" && (kind != "mysql" || (s.Protocol != "tcp" && s.Protocol != "unix")) {
		if kind != "mysql" {
			return fmt.Errorf("%s.protocol: applies to mysql only", w)
		}
		return fmt.Errorf("%s.protocol: must be tcp or unix", w)
	}
	if p := s.Pool; p != nil {
		if p.MaxOpen != nil && (*p.MaxOpen < 0 || *p.MaxOpen > 1000) {
			return fmt.Errorf("%s.pool.max_open: must be between 0 and 1000", w)
		}
		if p.MaxIdle != nil && (*p.MaxIdle < 0 || *p.MaxIdle > 1000) {
			return fmt.Errorf("%s.pool.max_idle: must be between 0 and 1000", w)
		}
		for _, fv := range [][2]string{{"max_idle_time", p.MaxIdleTime}, {"max_lifetime", p.MaxLifetime}} {
			field, v := fv[0], fv[1]
			if v == "" {
				continue
			}
			if d, err := time.ParseDuration(v); err != nil || d < 0 {
				return fmt.Errorf("%s.pool.%s: %q is not a duration like 30s or 5m", w, field, v)
			}
		}
	}
	if t := s.SSHTunnel; t != nil {
		if err := t.validate(w + ".ssh_tunnel"); err != nil {
			return err
		}
	}
	if t := s.TLS; t != nil {
		for _, p := range []struct{ field, inline, file string }{
			{"root_cert", t.RootCert, t.RootCertFile}, {"client_cert", t.ClientCert, t.ClientCertFile}, {"client_key", t.ClientKey, t.ClientKeyFile},
		} {
			if p.inline != "" && p.file != "" {
				return fmt.Errorf("%s.tls: set %s or %s_file, not both", w, p.field, p.field)
			}
		}
		if (t.ClientCert == "" && t.ClientCertFile == "") != (t.ClientKey == "" && t.ClientKeyFile == "") {
			return fmt.Errorf("%s.tls: client_cert and client_key must be given together", w)
		}
	}
	return nil
}

// checkURLScheme catches a URL given under the wrong dialect.
func checkURLScheme(kind, raw string) error {
	scheme, _, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		return nil // a key=value or go-sql-driver DSN; the server validates it
	}
	switch kind {
	case "postgres":
		if scheme != "postgres" && scheme != "postgresql" {
			return fmt.Errorf("a postgres URL starts with postgres:// (got %s://)", scheme)
		}
	case "mysql":
		if scheme != "mysql" && scheme != "mariadb" {
			return fmt.Errorf("a mysql URL starts with mysql:// (got %s://)", scheme)
		}
	}
	return nil
}

// validate checks one job of the spec, section by section, and returns the
// first problem, prefixed with where (the job's place in the file).
func (j *Job) validate(where string) error {
	if err := validateName(where, j.Name); err != nil {
		return err
	}
	for _, check := range []func(string) error{
		j.validateKind, j.validateDestinations, j.validateMappings, j.validateVirtualForeignKeys, j.validateOptions,
	} {
		if err := check(where); err != nil {
			return err
		}
	}
	return nil
}

// validateKind checks the job is a sync or a generation job, and its
// source or generate section.
func (j *Job) validateKind(where string) error {
	switch {
	case j.Source != nil && j.Generate != nil:
		return fmt.Errorf("%s: set source (a sync job) or generate (a generation job), not both", where)
	case j.Source == nil && j.Generate == nil:
		return fmt.Errorf("%s: source (a sync job) or generate (a generation job) is required", where)
	case j.Source != nil:
		return j.Source.validate(where)
	default:
		return j.Generate.validate(where)
	}
}

func (src *SyncSource) validate(where string) error {
	if src.Connection == "" {
		return fmt.Errorf("%s: source.connection is required", where)
	}
	if r := src.RangeRows; r != 0 && (r < syncplan.MinRangeRows || r > syncplan.MaxRangeRows) {
		return fmt.Errorf("%s: source.range_rows is %d; use %d to %d rows, or leave it out for the worker's NEOSYNC_RANGE_ROWS", where, r, syncplan.MinRangeRows, syncplan.MaxRangeRows)
	}
	if im := src.S3Import; im != nil {
		if im.ExportJob == "" {
			return fmt.Errorf("%s: source.s3_import.export_job (the job that wrote the export) is required", where)
		}
		if len(src.Subsets) > 0 || src.SubsetByForeignKeys {
			return fmt.Errorf("%s: source.subsets do not apply to an import from S3 (it loads every exported row)", where)
		}
	}
	for i, s := range src.Subsets {
		f := fmt.Sprintf("%s: source.subsets[%d]", where, i)
		if s.Schema == "" || s.Table == "" {
			return fmt.Errorf("%s: schema and table are required", f)
		}
		if strings.TrimSpace(s.Where) == "" {
			return fmt.Errorf("%s.where: is required", f)
		}
	}
	return nil
}

func (g *GenerateSource) validate(where string) error {
	if g.Connection == "" {
		return fmt.Errorf("%s: generate.connection (where the table definitions are read) is required", where)
	}
	if len(g.Tables) == 0 {
		return fmt.Errorf("%s: generate.tables needs at least one table", where)
	}
	for i, t := range g.Tables {
		f := fmt.Sprintf("%s: generate.tables[%d]", where, i)
		if t.Schema == "" || t.Table == "" {
			return fmt.Errorf("%s: schema and table are required", f)
		}
		if t.RowCount < 1 {
			return fmt.Errorf("%s.row_count: must be at least 1", f)
		}
	}
	return nil
}

func (j *Job) validateDestinations(where string) error {
	if len(j.Destinations) == 0 {
		return fmt.Errorf("%s: destinations needs at least one destination", where)
	}
	seen := map[string]bool{}
	for i, d := range j.Destinations {
		f := fmt.Sprintf("%s: destinations[%d]", where, i)
		if d.Connection == "" {
			return fmt.Errorf("%s.connection: is required", f)
		}
		if seen[d.Connection] {
			return fmt.Errorf("%s: connection %q is already a destination of this job", f, d.Connection)
		}
		seen[d.Connection] = true
		if d.Connection == j.sourceConnection() {
			return fmt.Errorf("%s: connection %q is the job's source; a destination must differ", f, d.Connection)
		}
		switch d.OnConflict {
		case "", "do_nothing", "do_update":
		default:
			return fmt.Errorf("%s.on_conflict: %q must be do_nothing or do_update", f, d.OnConflict)
		}
		if d.TruncateCascade && !d.TruncateBeforeInsert {
			return fmt.Errorf("%s.truncate_cascade: requires truncate_before_insert: true", f)
		}
		if d.BatchSize < 0 || d.BatchSize > 100_000 {
			return fmt.Errorf("%s.batch_size: must be between 0 and 100000", f)
		}
		if len(d.ExportFormats) > 0 || d.ExportCompression != "" {
			if _, _, err := objectstore.ParseFormats(d.ExportFormats, d.ExportCompression); err != nil {
				var ce *objectstore.ConfigError
				if errors.As(err, &ce) {
					return fmt.Errorf("%s.export_%s: %s", f, ce.Field, ce.Reason)
				}
				return fmt.Errorf("%s: %w", f, err)
			}
		}
	}
	return nil
}

func (j *Job) validateMappings(where string) error {
	mapped := map[string]bool{}
	for i, m := range j.Mappings {
		f := fmt.Sprintf("%s: mappings[%d]", where, i)
		if m.Schema == "" || m.Table == "" {
			return fmt.Errorf("%s: schema and table are required", f)
		}
		if len(m.Columns) == 0 {
			return fmt.Errorf("%s (%s.%s): columns needs at least one column", f, m.Schema, m.Table)
		}
		for _, c := range m.Columns {
			key := m.Schema + "." + m.Table + "." + c.Column
			cf := fmt.Sprintf("%s: mappings %s", where, key)
			if mapped[key] {
				return fmt.Errorf("%s: column is mapped twice", cf)
			}
			mapped[key] = true
			t := c.Transformer
			switch {
			case t.Source == "" && t.UserDefined == "":
				return fmt.Errorf("%s: a transformer needs source (e.g. passthrough) or user_defined", cf)
			case t.UserDefined != "" && (t.Source != "" || len(t.Config) > 0):
				return fmt.Errorf("%s: user_defined names a saved transformer; do not also set source or config", cf)
			}
		}
	}
	return nil
}

func (j *Job) validateVirtualForeignKeys(where string) error {
	for i, v := range j.VirtualForeignKeys {
		f := fmt.Sprintf("%s: virtual_foreign_keys[%d]", where, i)
		if v.Schema == "" || v.Table == "" || v.References.Schema == "" || v.References.Table == "" {
			return fmt.Errorf("%s: schema, table, references.schema and references.table are required", f)
		}
		if len(v.Columns) == 0 || len(v.Columns) != len(v.References.Columns) {
			return fmt.Errorf("%s: columns and references.columns must be non-empty and of equal length", f)
		}
	}
	return nil
}

func (j *Job) validateOptions(where string) error {
	if o := j.WorkflowOptions; o != nil {
		if err := checkSeconds(where+": workflow_options.run_timeout", o.RunTimeout); err != nil {
			return err
		}
	}
	if o := j.SyncOptions; o != nil {
		for _, fv := range [][2]string{
			{"schedule_to_close_timeout", o.ScheduleToCloseTimeout}, {"start_to_close_timeout", o.StartToCloseTimeout}, {"heartbeat_timeout", o.HeartbeatTimeout},
		} {
			if err := checkSeconds(where+": sync_options."+fv[0], fv[1]); err != nil {
				return err
			}
		}
		if o.MaxAttempts < 0 || o.MaxAttempts > 100 {
			return fmt.Errorf("%s: sync_options.max_attempts: must be between 0 and 100", where)
		}
	}
	return nil
}

// sourceConnection is the connection the job reads from (or its schema from).
func (j *Job) sourceConnection() string {
	if j.Source != nil {
		return j.Source.Connection
	}
	if j.Generate != nil {
		return j.Generate.Connection
	}
	return ""
}

// checkSeconds accepts "" or a non-negative whole-second duration.
func checkSeconds(field, v string) error {
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%s: %q is not a duration like 30m or 2h", field, v)
	}
	if d%time.Second != 0 {
		return fmt.Errorf("%s: %q must be a whole number of seconds", field, v)
	}
	return nil
}

// ConnectionNames lists the connections a job refers to: source first, then
// destinations.
func (j *Job) ConnectionNames() []string {
	out := []string{j.sourceConnection()}
	for _, d := range j.Destinations {
		out = append(out, d.Connection)
	}
	return out
}

// Validate checks one connection on its own (for connections built from
// command-line flags rather than a file).
func (c *Connection) Validate() error {
	return c.validate(fmt.Sprintf("connection %q", c.Name))
}

// validate checks what the API would refuse without connecting.
func (t *SSHTunnel) validate(w string) error {
	switch {
	case t.Host == "":
		return fmt.Errorf("%s.host: is required", w)
	case t.User == "":
		return fmt.Errorf("%s.user: is required", w)
	case t.PrivateKey != "" && t.PrivateKeyFile != "":
		return fmt.Errorf("%s: set private_key or private_key_file, not both", w)
	case (t.PrivateKey != "" || t.PrivateKeyFile != "") == (t.Password != ""):
		return fmt.Errorf("%s: set a private key (private_key or private_key_file) or a password", w)
	case t.KnownHostKey == "" && !t.InsecureSkipHostKeyCheck:
		return fmt.Errorf("%s.known_host_key: is required (the bastion's host key, as ssh-keyscan prints it); skipping the check must be chosen with insecure_skip_host_key_check: true", w)
	}
	return nil
}
