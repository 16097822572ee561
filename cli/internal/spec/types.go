// Package spec is the declarative YAML format of `neosync apply` and
// `neosync jobs create -f`: connections and jobs described as code. Jobs
// name their connections (and user-defined transformers) by name; ${VAR}
// in any value is replaced by an environment variable, so secrets stay out
// of the file. The format is documented, with an example, in cli/README.md.
//
// Parsing (Parse, ParseJob) checks the document's shape and every rule that
// needs no server; conversion (ConnectionConfig, Job.Definition) turns a
// valid document into API messages once names are resolved to ids.
package spec

// File is a neosync.yaml document.
type File struct {
	// Version is the format version; only 1 exists (and 0, unset, means 1).
	Version     int          `yaml:"version"`
	Connections []Connection `yaml:"connections"`
	Jobs        []Job        `yaml:"jobs"`
}

// Connection is a named database connection: exactly one of Postgres or MySQL.
type Connection struct {
	Name     string         `yaml:"name"`
	Postgres *SQLConnection `yaml:"postgres"`
	MySQL    *SQLConnection `yaml:"mysql"`
}

// SQLConnection is a URL or discrete fields, with pool and TLS options.
type SQLConnection struct {
	URL string `yaml:"url"`
	// URLFromEnv names a NEOSYNC_URL_* variable that the worker reads when
	// a job runs (the URL is never sent to the API); unlike ${VAR} in url,
	// which this CLI expands before sending.
	URLFromEnv string `yaml:"url_from_env"`
	Host       string `yaml:"host"`
	Port       int32  `yaml:"port"`
	Database   string `yaml:"database"`
	User       string `yaml:"user"`
	Password   string `yaml:"password"`
	// SSLMode is Postgres only: disable, allow, prefer, require, verify-ca, verify-full.
	SSLMode string `yaml:"ssl_mode"`
	// Protocol is MySQL only: tcp (default) or unix.
	Protocol string `yaml:"protocol"`
	Pool     *Pool  `yaml:"pool"`
	TLS      *TLS   `yaml:"tls"`
	// SSHTunnel reaches the database through an SSH bastion.
	SSHTunnel *SSHTunnel `yaml:"ssh_tunnel"`
}

// SSHTunnel is an SSH bastion in front of the database; the database's
// host and port are the ones the bastion sees.
type SSHTunnel struct {
	Host string `yaml:"host"`
	// Port defaults to 22.
	Port int32  `yaml:"port"`
	User string `yaml:"user"`
	// PrivateKey is PEM text; PrivateKeyFile a path relative to the YAML file.
	PrivateKey     string `yaml:"private_key"`
	PrivateKeyFile string `yaml:"private_key_file"`
	Passphrase     string `yaml:"passphrase"`
	Password       string `yaml:"password"`
	// KnownHostKey is the bastion's host key as ssh-keyscan prints it
	// ("ssh-ed25519 AAAA…"); required unless InsecureSkipHostKeyCheck.
	KnownHostKey             string `yaml:"known_host_key"`
	InsecureSkipHostKeyCheck bool   `yaml:"insecure_skip_host_key_check"`
}

// Pool bounds the connection pool a job opens.
type Pool struct {
	MaxOpen *int32 `yaml:"max_open"`
	MaxIdle *int32 `yaml:"max_idle"`
	// Durations in Go syntax ("30s", "5m").
	MaxIdleTime string `yaml:"max_idle_time"`
	MaxLifetime string `yaml:"max_lifetime"`
}

// TLS carries PEM material, inline or from files relative to the YAML file.
type TLS struct {
	RootCert       string `yaml:"root_cert"`
	RootCertFile   string `yaml:"root_cert_file"`
	ClientCert     string `yaml:"client_cert"`
	ClientCertFile string `yaml:"client_cert_file"`
	ClientKey      string `yaml:"client_key"`
	ClientKeyFile  string `yaml:"client_key_file"`
	ServerName     string `yaml:"server_name"`
}

// Job is a data-sync job (Source) or a data-generation job (Generate).
type Job struct {
	Name         string          `yaml:"name"`
	Source       *SyncSource     `yaml:"source"`
	Generate     *GenerateSource `yaml:"generate"`
	Destinations []Destination   `yaml:"destinations"`
	// Schedule is a five-field cron expression or a descriptor (@daily);
	// empty means no schedule.
	Schedule           string              `yaml:"schedule"`
	Mappings           []TableMapping      `yaml:"mappings"`
	VirtualForeignKeys []VirtualForeignKey `yaml:"virtual_foreign_keys"`
	WorkflowOptions    *WorkflowOptions    `yaml:"workflow_options"`
	SyncOptions        *SyncOptions        `yaml:"sync_options"`
}

