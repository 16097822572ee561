package sqlschema

import (
	"cmp"
	"slices"
)

// TableName identifies a table by schema and name. On MySQL/MariaDB the
// schema is the database. The fields hold raw (unquoted) names; use
// [Dialect.QualifiedName] to put them into SQL.
type TableName struct {
	Schema string
	Table  string
}

// String returns schema.table unquoted. It is meant for display and log
// messages only; it is ambiguous for names containing dots and must never
// be used to build SQL.
func (t TableName) String() string { return t.Schema + "." + t.Table }

// CompareTableNames orders table names by schema, then table, for
// slices.SortFunc.
func CompareTableNames(a, b TableName) int {
	if c := cmp.Compare(a.Schema, b.Schema); c != 0 {
		return c
	}
	return cmp.Compare(a.Table, b.Table)
}

// Column describes one column of a base table. It carries what Neosync
// needs to recreate the column in a destination database and to choose a
// transformer for its values: the printed type, nullability, default,
// identity/generated status (such columns cannot simply be inserted into),
// size limits and enum labels.
type Column struct {
	Schema string
	Table  string
	Name   string
	// OrdinalPosition is the column's position as the catalog reports it
	// (pg attnum, MySQL ORDINAL_POSITION), starting at 1. On PostgreSQL it
	// may have gaps where columns were dropped, exactly like
	// information_schema.columns.ordinal_position.
	OrdinalPosition int
	// DataType is the full SQL type as the database prints it. PostgreSQL:
	// format_type(atttypid, atttypmod) evaluated with search_path set to
	// pg_catalog, so user defined types are always schema qualified
	// ("public.mood") regardless of the caller's search_path, e.g.
	// "character varying(255)", "integer[]". MySQL: COLUMN_TYPE, e.g.
	// "varchar(255)", "enum('a','b')", "int(11)".
	//
	// MariaDB implements JSON as an alias of LONGTEXT plus an automatic
	// CHECK (json_valid(col)) constraint and prints the type as "longtext";
	// that is what is returned (MySQL 8 prints "json").
	DataType string
	// IsNullable is false for NOT NULL columns.
	IsNullable bool
	// Default is the column default as an SQL expression, nil if none. It
	// is always nil for identity and generated columns. On PostgreSQL it is
	// pg_get_expr(adbin) (schema qualified, see DataType), e.g.
	// "nextval('public.t_id_seq'::regclass)" or "'x'::text". On MariaDB it is
	// COLUMN_DEFAULT as printed (literals quoted, e.g. "'abc'", expressions
	// such as "current_timestamp()" unquoted). On MySQL 8, which prints
	// literal defaults unquoted, literals are quoted as SQL string literals
	// so the value is still an expression.
	Default *string
	// IdentityGeneration is "" for ordinary columns, "ALWAYS" or
	// "BY DEFAULT" for PostgreSQL identity columns and "AUTO_INCREMENT" for
	// MySQL auto increment columns. Note that PostgreSQL serial columns are
	// not identity columns; they have a nextval(...) Default.
	IdentityGeneration string
	// GeneratedKind is "" for ordinary columns and "STORED" or "VIRTUAL"
	// for generated (computed) columns. PostgreSQL (before 18) only has
	// STORED; MariaDB's PERSISTENT is reported as STORED.
	GeneratedKind string
	// GeneratedExpression is the generation expression of generated
	// columns, nil otherwise.
	GeneratedExpression *string
	// CharacterMaximumLength, NumericPrecision and NumericScale are the
	// information_schema.columns values of the same names (nil when not
	// applicable). On PostgreSQL domains are resolved to their base type.
	CharacterMaximumLength *int64
	NumericPrecision       *int64
	NumericScale           *int64
	// EnumValues holds the labels, in declaration order, of PostgreSQL enum
	// columns (also enum arrays and domains over enums) and MySQL ENUM
	// columns; nil otherwise.
	EnumValues []string
	// IsArray is true for PostgreSQL array columns (including domains over
	// arrays). Always false on MySQL.
	IsArray bool
}

// ForeignKey is one foreign key constraint, possibly composite.
type ForeignKey struct {
	Name string
	// Columns are the referencing columns in constraint order.
	Columns []string
	// ColumnsNullable is parallel to Columns and tells whether each
	// referencing column accepts NULL. A nullable foreign key is what makes
	// it possible to break a reference cycle when inserting data.
	ColumnsNullable []bool
	// Referenced is the referenced (parent) table.
	Referenced TableName
	// ReferencedColumns is parallel to Columns.
	ReferencedColumns []string
}

// UniqueConstraint is a UNIQUE constraint (not the primary key). On
// PostgreSQL only declared constraints are reported, not unique indexes
// created with CREATE UNIQUE INDEX; on MySQL every UNIQUE key is a
// constraint.
type UniqueConstraint struct {
	Name    string
	Columns []string
}

// TableConstraints groups the key constraints of one table.
type TableConstraints struct {
	Table TableName
	// PrimaryKey lists the primary key columns in key order; nil when the
	// table has no primary key.
	PrimaryKey []string
	// ForeignKeys is sorted by constraint name; nil when there are none.
	ForeignKeys []ForeignKey
	// UniqueConstraints is sorted by constraint name, excludes the primary
	// key, and is nil when there are none.
	UniqueConstraints []UniqueConstraint
}

// TablePrivileges lists the privileges the current user holds on a table.
// Privileges are upper case names as the server spells them (e.g. SELECT,
// INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER), sorted.
type TablePrivileges struct {
	Table      TableName
	Privileges []string
}

func sortTableNames(ts []TableName) { slices.SortFunc(ts, CompareTableNames) }

func sortColumns(cs []Column) {
	slices.SortFunc(cs, func(a, b Column) int {
		if c := CompareTableNames(TableName{a.Schema, a.Table}, TableName{b.Schema, b.Table}); c != 0 {
			return c
		}
		return cmp.Compare(a.OrdinalPosition, b.OrdinalPosition)
	})
}

func sortConstraints(tcs []TableConstraints) {
	slices.SortFunc(tcs, func(a, b TableConstraints) int { return CompareTableNames(a.Table, b.Table) })
	for i := range tcs {
		slices.SortFunc(tcs[i].ForeignKeys, func(a, b ForeignKey) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortFunc(tcs[i].UniqueConstraints, func(a, b UniqueConstraint) int { return cmp.Compare(a.Name, b.Name) })
	}
}

func sortPrivileges(tps []TablePrivileges) {
	slices.SortFunc(tps, func(a, b TablePrivileges) int { return CompareTableNames(a.Table, b.Table) })
	for i := range tps {
		slices.Sort(tps[i].Privileges)
	}
}
