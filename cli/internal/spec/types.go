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
	Version     int          `yaml:"version,omitempty"`
	Connections []Connection `yaml:"connections,omitempty"`
	Jobs        []Job        `yaml:"jobs,omitempty"`
}

// Connection is a named connection: exactly one of Postgres, MySQL or S3.
type Connection struct {
	Name     string         `yaml:"name,omitempty"`
	Postgres *SQLConnection `yaml:"postgres,omitempty"`
	MySQL    *SQLConnection `yaml:"mysql,omitempty"`
	S3       *S3Connection  `yaml:"s3,omitempty"`
}

// S3Connection is an S3-compatible bucket: a sync destination that receives
// each run as files, and the source of a job that imports such an export.
// Put secrets in ${VAR}s.
type S3Connection struct {
	Bucket string `yaml:"bucket,omitempty"`
	// PathPrefix is prepended to every key (no leading or trailing '/').
	PathPrefix string `yaml:"path_prefix,omitempty"`
	// Region defaults to us-east-1.
	Region string `yaml:"region,omitempty"`
	// Endpoint is the base URL of an S3-compatible server; empty for AWS.
	Endpoint string `yaml:"endpoint,omitempty"`
	// ForcePathStyle addresses the bucket as <endpoint>/<bucket>.
	ForcePathStyle  bool   `yaml:"force_path_style,omitempty"`
	AccessKeyID     string `yaml:"access_key_id,omitempty"`
	SecretAccessKey string `yaml:"secret_access_key,omitempty"`
	SessionToken    string `yaml:"session_token,omitempty"`
}

// SQLConnection is a URL or discrete fields, with pool and TLS options.
type SQLConnection struct {
	URL string `yaml:"url,omitempty"`
	// URLFromEnv names a NEOSYNC_URL_* variable that the worker reads when
	// a job runs (the URL is never sent to the API); unlike ${VAR} in url,
	// which this CLI expands before sending.
	URLFromEnv string `yaml:"url_from_env,omitempty"`
	Host       string `yaml:"host,omitempty"`
	Port       int32  `yaml:"port,omitempty"`
	Database   string `yaml:"database,omitempty"`
	User       string `yaml:"user,omitempty"`
	Password   string `yaml:"password,omitempty"`
	// SSLMode is Postgres only: disable, allow, prefer, require, verify-ca, verify-full.
	SSLMode string `yaml:"ssl_mode,omitempty"`
	// Protocol is MySQL only: tcp (default) or unix.
	Protocol string `yaml:"protocol,omitempty"`
	Pool     *Pool  `yaml:"pool,omitempty"`
	TLS      *TLS   `yaml:"tls,omitempty"`
	// SSHTunnel reaches the database through an SSH bastion.
	SSHTunnel *SSHTunnel `yaml:"ssh_tunnel,omitempty"`
}

// SSHTunnel is an SSH bastion in front of the database; the database's
// host and port are the ones the bastion sees.
type SSHTunnel struct {
	Host string `yaml:"host,omitempty"`
	// Port defaults to 22.
	Port int32  `yaml:"port,omitempty"`
	User string `yaml:"user,omitempty"`
	// PrivateKey is PEM text; PrivateKeyFile a path relative to the YAML file.
	PrivateKey     string `yaml:"private_key,omitempty"`
	PrivateKeyFile string `yaml:"private_key_file,omitempty"`
	Passphrase     string `yaml:"passphrase,omitempty"`
	Password       string `yaml:"password,omitempty"`
	// KnownHostKey is the bastion's host key as ssh-keyscan prints it
	// ("ssh-ed25519 AAAA…"); required unless InsecureSkipHostKeyCheck.
	KnownHostKey             string `yaml:"known_host_key,omitempty"`
	InsecureSkipHostKeyCheck bool   `yaml:"insecure_skip_host_key_check,omitempty"`
}

// Pool bounds the connection pool a job opens.
type Pool struct {
	MaxOpen *int32 `yaml:"max_open,omitempty"`
	MaxIdle *int32 `yaml:"max_idle,omitempty"`
	// Durations in Go syntax ("30s", "5m").
	MaxIdleTime string `yaml:"max_idle_time,omitempty"`
	MaxLifetime string `yaml:"max_lifetime,omitempty"`
}

// TLS carries PEM material, inline or from files relative to the YAML file.
type TLS struct {
	RootCert       string `yaml:"root_cert,omitempty"`
	RootCertFile   string `yaml:"root_cert_file,omitempty"`
	ClientCert     string `yaml:"client_cert,omitempty"`
	ClientCertFile string `yaml:"client_cert_file,omitempty"`
	ClientKey      string `yaml:"client_key,omitempty"`
	ClientKeyFile  string `yaml:"client_key_file,omitempty"`
	ServerName     string `yaml:"server_name,omitempty"`
}

// Job is a data-sync job (Source) or a data-generation job (Generate).
type Job struct {
	Name         string          `yaml:"name,omitempty"`
	Source       *SyncSource     `yaml:"source,omitempty"`
	Generate     *GenerateSource `yaml:"generate,omitempty"`
	Destinations []Destination   `yaml:"destinations,omitempty"`
	// Schedule is a five-field cron expression or a descriptor (@daily);
	// empty means no schedule.
	Schedule           string              `yaml:"schedule,omitempty"`
	Mappings           []TableMapping      `yaml:"mappings,omitempty"`
	VirtualForeignKeys []VirtualForeignKey `yaml:"virtual_foreign_keys,omitempty"`
	WorkflowOptions    *WorkflowOptions    `yaml:"workflow_options,omitempty"`
	SyncOptions        *SyncOptions        `yaml:"sync_options,omitempty"`
}

