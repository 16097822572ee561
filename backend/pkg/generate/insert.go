package generate

import (
	"context"
	"strconv"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// inserter builds multi-row INSERT statements; values travel as text
// parameters cast to each column's type, so every type the database can
// parse from text works.
type inserter struct {
	d      sqlschema.Dialect
	prefix string
	row    []string // per column placeholder template
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
		if d == sqlschema.DialectPostgres {
			in.row = append(in.row, "::text::"+c.DataType)
		} else {
			in.row = append(in.row, "")
		}
	}
	return in, nil
}

func (in *inserter) insert(ctx context.Context, db *sqlconnect.DB, rows int, values []*string) error {
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
				b.WriteByte('?')
			}
			if v := values[n]; v != nil {
				args[n] = *v
			}
			n++
		}
		b.WriteByte(')')
	}
	_, err := execSQL(ctx, db, b.String(), args...)
	return err
}