// SyncSource reads a connection, optionally subset.
type SyncSource struct {
	Connection          string   `yaml:"connection"`
	Subsets             []Subset `yaml:"subsets"`
	SubsetByForeignKeys bool     `yaml:"subset_by_foreign_keys"`
	HaltOnNewColumn     bool     `yaml:"halt_on_new_column"`
	// ConsistentPRF is the consistent-mode PRF version, "v1" or "v2";
	// empty keeps an existing job's version (new jobs get v2).
	ConsistentPRF string `yaml:"consistent_prf"`
	// LeakPolicy holds the thresholds the verification report judges
	// leak scans against; absent fields take the API's defaults.
	LeakPolicy *LeakPolicy `yaml:"leak_policy"`
	// RangeRows is the job's rows per key range: a keyed table of at
	// least twice as many rows is copied in key ranges that several
	// workers share. 0 (absent) leaves it to the worker's
	// NEOSYNC_RANGE_ROWS.
	RangeRows int64 `yaml:"range_rows"`
}

// LeakPolicy is a job's leak thresholds, fractions between 0 and 1.
type LeakPolicy struct {
	WarnRate             *float64 `yaml:"warn_rate"`
	FailRate             *float64 `yaml:"fail_rate"`
	ReidentifiedFailRate *float64 `yaml:"reidentified_fail_rate"`
}

// Subset keeps the rows of one table that match a WHERE predicate.
type Subset struct {
	Schema string `yaml:"schema"`
	Table  string `yaml:"table"`
	Where  string `yaml:"where"`
}

// GenerateSource generates rows into tables whose schema is read from Connection.
type GenerateSource struct {
	Connection string          `yaml:"connection"`
	Tables     []GenerateTable `yaml:"tables"`
}

// GenerateTable asks for RowCount synthetic rows in one table.
type GenerateTable struct {
	Schema   string `yaml:"schema"`
	Table    string `yaml:"table"`
	RowCount int64  `yaml:"row_count"`
}

// Destination is a connection the job writes to, with how to write.
type Destination struct {
	Connection           string `yaml:"connection"`
	InitSchema           bool   `yaml:"init_schema"`
	TruncateBeforeInsert bool   `yaml:"truncate_before_insert"`
	TruncateCascade      bool   `yaml:"truncate_cascade"`
	// OnConflict is empty, do_nothing or do_update.
	OnConflict string `yaml:"on_conflict"`
	BatchSize  int32  `yaml:"batch_size"`
}

// TableMapping assigns transformers to the columns of one table.
type TableMapping struct {
	Schema  string         `yaml:"schema"`
	Table   string         `yaml:"table"`
	Columns ColumnMappings `yaml:"columns"`
}

// ColumnMappings is a YAML mapping from column name to transformer, kept in
// file order.
type ColumnMappings []ColumnMapping

// ColumnMapping is one column's transformer.
type ColumnMapping struct {
	Column      string
	Transformer Transformer
}

// Transformer is a system transformer (Source, with Config parameters) or a
// user-defined transformer named by UserDefined. In YAML a bare string is
// shorthand for {source: STRING}.
type Transformer struct {
	Source      string         `yaml:"source"`
	Config      map[string]any `yaml:"config"`
	UserDefined string         `yaml:"user_defined"`
}

// VirtualForeignKey declares a foreign key the database does not have.
type VirtualForeignKey struct {
	Schema     string    `yaml:"schema"`
	Table      string    `yaml:"table"`
	Columns    []string  `yaml:"columns"`
	References Reference `yaml:"references"`
}

// Reference is the parent side of a virtual foreign key.
type Reference struct {
	Schema  string   `yaml:"schema"`
	Table   string   `yaml:"table"`
	Columns []string `yaml:"columns"`
}

// WorkflowOptions bounds a whole run.
type WorkflowOptions struct {
	RunTimeout string `yaml:"run_timeout"`
}

// SyncOptions bounds each table's work within a run.
type SyncOptions struct {
	ScheduleToCloseTimeout string `yaml:"schedule_to_close_timeout"`
	StartToCloseTimeout    string `yaml:"start_to_close_timeout"`
	HeartbeatTimeout       string `yaml:"heartbeat_timeout"`
	MaxAttempts            int32  `yaml:"max_attempts"`
}
