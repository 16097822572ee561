// Package synccmd implements `neosync sync`: copy a connection's tables — or
// a job's source with the job's transformers applied — down to a local
// PostgreSQL or MySQL database. The rows are streamed through the Neosync
// API (the CLI never sees the source's credentials) and written by the
// shared sync engine (backend/pkg/sqlsync's stream path), adapted by
// package localsync; package progress shows it live.
package synccmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/localsync"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/progress"
	"github.com/neosyncio/neosync/cli/internal/session"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

// flags are the command's settings; a --config file fills those not given.
type flags struct {
	config         string
	connection     string
	connectionID   string
	job            string
	destinationURL string
	opts           options
	include        []string
	exclude        []string
	batchSize      int32
	concurrency    int
	format         output.Format
	// s3 names an S3 export to import instead of a source connection.
	s3 s3Flags
}

// options are the destination options the flags set.
type options struct {
	InitSchema          bool
	Truncate            bool
	TruncateCascade     bool
	OnConflictDoNothing bool
}

// Validate rejects contradictory options.
func (o options) Validate() error {
	if o.TruncateCascade && !o.Truncate {
		return fmt.Errorf("--truncate-cascade needs --truncate-before-insert")
	}
	return nil
}

// destination returns the engine's options for a destination whose
// schemas are renamed by schemaMap (nil: none).
func (o options) destination(schemaMap map[string]string) syncplan.DestinationOptions {
	d := syncplan.DestinationOptions{InitSchema: o.InitSchema, Truncate: o.Truncate, TruncateCascade: o.TruncateCascade, SchemaMap: schemaMap}
	if o.OnConflictDoNothing {
		d.OnConflict = syncplan.ConflictDoNothing
	}
	return d
}

