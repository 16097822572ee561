package sqlschema

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// mysqlSystemSchemas are excluded when no schema filter is given.
var mysqlSystemSchemas = []string{"information_schema", "mysql", "performance_schema", "sys"}

// mysqlBaseTableTypes are the TABLE_TYPE values of base tables; MariaDB
// reports system-versioned tables as "SYSTEM VERSIONED".
const mysqlBaseTableTypes = `('BASE TABLE', 'SYSTEM VERSIONED')`

type mysqlInspector struct {
	db *sql.DB
}

// NewMySQLInspector returns an [Inspector] for the MySQL or MariaDB server
// behind db (a go-sql-driver/mysql handle). The connection charset should be
// utf8mb4 (the driver default) so non-ASCII names survive.
func NewMySQLInspector(db *sql.DB) Inspector {
	return &mysqlInspector{db: db}
}

// Dialect returns [DialectMySQL].
func (m *mysqlInspector) Dialect() Dialect { return DialectMySQL }

// mysqlSchemaFilter is a SQL condition on column col plus its bind
// arguments. information_schema compares names case-insensitively, so
// callers must still check rows with keep, which matches exactly.
type mysqlSchemaFilter struct {
	cond   string
	args   []any
	wanted map[string]bool // nil: all user schemas
}

func newMySQLSchemaFilter(col string, schemas []string) mysqlSchemaFilter {
	if len(schemas) == 0 {
		args := make([]any, len(mysqlSystemSchemas))
		for i, s := range mysqlSystemSchemas {
			args[i] = s
		}
		return mysqlSchemaFilter{cond: col + " NOT IN (" + placeholders(len(args)) + ")", args: args}
	}
	f := mysqlSchemaFilter{wanted: map[string]bool{}}
	for _, s := range schemas {
		f.args = append(f.args, s)
		f.wanted[s] = true
	}
	f.cond = col + " IN (" + placeholders(len(schemas)) + ")"
	return f
}

