package sqlschema

// Definitions are the catalog objects, beyond the tables, columns and keys
// an [Inspector] reports, that recreating a schema in another database
// needs: user-defined types, sequences, every table constraint and index
// as the server prints it. They are read by [PostgresDefinitions] and
// [MySQLDefinitions] and are plain values (JSON-serialisable, no secrets).
type Definitions struct {
	// Extensions are the PostgreSQL extensions installed in the database
	// (plpgsql excepted), with the schema that holds their objects.
	Extensions []Extension `json:"extensions,omitempty"`
	// Enums are PostgreSQL enum types.
	Enums []EnumType `json:"enums,omitempty"`
	// Domains are PostgreSQL domains, in creation order (a domain over
	// another domain comes after it).
	Domains []DomainType `json:"domains,omitempty"`
	// Composites are PostgreSQL composite types (CREATE TYPE … AS (…)),
	// in creation order.
	Composites []CompositeType `json:"composites,omitempty"`
	// Sequences are PostgreSQL sequences other than identity sequences
	// (which the identity column itself creates).
	Sequences []Sequence `json:"sequences,omitempty"`
	// Functions are the PostgreSQL functions (not an extension's) of the
	// read schemas that an object of those schemas calls (pg_depend: a
	// default, a generated column, a check, an index, a domain), sorted by
	// schema and signature.
	Functions []Function `json:"functions,omitempty"`
	// Tables has one entry per base table, sorted by table.
	Tables []TableDefinition `json:"tables,omitempty"`
	// Inheritance are the PostgreSQL table inheritance links (INHERITS;
	// not a partition's) whose parent is in the read schemas, the child
	// wherever it is, sorted by parent then child.
	Inheritance []Inheritance `json:"inheritance,omitempty"`
	// RowSecurity are the PostgreSQL tables of the read schemas whose
	// row-level security applies to the reading role
	// (row_security_active): reading them returns only the rows their
	// policies let that role see.
	RowSecurity []TableName `json:"row_security,omitempty"`
}

// Inheritance is one PostgreSQL table inheritance link: Child was created
// with INHERITS (Parent), or altered to INHERIT it. Reading Parent without
// ONLY returns Child's rows too, and TRUNCATE or DELETE on Parent without
// ONLY empties or deletes from Child as well.
type Inheritance struct {
	Parent TableName `json:"parent"`
	Child  TableName `json:"child"`
}

// Extension is an installed PostgreSQL extension. Types lists the types
// it created (schema-qualified, "schema.name"), so a sync can tell whether
// a copied column needs it.
type Extension struct {
	Name    string   `json:"name"`
	Schema  string   `json:"schema"`
	Version string   `json:"version"`
	Types   []string `json:"types,omitempty"`
	// Used is whether an object of the read schemas depends on one of
	// the extension's (a column of its type, a default calling its
	// function, an index or exclusion constraint using its operator
	// class, …): those schemas' tables need it wherever it lives.
	Used bool `json:"used,omitempty"`
}

// CompositeType is a PostgreSQL composite type with its attributes in
// order; each attribute's type is printed by the server, schema qualified.
type CompositeType struct {
	Schema     string      `json:"schema"`
	Name       string      `json:"name"`
	Attributes []Attribute `json:"attributes"`
}

// Attribute is one field of a [CompositeType].
type Attribute struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Collation is set when it differs from the type's default (a quoted,
	// schema qualified name).
	Collation string `json:"collation,omitempty"`
}

// EnumType is a PostgreSQL enum with its labels in sort order.
type EnumType struct {
	Schema string   `json:"schema"`
	Name   string   `json:"name"`
	Labels []string `json:"labels"`
}

// DomainType is a PostgreSQL domain. BaseType, Default and the check
// definitions are printed by the server with every user object schema
// qualified.
type DomainType struct {
	Schema   string            `json:"schema"`
	Name     string            `json:"name"`
	BaseType string            `json:"base_type"`
	NotNull  bool              `json:"not_null,omitempty"`
	Default  *string           `json:"default,omitempty"`
	Checks   []NamedDefinition `json:"checks,omitempty"`
}

