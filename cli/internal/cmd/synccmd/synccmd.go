// Package synccmd implements `neosync sync`: copy a connection's tables — or
// a job's source with the job's transformers applied — down to a local
// PostgreSQL or MySQL database. The rows are streamed through the Neosync
// API (the CLI never sees the source's credentials) and written by package
// localsync.
package synccmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/localsync"
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
	opts           localsync.Options
	include        []string
	exclude        []string
	batchSize      int32
}

// NewCommand returns `neosync sync`.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "sync (--connection NAME | --connection-id ID | --job NAME) --destination-connection-url URL",
		Short: "Copy a connection (or a job's anonymized source) into a local database",
		Long: `Copy the tables of a saved connection down to a local PostgreSQL or MySQL
database given by --destination-connection-url. The rows are streamed through
the Neosync API, so only an API key is needed: the source's credentials never
leave the API. Tables are written parents first (foreign-key order).

--init-schema creates the missing schemas and tables (columns, primary keys;
unique constraints and foreign keys after the data) from the source's
definition. --truncate-before-insert empties the copied tables first
(--truncate-cascade also empties the tables that reference them, PostgreSQL
only). --on-conflict-do-nothing skips rows whose key already exists.
--include-table and --exclude-table take schema.table or schema.* and may be
repeated.

--job NAME syncs the job's source connection and applies the job's
transformers locally (and the job's per-table WHERE subsets). Consistent mode
needs the job's key, which only the worker receives, so here transformers run
without it: outputs are random rather than stable across runs, and a
transformed key no longer matches its transformed foreign keys. Map key
columns to passthrough, or run the job itself, when that matters.

Only same-dialect copies are supported (PostgreSQL to PostgreSQL, MySQL to
MySQL). Foreign-key cycles need --init-schema. Settings may come from a YAML
file (--config); flags win over it.`,
		Example: `  neosync sync --connection prod --destination-connection-url postgres://postgres@127.0.0.1:5432/dev --init-schema
  neosync sync --job nightly --destination-connection-url "$DEV_DB" --truncate-before-insert --truncate-cascade
  neosync sync --connection prod --destination-connection-url "$DEV_DB" --include-table 'public.*' --exclude-table public.audit_log
  neosync sync --config sync.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	_ = cmd.RegisterFlagCompletionFunc("connection", complete.Connections(s))
	_ = cmd.RegisterFlagCompletionFunc("job", complete.Jobs(s))
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
		return errors.New("name the source with --connection, --connection-id or --job")
	case n > 1:
		return errors.New("give only one of --connection, --connection-id and --job")
	case f.destinationURL == "":
		return errors.New("--destination-connection-url is required")
	case f.batchSize < 1 || f.batchSize > 10000:
		return errors.New("--batch-size: must be between 1 and 10000")
	}
	if err := (localsync.Filter{Include: f.include, Exclude: f.exclude}).Validate(); err != nil {
		return err
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
	plan, err := src.plan(ctx, c, localsync.Filter{Include: f.include, Exclude: f.exclude}, f.opts.InitSchema)
	if err != nil {
		return err
	}
	dst, err := sqlconnect.Open(ctx, dcfg)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()
	destSchema := ""
	if dst.Driver == sqlconnect.DriverMySQL {
		if err := dst.MySQL.QueryRowContext(ctx, "SELECT COALESCE(DATABASE(), '')").Scan(&destSchema); err != nil {
			return fmt.Errorf("destination: %w", err)
		}
	}
	transforms, err := src.transforms(plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Syncing %d tables of %s into %s.\n", len(plan.Tables), src.label, dcfg.Masked().URL)
	start := time.Now()
	syncer := &localsync.Syncer{
		Source:     &apiSource{data: c.Data, connectionID: src.connectionID, where: src.where, batchSize: f.batchSize},
		Dest:       dst,
		DestSchema: destSchema,
		Options:    f.opts,
		Transforms: transforms,
		OnTable: func(r localsync.TableResult) {
			fmt.Fprintf(s.Out, "  %s: %s rows (%s rows/s)\n", r.Table, progress.Number(r.Rows), progress.Number(rate(r.Rows, r.Duration)))
		},
	}
	total, err := syncer.Run(ctx, plan)
	if err != nil {
		return err
	}
	d := time.Since(start)
	_, err = fmt.Fprintf(s.Out, "Synced %d tables, %s rows in %s (%s rows/s).\n", len(plan.Tables), progress.Number(total), d.Round(time.Millisecond), progress.Number(rate(total, d)))
	return err
}

func rate(rows int64, d time.Duration) int64 {
	if d <= 0 {
		return rows
	}
	return int64(float64(rows) / d.Seconds())
}
