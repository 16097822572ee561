package job

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func TestValidateDestinationOptions(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opts  DestinationOptions
		field string // "" means valid
	}{
		"defaults":            {DestinationOptions{}, ""},
		"largest batch":       {DestinationOptions{BatchSize: MaxBatchSize}, ""},
		"batch too large":     {DestinationOptions{BatchSize: MaxBatchSize + 1}, "dst.batch_size"},
		"negative batch":      {DestinationOptions{BatchSize: -1}, "dst.batch_size"},
		"unknown on_conflict": {DestinationOptions{OnConflict: "explode"}, "dst.on_conflict"},
		"cascade alone":       {DestinationOptions{TruncateCascade: true}, "dst.truncate_cascade"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := validateDestinationOptions("dst", tc.opts)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("validateDestinationOptions(%+v) = %v, want nil", tc.opts, err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("validateDestinationOptions(%+v) = %v, want a ValidationError on %q", tc.opts, err, tc.field)
			}
		})
	}
}

// TestStoredDefinitionWithoutPRFIsV1 checks that a job saved before PRF
// versions existed (no prf_version in its stored definition) reads as v1,
// so its consistent outputs do not change until its owner opts in.
func TestStoredDefinitionWithoutPRFIsV1(t *testing.T) {
	t.Parallel()
	var d Definition
	if err := json.Unmarshal([]byte(`{"sync":{"connection_id":"7f9c0a5e-2b1d-4c3e-9f8a-6d5e4c3b2a10","subset_by_foreign_keys":false,"halt_on_new_column":false},"mappings":[]}`), &d); err != nil {
		t.Fatal(err)
	}
	if d.Sync.PRF != transformers.PRFv1 {
		t.Fatalf("stored definition without a version reads as %v, want v1", d.Sync.PRF)
	}
	d.resolvePRF(nil)
	if d.Sync.PRF != transformers.PRFv1 {
		t.Fatalf("resolving a stored v1 definition changed it to %v", d.Sync.PRF)
	}
}

func TestValidateExportOptions(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opts   DestinationOptions
		bucket bool
		field  string // "" means valid
	}{
		"bucket defaults":         {DestinationOptions{}, true, ""},
		"parquet gzip":            {DestinationOptions{ExportFormats: []string{"parquet"}, ExportCompression: "gzip"}, true, ""},
		"both zstd":               {DestinationOptions{ExportFormats: []string{"jsonl", "parquet"}, ExportCompression: "zstd"}, true, ""},
		"unknown format":          {DestinationOptions{ExportFormats: []string{"csv"}}, true, "dst.export_formats"},
		"repeated format":         {DestinationOptions{ExportFormats: []string{"jsonl", "jsonl"}}, true, "dst.export_formats"},
		"unknown codec":           {DestinationOptions{ExportCompression: "lz4"}, true, "dst.export_compression"},
		"formats on a database":   {DestinationOptions{ExportFormats: []string{"parquet"}}, false, "dst.export_formats"},
		"codec on a database":     {DestinationOptions{ExportCompression: "gzip"}, false, "dst.export_compression"},
		"database without either": {DestinationOptions{}, false, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := validateExportOptions("dst", tc.opts, tc.bucket)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("validateExportOptions(%+v) = %v, want nil", tc.opts, err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("validateExportOptions(%+v) = %v, want a ValidationError on %q", tc.opts, err, tc.field)
			}
		})
	}
}

func TestValidateImport(t *testing.T) {
	t.Parallel()
	base := func() Definition {
		return Definition{Sync: &SyncSource{Import: &S3Import{ExportJob: "nightly"}}}
	}
	for name, tc := range map[string]struct {
		change func(*Definition)
		field  string
	}{
		"latest":        {func(*Definition) {}, ""},
		"a run":         {func(d *Definition) { d.Sync.Import.RunID = "3f0c-run" }, ""},
		"no job":        {func(d *Definition) { d.Sync.Import.ExportJob = "" }, "source.sync.s3_import.export_job_name"},
		"bad job":       {func(d *Definition) { d.Sync.Import.ExportJob = "../x" }, "source.sync.s3_import.export_job_name"},
		"bad run":       {func(d *Definition) { d.Sync.Import.RunID = "a/b" }, "source.sync.s3_import.run_id"},
		"with mappings": {func(d *Definition) { d.Mappings = []Mapping{{Schema: "s", Table: "t", Column: "c"}} }, "mappings"},
		"with subsets":  {func(d *Definition) { d.Sync.Subsets = []Subset{{Schema: "s", Table: "t", Where: "true"}} }, "source.sync.subsets"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := base()
			tc.change(&d)
			err := validateImport(d)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("validateImport = %v, want nil", err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("validateImport = %v, want a ValidationError on %q", err, tc.field)
			}
		})
	}
}