// NewCommand returns `neosync sync`.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "sync (--connection NAME | --connection-id ID | --job NAME | --s3-export-job NAME --s3-bucket BUCKET) --destination-connection-url URL",
		Short: "Copy a connection (or a job's anonymized source) into a local database",
		Long: `Copy the tables of a saved connection down to a local PostgreSQL or MySQL
database given by --destination-connection-url. The rows are streamed through
the Neosync API, so only an API key is needed: the source's credentials never
leave the API. They are written by the same sync engine as the worker's jobs:
tables in foreign-key order (independent ones --table-concurrency at a time),
foreign-key cycles and self references broken through a nullable foreign key
that is written NULL and filled in afterwards, then a verification of row
counts, orphaned references and duplicate keys.

--init-schema creates the missing schemas and tables (columns, defaults,
identity, serial and generated columns, PostgreSQL enums, primary keys; unique
constraints and foreign keys after the data) and makes the sync own the copied
tables: rows already in them are replaced. --truncate-before-insert empties the
copied tables first (--truncate-cascade also empties the tables that reference
them, PostgreSQL only). --on-conflict-do-nothing skips rows whose key already
exists. --include-table and --exclude-table take schema.table or schema.* and
may be repeated.

--job NAME syncs the job's source connection and applies the job's
transformers locally (system and user-defined), with its WHERE subsets,
subsetting by foreign keys and virtual foreign keys. Consistent mode needs the
job's key, which only the worker receives, so here transformers run without
it: outputs are random rather than stable across runs, and a transformed key
no longer matches its transformed foreign keys. Map key columns to
passthrough, or run the job itself, when that matters.

On a terminal the progress is a live view (an overall bar, and per table its
state, rows and rows/s); when the output is not a terminal, or CI or
GITHUB_ACTIONS is set, it is plain lines; with -o json it is one JSON event per
line (start, table, progress, warning, result — the schema is in
cli/README.md), the result carrying the verification report. Only same-dialect copies are
supported (PostgreSQL to PostgreSQL, MySQL to MySQL). Settings may come from a
YAML file (--config); flags win over it.

--s3-export-job NAME --s3-bucket BUCKET imports an export a job wrote to an
S3 bucket (the round trip) instead: the latest finished export, or
--s3-run-id's. The CLI reads the bucket itself with the credentials in
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); give the
bucket connection's --s3-prefix, --s3-endpoint, --s3-region and
--s3-path-style. Every part file is checked against the manifest's SHA-256
and row count; the destination's tables must exist (same kind of database as
the export's source).`,
		Example: `  neosync sync --connection prod --destination-connection-url postgres://postgres@127.0.0.1:5432/dev --init-schema
  neosync sync --job nightly --destination-connection-url "$DEV_DB" --truncate-before-insert --truncate-cascade
  neosync sync --connection prod --destination-connection-url "$DEV_DB" --include-table 'public.*' --exclude-table public.audit_log
  neosync sync --config sync.yaml
  neosync sync --connection prod --destination-connection-url "$DEV_DB" -o json | jq -c 'select(.type != "progress")'
  AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… neosync sync --s3-export-job nightly --s3-bucket exports --s3-prefix neosync \
    --destination-connection-url "$DEV_DB" --truncate-before-insert`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.s3.given() {
				if f.config != "" || f.connection != "" || f.connectionID != "" || f.job != "" {
					return exitcode.Usage(errors.New("--s3-export-job imports an export: give no --connection, --connection-id, --job or --config beside it"))
				}
				return runImport(cmd.Context(), s, f)
			}
			if err := f.applyConfig(cmd, s); err != nil {
				return err
			}
			return run(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "YAML file with the same settings (snake_case keys); flags win")
	fl.StringVar(&f.connection, "connection", "", "source connection name (or id)")
	fl.StringVar(&f.connectionID, "connection-id", "", "source connection id")
	fl.StringVar(&f.job, "job", "", "sync this job's source with its transformers applied")
	fl.StringVar(&f.destinationURL, "destination-connection-url", "", "local database to write: postgres://… or mysql://…")
	fl.BoolVar(&f.opts.InitSchema, "init-schema", false, "create missing schemas, tables and constraints")
	fl.BoolVar(&f.opts.Truncate, "truncate-before-insert", false, "empty the copied tables first")
	fl.BoolVar(&f.opts.TruncateCascade, "truncate-cascade", false, "with --truncate-before-insert: TRUNCATE … CASCADE (PostgreSQL)")
	fl.BoolVar(&f.opts.OnConflictDoNothing, "on-conflict-do-nothing", false, "skip rows whose key already exists")
	fl.StringArrayVar(&f.include, "include-table", nil, "copy only this schema.table (or schema.*); repeatable")
	fl.StringArrayVar(&f.exclude, "exclude-table", nil, "do not copy this schema.table (or schema.*); repeatable")
	fl.Int32Var(&f.batchSize, "batch-size", 1000, "rows per message from the API (1–10000)")
	fl.IntVar(&f.concurrency, "table-concurrency", sqlsync.DefaultTableConcurrency, "tables copied at once (those that do not depend on each other)")
	output.AddFlag(cmd, &f.format)
	_ = cmd.RegisterFlagCompletionFunc("connection", complete.Connections(s))
	_ = cmd.RegisterFlagCompletionFunc("job", complete.Jobs(s))
	f.s3.register(cmd)
	cmd.MarkFlagsMutuallyExclusive("connection", "connection-id", "job")
	return cmd
}