// NamedDefinition is a named constraint or index and its definition as
// the server prints it (pg_get_constraintdef, pg_get_indexdef).
type NamedDefinition struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	// Inherited is set on an index of a partition that is attached to an
	// index of its partitioned table: creating the parent's index creates
	// it.
	Inherited bool `json:"inherited,omitempty"`
}

// Function is a PostgreSQL function that a column default, a check, a
// domain, an index or a generated column of a copied table calls.
type Function struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Signature is the function's regprocedure text with every user type
	// schema-qualified, e.g. "app.code(integer, app.mood)": how
	// to_regprocedure finds it in a destination.
	Signature string `json:"signature"`
	// Definition is pg_get_functiondef's CREATE OR REPLACE FUNCTION (or
	// PROCEDURE) statement, names schema-qualified.
	Definition string `json:"definition"`
}

// Sequence is a PostgreSQL sequence. OwnedBy, when set, is the column
// whose drop drops the sequence (a serial column).
type Sequence struct {
	Schema    string     `json:"schema"`
	Name      string     `json:"name"`
	DataType  string     `json:"data_type"`
	Start     int64      `json:"start"`
	Increment int64      `json:"increment"`
	Min       int64      `json:"min"`
	Max       int64      `json:"max"`
	Cache     int64      `json:"cache"`
	Cycle     bool       `json:"cycle,omitempty"`
	OwnedBy   *ColumnRef `json:"owned_by,omitempty"`
}

// ColumnRef names one column of a table.
type ColumnRef struct {
	Table  TableName `json:"table"`
	Column string    `json:"column"`
}

// ConstraintKind is a constraint type letter as PostgreSQL's
// pg_constraint.contype spells it.
type ConstraintKind string

// Constraint kinds.
const (
	ConstraintPrimaryKey ConstraintKind = "p"
	ConstraintUnique     ConstraintKind = "u"
	ConstraintForeignKey ConstraintKind = "f"
	ConstraintCheck      ConstraintKind = "c"
	ConstraintExclusion  ConstraintKind = "x"
)

// ConstraintDefinition is one table constraint and its definition as the
// server prints it, e.g. "PRIMARY KEY (id)" or
// "FOREIGN KEY (a) REFERENCES public.t(id)".
type ConstraintDefinition struct {
	Name       string         `json:"name"`
	Kind       ConstraintKind `json:"kind"`
	Definition string         `json:"definition"`
	// Inherited is set on a constraint of a partition that comes from its
	// partitioned table (created with the parent's, or by PARTITION OF).
	Inherited bool `json:"inherited,omitempty"`
}

// TableDefinition holds what a table needs beyond its columns.
type TableDefinition struct {
	Table TableName `json:"table"`
	// Constraints are PostgreSQL constraints (primary key, unique, foreign
	// key, check, exclusion), sorted by kind then name.
	Constraints []ConstraintDefinition `json:"constraints,omitempty"`
	// Indexes are PostgreSQL indexes that do not back a constraint, as
	// complete CREATE INDEX statements, sorted by name.
	Indexes []NamedDefinition `json:"indexes,omitempty"`
	// Collations maps a PostgreSQL column to its collation (a quoted,
	// schema qualified name) when it differs from its type's default.
	Collations map[string]string `json:"collations,omitempty"`
	// PartitionKey is a PostgreSQL partitioned table's key as
	// pg_get_partkeydef prints it, e.g. "RANGE (created_at)".
	PartitionKey string `json:"partition_key,omitempty"`
	// PartitionOf is the partitioned table a PostgreSQL partition belongs
	// to, and PartitionBound its bound, e.g. "FOR VALUES FROM ('2024-01-01')
	// TO ('2025-01-01')" or "DEFAULT".
	PartitionOf    *TableName `json:"partition_of,omitempty"`
	PartitionBound string     `json:"partition_bound,omitempty"`
	// CreateStatement is MySQL's SHOW CREATE TABLE output: the complete
	// definition including keys, indexes and foreign keys.
	CreateStatement string `json:"create_statement,omitempty"`
}
