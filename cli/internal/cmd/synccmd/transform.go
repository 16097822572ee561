package synccmd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/cli/internal/localsync"
)

// newRegistry builds the transformer registry of a local sync. Its
// JavaScript transformers run as they do in the worker: each in a child
// process of this binary (`neosync js-runner`) with a hard memory limit of
// jsrunner.DefaultMemoryLimit (64 MiB), so code from a job cannot take the
// CLI (or the CI runner it is on) down; the children end with ctx.
func newRegistry(ctx context.Context) (*transformers.Registry, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this binary to start JavaScript runners: %w", err)
	}
	js, err := jsrunner.New(jsrunner.Config{Command: []string{exe, "js-runner"}, CPULimit: -1})
	if err != nil {
		return nil, err
	}
	reg := transformers.NewRegistry()
	reg.RunJavaScriptIn(js.Host(ctx))
	return reg, nil
}

// transforms builds the transformers of the plan's transformed columns
// (none without --job). They run without the job key (only the worker
// receives it), so consistent-mode transformers are random here; the plan
// knows that (Consistent is false) and refuses to defer a foreign key of
// a table whose key is transformed.
func transforms(p *syncplan.Plan, reg *transformers.Registry) (map[sqlschema.TableName]map[string]localsync.ColumnTransform, error) {
	out := map[sqlschema.TableName]map[string]localsync.ColumnTransform{}
	for _, t := range p.Tables {
		for _, col := range t.Columns {
			if col.Action != syncplan.ActionTransform {
				continue
			}
			opts := transformers.Options{Key: nil, Column: col.Name, Table: t.Name.String()}
			if col.CharacterMaximumLength != nil && *col.CharacterMaximumLength < 1<<31 {
				opts.MaxLength = int(*col.CharacterMaximumLength)
			}
			inst, err := reg.Build(col.Transformer.Source, col.Transformer.Params, opts)
			if err != nil {
				return nil, fmt.Errorf("column %s.%s: %w", t.Name, col.Name, err)
			}
			if out[t.Name] == nil {
				out[t.Name] = map[string]localsync.ColumnTransform{}
			}
			kind := kindOf(col.Column)
			dialect := p.Dialect
			out[t.Name][col.Name] = func(v *string, row map[string]*string) (*string, error) {
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
	}
	return out, nil
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