// applyConfig fills the settings the command line did not give from the
// --config file.
func (f *flags) applyConfig(cmd *cobra.Command, s *session.Session) error {
	if f.config == "" {
		return nil
	}
	data, err := spec.Read(f.config, s.In)
	if err != nil {
		return err
	}
	c, err := spec.ParseSync(f.config, data, s.LookupEnv)
	if err != nil {
		return err
	}
	changed := cmd.Flags().Changed
	source := changed("connection") || changed("connection-id") || changed("job")
	if !source {
		f.connection, f.job = c.Connection, c.Job
	}
	setString := func(name string, dst *string, v string) {
		if !changed(name) {
			*dst = v
		}
	}
	setBool := func(name string, dst *bool, v bool) {
		if !changed(name) {
			*dst = v
		}
	}
	setString("destination-connection-url", &f.destinationURL, c.DestinationConnectionURL)
	setBool("init-schema", &f.opts.InitSchema, c.InitSchema)
	setBool("truncate-before-insert", &f.opts.Truncate, c.TruncateBeforeInsert)
	setBool("truncate-cascade", &f.opts.TruncateCascade, c.TruncateCascade)
	setBool("on-conflict-do-nothing", &f.opts.OnConflictDoNothing, c.OnConflictDoNothing)
	if !changed("include-table") {
		f.include = c.IncludeTables
	}
	if !changed("exclude-table") {
		f.exclude = c.ExcludeTables
	}
	return nil
}

// validate checks what needs no server.
func (f *flags) validate() error {
	n := 0
	for _, v := range []string{f.connection, f.connectionID, f.job} {
		if v != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return exitcode.Usage(errors.New("name the source with --connection, --connection-id or --job"))
	case n > 1:
		return exitcode.Usage(errors.New("give only one of --connection, --connection-id and --job"))
	case f.destinationURL == "":
		return exitcode.Usage(errors.New("--destination-connection-url is required"))
	case f.batchSize < 1 || f.batchSize > 10000:
		return exitcode.Usage(errors.New("--batch-size: must be between 1 and 10000"))
	case f.concurrency < 1 || f.concurrency > 64:
		return exitcode.Usage(errors.New("--table-concurrency: must be between 1 and 64"))
	case f.format == output.YAML:
		return exitcode.Usage(errors.New("-o yaml: a sync is shown as a stream; use -o json (one event per line)"))
	}
	if err := (localsync.Filter{Include: f.include, Exclude: f.exclude}).Validate(); err != nil {
		return exitcode.Usage(err)
	}
	return f.opts.Validate()
}

