// Package generate fills tables with synthetic rows: N rows per table from
// generator transformers, in foreign-key order, so that every foreign key of
// a generated row points at a row that exists (child rows reference
// generated parents).
//
// How each column gets its value (see Action):
//   - a single-column integer primary key is numbered 1..N (after the
//     destination's current maximum), so it is unique and children can
//     reference it;
//   - a foreign-key column takes the key of a random parent row, read back
//     from the destination (so it works across processes and for parents
//     that were not generated, like lookup tables);
//   - a mapped column uses its generator transformer;
//   - generated columns and columns with a default are left to the
//     database; nullable columns are NULL; any other NOT NULL column gets a
//     type-appropriate generator, or planning fails naming the column.
//
// Single-column unique constraints are honoured by retrying a colliding
// value. A table is resumable by redo: a retried table is emptied first.
package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/tableorder"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Action is how a column gets its values.
type Action string

// Actions.
const (
	ActionSequence  Action = "sequence"
	ActionReference Action = "reference"
	ActionGenerate  Action = "generate"
	ActionNull      Action = "null"
	ActionDefault   Action = "default"
)

// Column is the plan of one column.
type Column struct {
	Name     string `json:"name"`
	DataType string `json:"data_type"`
	Action   Action `json:"action"`
	// Transformer is the generator for ActionGenerate.
	Transformer *syncplan.Transformer `json:"transformer,omitempty"`
	// Reference is the foreign key for ActionReference (index into Table.References).
	Reference int    `json:"reference,omitempty"`
	Unique    bool   `json:"unique,omitempty"`
	Identity  string `json:"identity,omitempty"`
}

// Reference is a foreign key whose columns are filled from a parent row.
type Reference struct {
	Columns       []string            `json:"columns"`
	Parent        sqlschema.TableName `json:"parent"`
	ParentColumns []string            `json:"parent_columns"`
}

// Table is the plan of one table.
type Table struct {
	Name       sqlschema.TableName   `json:"name"`
	Rows       int64                 `json:"rows"`
	Columns    []Column              `json:"columns"`
	References []Reference           `json:"references,omitempty"`
	DependsOn  []sqlschema.TableName `json:"depends_on,omitempty"`
	// CompositeUniques are multi-column keys (primary or unique) a row must
	// not repeat; a colliding row is drawn again.
	CompositeUniques [][]string `json:"composite_uniques,omitempty"`
}

// Plan is the printable, JSON-serialisable generation plan.
type Plan struct {
	Dialect sqlschema.Dialect `json:"dialect"`
	Tables  []Table           `json:"tables"`
}

// Request asks for rows per table, with optional generator mappings.
type Request struct {
	Tables   map[sqlschema.TableName]int64
	Mappings []syncplan.Mapping
}

// ValidationError lists everything wrong with a request.
type ValidationError struct{ Problems []string }

// Error describes the problem for people.
func (e *ValidationError) Error() string {
	return "generation plan: " + strings.Join(e.Problems, "; ")
}