// SyncSource reads a connection, optionally subset.
type SyncSource struct {
	Connection          string   `yaml:"connection,omitempty"`
	Subsets             []Subset `yaml:"subsets,omitempty"`
	SubsetByForeignKeys bool     `yaml:"subset_by_foreign_keys,omitempty"`
	HaltOnNewColumn     bool     `yaml:"halt_on_new_column,omitempty"`
	// ConsistentPRF is the consistent-mode PRF version, "v1" or "v2";
	// empty keeps an existing job's version (new jobs get v2).
	ConsistentPRF string `yaml:"consistent_prf,omitempty"`
	// LeakPolicy holds the thresholds the verification report judges
	// leak scans against; absent fields take the API's defaults.
	LeakPolicy *LeakPolicy `yaml:"leak_policy,omitempty"`
	// RangeRows is the job's rows per key range: a keyed table of at
	// least twice as many rows is copied in key ranges that several
	// workers share. 0 (absent) leaves it to the worker's
	// NEOSYNC_RANGE_ROWS.
	RangeRows int64 `yaml:"range_rows,omitempty"`
	// S3Import reads an export back when Connection is an S3 bucket.
	S3Import *S3Import `yaml:"s3_import,omitempty"`
}

// S3Import chooses the export an S3 source loads: run RunID (empty: the
// latest) of the job named ExportJob.
type S3Import struct {
	ExportJob string `yaml:"export_job,omitempty"`
	RunID     string `yaml:"run_id,omitempty"`
}

// LeakPolicy is a job's leak thresholds, fractions between 0 and 1.
type LeakPolicy struct {
	WarnRate             *float64 `yaml:"warn_rate,omitempty"`
	FailRate             *float64 `yaml:"fail_rate,omitempty"`
	ReidentifiedFailRate *float64 `yaml:"reidentified_fail_rate,omitempty"`
}

// Subset keeps the rows of one table that match a WHERE predicate.
type Subset struct {
	Schema string `yaml:"schema,omitempty"`
	Table  string `yaml:"table,omitempty"`
	Where  string `yaml:"where,omitempty"`
}

// GenerateSource generates rows into tables whose schema is read from Connection.
type GenerateSource struct {
	Connection string          `yaml:"connection,omitempty"`
	Tables     []GenerateTable `yaml:"tables,omitempty"`
}

// GenerateTable asks for RowCount synthetic rows in one table.
type GenerateTable struct {
	Schema   string `yaml:"schema,omitempty"`
	Table    string `yaml:"table,omitempty"`
	RowCount int64  `yaml:"row_count,omitempty"`
}

// Destination is a connection the job writes to, with how to write.
type Destination struct {
	Connection           string `yaml:"connection,omitempty"`
	InitSchema           bool   `yaml:"init_schema,omitempty"`
	TruncateBeforeInsert bool   `yaml:"truncate_before_insert,omitempty"`
	TruncateCascade      bool   `yaml:"truncate_cascade,omitempty"`
	// OnConflict is empty, do_nothing or do_update.
	OnConflict string `yaml:"on_conflict,omitempty"`
	BatchSize  int32  `yaml:"batch_size,omitempty"`
	// ExportFormats ("jsonl", "parquet"; none means both) and
	// ExportCompression ("gzip" or "zstd") shape an S3 destination's files.
	ExportFormats     []string `yaml:"export_formats,omitempty"`
	ExportCompression string   `yaml:"export_compression,omitempty"`
}

// TableMapping assigns transformers to the columns of one table.
type TableMapping struct {
	Schema  string         `yaml:"schema,omitempty"`
	Table   string         `yaml:"table,omitempty"`
	Columns ColumnMappings `yaml:"columns,omitempty"`
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
	Source      string         `yaml:"source,omitempty"`
	Config      map[string]any `yaml:"config,omitempty"`
	UserDefined string         `yaml:"user_defined,omitempty"`
}

// VirtualForeignKey declares a foreign key the database does not have.
type VirtualForeignKey struct {
	Schema     string    `yaml:"schema,omitempty"`
	Table      string    `yaml:"table,omitempty"`
	Columns    []string  `yaml:"columns,omitempty"`
	References Reference `yaml:"references,omitempty"`
}

// Reference is the parent side of a virtual foreign key.
type Reference struct {
	Schema  string   `yaml:"schema,omitempty"`
	Table   string   `yaml:"table,omitempty"`
	Columns []string `yaml:"columns,omitempty"`
}

// WorkflowOptions bounds a whole run.
type WorkflowOptions struct {
	RunTimeout string `yaml:"run_timeout,omitempty"`
}

// SyncOptions bounds each table's work within a run.
type SyncOptions struct {
	ScheduleToCloseTimeout string `yaml:"schedule_to_close_timeout,omitempty"`
	StartToCloseTimeout    string `yaml:"start_to_close_timeout,omitempty"`
	HeartbeatTimeout       string `yaml:"heartbeat_timeout,omitempty"`
	MaxAttempts            int32  `yaml:"max_attempts,omitempty"`
}