// keep reports whether schema passes the filter, comparing exactly.
func (f mysqlSchemaFilter) keep(schema string) bool {
	if f.wanted == nil {
		return !slices.Contains(mysqlSystemSchemas, strings.ToLower(schema))
	}
	return f.wanted[schema]
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Tables implements [Inspector.Tables].
func (m *mysqlInspector) Tables(ctx context.Context, schemas []string) ([]TableName, error) {
	f := newMySQLSchemaFilter("TABLE_SCHEMA", schemas)
	q := `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_TYPE IN ` + mysqlBaseTableTypes + ` AND ` + f.cond
	rows, err := m.db.QueryContext(ctx, q, f.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query mysql tables: %w", err)
	}
	defer rows.Close()
	var out []TableName
	for rows.Next() {
		var t TableName
		if err := rows.Scan(&t.Schema, &t.Table); err != nil {
			return nil, fmt.Errorf("sqlschema: read mysql tables: %w", err)
		}
		if f.keep(t.Schema) {
			out = append(out, t)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read mysql tables: %w", err)
	}
	sortTableNames(out)
	return out, nil
}

// isMariaDB reports whether the server is MariaDB, whose information_schema
// prints column defaults differently from MySQL 8.
func (m *mysqlInspector) isMariaDB(ctx context.Context) (bool, error) {
	var v string
	if err := m.db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return false, fmt.Errorf("sqlschema: query mysql version: %w", err)
	}
	return strings.Contains(strings.ToLower(v), "mariadb"), nil
}

// Columns implements [Inspector.Columns]. It runs a tables query and a
// columns query and joins them in Go, because information_schema joins on
// names are case-insensitive and could mix up tables "T" and "t".
func (m *mysqlInspector) Columns(ctx context.Context, schemas []string) ([]Column, error) {
	maria, err := m.isMariaDB(ctx)
	if err != nil {
		return nil, err
	}
	tables, err := m.Tables(ctx, schemas)
	if err != nil {
		return nil, err
	}
	isTable := make(map[TableName]bool, len(tables))
	for _, t := range tables {
		isTable[t] = true
	}
	f := newMySQLSchemaFilter("TABLE_SCHEMA", schemas)
	q := `SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, DATA_TYPE,
  IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION,
  CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE
FROM information_schema.COLUMNS WHERE ` + f.cond
	rows, err := m.db.QueryContext(ctx, q, f.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlschema: query mysql columns: %w", err)
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var (
			c                         Column
			dataType, nullable, extra string
			def, genExpr              sql.NullString
			charLen, prec, scale      sql.NullInt64
		)
		if err := rows.Scan(&c.Schema, &c.Table, &c.Name, &c.OrdinalPosition, &c.DataType, &dataType,
			&nullable, &def, &extra, &genExpr, &charLen, &prec, &scale); err != nil {
			return nil, fmt.Errorf("sqlschema: read mysql columns: %w", err)
		}
		if !isTable[TableName{c.Schema, c.Table}] {
			continue
		}
		c.IsNullable = nullable == "YES"
		c.CharacterMaximumLength = nullInt64(charLen)
		c.NumericPrecision = nullInt64(prec)
		c.NumericScale = nullInt64(scale)
		applyMySQLExtra(&c, extra, genExpr)
		if c.IdentityGeneration == "" && c.GeneratedKind == "" {
			c.Default = mysqlDefault(def, extra, strings.ToLower(dataType), maria)
		}
		if strings.EqualFold(dataType, "enum") {
			vals, err := parseMySQLEnum(c.DataType)
			if err != nil {
				return nil, fmt.Errorf("sqlschema: column %s.%s: %w", TableName{c.Schema, c.Table}, c.Name, err)
			}
			c.EnumValues = vals
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlschema: read mysql columns: %w", err)
	}
	sortColumns(out)
	return out, nil
}

func nullInt64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// applyMySQLExtra derives identity and generated-column fields from EXTRA
// ("auto_increment", "VIRTUAL GENERATED", "STORED GENERATED",
// MariaDB "PERSISTENT GENERATED").
func applyMySQLExtra(c *Column, extra string, genExpr sql.NullString) {
	e := strings.ToUpper(extra)
	if strings.Contains(e, "AUTO_INCREMENT") {
		c.IdentityGeneration = "AUTO_INCREMENT"
	}
	switch {
	case strings.Contains(e, "VIRTUAL GENERATED") || e == "VIRTUAL":
		c.GeneratedKind = "VIRTUAL"
	case strings.Contains(e, "STORED GENERATED") || strings.Contains(e, "PERSISTENT"):
		c.GeneratedKind = "STORED"
	}
	if c.GeneratedKind != "" && genExpr.Valid && genExpr.String != "" {
		s := genExpr.String
		c.GeneratedExpression = &s
	}
}

// mysqlUnquotedDefaultTypes are types whose MySQL 8 literal defaults are
// already valid SQL without quoting.
var mysqlUnquotedDefaultTypes = []string{
	"bit", "tinyint", "smallint", "mediumint", "int", "integer", "bigint",
	"decimal", "numeric", "float", "double", "real", "year",
}

// mysqlDefault normalises COLUMN_DEFAULT to an SQL expression or nil.
// MariaDB already prints an expression (literals quoted) and prints the
// string NULL for "no default / DEFAULT NULL". MySQL 8 prints literals
// unquoted and marks expressions with DEFAULT_GENERATED in EXTRA; its
// string literals are re-quoted assuming the default sql_mode (backslash
// escapes enabled).
func mysqlDefault(def sql.NullString, extra, dataType string, maria bool) *string {
	if !def.Valid {
		return nil
	}
	s := def.String
	if maria {
		if s == "NULL" {
			return nil
		}
		return &s
	}
	if strings.Contains(strings.ToUpper(extra), "DEFAULT_GENERATED") || slices.Contains(mysqlUnquotedDefaultTypes, dataType) {
		return &s
	}
	q := "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
	return &q
}
