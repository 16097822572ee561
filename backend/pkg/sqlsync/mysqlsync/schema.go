package mysqlsync

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlPrepare implements PrepareDestination for MySQL/MariaDB.
func mysqlPrepare(ctx context.Context, plan *syncplan.Plan, dst syncdriver.Destination, reach []syncplan.Reference) error {
	conn, release, err := mysqlSession(ctx, dst.DB.MySQL)
	if err != nil {
		return err
	}
	defer release()
	q := syncdriver.NewQuoter(plan.Dialect)
	opts := dst.Options
	if opts.InitSchema {
		seen := map[string]bool{}
		for _, t := range plan.Tables {
			s := opts.DestSchema(t.Name.Schema)
			if !seen[s] {
				seen[s] = true
				if _, err := conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+q.ID(s)); err != nil {
					return fmt.Errorf("create database %s: %w", s, err)
				}
			}
		}
		for _, t := range plan.Tables {
			dest := opts.DestTable(t.Name)
			ok, err := mysqlTableExists(ctx, conn, dest)
			if err != nil {
				return err
			}
			if ok {
				continue
			}
			stmt, _, err := mysqlSplitCreate(q, t.Definition.CreateStatement, dest)
			if err != nil {
				return fmt.Errorf("table %s: %w", t.Name, err)
			}
			if _, err := conn.ExecContext(ctx, tag(dst)+stmt); err != nil {
				return fmt.Errorf("create table %s: %w", dest, err)
			}
		}
	}
	if opts.Truncate {
		if err := mysqlTruncate(ctx, conn, q, plan, dst, reach); err != nil {
			return err
		}
	}
	return q.Err()
}

// mysqlTruncate empties the copied tables, children first. MySQL has no
// TRUNCATE … CASCADE and refuses to truncate a referenced table, so
// foreign key checks are switched off for the session; to keep
// PostgreSQL's semantics, the tables outside the job that reference a
// truncated one (directly or through others: reach, which
// PrepareDestination only lets through with TruncateCascade) are emptied
// too — never left pointing at rows that are gone.
func mysqlTruncate(ctx context.Context, conn *sql.Conn, q *syncdriver.Quoter, plan *syncplan.Plan, dst syncdriver.Destination, reach []syncplan.Reference) error {
	opts := dst.Options
	var targets []sqlschema.TableName
	for _, t := range plan.Tables {
		targets = append(targets, opts.DestTable(t.Name))
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0"); err != nil {
		return err
	}
	// Referencing tables were found children-last; empty them first.
	for i := len(reach) - 1; i >= 0; i-- {
		targets = append([]sqlschema.TableName{reach[i].Child}, targets...)
	}
	seen := map[sqlschema.TableName]bool{}
	for i := len(targets) - 1; i >= 0; i-- {
		dest := targets[i]
		if seen[dest] {
			continue
		}
		seen[dest] = true
		stmt := tag(dst) + "TRUNCATE TABLE " + q.Table(dest)
		if err := q.Err(); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("truncate %s: %w", dest, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 1"); err != nil {
		return err
	}
	return nil
}

func mysqlTableExists(ctx context.Context, conn *sql.Conn, t sqlschema.TableName) (bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, t.Schema, t.Table)
	if err != nil {
		return false, err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var got sqlschema.TableName
		if err := rows.Scan(&got.Schema, &got.Table); err != nil {
			return false, err
		}
		if got == t {
			return true, nil
		}
	}
	return false, rows.Err()
}

// mysqlSplitCreate turns a SHOW CREATE TABLE statement into the statement
// creating dest without its foreign keys, and returns the foreign key
// clauses (keyed by constraint name, as printed) for Finalize. SHOW
// CREATE TABLE prints one element per line, foreign keys as
// "  CONSTRAINT `name` FOREIGN KEY ...", and references to tables of the
// same database unqualified, which MySQL resolves against the table's own
// database.
func mysqlSplitCreate(q *syncdriver.Quoter, create string, dest sqlschema.TableName) (string, map[string]string, error) {
	lines := strings.Split(create, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "CREATE TABLE ") || !strings.HasSuffix(lines[0], " (") || !strings.HasPrefix(lines[len(lines)-1], ")") {
		return "", nil, fmt.Errorf("unexpected SHOW CREATE TABLE output")
	}
	fks := map[string]string{}
	var body []string
	for _, l := range lines[1 : len(lines)-1] {
		l = strings.TrimSuffix(strings.TrimSpace(l), ",")
		if strings.HasPrefix(l, "CONSTRAINT `") && strings.Contains(l, " FOREIGN KEY ") {
			name, err := mysqlUnquote(strings.TrimPrefix(l, "CONSTRAINT "))
			if err != nil {
				return "", nil, err
			}
			fks[name] = l
			continue
		}
		body = append(body, "  "+l)
	}
	stmt := "CREATE TABLE " + q.Table(dest) + " (\n" + strings.Join(body, ",\n") + "\n" + lines[len(lines)-1]
	return stmt, fks, q.Err()
}

