package synccmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/s3sync"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/progress"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// s3Flags name an S3 export to import instead of a connection: the bucket
// (with the connection's options) and the export (job, run). The CLI reads
// the bucket itself, with credentials from the standard AWS variables, so
// no API is involved.
type s3Flags struct {
	bucket, prefix, region, endpoint string
	pathStyle                        bool
	exportJob, runID                 string
}

func (f *s3Flags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.exportJob, "s3-export-job", "", "import the export this job wrote to --s3-bucket instead of reading a connection")
	fl.StringVar(&f.runID, "s3-run-id", "", "with --s3-export-job: the export's run (default: the latest finished export)")
	fl.StringVar(&f.bucket, "s3-bucket", "", "with --s3-export-job: the bucket (credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)")
	fl.StringVar(&f.prefix, "s3-prefix", "", "with --s3-export-job: the bucket connection's path prefix")
	fl.StringVar(&f.region, "s3-region", "", "with --s3-export-job: the bucket's region (default us-east-1)")
	fl.StringVar(&f.endpoint, "s3-endpoint", "", "with --s3-export-job: an S3-compatible server's base URL (empty for AWS)")
	fl.BoolVar(&f.pathStyle, "s3-path-style", false, "with --s3-export-job: address the bucket as <endpoint>/<bucket>")
}

// given reports whether any S3 flag is set.
func (f *s3Flags) given() bool {
	return f.exportJob != "" || f.runID != "" || f.bucket != "" || f.prefix != "" || f.region != "" || f.endpoint != "" || f.pathStyle
}

// config is the bucket, with credentials from the environment.
func (f *s3Flags) config(lookup func(string) (string, bool)) (objectstore.Config, error) {
	env := func(k string) string { v, _ := lookup(k); return v }
	c := objectstore.Config{Bucket: f.bucket, Prefix: f.prefix, Region: f.region, Endpoint: f.endpoint, ForcePathStyle: f.pathStyle,
		AccessKeyID: env("AWS_ACCESS_KEY_ID"), SecretAccessKey: env("AWS_SECRET_ACCESS_KEY"), SessionToken: env("AWS_SESSION_TOKEN")}
	if f.exportJob == "" || f.bucket == "" {
		return c, exitcode.Usage(errors.New("an import from S3 needs --s3-export-job and --s3-bucket"))
	}
	if err := c.Validate(); err != nil {
		var ce *objectstore.ConfigError
		if errors.As(err, &ce) && ce.Field == "credentials" {
			return c, exitcode.Usage(errors.New("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY together (or neither, for a public bucket)"))
		}
		return c, exitcode.Usage(fmt.Errorf("--s3-*: %w", err))
	}
	return c, nil
}

// runImport is `neosync sync --s3-export-job`: it loads an export (the
// round trip of a job with an S3 destination) into the local database with
// the engine's stream path, each part file checked against the manifest's
// SHA-256 and row count, and prints the verification (the manifest's counts
// against the destination's). The destination's tables must exist.
func runImport(ctx context.Context, s *session.Session, f *flags) error {
	cfg, err := f.s3.config(s.LookupEnv)
	if err != nil {
		return err
	}
	if f.destinationURL == "" {
		return exitcode.Usage(errors.New("--destination-connection-url is required"))
	}
	if f.opts.InitSchema {
		return exitcode.Usage(errors.New("--init-schema does not apply to an import from S3: create the tables first (an export holds rows, not definitions)"))
	}
	if err := f.opts.Validate(); err != nil {
		return exitcode.Usage(err)
	}
	dcfg, err := destinationConfig(f.destinationURL)
	if err != nil {
		return err
	}
	run := f.s3.runID
	if run == "" {
		if run, err = objectstore.LatestRun(ctx, cfg, nil, f.s3.exportJob); err != nil {
			return err
		}
	}
	r, err := objectstore.OpenExport(ctx, cfg, nil, f.s3.exportJob, run)
	if err != nil {
		return err
	}
	db, err := sqlconnect.Open(ctx, dcfg)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer db.Close()
	var tables []progress.LocalTable
	for _, t := range r.Manifest.Tables {
		tables = append(tables, progress.LocalTable{Schema: t.Schema, Table: t.Table, Rows: t.Rows})
	}
	view := progress.NewLocal(fmt.Sprintf("import of s3://%s/%s into %s", cfg.Bucket, cfg.Key(f.s3.exportJob, run), dcfg.Masked().URL), tables, time.Now)
	width := s.LiveWidth(s.Out)
	var rd progress.Renderer = progress.NewPlain(s.Out, "")
	interval := time.Second
	if width > 0 {
		rd, interval = progress.NewLive(s.Out, width, ""), 200*time.Millisecond
	}
	showCtx, stopShow := context.WithCancel(ctx)
	shown := make(chan error, 1)
	go func() { shown <- view.Show(showCtx, rd, interval) }()
	dst := sqlsync.Destination{Name: dcfg.Masked().URL, DB: db, Options: f.opts.destination(nil)}
	rep, err := s3sync.Import(ctx, sqlsync.NewEngine(transformers.NewRegistry(), nil), r, dcfg, dst, func(p sqlsync.Progress) {
		view.Start(p.Table.Schema, p.Table.Table)
		view.Rows(p.Table.Schema, p.Table.Table, p.Rows, p.Checkpoint.Done)
	})
	stopShow()
	if serr := <-shown; serr != nil && err == nil {
		err = serr
	}
	view.Finish(err)
	if derr := rd.Done(view.Snapshot(), time.Now()); derr != nil && err == nil {
		err = derr
	}
	if err != nil {
		return exitcode.RunFailed(err)
	}
	return verification(s.Out, rep, f.opts)
}