// NewPlan computes the plan from a schema read with syncplan.ReadSchema.
func NewPlan(s *syncplan.Schema, req Request, reg *transformers.Registry) (*Plan, error) {
	var problems []string
	cols := map[sqlschema.TableName][]sqlschema.Column{}
	for _, c := range s.Columns {
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		cols[t] = append(cols[t], c)
	}
	cons := map[sqlschema.TableName]sqlschema.TableConstraints{}
	for _, c := range s.Constraints {
		cons[c.Table] = c
	}
	mapped := map[string]syncplan.Transformer{}
	for _, m := range req.Mappings {
		mapped[m.Schema+"\x00"+m.Table+"\x00"+m.Column] = m.Transformer
	}
	var names []string
	byName := map[string]sqlschema.TableName{}
	for t, n := range req.Tables {
		if _, ok := cols[t]; !ok {
			problems = append(problems, fmt.Sprintf("table %s does not exist in the schema connection", t))
			continue
		}
		if n < 1 {
			problems = append(problems, fmt.Sprintf("table %s: row count must be at least 1", t))
		}
		names = append(names, t.String())
		byName[t.String()] = t
	}
	var edges []tableorder.Edge
	for _, n := range names {
		t := byName[n]
		for _, fk := range cons[t].ForeignKeys {
			nullable := len(fk.ColumnsNullable) > 0
			for _, b := range fk.ColumnsNullable {
				nullable = nullable && b
			}
			edges = append(edges, tableorder.Edge{Child: n, Parent: fk.Referenced.String(), Name: fk.Name, Nullable: nullable})
		}
	}
	order, err := tableorder.Sort(names, edges)
	if err != nil {
		problems = append(problems, err.Error())
	}
	deferred := map[string]bool{}
	for _, e := range order.Deferred {
		deferred[e.Child+"\x00"+e.Name] = true
	}
	p := &Plan{Dialect: s.Dialect}
	for _, n := range order.Tables {
		t := byName[n]
		tp := Table{Name: t, Rows: req.Tables[t]}
		for _, d := range order.DependsOn[n] {
			tp.DependsOn = append(tp.DependsOn, byName[d])
		}
		c := cons[t]
		refOf := map[string]int{}
		for _, fk := range c.ForeignKeys {
			if deferred[n+"\x00"+fk.Name] || (fk.Referenced == t) {
				continue // cycle or self reference: its nullable columns stay NULL
			}
			tp.References = append(tp.References, Reference{Columns: fk.Columns, Parent: fk.Referenced, ParentColumns: fk.ReferencedColumns})
			for _, col := range fk.Columns {
				refOf[col] = len(tp.References) - 1
			}
		}
		unique := map[string]bool{}
		if len(c.PrimaryKey) == 1 {
			unique[c.PrimaryKey[0]] = true
		} else if len(c.PrimaryKey) > 1 {
			tp.CompositeUniques = append(tp.CompositeUniques, c.PrimaryKey)
		}
		for _, u := range c.UniqueConstraints {
			if len(u.Columns) == 1 {
				unique[u.Columns[0]] = true
			} else {
				tp.CompositeUniques = append(tp.CompositeUniques, u.Columns)
			}
		}
		for _, col := range cols[t] {
			cp := Column{Name: col.Name, DataType: col.DataType, Unique: unique[col.Name], Identity: col.IdentityGeneration}
			key := t.Schema + "\x00" + t.Table + "\x00" + col.Name
			tr, isMapped := mapped[key]
			ref, isRef := refOf[col.Name]
			switch {
			case col.GeneratedKind != "":
				cp.Action = ActionDefault
			case isRef:
				cp.Action, cp.Reference = ActionReference, ref
			case len(c.PrimaryKey) == 1 && c.PrimaryKey[0] == col.Name && isInteger(col.DataType):
				cp.Action = ActionSequence
			case isMapped:
				d, err := reg.Lookup(tr.Source)
				switch {
				case err != nil:
					problems = append(problems, fmt.Sprintf("column %s.%s: %v", t, col.Name, err))
				case tr.Source == "generate_default":
					cp.Action = ActionDefault
				case tr.Source == "generate_null":
					cp.Action = ActionNull
				case !d.Generator:
					problems = append(problems, fmt.Sprintf("column %s.%s: %s transforms an input value; a generate job needs a generator (generate_*)", t, col.Name, tr.Source))
				default:
					trc := tr
					cp.Action, cp.Transformer = ActionGenerate, &trc
				}
			case col.Default != nil || col.IdentityGeneration != "":
				cp.Action = ActionDefault
			case col.IsNullable:
				cp.Action = ActionNull
			default:
				src, params := fallbackGenerator(col)
				if src == "" {
					problems = append(problems, fmt.Sprintf("column %s.%s (%s) is NOT NULL without a default: map it to a generator", t, col.Name, col.DataType))
					continue
				}
				cp.Action, cp.Transformer = ActionGenerate, &syncplan.Transformer{Source: src, Params: params}
			}
			tp.Columns = append(tp.Columns, cp)
		}
		p.Tables = append(p.Tables, tp)
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, &ValidationError{Problems: problems}
	}
	return p, nil
}

func isInteger(t string) bool {
	t = strings.ToLower(t)
	for _, p := range []string{"smallint", "integer", "bigint", "int", "tinyint", "mediumint"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// fallbackGenerator picks a generator for an unmapped NOT NULL column.
func fallbackGenerator(c sqlschema.Column) (string, map[string]any) {
	t := strings.ToLower(c.DataType)
	switch {
	case len(c.EnumValues) > 0:
		vals := make([]any, len(c.EnumValues))
		for i, v := range c.EnumValues {
			vals[i] = v
		}
		return "generate_categorical", map[string]any{"categories": vals}
	case isInteger(t):
		return "generate_int64", map[string]any{"min": 1, "max": 30000}
	case strings.HasPrefix(t, "numeric"), strings.HasPrefix(t, "decimal"), strings.HasPrefix(t, "real"), strings.HasPrefix(t, "double"), strings.HasPrefix(t, "float"):
		return "generate_float64", map[string]any{"min": 0, "max": 1000, "precision": 2}
	case strings.HasPrefix(t, "bool"):
		return "generate_bool", nil
	case strings.HasPrefix(t, "timestamp"), strings.HasPrefix(t, "date"), strings.HasPrefix(t, "datetime"):
		return "generate_utc_timestamp", nil
	case t == "uuid":
		return "generate_uuid", nil
	case strings.Contains(t, "char"), strings.Contains(t, "text"):
		max := 12
		if c.CharacterMaximumLength != nil && *c.CharacterMaximumLength < 12 {
			max = int(*c.CharacterMaximumLength)
		}
		return "generate_random_string", map[string]any{"min": 1, "max": max}
	}
	return "", nil
}

// String prints the plan for people.
func (p *Plan) String() string {
	var b strings.Builder
	for _, t := range p.Tables {
		fmt.Fprintf(&b, "%s: %d rows\n", t.Name, t.Rows)
		for _, c := range t.Columns {
			switch c.Action {
			case ActionGenerate:
				fmt.Fprintf(&b, "  %-24s %s\n", c.Name, c.Transformer.Source)
			case ActionReference:
				r := t.References[c.Reference]
				fmt.Fprintf(&b, "  %-24s references %s(%s)\n", c.Name, r.Parent, strings.Join(r.ParentColumns, ", "))
			default:
				fmt.Fprintf(&b, "  %-24s %s\n", c.Name, c.Action)
			}
		}
	}
	return b.String()
}