// destinationConfig tells the driver from the URL's scheme or DSN shape.
func destinationConfig(raw string) (sqlconnect.Config, error) {
	c := sqlconnect.Config{URL: raw}
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		c.Driver = sqlconnect.DriverPostgres
	case strings.HasPrefix(raw, "mysql://"), strings.HasPrefix(raw, "mariadb://"), strings.Contains(raw, "@tcp("), strings.Contains(raw, "@unix("):
		c.Driver = sqlconnect.DriverMySQL
	default:
		return c, errors.New("--destination-connection-url: cannot tell the database from the URL; use postgres://… or mysql://…")
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("--destination-connection-url: %w", err)
	}
	return c, nil
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	if err := f.validate(); err != nil {
		return err
	}
	dcfg, err := destinationConfig(f.destinationURL)
	if err != nil {
		return err
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	src, err := resolveSource(ctx, c, acct.GetId(), f)
	if err != nil {
		return err
	}
	reg, err := newRegistry(ctx)
	if err != nil {
		return err
	}
	plan, err := src.plan(ctx, c, localsync.Filter{Include: f.include, Exclude: f.exclude}, reg)
	if err != nil {
		return err
	}
	tfs, err := transforms(plan, reg)
	if err != nil {
		return err
	}
	db, err := sqlconnect.Open(ctx, dcfg)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer db.Close()
	schemaMap, err := destinationSchemaMap(ctx, db, plan)
	if err != nil {
		return err
	}
	dst := sqlsync.Destination{Name: dcfg.Masked().URL, DB: db, Options: f.opts.destination(schemaMap)}

	title := fmt.Sprintf("sync of %s into %s", src.label, dcfg.Masked().URL)
	var view *progress.Local
	source := &localsync.Source{
		Streamer:   &apiSource{data: c.Data, connectionID: src.connectionID, batchSize: f.batchSize},
		Transforms: tfs,
		OnStart:    func(t sqlschema.TableName) { view.Start(t.Schema, t.Table) },
	}
	tables, before, err := countSource(ctx, source, plan)
	if err != nil {
		return err
	}
	view = progress.NewLocal(title, tables, time.Now)
	width := s.LiveWidth(s.Out)
	var r progress.Renderer = progress.NewPlain(s.Out, "")
	interval := time.Second
	var events *progress.JSON
	switch {
	case f.format == output.JSON:
		events = progress.NewJSON(s.Out, "")
		r = events
	case width > 0:
		r, interval = progress.NewLive(s.Out, width, ""), 200*time.Millisecond
	}
	if events != nil {
		// start first, then what the plan warns about (a column copied
		// unchanged, a reference that cannot match, …).
		if err := events.Update(view.Snapshot(), time.Now()); err != nil {
			return err
		}
		for _, w := range plan.Warnings {
			if err := events.Warn(time.Now(), "warn", w, "", ""); err != nil {
				return err
			}
		}
	}
	showCtx, stopShow := context.WithCancel(ctx)
	shown := make(chan error, 1)
	go func() { shown <- view.Show(showCtx, r, interval) }()

	engine := sqlsync.NewEngine(reg, nil)
	rep, err := engine.RunStream(ctx, plan, source, dst, f.concurrency, func(p sqlsync.Progress) {
		view.Rows(p.Table.Schema, p.Table.Table, p.Rows, p.Checkpoint.Done)
	})
	stopShow()
	if serr := <-shown; serr != nil && err == nil {
		err = serr
	}
	if events != nil {
		return finishJSON(events, view, rep, err, before, f.opts)
	}
	view.Finish(err)
	if derr := r.Done(view.Snapshot(), time.Now()); derr != nil && err == nil {
		err = derr
	}
	if err != nil {
		return exitcode.RunFailed(err)
	}
	// The source's counts before the sync vouch for its counts after: a
	// table that had rows and has none now was emptied during the sync.
	rep.CrossCheck(nil, before)
	return verification(s.Out, rep, f.opts)
}

// destinationSchemaMap sends every schema of the plan into the database a
// MySQL destination URL names (nil for PostgreSQL, whose schemas keep their
// names).
func destinationSchemaMap(ctx context.Context, db *sqlconnect.DB, plan *syncplan.Plan) (map[string]string, error) {
	if db.Driver != sqlconnect.DriverMySQL {
		return nil, nil
	}
	var name string
	if err := db.MySQL.QueryRowContext(ctx, "SELECT COALESCE(DATABASE(), '')").Scan(&name); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	if name == "" {
		return nil, errors.New("--destination-connection-url: a MySQL URL must name the database to write into")
	}
	schemaMap := map[string]string{}
	for _, t := range plan.Tables {
		schemaMap[t.Name.Schema] = name
	}
	return schemaMap, nil
}

// countSource counts the source rows of every table of the plan: the
// progress view's totals, and the counts the report checks against after.
func countSource(ctx context.Context, source *localsync.Source, plan *syncplan.Plan) ([]progress.LocalTable, map[sqlschema.TableName]int64, error) {
	tables := make([]progress.LocalTable, len(plan.Tables))
	before := make(map[sqlschema.TableName]int64, len(plan.Tables))
	for i := range plan.Tables {
		t := &plan.Tables[i]
		n, err := source.Count(ctx, t)
		if err != nil {
			return nil, nil, fmt.Errorf("count the rows of %s: %w", t.Name, err)
		}
		tables[i] = progress.LocalTable{Schema: t.Name.Schema, Table: t.Name.Table, Rows: n}
		before[t.Name] = n
	}
	return tables, before, nil
}

