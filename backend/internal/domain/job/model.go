// Package job defines data-sync and data-generation jobs: their source,
// destinations, per-column transformer mappings, subsets, virtual foreign
// keys, schedule and Temporal options, and validates mappings against the
// source's real schema before anything runs.
package job

import (
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Type is sync or generate.
type Type string

const (
	// TypeSync copies a source connection, transforming columns.
	TypeSync Type = "sync"
	// TypeGenerate writes synthetic rows.
	TypeGenerate Type = "generate"
)

// Job is a saved job.
type Job struct {
	ID           uuid.UUID
	AccountID    uuid.UUID
	Name         string
	Type         Type
	Definition   Definition
	CronSchedule *string
	Paused       bool
	Destinations []Destination
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Definition is the JSON document stored with a job.
type Definition struct {
	Sync               *SyncSource         `json:"sync,omitempty"`
	Generate           *GenerateSource     `json:"generate,omitempty"`
	Mappings           []Mapping           `json:"mappings"`
	VirtualForeignKeys []VirtualForeignKey `json:"virtual_foreign_keys,omitempty"`
	WorkflowOptions    WorkflowOptions     `json:"workflow_options"`
	ActivityOptions    ActivityOptions     `json:"activity_options"`
}

// SyncSource reads a saved connection.
type SyncSource struct {
	ConnectionID        uuid.UUID `json:"connection_id"`
	Subsets             []Subset  `json:"subsets,omitempty"`
	SubsetByForeignKeys bool      `json:"subset_by_foreign_keys"`
	HaltOnNewColumn     bool      `json:"halt_on_new_column"`
	// PRF is the consistent-mode PRF version. Jobs saved before versions
	// existed have none stored, which reads as the zero value, v1; new
	// jobs get the latest (see PRFUnspecified).
	PRF transformers.PRFVersion `json:"prf_version,omitempty"`
	// LeakPolicy holds the thresholds the verification report judges leak
	// scans against (zero fields are the defaults).
	LeakPolicy leakscan.Policy `json:"leak_policy,omitzero"`
	// RangeRows is the job's rows per key range (0: the worker's
	// NEOSYNC_RANGE_ROWS; see syncplan.Job.RangeRows).
	RangeRows int64 `json:"range_rows,omitempty"`
	// Import reads an S3 export back when ConnectionID is a bucket (the
	// round trip); nil for a database source.
	Import *S3Import `json:"s3_import,omitempty"`
}

// S3Import chooses the export an S3 source reads: run RunID ("" for the
// latest) of the job named ExportJob.
type S3Import struct {
	ExportJob string `json:"export_job"`
	RunID     string `json:"run_id,omitempty"`
}

// PRFUnspecified is a SyncSource.PRF a caller leaves to the service: the
// latest version for a new job, the job's current version when its source
// is replaced (so a client that does not know the field never changes a
// job's outputs). It is never stored.
const PRFUnspecified transformers.PRFVersion = -1

// resolvePRF replaces PRFUnspecified in d by the version the job keeps:
// old's when it had a sync source, else the latest.
func (d *Definition) resolvePRF(old *SyncSource) {
	if d.Sync == nil || d.Sync.PRF != PRFUnspecified {
		return
	}
	d.Sync.PRF = transformers.PRFLatest
	if old != nil {
		d.Sync.PRF = old.PRF
	}
}

// Subset is a WHERE predicate for one table.
type Subset struct {
	Schema string `json:"schema"`
	Table  string `json:"table"`
	Where  string `json:"where"`
}

// GenerateSource generates rows for tables of a schema read from a connection.
type GenerateSource struct {
	SchemaConnectionID uuid.UUID       `json:"schema_connection_id"`
	Tables             []GenerateTable `json:"tables"`
}

// GenerateTable asks for RowCount rows.
type GenerateTable struct {
	Schema   string `json:"schema"`
	Table    string `json:"table"`
	RowCount int64  `json:"row_count"`
}

// Mapping assigns a transformer to a column.
type Mapping struct {
	Schema      string      `json:"schema"`
	Table       string      `json:"table"`
	Column      string      `json:"column"`
	Transformer Transformer `json:"transformer"`
}

// Transformer names a system transformer and its parameters, or a
// user-defined transformer.
type Transformer struct {
	Source        string         `json:"source"`
	Config        map[string]any `json:"config,omitempty"`
	UserDefinedID *uuid.UUID     `json:"user_defined_id,omitempty"`
}

// VirtualForeignKey is a foreign key declared on the job, not in the database.
type VirtualForeignKey struct {
	Schema            string   `json:"schema"`
	Table             string   `json:"table"`
	Columns           []string `json:"columns"`
	ReferencedSchema  string   `json:"referenced_schema"`
	ReferencedTable   string   `json:"referenced_table"`
	ReferencedColumns []string `json:"referenced_columns"`
}

// WorkflowOptions bounds a run.
type WorkflowOptions struct {
	RunTimeout time.Duration `json:"run_timeout,omitempty"`
}

// ActivityOptions bounds each table's activity.
type ActivityOptions struct {
	ScheduleToCloseTimeout time.Duration `json:"schedule_to_close_timeout,omitempty"`
	StartToCloseTimeout    time.Duration `json:"start_to_close_timeout,omitempty"`
	HeartbeatTimeout       time.Duration `json:"heartbeat_timeout,omitempty"`
	MaxAttempts            int           `json:"max_attempts,omitempty"`
}

// Destination is a connection rows are written to.
type Destination struct {
	ID           uuid.UUID
	ConnectionID uuid.UUID
	Options      DestinationOptions
}

// OnConflict values.
const (
	OnConflictNone      = ""
	OnConflictDoNothing = "do_nothing"
	OnConflictDoUpdate  = "do_update"
)

// DestinationOptions shapes how a destination is prepared and written.
type DestinationOptions struct {
	InitSchema      bool   `json:"init_schema"`
	Truncate        bool   `json:"truncate"`
	TruncateCascade bool   `json:"truncate_cascade"`
	OnConflict      string `json:"on_conflict,omitempty"`
	BatchSize       int    `json:"batch_size,omitempty"`
	// ExportFormats ("jsonl", "parquet") and ExportCompression ("gzip",
	// "zstd") choose an S3 destination's files (none: both formats, the
	// default codecs); a database destination has neither.
	ExportFormats     []string `json:"export_formats,omitempty"`
	ExportCompression string   `json:"export_compression,omitempty"`
}

// SourceConnectionID is the connection the job reads (or takes its schema from).
func (d Definition) SourceConnectionID() uuid.UUID {
	switch {
	case d.Sync != nil:
		return d.Sync.ConnectionID
	case d.Generate != nil:
		return d.Generate.SchemaConnectionID
	}
	return uuid.Nil
}
