package synccmd

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/cli/internal/localsync"
)

// transforms builds the job's column transformers (none without --job).
// They run without the job key (only the worker receives it), so
// consistent-mode transformers are random here.
func (s *source) transforms(p *localsync.Plan) (map[sqlschema.TableName]map[string]localsync.ColumnTransform, error) {
	if s.job == nil {
		return nil, nil
	}
	reg := transformers.NewRegistry()
	out := map[sqlschema.TableName]map[string]localsync.ColumnTransform{}
	for _, m := range s.job.GetMappings() {
		tn := sqlschema.TableName{Schema: m.GetSchema(), Table: m.GetTable()}
		t := tableOf(p, tn)
		if t == nil {
			continue // filtered out
		}
		tr := m.GetTransformer()
		if tr.GetUserDefinedTransformerId() != "" {
			return nil, fmt.Errorf("job %s: %s.%s uses a user-defined transformer, which neosync sync does not apply yet", s.job.GetName(), tn, m.GetColumn())
		}
		if tr.GetSource() == "" || tr.GetSource() == "passthrough" {
			continue
		}
		var col *sqlschema.Column
		for i := range t.Columns {
			if t.Columns[i].Name == m.GetColumn() {
				col = &t.Columns[i]
			}
		}
		if col == nil {
			return nil, fmt.Errorf("job %s maps column %s.%s, which the source does not have", s.job.GetName(), tn, m.GetColumn())
		}
		opts := transformers.Options{Key: nil, Column: col.Name}
		if col.CharacterMaximumLength != nil {
			opts.MaxLength = int(*col.CharacterMaximumLength)
		}
		inst, err := reg.Build(tr.GetSource(), tr.GetConfig().AsMap(), opts)
		if err != nil {
			return nil, fmt.Errorf("job %s, column %s.%s: %w", s.job.GetName(), tn, col.Name, err)
		}
		if out[tn] == nil {
			out[tn] = map[string]localsync.ColumnTransform{}
		}
		kind := kindOf(*col)
		dialect := p.Dialect
		out[tn][col.Name] = func(v *string, row map[string]*string) (*string, error) {
			in, err := decode(v, kind)
			if err != nil {
				return nil, err
			}
			r := make(map[string]any, len(row))
			for k, rv := range row {
				if rv != nil {
					r[k] = *rv
				}
			}
			res, err := inst.Transform(in, r)
			if err != nil {
				return nil, err
			}
			return encode(res, dialect), nil
		}
	}
	return out, nil
}

func tableOf(p *localsync.Plan, tn sqlschema.TableName) *localsync.Table {
	for i := range p.Tables {
		if p.Tables[i].Name == tn {
			return &p.Tables[i]
		}
	}
	return nil
}

// valueKind is how a column's text is decoded for a transformer.
type valueKind int

const (
	kindString valueKind = iota
	kindInt
	kindFloat
	kindBool
)

// kindOf picks the Go type a transformer receives from the column's
// printed type: integers, floats and booleans; everything else as text.
func kindOf(c sqlschema.Column) valueKind {
	if c.IsArray {
		return kindString
	}
	t := strings.ToLower(c.DataType)
	switch {
	case t == "boolean" || t == "bool" || strings.HasPrefix(t, "tinyint(1)"):
		return kindBool
	case strings.Contains(t, "int") && !strings.Contains(t, "interval") && !strings.Contains(t, "point"):
		return kindInt
	case strings.HasPrefix(t, "double") || t == "real" || strings.HasPrefix(t, "float"):
		return kindFloat
	}
	return kindString
}

func decode(v *string, k valueKind) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case kindInt:
		return strconv.ParseInt(*v, 10, 64)
	case kindFloat:
		return strconv.ParseFloat(*v, 64)
	case kindBool:
		switch *v {
		case "t", "true", "1":
			return true, nil
		case "f", "false", "0":
			return false, nil
		}
		return nil, fmt.Errorf("not a boolean: %q", *v)
	}
	return *v, nil
}

// encode turns a transformer's output back into the text the destination
// parses.
func encode(v any, d sqlschema.Dialect) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		switch {
		case d == sqlschema.DialectMySQL && x:
			s = "1"
		case d == sqlschema.DialectMySQL:
			s = "0"
		default:
			s = strconv.FormatBool(x)
		}
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.999999")
		if d == sqlschema.DialectPostgres {
			s += "+00"
		}
	default:
		s = fmt.Sprint(x)
	}
	return &s
}
