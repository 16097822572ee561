package pgsync

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// schemaInit is one InitSchema on a destination session: it creates, in
// dependency order, what the copied tables need and the destination
// lacks — schemas, extensions, enums, functions and procedures of the
// copied tables' schemas, domains, composite types, sequences, tables,
// partitions — and then gives the sequences their owners. Every statement is checked for quoting errors first.
type schemaInit struct {
	ctx  context.Context
	conn *pgxpool.Conn
	q    *syncdriver.Quoter
	plan *syncplan.Plan
	opts syncplan.DestinationOptions
	// logger receives the functions that could not be created (nil:
	// none is logged).
	logger *slog.Logger
}

// pgInitSchema creates what plan's tables need in the destination conn
// reaches (see schemaInit).
func pgInitSchema(ctx context.Context, conn *pgxpool.Conn, plan *syncplan.Plan, opts syncplan.DestinationOptions, logger *slog.Logger) error {
	s := &schemaInit{ctx: ctx, conn: conn, q: syncdriver.NewQuoter(plan.Dialect), plan: plan, opts: opts, logger: logger}
	types := plan.Types
	if types == nil {
		types = &sqlschema.Definitions{}
	}
	if err := s.schemas(); err != nil {
		return err
	}
	if err := pgCreateExtensions(ctx, conn, s.q, types.Extensions, s.exists); err != nil {
		return err
	}
	if err := s.enums(types); err != nil {
		return err
	}
	// Functions come before what may call them (domain checks, column
	// defaults, checks, generated columns); one whose argument or result
	// type is a domain, a composite or a table's row type is tried again
	// once those exist.
	fns, err := s.missingFunctions(types.Functions)
	if err != nil {
		return err
	}
	if len(fns) > 0 {
		if _, err := conn.Exec(ctx, "SELECT pg_catalog.set_config('check_function_bodies', 'off', false)"); err != nil {
			return fmt.Errorf("create functions: %w", err)
		}
		defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET check_function_bodies") }()
	}
	fns = s.functions(fns, false)
	for _, step := range []func(*sqlschema.Definitions) error{s.domains, s.composites, s.sequences} {
		if err := step(types); err != nil {
			return err
		}
	}
	fns = s.functions(fns, false)
	if err := s.tables(); err != nil {
		return err
	}
	s.functions(fns, true)
	if err := s.partitions(); err != nil {
		return err
	}
	return s.ownSequences(types)
}

