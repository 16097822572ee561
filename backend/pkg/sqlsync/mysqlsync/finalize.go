package mysqlsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlFinalize implements Finalize and Restore for MySQL/MariaDB: it adds
// the foreign keys that InitSchema left out (keys and indexes are created
// with the table), those between copied tables that the destination lacks
// by name and definition.
func mysqlFinalize(ctx context.Context, plan *syncplan.Plan, run *syncdriver.FinalizeRun) error {
	if !run.Dst.Options.InitSchema {
		return nil
	}
	conn, release, err := mysqlSession(ctx, run.Dst.DB.MySQL)
	if err != nil {
		return err
	}
	defer release()
	q := syncdriver.NewQuoter(plan.Dialect)
	copied := map[sqlschema.TableName]bool{}
	for _, t := range plan.Tables {
		copied[t.Name] = true
	}
	for _, t := range plan.Tables {
		dest := run.Dst.Options.DestTable(t.Name)
		_, clauses, err := mysqlSplitCreate(q, t.Definition.CreateStatement, dest)
		if err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
		if run.Restore && len(clauses) > 0 {
			ok, err := mysqlTableExists(ctx, conn, dest)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		for _, name := range syncdriver.SortedNames(clauses) {
			if !syncdriver.ReferencesCopied(t, name, copied) {
				continue
			}
			var fk syncplan.ForeignKey
			for _, f := range t.ForeignKeys {
				if f.Name == name {
					fk = f
				}
			}
			clause := clauses[name]
			for from, to := range run.Dst.Options.SchemaMap {
				clause = strings.ReplaceAll(clause, "REFERENCES "+q.ID(from)+".", "REFERENCES "+q.ID(to)+".")
			}
			run.Total++
			err := mysqlAddForeignKey(ctx, conn, q, run, dest, fk, clause)
			if err == nil {
				continue
			}
			m, derr := mysqlDiagnose(ctx, conn, q, run, dest, fk, err)
			if derr != nil {
				return derr
			}
			run.Fail(m)
		}
	}
	return q.Err()
}

// mysqlAddForeignKey adds fk to dest with clause unless the destination
// has it (same name, columns and referenced columns).
func mysqlAddForeignKey(ctx context.Context, conn *sql.Conn, q *syncdriver.Quoter, run *syncdriver.FinalizeRun, dest sqlschema.TableName, fk syncplan.ForeignKey, clause string) error {
	parent := run.Dst.Options.DestTable(fk.Referenced)
	check := func() (bool, error) {
		have, found, err := mysqlExistingForeignKey(ctx, conn, dest.Schema, fk.Name)
		if err != nil || !found {
			return false, err
		}
		if have.table == dest && have.parent == parent && slices.Equal(have.cols, fk.Columns) && slices.Equal(have.refCols, fk.ReferencedColumns) {
			return true, nil
		}
		return false, &syncdriver.DefinitionDiffersError{Have: have.String(), Want: mysqlForeignKey{table: dest, parent: parent, cols: fk.Columns, refCols: fk.ReferencedColumns}.String()}
	}
	if ok, err := check(); ok || err != nil {
		return err
	}
	stmt := tag(run.Dst) + "ALTER TABLE " + q.Table(dest) + " ADD " + clause
	if err := q.Err(); err != nil {
		return err
	}
	run.Dst.Step(fmt.Sprintf("add %s %s on %s", syncdriver.KindForeignKey, fk.Name, dest))
	_, err := conn.ExecContext(ctx, stmt)
	if err == nil {
		return nil
	}
	if mysqlObjectError(err) {
		// Another session (an earlier attempt still running) may have
		// added it after the check above (a duplicate name).
		if ok, cerr := check(); ok && cerr == nil {
			return nil
		}
	}
	return err
}

// mysqlForeignKey is a destination foreign key as information_schema
// describes it.
type mysqlForeignKey struct {
	table, parent sqlschema.TableName
	cols, refCols []string
}

func (f mysqlForeignKey) String() string {
	return fmt.Sprintf("FOREIGN KEY %s (%s) REFERENCES %s (%s)", f.table, strings.Join(f.cols, ", "), f.parent, strings.Join(f.refCols, ", "))
}

// mysqlExistingForeignKey reads the foreign key named name of database
// schema (InnoDB names foreign keys per database).
func mysqlExistingForeignKey(ctx context.Context, conn *sql.Conn, schema, name string) (mysqlForeignKey, bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY ORDINAL_POSITION`, schema, name)
	if err != nil {
		return mysqlForeignKey{}, false, err
	}
	defer func() { _ = rows.Close() }()
	var f mysqlForeignKey
	found := false
	for rows.Next() {
		var col, refCol string
		if err := rows.Scan(&f.table.Schema, &f.table.Table, &col, &f.parent.Schema, &f.parent.Table, &refCol); err != nil {
			return f, false, err
		}
		f.cols = append(f.cols, col)
		f.refCols = append(f.refCols, refCol)
		found = true
	}
	return f, found, rows.Err()
}

// mysqlObjectError is pgObjectError's MySQL counterpart: the
// server refusing the foreign key itself, not a failure worth a retry.
func mysqlObjectError(err error) bool {
	var dd *syncdriver.DefinitionDiffersError
	if errors.As(err, &dd) {
		return true
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 1053, 1205, 1213, 1317, 1927, 2006, 2013, 3024, 1158, 1159, 1160, 1161:
		// shutdown, lock wait timeout, deadlock, interrupted, connection
		// killed, server gone, lost connection, time limit, network
		return false
	}
	return true
}

// mysqlDiagnose explains why foreign key fk of dest could not be added:
// its orphan rows with one example, or the server's message.
func mysqlDiagnose(ctx context.Context, conn *sql.Conn, q *syncdriver.Quoter, run *syncdriver.FinalizeRun, dest sqlschema.TableName, fk syncplan.ForeignKey, err error) (syncdriver.MissingConstraint, error) {
	if !mysqlObjectError(err) {
		return syncdriver.MissingConstraint{}, fmt.Errorf("%s %s on %s: %w", syncdriver.KindForeignKey, fk.Name, dest, err)
	}
	parent := run.Dst.Options.DestTable(fk.Referenced)
	m := syncdriver.MissingConstraint{Table: dest, Kind: syncdriver.KindForeignKey, Name: fk.Name, Reason: syncdriver.ReasonError, Columns: fk.Columns, Referenced: &parent, Detail: err.Error()}
	var dd *syncdriver.DefinitionDiffersError
	if errors.As(err, &dd) {
		m.Reason = syncdriver.ReasonDefinitionDiffers
		return m, nil
	}
	var me *mysql.MySQLError
	errors.As(err, &me)
	m = m.WithCause(me)
	if me.Number != 1452 { // 1452: a child row has no parent
		return m, nil
	}
	m.Reason = syncdriver.ReasonOrphans
	var notNull, match, cols []string
	for i, c := range fk.Columns {
		notNull = append(notNull, "c."+q.ID(c)+" IS NOT NULL")
		match = append(match, "p."+q.ID(fk.ReferencedColumns[i])+" = c."+q.ID(c))
		cols = append(cols, "c."+q.ID(c))
	}
	query := "SELECT COUNT(*), MIN(CONCAT('(', CONCAT_WS(',', " + strings.Join(cols, ", ") + "), ')')) FROM " + q.Table(dest) + " AS c WHERE " +
		strings.Join(notNull, " AND ") + " AND NOT EXISTS (SELECT 1 FROM " + q.Table(parent) + " AS p WHERE " + strings.Join(match, " AND ") + ")"
	if err := q.Err(); err != nil {
		return m, err
	}
	var example sql.NullString
	if err := conn.QueryRowContext(ctx, query).Scan(&m.Rows, &example); err != nil {
		if ctx.Err() != nil || !mysqlObjectError(err) {
			return m, err
		}
		return m, nil
	}
	if example.Valid {
		m.Example = syncdriver.KeyExample(fk.Columns, example.String)
	}
	return m, nil
}
