package sqlschema

import (
	"fmt"
	"strings"
)

// parseMySQLEnum extracts the labels from a COLUMN_TYPE such as
// enum('a','it”s','x\\y'). The server writes each label as a single quoted
// string literal with ' doubled and \ escaped as \\, separated by commas.
func parseMySQLEnum(columnType string) ([]string, error) {
	const prefix = "enum("
	if len(columnType) < len(prefix) || !strings.EqualFold(columnType[:len(prefix)], prefix) {
		return nil, fmt.Errorf("not an enum type: %q", columnType)
	}
	s := columnType[len(prefix):]
	labels := []string{}
	for {
		if s == "" || s[0] != '\'' {
			return nil, fmt.Errorf("malformed enum type %q", columnType)
		}
		var b strings.Builder
		i := 1
		closed := false
		for i < len(s) {
			c := s[i]
			switch {
			case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
				b.WriteByte('\'')
				i += 2
			case c == '\'':
				closed = true
				i++
			case c == '\\' && i+1 < len(s):
				b.WriteByte(unescapeMySQL(s[i+1]))
				i += 2
			default:
				b.WriteByte(c)
				i++
			}
			if closed {
				break
			}
		}
		if !closed || i >= len(s) {
			return nil, fmt.Errorf("malformed enum type %q", columnType)
		}
		labels = append(labels, b.String())
		switch s[i] {
		case ',':
			s = s[i+1:]
		case ')':
			if i != len(s)-1 {
				return nil, fmt.Errorf("malformed enum type %q", columnType)
			}
			return labels, nil
		default:
			return nil, fmt.Errorf("malformed enum type %q", columnType)
		}
	}
}

// unescapeMySQL maps the character after a backslash in a MySQL string
// literal to the byte it denotes.
func unescapeMySQL(c byte) byte {
	switch c {
	case '0':
		return 0
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'Z':
		return 26
	default:
		return c
	}
}
