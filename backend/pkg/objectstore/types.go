package objectstore

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

// ParquetType is the Parquet column type an exported column is written as,
// chosen from the source column's declared type (ParquetTypeOf) and
// recorded in the manifest so a reader knows how to turn values back into
// the source's text form.
type ParquetType string

const (
	// ParquetString is an optional UTF-8 byte array: text, and every type
	// without a faithful Parquet equivalent (dates, intervals, JSON,
	// arrays, UUIDs, enums…), as the source prints it.
	ParquetString ParquetType = "string"
	// ParquetInt64 is a signed 64-bit integer (INT(64, signed)).
	ParquetInt64 ParquetType = "int64"
	// ParquetDouble is an IEEE 754 double.
	ParquetDouble ParquetType = "double"
	// ParquetBoolean is a boolean.
	ParquetBoolean ParquetType = "boolean"
	// ParquetTimestamp is a time without zone: TIMESTAMP(MICROS) not
	// adjusted to UTC, the wall clock as the source holds it.
	ParquetTimestamp ParquetType = "timestamp"
	// ParquetTimestampTZ is an instant: TIMESTAMP(MICROS) adjusted to UTC.
	ParquetTimestampTZ ParquetType = "timestamptz"
	// ParquetBytes is a raw byte array (binary columns; PostgreSQL's hex
	// text form is decoded).
	ParquetBytes ParquetType = "bytes"
	// ParquetDecimal is a decimal kept as its exact text (a UTF-8 string
	// annotated as such), because a column's precision may be unbounded
	// (PostgreSQL numeric) and the text round-trips exactly.
	ParquetDecimal ParquetType = "decimal_string"
)

// Dialect values for ExportOptions.Dialect and Manifest.Dialect: how the
// source prints values as text.
const (
	DialectPostgres = "postgres"
	DialectMySQL    = "mysql"
)

// ParquetTypeOf maps a source column's declared type, as dialect prints
// it (format_type on PostgreSQL, COLUMN_TYPE on MySQL), to the Parquet
// type it is exported as. Unknown dialects and types are strings. MySQL's
// BIGINT UNSIGNED does not fit in a signed 64-bit integer and stays text.
func ParquetTypeOf(dialect, dataType string) ParquetType {
	t := strings.ToLower(strings.TrimSpace(dataType))
	if strings.HasSuffix(t, "]") {
		return ParquetString
	}
	switch dialect {
	case DialectPostgres:
		// format_type prints "timestamp(3) with time zone".
		if strings.HasPrefix(t, "timestamp") {
			if strings.HasSuffix(t, " with time zone") {
				return ParquetTimestampTZ
			}
			return ParquetTimestamp
		}
		base, _, _ := strings.Cut(t, "(")
		switch strings.TrimSpace(base) {
		case "smallint", "integer", "bigint":
			return ParquetInt64
		case "real", "double precision":
			return ParquetDouble
		case "boolean":
			return ParquetBoolean
		case "bytea":
			return ParquetBytes
		case "numeric":
			return ParquetDecimal
		}
	case DialectMySQL:
		base := t
		if i := strings.IndexAny(base, "( "); i >= 0 {
			base = base[:i]
		}
		switch base {
		case "tinyint", "smallint", "mediumint", "int", "integer":
			return ParquetInt64
		case "bigint":
			if strings.Contains(t, "unsigned") {
				return ParquetString
			}
			return ParquetInt64
		case "float", "double", "real":
			return ParquetDouble
		case "decimal", "numeric":
			return ParquetDecimal
		case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
			return ParquetBytes
		case "datetime":
			return ParquetTimestamp
		case "timestamp":
			// MySQL prints a TIMESTAMP in the session's zone, without an
			// offset: it is written as the wall clock it printed.
			return ParquetTimestamp
		}
	}
	return ParquetString
}

