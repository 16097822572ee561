package mysqlsync

import (
	"fmt"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"strconv"
	"strings"
	"time"
)

// myKind groups MySQL column types by how a transformer sees their
// values.
type myKind int

const (
	myText  myKind = iota // char, varchar, text, enum, set, json, decimal, time, year -> string
	myInt                 // integer types -> int64
	myFloat               // float, double -> float64
	myBytes               // binary, varbinary, blob, bit -> []byte
	myTime                // date, datetime, timestamp -> time.Time
)

// myKindOf classifies a COLUMN_TYPE such as "int(11) unsigned".
func myKindOf(columnType string) myKind {
	t := strings.ToLower(columnType)
	if i := strings.IndexAny(t, "( "); i >= 0 {
		t = t[:i]
	}
	switch t {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint":
		return myInt
	case "float", "double", "real":
		return myFloat
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit":
		return myBytes
	case "date", "datetime", "timestamp":
		return myTime
	}
	return myText
}

// myValue converts a driver value (binary protocol, parseTime off) to the
// Go value a transformer takes.
func myValue(v any, kind myKind) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64, float64:
		return x, nil
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f, nil
	case uint64:
		if x > 1<<63-1 {
			return strconv.FormatUint(x, 10), nil
		}
		return int64(x), nil
	case []byte:
		switch kind {
		case myBytes:
			return append([]byte{}, x...), nil
		case myTime:
			if t, ok := parseMyTime(string(x)); ok {
				return t, nil
			}
		}
		return string(x), nil
	case string:
		return x, nil
	}
	return nil, fmt.Errorf("unexpected driver value %T", v)
}

// parseMyTime parses DATE and DATETIME text ("0000-00-00" fails: it has no
// time.Time and stays text).
func parseMyTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// appendMyText appends the text of a transformer's output (or a driver
// value) as MySQL parses it in LOAD DATA, before escaping.
func appendMyText(b []byte, v any, kind myKind) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return append(b, x...), nil
	case []byte:
		return append(b, x...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64), nil
	case float32:
		return strconv.AppendFloat(b, float64(x), 'g', -1, 32), nil
	case bool:
		if x {
			return append(b, '1'), nil
		}
		return append(b, '0'), nil
	case time.Time:
		if kind == myTime || kind == myText {
			return x.AppendFormat(b, "2006-01-02 15:04:05.999999"), nil
		}
	}
	return nil, fmt.Errorf("cannot write %T value", v)
}

// appendLoadField appends one LOAD DATA field: NULL as \N, otherwise the
// bytes with backslash, tab, newline, carriage return and NUL escaped
// (FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n').
func appendLoadField(b, v []byte, null bool) []byte {
	if null {
		return append(b, '\\', 'N')
	}
	return syncdriver.AppendEscaped(b, v)
}
