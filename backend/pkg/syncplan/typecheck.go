package syncplan

import (
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// valueKind is what a column holds as the copy hands it to transformers
// and writes it back: the engine reads integer columns as int64, text
// columns as string, binary columns as []byte (given to a transformer that
// takes text as the bytes' text), and so on. kindUnknown (arrays, enums,
// domains, JSON, intervals, network types…) is not checked: values there
// travel as their text form and only the database can judge them.
type valueKind string

const (
	kindUnknown valueKind = ""
	kindInt     valueKind = "integer"
	kindFloat   valueKind = "floating-point"
	kindNumeric valueKind = "decimal"
	kindBool    valueKind = "boolean"
	kindText    valueKind = "text"
	kindUUID    valueKind = "UUID"
	kindBytes   valueKind = "binary"
	kindTime    valueKind = "date/time"
)

// IntegerType reports whether dataType, as dialect d prints it, is an
// integer type (a key the engine can split into ranges).
func IntegerType(d sqlschema.Dialect, dataType string) bool { return kindOf(d, dataType) == kindInt }

// kindOf classifies a column's DataType as the dialect prints it
// (format_type on PostgreSQL, COLUMN_TYPE on MySQL).
func kindOf(d sqlschema.Dialect, dataType string) valueKind {
	t := strings.ToLower(strings.TrimSpace(dataType))
	if strings.HasSuffix(t, "]") {
		return kindUnknown // arrays travel as their text form
	}
	if i := strings.IndexAny(t, "( "); i >= 0 && d == sqlschema.DialectMySQL {
		t = t[:i]
	}
	if d == sqlschema.DialectMySQL {
		switch t {
		case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
			return kindInt
		case "float", "double", "real":
			return kindFloat
		case "decimal", "numeric":
			return kindNumeric
		case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
			return kindText
		case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
			return kindBytes
		case "date", "datetime", "timestamp":
			return kindTime
		}
		return kindUnknown
	}
	base, _, _ := strings.Cut(t, "(")
	switch strings.TrimSpace(base) {
	case "smallint", "integer", "bigint":
		return kindInt
	case "real", "double precision":
		return kindFloat
	case "numeric":
		return kindNumeric
	case "boolean":
		return kindBool
	case "text", "character varying", "character", "name", "bpchar":
		return kindText
	case "uuid":
		return kindUUID
	case "bytea":
		return kindBytes
	case "date":
		return kindTime
	}
	if strings.HasPrefix(t, "timestamp") {
		return kindTime
	}
	return kindUnknown
}

// takes reports whether a transformer with input types in gets a
// meaningful value from a column of kind k (the engine converts between
// numbers, and hands binary values to text transformers as text).
func takes(in []transformers.DataType, k valueKind) bool {
	has := func(ts ...transformers.DataType) bool {
		return slices.ContainsFunc(ts, func(t transformers.DataType) bool { return slices.Contains(in, t) })
	}
	if len(in) == 0 || has(transformers.TypeAny) {
		return true
	}
	switch k {
	case kindInt, kindFloat, kindNumeric:
		return has(transformers.TypeInt64, transformers.TypeFloat64)
	case kindBool:
		return has(transformers.TypeBool)
	case kindText:
		return has(transformers.TypeString, transformers.TypeUUID)
	case kindUUID:
		return has(transformers.TypeUUID)
	case kindBytes:
		return has(transformers.TypeString)
	case kindTime:
		return has(transformers.TypeTime)
	}
	return true
}

// writes reports whether a transformer's output of type out can be
// written to a column of kind k in dialect d.
func writes(out transformers.DataType, k valueKind, d sqlschema.Dialect) bool {
	if k == kindUnknown {
		return true
	}
	switch out {
	case transformers.TypeString:
		return k == kindText || k == kindBytes
	case transformers.TypeInt64:
		return k == kindInt || k == kindFloat || k == kindNumeric || k == kindText
	case transformers.TypeFloat64:
		return k == kindFloat || k == kindNumeric || k == kindText
	case transformers.TypeBool:
		// MySQL has no boolean type: BOOLEAN is tinyint(1).
		return k == kindBool || k == kindText || (k == kindInt && d == sqlschema.DialectMySQL)
	case transformers.TypeTime:
		return k == kindTime || k == kindText
	case transformers.TypeUUID:
		return k == kindUUID || k == kindText
	}
	return true // any, null (NOT NULL is checked on its own)
}

// textOfAnyType are generators whose text output may be any type's text
// form (generate_categorical picks one of the user's values, which may be
// numbers), so their declared output type is not checked.
var textOfAnyType = []string{"generate_categorical"}

// checkTransformer checks a valid transformer configuration against its
// column: a NOT NULL column must not get NULL, and the transformer must
// take the column's values and write values the column can hold.
func (b *builder) checkTransformer(t sqlschema.TableName, c sqlschema.Column, tr Transformer) {
	def, err := b.reg.Lookup(tr.Source)
	if err != nil {
		return // reported by Build
	}
	if !c.IsNullable {
		if why, err := b.reg.WritesNull(tr.Source, tr.Params); err == nil && why != "" {
			b.probs.addColumn(t, c.Name, "column %s.%s is NOT NULL but mapped to %s: %s", t, c.Name, tr.Source, why)
		}
	}
	k := kindOf(b.s.Dialect, c.DataType)
	if k == kindUnknown {
		return
	}
	switch {
	case !def.Generator && !takes(def.InputTypes, k):
		b.probs.addColumn(t, c.Name, "column %s.%s is %s (%s values) but %s takes %s values%s",
			t, c.Name, c.DataType, k, tr.Source, typeList(def.InputTypes), b.suggest(k))
	case def.Output == transformers.TypeUUID && k == kindBytes:
		b.probs.addColumn(t, c.Name, "column %s.%s is %s but %s works on UUIDs written as text (uuid, char(36)); the copy hands binary values to transformers as bytes of text, so a 16-byte UUID would fail the run at its first row: map the column to passthrough, or store the UUIDs as uuid or char(36)",
			t, c.Name, c.DataType, tr.Source)
	case !slices.Contains(textOfAnyType, tr.Source) && !writes(def.Output, k, b.s.Dialect):
		b.probs.addColumn(t, c.Name, "column %s.%s is %s (%s values) but %s writes %s values%s",
			t, c.Name, c.DataType, k, tr.Source, def.Output, b.suggest(k))
	}
}

// suggest names the transformers that fit a column of kind k.
func (b *builder) suggest(k valueKind) string {
	var fit []string
	for _, d := range b.reg.List() {
		if d.Generator || d.Source == Passthrough || !slices.Contains(d.JobTypes, transformers.JobSync) {
			continue
		}
		if takes(d.InputTypes, k) && writes(d.Output, k, b.s.Dialect) && !(d.Output == transformers.TypeUUID && k == kindBytes) {
			fit = append(fit, d.Source)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return "; transformers for " + string(k) + " columns: " + strings.Join(fit, ", ")
}

func typeList(ts []transformers.DataType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, " or ")
}
