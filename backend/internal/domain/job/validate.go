package job

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/robfig/cron/v3"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

var (
	namePattern            = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	transformerNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`)
	cronParser             = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
)

// MaxBatchSize bounds a destination's batch size.
const MaxBatchSize = 100_000

// Caps on what one job may hold, so a single job cannot make listing jobs
// or planning them cost the API unbounded memory. A mapping is one column,
// so MaxMappings covers a schema of a few thousand tables.
const (
	MaxMappings           = 20_000
	MaxVirtualForeignKeys = 5_000
	MaxSubsets            = 5_000
	// MaxKeyColumns bounds the columns of one virtual foreign key.
	MaxKeyColumns = 32
)

// ValidateName checks a job name.
func ValidateName(name string) error {
	if !namePattern.MatchString(name) {
		return domain.Invalid("job_name", "must be 1–100 characters of letters, digits, '.', '_' and '-', starting with a letter or digit")
	}
	return nil
}

// ValidateCron checks a five-field cron expression or a descriptor (@daily).
func ValidateCron(expr string) error {
	if _, err := cronParser.Parse(expr); err != nil {
		return domain.Invalid("cron_schedule", "%q is not a valid cron expression (want five fields like \"0 3 * * *\" or @daily): %s", expr, err.Error())
	}
	return nil
}

// validateDefinition checks what can be checked without the source database.
func validateDefinition(d Definition) error {
	switch {
	case d.Sync != nil && d.Generate != nil:
		return domain.Invalid("source", "must be either sync or generate, not both")
	case d.Sync == nil && d.Generate == nil:
		return domain.Invalid("source", "is required (sync or generate)")
	}
	if len(d.Mappings) > MaxMappings {
		return domain.Invalid("mappings", "has %d entries; a job holds at most %d (split the schema over several jobs)", len(d.Mappings), MaxMappings)
	}
	if len(d.VirtualForeignKeys) > MaxVirtualForeignKeys {
		return domain.Invalid("virtual_foreign_keys", "has %d entries; a job holds at most %d", len(d.VirtualForeignKeys), MaxVirtualForeignKeys)
	}
	if d.Sync != nil && len(d.Sync.Subsets) > MaxSubsets {
		return domain.Invalid("source.sync.subsets", "has %d entries; a job holds at most %d", len(d.Sync.Subsets), MaxSubsets)
	}
	for _, check := range []func(Definition) error{validateSource, validateMappings, validateVirtualForeignKeys, validateRunOptions} {
		if err := check(d); err != nil {
			return err
		}
	}
	return nil
}

// validateSource checks the subsets of a sync job or the tables of a
// generation job.
func validateSource(d Definition) error {
	if d.Sync != nil && d.Sync.Import != nil {
		if err := validateImport(d); err != nil {
			return err
		}
	}
	if d.Sync != nil {
		if !d.Sync.PRF.Valid() && d.Sync.PRF != PRFUnspecified {
			return domain.Invalid("source.sync.consistent_prf", "is not a known version (v1 or v2)")
		}
		if err := d.Sync.LeakPolicy.Validate(); err != nil {
			return domain.Invalid("source.sync.leak_policy", "%s", err.Error())
		}
		if r := d.Sync.RangeRows; r != 0 && (r < syncplan.MinRangeRows || r > syncplan.MaxRangeRows) {
			return domain.Invalid("source.sync.range_rows", "must be between %d and %d rows (or unset: the worker's NEOSYNC_RANGE_ROWS)", syncplan.MinRangeRows, syncplan.MaxRangeRows)
		}
		for i, s := range d.Sync.Subsets {
			f := fmt.Sprintf("source.sync.subsets[%d]", i)
			if s.Schema == "" || s.Table == "" {
				return domain.Invalid(f, "schema and table are required")
			}
			if strings.TrimSpace(s.Where) == "" {
				return domain.Invalid(f+".where_clause", "is empty")
			}
			if len(s.Where) > 10_000 {
				return domain.Invalid(f+".where_clause", "is longer than 10000 characters")
			}
		}
	}
	if d.Generate != nil {
		if len(d.Generate.Tables) == 0 {
			return domain.Invalid("source.generate.tables", "needs at least one table")
		}
		for i, t := range d.Generate.Tables {
			f := fmt.Sprintf("source.generate.tables[%d]", i)
			if t.Schema == "" || t.Table == "" {
				return domain.Invalid(f, "schema and table are required")
			}
			if t.RowCount < 1 || t.RowCount > 1_000_000_000 {
				return domain.Invalid(f+".row_count", "must be between 1 and 1000000000")
			}
		}
	}
	return nil
}

// validateMappings checks each mapping names a column once and a transformer.
func validateMappings(d Definition) error {
	seen := map[string]bool{}
	for i, m := range d.Mappings {
		f := fmt.Sprintf("mappings[%d]", i)
		if m.Schema == "" || m.Table == "" || m.Column == "" {
			return domain.Invalid(f, "schema, table and column are required")
		}
		key := m.Schema + "\x00" + m.Table + "\x00" + m.Column
		if seen[key] {
			return domain.Invalid(f, "column %s.%s.%s is mapped more than once", m.Schema, m.Table, m.Column)
		}
		seen[key] = true
		if m.Transformer.UserDefinedID == nil && !transformerNamePattern.MatchString(m.Transformer.Source) {
			return domain.Invalid(f+".transformer.source", "must name a system transformer (e.g. passthrough) or set user_defined_transformer_id")
		}
	}
	return nil
}

// validateVirtualForeignKeys checks each virtual foreign key is complete.
func validateVirtualForeignKeys(d Definition) error {
	for i, v := range d.VirtualForeignKeys {
		f := fmt.Sprintf("virtual_foreign_keys[%d]", i)
		if v.Schema == "" || v.Table == "" || v.ReferencedSchema == "" || v.ReferencedTable == "" {
			return domain.Invalid(f, "schema, table, referenced_schema and referenced_table are required")
		}
		if len(v.Columns) == 0 || len(v.Columns) != len(v.ReferencedColumns) {
			return domain.Invalid(f, "columns and referenced_columns must be non-empty and of equal length")
		}
		if len(v.Columns) > MaxKeyColumns {
			return domain.Invalid(f+".columns", "has %d columns; a key has at most %d", len(v.Columns), MaxKeyColumns)
		}
	}
	return nil
}

// validateRunOptions checks the workflow and activity options.
func validateRunOptions(d Definition) error {
	if d.WorkflowOptions.RunTimeout < 0 {
		return domain.Invalid("workflow_options.run_timeout_seconds", "must not be negative")
	}
	a := d.ActivityOptions
	if a.ScheduleToCloseTimeout < 0 || a.StartToCloseTimeout < 0 || a.HeartbeatTimeout < 0 {
		return domain.Invalid("sync_options", "timeouts must not be negative")
	}
	if a.MaxAttempts < 0 || a.MaxAttempts > 100 {
		return domain.Invalid("sync_options.max_attempts", "must be between 0 and 100")
	}
	return nil
}

func validateDestinationOptions(field string, o DestinationOptions) error {
	switch o.OnConflict {
	case OnConflictNone, OnConflictDoNothing, OnConflictDoUpdate:
	default:
		return domain.Invalid(field+".on_conflict", "must be empty, do_nothing or do_update")
	}
	if o.BatchSize < 0 || o.BatchSize > MaxBatchSize {
		return domain.Invalid(field+".batch_size", "must be between 0 and %d", MaxBatchSize)
	}
	if o.TruncateCascade && !o.Truncate {
		return domain.Invalid(field+".truncate_cascade", "requires truncate_before_insert")
	}
	return nil
}

// segmentPattern is what an export's job name or run id may be (a key
// segment, objectstore's rule).
var segmentPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

// validateImport checks an S3 source: which export it reads, and that the
// job asks nothing an import cannot do. The export already holds the
// transformed rows of the tables it lists, so there is nothing to map,
// subset or join.
func validateImport(d Definition) error {
	im := d.Sync.Import
	switch {
	case !segmentPattern.MatchString(im.ExportJob):
		return domain.Invalid("source.sync.s3_import.export_job_name", "must name the job that wrote the export (letters, digits, '.', '_', '-')")
	case im.RunID != "" && !segmentPattern.MatchString(im.RunID):
		return domain.Invalid("source.sync.s3_import.run_id", "is not a run id (letters, digits, '.', '_', '-'); leave it empty for the latest export")
	case len(d.Mappings) > 0:
		return domain.Invalid("mappings", "an S3 source loads the export as it was written (already transformed): leave the mappings empty")
	case len(d.Sync.Subsets) > 0 || d.Sync.SubsetByForeignKeys:
		return domain.Invalid("source.sync.subsets", "an S3 source loads every row of the export: subsets do not apply")
	case len(d.VirtualForeignKeys) > 0:
		return domain.Invalid("virtual_foreign_keys", "do not apply to an S3 source")
	}
	return nil
}

// validateExportOptions refuses S3 file options on a database destination
// and unknown formats or codecs on a bucket.
func validateExportOptions(field string, o DestinationOptions, bucket bool) error {
	if !bucket {
		if len(o.ExportFormats) > 0 {
			return domain.Invalid(field+".export_formats", "applies only to an S3 destination")
		}
		if o.ExportCompression != "" {
			return domain.Invalid(field+".export_compression", "applies only to an S3 destination")
		}
		return nil
	}
	if _, _, err := objectstore.ParseFormats(o.ExportFormats, o.ExportCompression); err != nil {
		var ce *objectstore.ConfigError
		if errors.As(err, &ce) {
			return domain.Invalid(field+".export_"+ce.Field, "%s", ce.Reason)
		}
		return domain.Invalid(field, "%s", err.Error())
	}
	return nil
}

// validateS3DestinationOptions refuses the database options on an S3
// destination, where there is no schema to create, no table to truncate
// and no row to conflict with: each run writes new files under its own
// run id. batch_size is the number of rows per part file.
func validateS3DestinationOptions(field string, o DestinationOptions) error {
	for _, opt := range []struct {
		name string
		set  bool
	}{{"init_table_schema", o.InitSchema}, {"truncate_before_insert", o.Truncate}, {"truncate_cascade", o.TruncateCascade}, {"on_conflict", o.OnConflict != OnConflictNone}} {
		if opt.set {
			return domain.Invalid(field+"."+opt.name, "does not apply to an S3 destination: each run writes new files under its own run id (leave it unset)")
		}
	}
	return nil
}
