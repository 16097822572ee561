package sqlsync

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlPrepare implements PrepareDestination for MySQL/MariaDB.
func mysqlPrepare(ctx context.Context, plan *syncplan.Plan, dst Destination, reach []syncplan.Reference) error {
	conn, release, err := mysqlSession(ctx, dst.DB.MySQL)
	if err != nil {
		return err
	}
	defer release()
	q := newQuoter(plan.Dialect)
	opts := dst.Options
	if opts.InitSchema {
		seen := map[string]bool{}
		for _, t := range plan.Tables {
			s := opts.DestSchema(t.Name.Schema)
			if !seen[s] {
				seen[s] = true
				if _, err := conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+q.id(s)); err != nil {
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
			if _, err := conn.ExecContext(ctx, dst.mysqlTag()+stmt); err != nil {
				return fmt.Errorf("create table %s: %w", dest, err)
			}
		}
	}
	if opts.Truncate {
		if err := mysqlTruncate(ctx, conn, q, plan, dst, reach); err != nil {
			return err
		}
	}
	return q.err()
}

// mysqlTruncate empties the copied tables, children first. MySQL has no
// TRUNCATE … CASCADE and refuses to truncate a referenced table, so
// foreign key checks are switched off for the session; to keep
// PostgreSQL's semantics, the tables outside the job that reference a
// truncated one (directly or through others: reach, which
// PrepareDestination only lets through with TruncateCascade) are emptied
// too — never left pointing at rows that are gone.
func mysqlTruncate(ctx context.Context, conn *sql.Conn, q *quoter, plan *syncplan.Plan, dst Destination, reach []syncplan.Reference) error {
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
		stmt := dst.mysqlTag() + "TRUNCATE TABLE " + q.table(dest)
		if err := q.err(); err != nil {
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
func mysqlSplitCreate(q *quoter, create string, dest sqlschema.TableName) (string, map[string]string, error) {
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
	stmt := "CREATE TABLE " + q.table(dest) + " (\n" + strings.Join(body, ",\n") + "\n" + lines[len(lines)-1]
	return stmt, fks, q.err()
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
func (j *tableJob) mysqlUpdatePass(ctx context.Context) error {
	return j.mysqlApplyUpdates(ctx, func(ctx context.Context, spec sourceSpec, write func(context.Context, *batchReader) error) error {
		return j.mysqlStream(ctx, spec, nil, write)
	})
}

// mysqlApplyUpdates loads the key and deferred columns that stream reads
// into a temporary table and sets the deferred foreign keys from it, one
// UPDATE per key (mysqlUpdateStatement).
func (j *tableJob) mysqlApplyUpdates(ctx context.Context, stream func(context.Context, sourceSpec, func(context.Context, *batchReader) error) error) error {
	q := newQuoter(j.plan.Dialect)
	dest := q.table(j.destName())
	cols, deferred := updateColumns(j.table)
	list := q.list("", writtenNames(cols))
	if err := q.err(); err != nil {
		return err
	}
	conn, release, err := mysqlSession(ctx, j.dst.DB.MySQL)
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
	err = stream(ctx, sourceSpec{out: cols}, func(ctx context.Context, r *batchReader) error {
		return mysqlLoad(ctx, conn, j.dst.mysqlTag(), stage, list, r)
	})
	if err != nil {
		return fmt.Errorf("read the deferred columns: %w", err)
	}
	for _, fk := range deferred {
		stmt := j.dst.mysqlTag() + mysqlUpdateStatement(q, j, fk, dest, stage)
		if err := q.err(); err != nil {
			return err
		}
		j.dst.step(fmt.Sprintf("update pass: set %s %s of %s", KindForeignKey, fk.Name, j.destName()))
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("foreign key %s: %w", fk.Name, err)
		}
	}
	return nil
}

// mysqlUpdateStatement sets foreign key fk of dest from stage: a
// multi-table UPDATE joined to the parent, so only references to rows
// present are set.
func mysqlUpdateStatement(q *quoter, j *tableJob, fk syncplan.ForeignKey, dest, stage string) string {
	var sets, on, anyNull, someSet []string
	for i, c := range fk.Columns {
		sets = append(sets, "d."+q.id(c)+" = s."+q.id(c))
		on = append(on, "p."+q.id(fk.ReferencedColumns[i])+" = s."+q.id(c))
		anyNull = append(anyNull, "s."+q.id(c)+" IS NULL")
		someSet = append(someSet, "s."+q.id(c)+" IS NOT NULL")
	}
	parent := q.table(j.dst.Options.DestTable(fk.Referenced))
	return "UPDATE " + dest + " AS d JOIN " + stage + " AS s ON " + q.equal("d", "s", j.table.Key) +
		" LEFT JOIN " + parent + " AS p ON " + strings.Join(on, " AND ") +
		" SET " + strings.Join(sets, ", ") +
		" WHERE (" + strings.Join(someSet, " OR ") + ") AND (" + strings.Join(anyNull, " OR ") + " OR p." + q.id(fk.ReferencedColumns[0]) + " IS NOT NULL)"
}
