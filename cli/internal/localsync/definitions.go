package localsync

import (
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// pgLiteralDefault matches defaults that are plain literals, optionally
// cast ('x'::text, 42, -1.5, true, NULL::integer), and the clock functions:
// they mean the same in any database, unlike a user function that the
// destination may not have.
var pgLiteralDefault = regexp.MustCompile(`^(?:'(?:[^']|'')*'|\(?-?[0-9]+(?:\.[0-9]+)?\)?|true|false|NULL|now\(\)|CURRENT_TIMESTAMP|CURRENT_DATE)(?:::[a-z][a-z0-9 _]*(?:\([0-9, ]+\))?(?:\[\])?)?$`)

// mysqlLiteralDefault matches MySQL defaults that are literals (MariaDB
// prints them quoted) or the clock.
var mysqlLiteralDefault = regexp.MustCompile(`(?i)^(?:'(?:[^'\\]|''|\\.)*'|-?[0-9]+(?:\.[0-9]+)?|NULL|current_timestamp(?:\([0-6]?\))?)$`)

// keepDefault drops a default the destination may not be able to evaluate.
func keepDefault(d sqlschema.Dialect, c sqlschema.Column) sqlschema.Column {
	if c.Default == nil {
		return c
	}
	def := *c.Default
	switch {
	case d == sqlschema.DialectPostgres && (pgLiteralDefault.MatchString(def) || isNextval(def)):
	case d == sqlschema.DialectMySQL && mysqlLiteralDefault.MatchString(def):
	default:
		c.Default = nil
	}
	return c
}

func isNextval(def string) bool {
	_, ok := nextvalSequence(def)
	return ok
}

// nextvalSequence returns the sequence of a default such as
// nextval('public."my seq"'::regclass), as the server printed it.
func nextvalSequence(def string) (string, bool) {
	const pre, post = "nextval('", "'::regclass)"
	if !strings.HasPrefix(def, pre) || !strings.HasSuffix(def, post) {
		return "", false
	}
	return strings.ReplaceAll(def[len(pre):len(def)-len(post)], "''", "'"), true
}

// splitQualified splits a PostgreSQL name as format_type and regclass
// print it — schema.name, each part quoted where needed — into its
// unquoted parts. An unqualified name gets schema def.
func splitQualified(s, def string) (schema, name string, ok bool) {
	var parts []string
	for len(s) > 0 {
		var part string
		if s[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(s); i++ {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					break
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return "", "", false
			}
			part, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, '.')
			if end < 0 {
				end = len(s)
			}
			part, s = s[:end], s[end:]
		}
		parts = append(parts, part)
		if len(s) > 0 {
			if s[0] != '.' {
				return "", "", false
			}
			s = s[1:]
		}
	}
	switch len(parts) {
	case 1:
		return def, parts[0], true
	case 2:
		return parts[0], parts[1], true
	}
	return "", "", false
}

// pgIntegerMax is the largest value of each integer type a serial column
// may have.
var pgIntegerMax = map[string]int64{"smallint": math.MaxInt16, "integer": math.MaxInt32, "bigint": math.MaxInt64}

// pgDefinitions synthesizes what PostgreSQL's InitSchema needs from the
// columns and constraints: enum types (from the columns' labels), the
// sequences behind nextval defaults (owned by their column, so serial
// columns come back as serial columns), and each table's primary key
// (named as PostgreSQL names it by default), unique constraints and
// foreign keys.
func pgDefinitions(columns []sqlschema.Column, constraints []sqlschema.TableConstraints) *sqlschema.Definitions {
	d := &sqlschema.Definitions{}
	enums := map[sqlschema.TableName]bool{}
	seqs := map[sqlschema.TableName]bool{}
	for _, c := range columns {
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		if c.EnumValues != nil {
			if s, n, ok := splitQualified(strings.TrimSuffix(c.DataType, "[]"), c.Schema); ok && !enums[sqlschema.TableName{Schema: s, Table: n}] {
				enums[sqlschema.TableName{Schema: s, Table: n}] = true
				d.Enums = append(d.Enums, sqlschema.EnumType{Schema: s, Name: n, Labels: c.EnumValues})
			}
		}
		if c.Default == nil {
			continue
		}
		seq, ok := nextvalSequence(*c.Default)
		if !ok {
			continue
		}
		s, n, ok := splitQualified(seq, c.Schema)
		if !ok || seqs[sqlschema.TableName{Schema: s, Table: n}] {
			continue
		}
		seqs[sqlschema.TableName{Schema: s, Table: n}] = true
		typ, maxV := c.DataType, pgIntegerMax[c.DataType]
		if maxV == 0 {
			typ, maxV = "bigint", math.MaxInt64
		}
		d.Sequences = append(d.Sequences, sqlschema.Sequence{Schema: s, Name: n, DataType: typ, Start: 1, Increment: 1, Min: 1, Max: maxV, Cache: 1,
			OwnedBy: &sqlschema.ColumnRef{Table: t, Column: c.Name}})
	}
	q := func(names []string) string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i], _ = sqlschema.DialectPostgres.QuoteIdentifier(n)
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range constraints {
		td := sqlschema.TableDefinition{Table: tc.Table}
		if len(tc.PrimaryKey) > 0 {
			name := tc.Table.Table + "_pkey"
			if len(name) > 63 {
				name = name[:58] + "_pkey"
			}
			td.Constraints = append(td.Constraints, sqlschema.ConstraintDefinition{Name: name, Kind: sqlschema.ConstraintPrimaryKey, Definition: "PRIMARY KEY (" + q(tc.PrimaryKey) + ")"})
		}
		for _, u := range tc.UniqueConstraints {
			td.Constraints = append(td.Constraints, sqlschema.ConstraintDefinition{Name: u.Name, Kind: sqlschema.ConstraintUnique, Definition: "UNIQUE (" + q(u.Columns) + ")"})
		}
		for _, fk := range tc.ForeignKeys {
			ref, err := sqlschema.DialectPostgres.QualifiedName(fk.Referenced)
			if err != nil {
				continue
			}
			td.Constraints = append(td.Constraints, sqlschema.ConstraintDefinition{Name: fk.Name, Kind: sqlschema.ConstraintForeignKey,
				Definition: "FOREIGN KEY (" + q(fk.Columns) + ") REFERENCES " + ref + "(" + q(fk.ReferencedColumns) + ")"})
		}
		d.Tables = append(d.Tables, td)
	}
	return d
}