// missingFunctions returns the functions of fns the destination lacks,
// compared by signature (read, as the source's were, with the search_path
// pg_catalog, so both qualify every user type).
func (s *schemaInit) missingFunctions(fns []sqlschema.Function) ([]sqlschema.Function, error) {
	if len(fns) == 0 {
		return nil, nil
	}
	var schemas []string
	for _, f := range fns {
		schemas = append(schemas, f.Schema)
	}
	have := map[string]bool{}
	tx, err := s.conn.Begin(s.ctx)
	if err != nil {
		return nil, fmt.Errorf("read destination functions: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(s.ctx)) }()
	if _, err := tx.Exec(s.ctx, "SET LOCAL search_path TO pg_catalog"); err != nil {
		return nil, fmt.Errorf("read destination functions: %w", err)
	}
	rows, err := tx.Query(s.ctx, `SELECT p.oid::pg_catalog.regprocedure::text FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1::text[])`, schemas)
	if err != nil {
		return nil, fmt.Errorf("read destination functions: %w", err)
	}
	for rows.Next() {
		var sig string
		if err := rows.Scan(&sig); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read destination functions: %w", err)
		}
		have[sig] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read destination functions: %w", err)
	}
	var out []sqlschema.Function
	for _, f := range fns {
		if !have[f.Signature] {
			out = append(out, f)
		}
	}
	return out, nil
}

// functions creates fns (which the destination lacks) with their source
// definitions, with check_function_bodies off (as pg_dump restores them:
// a body may name tables created later). It returns those that failed,
// to be tried again after the next step. A failure on the last try (after
// the tables) is a warning, not an error: every table was created, so no
// table needs the function, and a constraint or index that does names it
// when Finalize builds it; a function no copied object calls (in a
// language the destination lacks, say) must not stop the run.
func (s *schemaInit) functions(fns []sqlschema.Function, last bool) []sqlschema.Function {
	var later []sqlschema.Function
	for _, f := range fns {
		if _, err := s.conn.Exec(s.ctx, f.Definition); err != nil {
			if last && s.logger != nil {
				s.logger.WarnContext(s.ctx, "create missing tables: a function of the copied schemas could not be created in the destination",
					"function", f.Signature, "error", err.Error())
			}
			later = append(later, f)
		}
	}
	return later
}

// exec runs stmt; what names it in the error.
func (s *schemaInit) exec(what, stmt string) error {
	if err := s.q.Err(); err != nil {
		return err
	}
	if _, err := s.conn.Exec(s.ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// exists runs a SELECT EXISTS query.
func (s *schemaInit) exists(query string, args ...any) (bool, error) {
	var ok bool
	err := s.conn.QueryRow(s.ctx, query, args...).Scan(&ok)
	return ok, err
}

const (
	pgTypeExists  = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2)`
	pgTableExists = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p'))`
)

// schemas creates the destination schemas of the copied tables.
func (s *schemaInit) schemas() error {
	seen := map[string]bool{}
	for _, t := range s.plan.Tables {
		name := s.opts.DestSchema(t.Name.Schema)
		if !seen[name] {
			seen[name] = true
			if err := s.exec("create schema "+name, "CREATE SCHEMA IF NOT EXISTS "+s.q.ID(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// enums creates the enum types the destination lacks.
func (s *schemaInit) enums(types *sqlschema.Definitions) error {
	for _, en := range types.Enums {
		ok, err := s.exists(pgTypeExists, en.Schema, en.Name)
		if err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		labels := make([]string, len(en.Labels))
		for i, l := range en.Labels {
			labels[i] = pgLiteral(l)
		}
		name := s.q.Table(sqlschema.TableName{Schema: en.Schema, Table: en.Name})
		if err := s.exec("create enum "+en.Name, "CREATE TYPE "+name+" AS ENUM ("+strings.Join(labels, ", ")+")"); err != nil {
			return err
		}
	}
	return nil
}

// domains creates the domains the destination lacks, with their
// defaults and checks.
func (s *schemaInit) domains(types *sqlschema.Definitions) error {
	for _, d := range types.Domains {
		ok, err := s.exists(pgTypeExists, d.Schema, d.Name)
		if err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		stmt := "CREATE DOMAIN " + s.q.Table(sqlschema.TableName{Schema: d.Schema, Table: d.Name}) + " AS " + d.BaseType
		if d.Default != nil {
			stmt += " DEFAULT " + *d.Default
		}
		if d.NotNull {
			stmt += " NOT NULL"
		}
		for _, c := range d.Checks {
			stmt += " CONSTRAINT " + s.q.ID(c.Name) + " " + c.Definition
		}
		if err := s.exec("create domain "+d.Name, stmt); err != nil {
			return err
		}
	}
	return nil
}

// composites creates the composite types the destination lacks.
func (s *schemaInit) composites(types *sqlschema.Definitions) error {
	for _, c := range types.Composites {
		ok, err := s.exists(pgTypeExists, c.Schema, c.Name)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		attrs := make([]string, len(c.Attributes))
		for i, a := range c.Attributes {
			attrs[i] = s.q.ID(a.Name) + " " + a.Type
			if a.Collation != "" {
				attrs[i] += " COLLATE " + a.Collation
			}
		}
		name := s.q.Table(sqlschema.TableName{Schema: c.Schema, Table: c.Name})
		if err := s.exec("create composite type "+c.Name, "CREATE TYPE "+name+" AS ("+strings.Join(attrs, ", ")+")"); err != nil {
			return err
		}
	}
	return nil
}

// sequences creates the sequences the destination lacks (owners come
// after the tables: ownSequences).
func (s *schemaInit) sequences(types *sqlschema.Definitions) error {
	for _, sq := range types.Sequences {
		stmt := fmt.Sprintf("CREATE SEQUENCE IF NOT EXISTS %s AS %s INCREMENT BY %d MINVALUE %d MAXVALUE %d START WITH %d CACHE %d",
			s.q.Table(sqlschema.TableName{Schema: sq.Schema, Table: sq.Name}), sq.DataType, sq.Increment, sq.Min, sq.Max, sq.Start, sq.Cache)
		if sq.Cycle {
			stmt += " CYCLE"
		}
		if err := s.exec("create sequence "+sq.Name, stmt); err != nil {
			return err
		}
	}
	return nil
}

// tables creates the copied tables the destination lacks, with their
// columns and checks; with OnConflict also their keys, which the merge's
// ON CONFLICT needs now (otherwise Finalize builds them after the data).
func (s *schemaInit) tables() error {
	existing, err := s.existingTables()
	if err != nil {
		return err
	}
	// The tables are created in transactions of tablesPerTransaction: a
	// schema of thousands of tables then commits (and waits for its WAL
	// flush) dozens of times, not once per table; a transaction of every
	// table would hold more locks than a default server's lock table
	// (max_locks_per_transaction × connections) has room for.
	open := 0
	commit := func() error {
		if open == 0 {
			return nil
		}
		open = 0
		return s.exec("commit the tables created", "COMMIT")
	}
	defer func() {
		if open > 0 {
			_, _ = s.conn.Exec(context.WithoutCancel(s.ctx), "ROLLBACK")
		}
	}()
	for _, t := range s.plan.Tables {
		dest := s.opts.DestTable(t.Name)
		if existing[dest] {
			continue
		}
		if open == 0 {
			if err := s.exec("begin creating tables", "BEGIN"); err != nil {
				return err
			}
		}
		open++
		if err := s.exec("create table "+dest.String(), pgCreateTable(s.q, dest, &t)); err != nil {
			return err
		}
		for _, c := range t.Definition.Constraints {
			// With OnConflict the keys the conflict needs come now, else
			// they are built after the copy (Finalize).
			if s.opts.OnConflict != syncplan.ConflictError && (c.Kind == sqlschema.ConstraintPrimaryKey || c.Kind == sqlschema.ConstraintUnique) {
				if err := s.exec("add constraint "+c.Name, "ALTER TABLE "+s.q.Table(dest)+" ADD CONSTRAINT "+s.q.ID(c.Name)+" "+c.Definition); err != nil {
					return err
				}
			}
		}
		if open == tablesPerTransaction {
			if err := commit(); err != nil {
				return err
			}
		}
	}
	return commit()
}

// tablesPerTransaction is how many tables InitSchema creates per
// transaction.
const tablesPerTransaction = 100

// existingTables returns the tables (plain or partitioned) of the
// destination schemas of the plan's tables, read in one query.
func (s *schemaInit) existingTables() (map[sqlschema.TableName]bool, error) {
	var schemas []string
	for _, t := range s.plan.Tables {
		schemas = append(schemas, s.opts.DestSchema(t.Name.Schema))
	}
	rows, err := s.conn.Query(s.ctx, `SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p')`, schemas)
	if err != nil {
		return nil, fmt.Errorf("list the destination's tables: %w", err)
	}
	defer rows.Close()
	out := map[sqlschema.TableName]bool{}
	for rows.Next() {
		var n sqlschema.TableName
		if err := rows.Scan(&n.Schema, &n.Table); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// partitions creates the partitions the destination lacks, with PARTITION
// OF, their bounds and sub-partition keys.
func (s *schemaInit) partitions() error {
	for _, p := range s.plan.Partitions {
		dest := s.opts.DestTable(p.Name)
		ok, err := s.exists(pgTableExists, dest.Schema, dest.Table)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		stmt := "CREATE TABLE " + s.q.Table(dest) + " PARTITION OF " + s.q.Table(s.opts.DestTable(p.Parent)) + " " + p.Definition.PartitionBound
		if p.Definition.PartitionKey != "" {
			stmt += " PARTITION BY " + p.Definition.PartitionKey
		}
		if err := s.exec("create partition "+dest.String(), stmt); err != nil {
			return err
		}
	}
	return nil
}

// ownSequences gives the sequences owned by a copied table's column their
// owner.
func (s *schemaInit) ownSequences(types *sqlschema.Definitions) error {
	for _, sq := range types.Sequences {
		if sq.OwnedBy == nil || s.plan.Table(sq.OwnedBy.Table) == nil {
			continue
		}
		stmt := "ALTER SEQUENCE " + s.q.Table(sqlschema.TableName{Schema: sq.Schema, Table: sq.Name}) +
			" OWNED BY " + s.q.Table(sq.OwnedBy.Table) + "." + s.q.ID(sq.OwnedBy.Column)
		if err := s.exec("own sequence "+sq.Name, stmt); err != nil {
			return err
		}
	}
	return nil
}