// mysqlUnquote reads the backtick-quoted identifier at the start of s.
func mysqlUnquote(s string) (string, error) {
	if !strings.HasPrefix(s, "`") {
		return "", fmt.Errorf("no quoted identifier in %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '`' {
			if i+1 < len(s) && s[i+1] == '`' {
				b.WriteByte('`')
				i++
				continue
			}
			return b.String(), nil
		}
		b.WriteByte(s[i])
	}
	return "", fmt.Errorf("unterminated identifier in %q", s)
}

// mysqlUpdatePass is pgUpdatePass for MySQL: the key and deferred columns
// are loaded into a temporary table and applied with a multi-table UPDATE
// that joins the parent, so only references to rows present are set.
func mysqlUpdatePass(ctx context.Context, j *syncdriver.TableJob) error {
	return mysqlApplyUpdates(ctx, j, func(ctx context.Context, spec syncdriver.SourceSpec, write func(context.Context, *syncdriver.BatchReader) error) error {
		return mysqlStream(ctx, j, spec, nil, write)
	})
}

// mysqlApplyUpdates loads the key and deferred columns that stream reads
// into a temporary table and sets the deferred foreign keys from it, one
// UPDATE per key (mysqlUpdateStatement).
func mysqlApplyUpdates(ctx context.Context, j *syncdriver.TableJob, stream func(context.Context, syncdriver.SourceSpec, func(context.Context, *syncdriver.BatchReader) error) error) error {
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	cols, deferred := syncdriver.UpdateColumns(j.Table)
	list := q.List("", syncdriver.WrittenNames(cols))
	load := loadColumns(q, cols)
	if err := q.Err(); err != nil {
		return err
	}
	conn, release, err := mysqlSession(ctx, j.Dst.DB.MySQL)
	if err != nil {
		return err
	}
	defer release()
	const stage = "`neosync_update`"
	for _, s := range []string{"DROP TEMPORARY TABLE IF EXISTS " + stage,
		"CREATE TEMPORARY TABLE " + stage + " AS SELECT " + list + " FROM " + dest + " LIMIT 0"} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	err = stream(ctx, syncdriver.SourceSpec{Out: cols}, func(ctx context.Context, r *syncdriver.BatchReader) error {
		return mysqlLoad(ctx, conn, tag(j.Dst), stage, load, r)
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	for _, fk := range deferred {
		stmt := tag(j.Dst) + mysqlUpdateStatement(q, j, fk, dest, stage)
		if err := q.Err(); err != nil {
			return err
		}
		j.Dst.Step(fmt.Sprintf("update pass: set %s %s of %s", syncdriver.KindForeignKey, fk.Name, j.DestName()))
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("foreign key %s: %w", fk.Name, err)
		}
	}
	return nil
}

// mysqlUpdateStatement sets foreign key fk of dest from stage: a
// multi-table UPDATE joined to the parent, so only references to rows
// present are set.
func mysqlUpdateStatement(q *syncdriver.Quoter, j *syncdriver.TableJob, fk syncplan.ForeignKey, dest, stage string) string {
	var sets, on, anyNull, someSet []string
	for i, c := range fk.Columns {
		sets = append(sets, "d."+q.ID(c)+" = s."+q.ID(c))
		on = append(on, "p."+q.ID(fk.ReferencedColumns[i])+" = s."+q.ID(c))
		anyNull = append(anyNull, "s."+q.ID(c)+" IS NULL")
		someSet = append(someSet, "s."+q.ID(c)+" IS NOT NULL")
	}
	parent := q.Table(j.Dst.Options.DestTable(fk.Referenced))
	return "UPDATE " + dest + " AS d JOIN " + stage + " AS s ON " + q.Equal("d", "s", j.Table.Key) +
		" LEFT JOIN " + parent + " AS p ON " + strings.Join(on, " AND ") +
		" SET " + strings.Join(sets, ", ") +
		" WHERE (" + strings.Join(someSet, " OR ") + ") AND (" + strings.Join(anyNull, " OR ") + " OR p." + q.ID(fk.ReferencedColumns[0]) + " IS NOT NULL)"
}
