package localsync

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// mysqlDest writes into a MySQL or MariaDB database.
type mysqlDest struct {
	db   *sql.DB
	opts Options
}

var myd = sqlschema.DialectMySQL

// mysqlLiteralDefault matches defaults that are literals (MariaDB prints
// them quoted) or the clock.
var mysqlLiteralDefault = regexp.MustCompile(`(?i)^(?:'(?:[^'\\]|''|\\.)*'|-?[0-9]+(?:\.[0-9]+)?|NULL|current_timestamp(?:\([0-6]?\))?)$`)

// mysqlMaxParams bounds the placeholders of one INSERT (the protocol
// allows 65535).
const mysqlMaxParams = 60000

// mysqlMaxRows bounds the rows of one INSERT.
const mysqlMaxRows = 500

func mysqlColumnDDL(c sqlschema.Column) (string, error) {
	name, err := myd.QuoteIdentifier(c.Name)
	if err != nil {
		return "", err
	}
	b := name + " " + c.DataType
	if c.GeneratedKind != "" && c.GeneratedExpression != nil {
		kind := "VIRTUAL"
		if c.GeneratedKind == "STORED" {
			kind = "STORED"
		}
		return b + " AS (" + *c.GeneratedExpression + ") " + kind, nil
	}
	if !c.IsNullable {
		b += " NOT NULL"
	}
	if c.IdentityGeneration == "AUTO_INCREMENT" {
		b += " AUTO_INCREMENT"
	} else if c.Default != nil && mysqlLiteralDefault.MatchString(*c.Default) {
		b += " DEFAULT " + *c.Default
	}
	return b, nil
}

func (d *mysqlDest) createTables(ctx context.Context, p *Plan) error {
	seen := map[string]bool{}
	for _, t := range p.Tables {
		if seen[t.Name.Schema] {
			continue
		}
		seen[t.Name.Schema] = true
		s, err := myd.QuoteIdentifier(t.Name.Schema)
		if err != nil {
			return err
		}
		if _, err := d.db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+s); err != nil {
			return fmt.Errorf("database %s: %w", t.Name.Schema, err)
		}
	}
	for _, t := range p.Tables {
		q, err := myd.QualifiedName(t.Name)
		if err != nil {
			return err
		}
		var parts []string
		for _, c := range t.Columns {
			ddl, err := mysqlColumnDDL(c)
			if err != nil {
				return err
			}
			parts = append(parts, ddl)
		}
		if len(t.PrimaryKey) > 0 {
			pk, err := quoteList(myd, t.PrimaryKey)
			if err != nil {
				return err
			}
			parts = append(parts, "PRIMARY KEY ("+pk+")")
		}
		if _, err := d.db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+q+" (\n  "+strings.Join(parts, ",\n  ")+"\n)"); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return nil
}

func (d *mysqlDest) truncate(ctx context.Context, p *Plan, _ bool) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
		return err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "SET FOREIGN_KEY_CHECKS = 1") }()
	for _, t := range slices.Backward(p.Tables) {
		q, err := myd.QualifiedName(t.Name)
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "TRUNCATE TABLE "+q); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return nil
}

// copyTable writes the rows with multi-row INSERTs in one transaction.
func (d *mysqlDest) copyTable(ctx context.Context, t *Table, rows func(emit func([]*string) error) error) (int64, error) {
	target, err := myd.QualifiedName(t.Name)
	if err != nil {
		return 0, err
	}
	written := t.Written()
	names := make([]string, len(written))
	for i, c := range written {
		names[i] = c.Name
	}
	cols, err := quoteList(myd, names)
	if err != nil {
		return 0, err
	}
	suffix := ""
	if d.opts.OnConflictDoNothing {
		first, _ := myd.QuoteIdentifier(names[0])
		suffix = " ON DUPLICATE KEY UPDATE " + first + " = " + first
	}
	perRow := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(written)), ", ") + ")"
	batch := min(mysqlMaxRows, max(1, mysqlMaxParams/len(written)))
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	var n int64
	args := make([]any, 0, batch*len(written))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		k := len(args) / len(written)
		stmt := "INSERT INTO " + target + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(perRow+", ", k), ", ") + suffix
		res, err := tx.ExecContext(ctx, stmt, args...)
		if err != nil {
			return err
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n += affected
		args = args[:0]
		return nil
	}
	err = rows(func(row []*string) error {
		for _, v := range row {
			if v == nil {
				args = append(args, nil)
			} else {
				args = append(args, *v)
			}
		}
		if len(args)/len(written) >= batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

func (d *mysqlDest) finalize(ctx context.Context, p *Plan) error {
	if !d.opts.InitSchema {
		return nil // InnoDB's AUTO_INCREMENT already moves past inserted values
	}
	for _, t := range p.Tables {
		q, err := myd.QualifiedName(t.Name)
		if err != nil {
			return err
		}
		add := func(name, def string) error {
			var n int
			if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?`, t.Name.Schema, t.Name.Table, name).Scan(&n); err != nil || n > 0 {
				return err
			}
			qn, err := myd.QuoteIdentifier(name)
			if err != nil {
				return err
			}
			if _, err := d.db.ExecContext(ctx, "ALTER TABLE "+q+" ADD CONSTRAINT "+qn+" "+def); err != nil {
				return fmt.Errorf("table %s constraint %q: %w", t.Name, name, err)
			}
			return nil
		}
		for _, u := range t.Uniques {
			cols, err := quoteList(myd, u.Columns)
			if err != nil {
				return err
			}
			if err := add(u.Name, "UNIQUE ("+cols+")"); err != nil {
				return err
			}
		}
		for _, fk := range t.ForeignKeys {
			cols, err := quoteList(myd, fk.Columns)
			if err != nil {
				return err
			}
			ref, err := myd.QualifiedName(fk.Referenced)
			if err != nil {
				return err
			}
			refCols, err := quoteList(myd, fk.ReferencedColumns)
			if err != nil {
				return err
			}
			if err := add(fk.Name, "FOREIGN KEY ("+cols+") REFERENCES "+ref+" ("+refCols+")"); err != nil {
				return err
			}
		}
	}
	return nil
}