// parquetNode is the schema node of a column of type pt.
func parquetNode(pt ParquetType) parquet.Node {
	switch pt {
	case ParquetInt64:
		return parquet.Optional(parquet.Int(64))
	case ParquetDouble:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case ParquetBoolean:
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	case ParquetTimestamp:
		return parquet.Optional(parquet.TimestampAdjusted(parquet.Microsecond, false))
	case ParquetTimestampTZ:
		return parquet.Optional(parquet.TimestampAdjusted(parquet.Microsecond, true))
	case ParquetBytes:
		return parquet.Optional(parquet.Leaf(parquet.ByteArrayType))
	}
	return parquet.Optional(parquet.String())
}

// timestampLayouts are the text forms sources print times in: PostgreSQL
// (DateStyle ISO) with an offset of hours, minutes or seconds, and MySQL.
var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999-07",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999-07:00:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
}

// TypeError is a value a typed Parquet column cannot hold (a PostgreSQL
// 'infinity' or BC timestamp, MySQL's zero date…). It names the column and
// the type, never the value, which may be personal data.
type TypeError struct {
	Column string
	Type   ParquetType
	Reason string
}

// Error names the column, its Parquet type and the reason.
func (e *TypeError) Error() string {
	return fmt.Sprintf("column %q: a value cannot be written as Parquet %s (%s); export this table as JSON Lines only", e.Column, e.Type, e.Reason)
}

// parquetValue converts a source's text form to the Parquet value of type
// pt; the value is not yet levelled.
func parquetValue(pt ParquetType, dialect, col, v string) (parquet.Value, error) {
	bad := func(reason string) (parquet.Value, error) {
		return parquet.Value{}, &TypeError{Column: col, Type: pt, Reason: reason}
	}
	switch pt {
	case ParquetInt64:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return bad("not a 64-bit integer")
		}
		return parquet.Int64Value(n), nil
	case ParquetDouble:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil && !math.IsInf(f, 0) {
			return bad("not a floating-point number")
		}
		return parquet.DoubleValue(f), nil
	case ParquetBoolean:
		switch strings.ToLower(v) {
		case "t", "true", "1", "y", "yes", "on":
			return parquet.BooleanValue(true), nil
		case "f", "false", "0", "n", "no", "off":
			return parquet.BooleanValue(false), nil
		}
		return bad("not a boolean")
	case ParquetTimestamp, ParquetTimestampTZ:
		for _, layout := range timestampLayouts {
			if ts, err := time.Parse(layout, v); err == nil {
				if pt == ParquetTimestamp {
					// The wall clock, whatever offset was printed.
					ts = time.Date(ts.Year(), ts.Month(), ts.Day(), ts.Hour(), ts.Minute(), ts.Second(), ts.Nanosecond(), time.UTC)
				}
				if ts.Nanosecond()%1000 != 0 {
					return bad("finer than a microsecond")
				}
				return parquet.Int64Value(ts.UnixMicro()), nil
			}
		}
		return bad("not a time between years 0 and 9999")
	case ParquetBytes:
		if dialect == DialectPostgres {
			if !strings.HasPrefix(v, `\x`) {
				return bad(`not bytea hex output (\x…)`)
			}
			b, err := hex.DecodeString(v[2:])
			if err != nil {
				return bad("not bytea hex output")
			}
			return parquet.ByteArrayValue(b), nil
		}
		return parquet.ByteArrayValue([]byte(v)), nil
	}
	return parquet.ByteArrayValue([]byte(v)), nil
}

// textValue renders a Parquet value of type pt back into the text form
// the source printed (or an equivalent its dialect reads back).
func textValue(pt ParquetType, dialect string, v parquet.Value) string {
	switch pt {
	case ParquetInt64:
		return strconv.FormatInt(v.Int64(), 10)
	case ParquetDouble:
		f := v.Double()
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Infinity"
		case math.IsInf(f, -1):
			return "-Infinity"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case ParquetBoolean:
		return strconv.FormatBool(v.Boolean())
	case ParquetTimestamp:
		return time.UnixMicro(v.Int64()).UTC().Format("2006-01-02 15:04:05.999999")
	case ParquetTimestampTZ:
		return time.UnixMicro(v.Int64()).UTC().Format("2006-01-02 15:04:05.999999-07:00")
	case ParquetBytes:
		if dialect == DialectPostgres {
			return `\x` + hex.EncodeToString(v.ByteArray())
		}
	}
	return string(v.ByteArray())
}
