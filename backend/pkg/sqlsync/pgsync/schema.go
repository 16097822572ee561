package pgsync

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgPrepare implements PrepareDestination for PostgreSQL.
func pgPrepare(ctx context.Context, plan *syncplan.Plan, dst syncdriver.Destination) error {
	conn, err := destConn(ctx, dst)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET standard_conforming_strings = on"); err != nil {
		return err
	}
	if dst.Options.InitSchema {
		if err := pgInitSchema(ctx, conn, plan, dst.Options, dst.Logger); err != nil {
			return err
		}
	}
	if dst.Options.Truncate {
		q := syncdriver.NewQuoter(plan.Dialect)
		names := make([]string, len(plan.Tables))
		for i, t := range plan.Tables {
			names[i] = q.Table(dst.Options.DestTable(t.Name))
		}
		stmt := "TRUNCATE " + strings.Join(names, ", ")
		if dst.Options.TruncateCascade {
			stmt += " CASCADE"
		}
		if err := q.Err(); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("truncate: %w", err)
		}
		if dst.Options.InitSchema {
			if err := pgDropForLoad(ctx, conn, plan, dst.Options); err != nil {
				return err
			}
		}
	}
	return nil
}

// pgDropForLoad drops, from the emptied tables of a destination the job
// owns (InitSchema and Truncate), the foreign keys and secondary indexes
// — and, unless the copy merges on conflict, the primary keys and unique
// constraints — that Finalize recreates from the source's definitions. Loading an indexed
// table with foreign keys checks every row against the parent and
// updates every index per row; building them once after the data is
// several times faster (a repeated run would otherwise be much slower than
// the first, which loads into bare tables). Resume and update passes join
// on the key without needing its index. A key that a foreign key of a
// table outside the job depends on stays. Until Finalize has run the tables lack
// these objects; a retried sync recreates them in its own Finalize.
func pgDropForLoad(ctx context.Context, conn *pgxpool.Conn, plan *syncplan.Plan, opts syncplan.DestinationOptions) error {
	q := syncdriver.NewQuoter(plan.Dialect)
	drop := func(stmt string) error {
		if err := q.Err(); err != nil {
			return err
		}
		_, err := conn.Exec(ctx, stmt)
		return err
	}
	for _, t := range plan.Tables {
		dest := opts.DestTable(t.Name)
		for _, c := range t.Definition.Constraints {
			if c.Kind == sqlschema.ConstraintForeignKey {
				if err := drop("ALTER TABLE " + q.Table(dest) + " DROP CONSTRAINT IF EXISTS " + q.ID(c.Name)); err != nil {
					return fmt.Errorf("drop foreign key %s of %s before the load: %w", c.Name, dest, err)
				}
			}
		}
	}
	for _, t := range plan.Tables {
		dest := opts.DestTable(t.Name)
		for _, ix := range t.Definition.Indexes {
			if err := drop("DROP INDEX IF EXISTS " + q.Table(sqlschema.TableName{Schema: dest.Schema, Table: ix.Name})); err != nil {
				return fmt.Errorf("drop index %s of %s before the load: %w", ix.Name, dest, err)
			}
		}
		if opts.OnConflict != syncplan.ConflictError {
			continue
		}
		for _, c := range t.Definition.Constraints {
			if c.Kind != sqlschema.ConstraintUnique && c.Kind != sqlschema.ConstraintPrimaryKey {
				continue
			}
			var referenced bool
			err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint u
  JOIN pg_catalog.pg_class r ON r.oid = u.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
  JOIN pg_catalog.pg_depend d ON d.refobjid = u.conindid AND d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
  WHERE n.nspname = $1 AND r.relname = $2 AND u.conname = $3)`, dest.Schema, dest.Table, c.Name).Scan(&referenced)
			if err != nil {
				return err
			}
			if referenced {
				continue
			}
			if err := drop("ALTER TABLE " + q.Table(dest) + " DROP CONSTRAINT IF EXISTS " + q.ID(c.Name)); err != nil {
				return fmt.Errorf("drop key %s of %s before the load: %w", c.Name, dest, err)
			}
		}
	}
	return nil
}

// pgLiteral quotes s as a string literal (standard_conforming_strings on).
func pgLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// pgCreateTable prints CREATE TABLE for t with its columns and check
// constraints.
func pgCreateTable(q *syncdriver.Quoter, dest sqlschema.TableName, t *syncplan.Table) string {
	var parts []string
	for _, c := range t.Columns {
		col := q.ID(c.Name) + " " + c.DataType
		if coll, ok := t.Definition.Collations[c.Name]; ok {
			col += " COLLATE " + coll
		}
		switch {
		case c.GeneratedKind != "" && c.GeneratedExpression != nil:
			col += " GENERATED ALWAYS AS (" + *c.GeneratedExpression + ") " + c.GeneratedKind
		case c.IdentityGeneration == "ALWAYS" || c.IdentityGeneration == "BY DEFAULT":
			col += " GENERATED " + c.IdentityGeneration + " AS IDENTITY"
		case c.Default != nil:
			col += " DEFAULT " + *c.Default
		}
		if !c.IsNullable {
			col += " NOT NULL"
		}
		parts = append(parts, col)
	}
	for _, c := range t.Definition.Constraints {
		if c.Kind == sqlschema.ConstraintCheck {
			parts = append(parts, "CONSTRAINT "+q.ID(c.Name)+" "+c.Definition)
		}
	}
	stmt := "CREATE TABLE " + q.Table(dest) + " (\n  " + strings.Join(parts, ",\n  ") + "\n)"
	if t.Definition.PartitionKey != "" {
		stmt += " PARTITION BY " + t.Definition.PartitionKey
	}
	return stmt
}

// pgCreateExtensions creates the extensions the copied tables' schemas
// hold or their columns' types come from, when the destination lacks them.
func pgCreateExtensions(ctx context.Context, conn *pgxpool.Conn, q *syncdriver.Quoter, exts []sqlschema.Extension, exists func(string, ...any) (bool, error)) error {
	for _, e := range exts {
		ok, err := exists(`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1)`, e.Name)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		stmt := "CREATE SCHEMA IF NOT EXISTS " + q.ID(e.Schema)
		if err := q.Err(); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("create schema %s for extension %s: %w", e.Schema, e.Name, err)
		}
		stmt = "CREATE EXTENSION IF NOT EXISTS " + q.ID(e.Name) + " WITH SCHEMA " + q.ID(e.Schema)
		if err := q.Err(); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("create extension %s (version %s in the source) in schema %s: %w; install it on the destination server or create it there before the sync",
				e.Name, e.Version, e.Schema, err)
		}
	}
	return nil
}

// nextvalSequence extracts the sequence from a default such as
// nextval('public."my seq"'::regclass).
func nextvalSequence(def string) (string, bool) {
	const pre, post = "nextval('", "'::regclass)"
	if !strings.HasPrefix(def, pre) || !strings.HasSuffix(def, post) {
		return "", false
	}
	return strings.ReplaceAll(def[len(pre):len(def)-len(post)], "''", "'"), true
}
