package generate

import (
	"context"
	"strconv"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// inserter builds multi-row INSERT statements; values travel as text
// parameters cast to each column's type, so every type the database can
// parse from text works.
type inserter struct {
	d      sqlschema.Dialect
	prefix string
	row    []string // per column: Postgres the cast after $n, MySQL the placeholder
}

func newInserter(d sqlschema.Dialect, qtable string, cols []Column, overriding bool) (*inserter, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		q, err := d.QuoteIdentifier(c.Name)
		if err != nil {
			return nil, err
		}
		names[i] = q
	}
	prefix := "INSERT INTO " + qtable + " (" + strings.Join(names, ", ") + ")"
	if overriding && d == sqlschema.DialectPostgres {
		prefix += " OVERRIDING SYSTEM VALUE"
	}
	in := &inserter{d: d, prefix: prefix + " VALUES "}
	for _, c := range cols {
		switch {
		case d == sqlschema.DialectPostgres:
			in.row = append(in.row, "::text::"+c.DataType)
		case strings.HasPrefix(strings.ToLower(c.DataType), "bit"):
			// MySQL reads a string into BIT as its bytes ('1' is 0x31):
			// the number must arrive as a number.
			in.row = append(in.row, "CAST(? AS UNSIGNED)")
		default:
			in.row = append(in.row, "?")
		}
	}
	return in, nil
}

func (in *inserter) insert(ctx context.Context, ses *session, rows int, values []*string) error {
	var b strings.Builder
	b.WriteString(in.prefix)
	args := make([]any, len(values))
	n := 0
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c, cast := range in.row {
			if c > 0 {
				b.WriteString(", ")
			}
			if in.d == sqlschema.DialectPostgres {
				b.WriteString("$" + strconv.Itoa(n+1) + cast)
			} else {
				b.WriteString(cast)
			}
			if v := values[n]; v != nil {
				args[n] = *v
			}
			n++
		}
		b.WriteByte(')')
	}
	_, err := ses.exec(ctx, b.String(), args...)
	return err
}