// finishJSON ends a -o json sync: the verification's findings as warning
// events, then the result, failed when the copy or its verification failed,
// carrying the verification report.
func finishJSON(events *progress.JSON, view *progress.Local, rep *sqlsync.Report, err error, before map[sqlschema.TableName]int64, o options) error {
	if err == nil {
		rep.CrossCheck(nil, before)
		for _, w := range findings(rep) {
			if werr := events.Warn(time.Now(), "warn", w.message, w.table.Schema, w.table.Table); werr != nil {
				return werr
			}
		}
		err = verdict(rep, o)
		events.Report = func(*mgmtv1alpha1.JobRun) any { return rep }
	}
	view.Finish(err)
	if derr := events.Done(view.Snapshot(), time.Now()); derr != nil && err == nil {
		err = derr
	}
	return exitcode.RunFailed(err)
}

// finding is one thing the verification found wrong with a table.
type finding struct {
	table   sqlschema.TableName
	message string
}

// findings lists what the verification found wrong, table by table.
func findings(rep *sqlsync.Report) []finding {
	var out []finding
	for _, t := range rep.Tables {
		switch {
		case t.Problem != "":
			out = append(out, finding{t.Table, fmt.Sprintf("%s: %s", t.Table, t.Problem)})
		case !t.Matches():
			out = append(out, finding{t.Table, fmt.Sprintf("%s: %s rows in the source, %s in the destination", t.Table, progress.Number(t.SourceRows), progress.Number(t.DestRows))})
		}
	}
	for _, fk := range rep.ForeignKeys {
		if fk.Orphans > 0 {
			out = append(out, finding{fk.Table, fmt.Sprintf("%s has %d rows whose %s reference is missing", fk.Table, fk.Orphans, fk.ForeignKey)})
		}
	}
	for _, u := range rep.Uniques {
		if u.Duplicates > 0 {
			out = append(out, finding{u.Table, fmt.Sprintf("%s has %d duplicate rows of %s", u.Table, u.Duplicates, u.Constraint)})
		}
	}
	return out
}

// verification prints the engine's check of the destination. Orphaned
// references, duplicate keys and counts that do not vouch for the copy
// (sqlsync.TableCount.Problem: a table not written, a source emptied
// during the sync) fail the command; row counts that differ only warn
// when the sync did not own the tables (rows already there, or rows
// skipped by --on-conflict-do-nothing, are expected then).
func verification(w io.Writer, rep *sqlsync.Report, o options) error {
	if rep.OK() {
		var rows int64
		for _, t := range rep.Tables {
			rows += t.DestRows
		}
		_, err := fmt.Fprintf(w, "Verified: %s rows in the destination match the source's counts; no orphaned references, no duplicate keys.\n", progress.Number(rows))
		return err
	}
	if _, err := fmt.Fprint(w, rep.String()); err != nil {
		return err
	}
	return verdict(rep, o)
}

// verdict is the error a verification report fails the command with, nil
// when it passes (see verification).
func verdict(rep *sqlsync.Report, o options) error {
	if rep.OK() {
		return nil
	}
	for _, fk := range rep.ForeignKeys {
		if fk.Orphans > 0 {
			return fmt.Errorf("verification failed: %s has %d rows whose %s reference is missing", fk.Table, fk.Orphans, fk.ForeignKey)
		}
	}
	for _, u := range rep.Uniques {
		if u.Duplicates > 0 {
			return fmt.Errorf("verification failed: %s has %d duplicate rows of %s", u.Table, u.Duplicates, u.Constraint)
		}
	}
	for _, t := range rep.Tables {
		if t.Problem != "" {
			return fmt.Errorf("verification failed: %s: %s", t.Table, t.Problem)
		}
	}
	// Only a destination the sync empties first (syncplan's Owns) must end
	// with the source's counts: appended tables, and existing tables that
	// --init-schema alone leaves as they were, keep rows of their own.
	if o.Truncate {
		return errors.New("verification failed: the destination's row counts differ from the source's")
	}
	return nil
}