// mysqlDefinitions synthesizes each table's CREATE TABLE statement in the
// shape SHOW CREATE TABLE prints (one element per line, foreign keys as
// "CONSTRAINT `name` FOREIGN KEY ...", references within the database
// unqualified), which is what MySQL's InitSchema reads.
func mysqlDefinitions(columns []sqlschema.Column, constraints []sqlschema.TableConstraints) *sqlschema.Definitions {
	d := &sqlschema.Definitions{}
	qid := func(n string) string { s, _ := sqlschema.DialectMySQL.QuoteIdentifier(n); return s }
	list := func(names []string) string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = qid(n)
		}
		return strings.Join(out, ", ")
	}
	cons := map[sqlschema.TableName]sqlschema.TableConstraints{}
	for _, tc := range constraints {
		cons[tc.Table] = tc
	}
	var order []sqlschema.TableName
	lines := map[sqlschema.TableName][]string{}
	for _, c := range columns {
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		if _, ok := lines[t]; !ok {
			order = append(order, t)
		}
		lines[t] = append(lines[t], mysqlColumnDDL(qid(c.Name), c))
	}
	for _, t := range order {
		body := lines[t]
		tc := cons[t]
		if len(tc.PrimaryKey) > 0 {
			body = append(body, "PRIMARY KEY ("+list(tc.PrimaryKey)+")")
		}
		for _, u := range tc.UniqueConstraints {
			body = append(body, "UNIQUE KEY "+qid(u.Name)+" ("+list(u.Columns)+")")
		}
		for _, fk := range tc.ForeignKeys {
			ref := qid(fk.Referenced.Table)
			if fk.Referenced.Schema != t.Schema {
				ref = qid(fk.Referenced.Schema) + "." + ref
			}
			body = append(body, "CONSTRAINT "+qid(fk.Name)+" FOREIGN KEY ("+list(fk.Columns)+") REFERENCES "+ref+" ("+list(fk.ReferencedColumns)+")")
		}
		stmt := "CREATE TABLE " + qid(t.Table) + " (\n  " + strings.Join(body, ",\n  ") + "\n)"
		d.Tables = append(d.Tables, sqlschema.TableDefinition{Table: t, CreateStatement: stmt})
	}
	slices.SortFunc(d.Tables, func(a, b sqlschema.TableDefinition) int {
		return strings.Compare(a.Table.Schema+"\x00"+a.Table.Table, b.Table.Schema+"\x00"+b.Table.Table)
	})
	return d
}

func mysqlColumnDDL(name string, c sqlschema.Column) string {
	b := name + " " + c.DataType
	if c.GeneratedKind != "" && c.GeneratedExpression != nil {
		kind := "VIRTUAL"
		if strings.EqualFold(c.GeneratedKind, "STORED") {
			kind = "STORED"
		}
		return b + " AS (" + *c.GeneratedExpression + ") " + kind
	}
	if !c.IsNullable {
		b += " NOT NULL"
	}
	if c.IdentityGeneration == "AUTO_INCREMENT" {
		b += " AUTO_INCREMENT"
	} else if c.Default != nil {
		b += " DEFAULT " + *c.Default
	}
	return b
}
