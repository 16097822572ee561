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
//     from the destination; a foreign key that is also a unique key takes
//     each parent row at most once;
//   - a self reference to the numbered key takes an earlier row of the same
//     table (a NOT NULL one: the first row references itself);
//   - a mapped column uses its generator transformer, told the column's
//     length limit;
//   - generated columns and columns with a default are left to the
//     database; nullable columns are NULL;
//   - any other NOT NULL column, and a NOT NULL column mapped to
//     generate_default that has no default, gets a generator chosen by its
//     type (ByType), within the type's limits, unique when the column is.
//
// Parents are written before children. A parent that is not in the job is
// refused at planning when the foreign key is NOT NULL (naming the child,
// the key and the parent), and a nullable foreign key to it is left NULL
// with a warning: nothing is written for a plan that cannot succeed.
//
// Single-column unique constraints are honoured by construction (numbered
// or bijective values) or, for mapped generators, by retrying a colliding
// value; composite keys by drawing the row again. A table is resumable by
// redo: a retried table, and the tables generated from it, are emptied first.
package generate

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/tableorder"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Action is how a column gets its values.
type Action string

// Actions.
const (
	ActionSequence      Action = "sequence"
	ActionReference     Action = "reference"
	ActionSelfReference Action = "self_reference"
	ActionGenerate      Action = "generate"
	ActionByType        Action = "by_type"
	ActionNull          Action = "null"
	ActionDefault       Action = "default"
)

// Column is the plan of one column.
type Column struct {
	Name     string `json:"name"`
	DataType string `json:"data_type"`
	Action   Action `json:"action"`
	// Transformer is the generator for ActionGenerate.
	Transformer *syncplan.Transformer `json:"transformer,omitempty"`
	// ByType is the generator for ActionByType.
	ByType *ByType `json:"by_type,omitempty"`
	// Reference is the foreign key for ActionReference (index into Table.References).
	Reference int    `json:"reference,omitempty"`
	Unique    bool   `json:"unique,omitempty"`
	Identity  string `json:"identity,omitempty"`
	// Nullable is set on a nullable ActionSelfReference column: some rows
	// are roots (NULL).
	Nullable bool `json:"nullable,omitempty"`
	// MaxLength is the column's character limit (0: none), which mapped
	// generators are told so their values fit.
	MaxLength int `json:"max_length,omitempty"`
}

// Reference is a foreign key whose columns are filled from a parent row.
type Reference struct {
	Columns       []string            `json:"columns"`
	Parent        sqlschema.TableName `json:"parent"`
	ParentColumns []string            `json:"parent_columns"`
	// Unique is set when the referencing columns are (or contain) a unique
	// key: each parent row is then used at most once.
	Unique bool `json:"unique,omitempty"`
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
	// Warnings are what the plan does differently from what a reader of
	// the job would expect (a foreign key left NULL, a column default
	// that does not exist), for people.
	Warnings []string `json:"warnings,omitempty"`
	// Source is the server and database the schema was read from, as the
	// server reported them (nil when the planner was not told): a
	// destination that reaches it is refused, since generating empties
	// and refills every planned table.
	Source *sqlconnect.Identity `json:"source,omitempty"`
}

// In is the plan as written into a destination whose name for a planned
// table is dest(table) — on MySQL/MariaDB the database the destination's
// connection uses instead of the schema connection's (see
// sqlsync.Engine.ResolveDestination). Every table, parent and dependency
// is renamed; columns are shared with p, which is left unchanged.
func (p *Plan) In(dest func(sqlschema.TableName) sqlschema.TableName) *Plan {
	out := *p
	out.Tables = make([]Table, len(p.Tables))
	for i, t := range p.Tables {
		t.Name = dest(t.Name)
		if len(t.References) > 0 {
			refs := slices.Clone(t.References)
			for j := range refs {
				refs[j].Parent = dest(refs[j].Parent)
			}
			t.References = refs
		}
		if len(t.DependsOn) > 0 {
			deps := make([]sqlschema.TableName, len(t.DependsOn))
			for j, d := range t.DependsOn {
				deps[j] = dest(d)
			}
			t.DependsOn = deps
		}
		out.Tables[i] = t
	}
	return &out
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

// planner holds the schema indexes NewPlan works from.
type planner struct {
	s        *syncplan.Schema
	req      Request
	reg      *transformers.Registry
	cols     map[sqlschema.TableName][]sqlschema.Column
	cons     map[sqlschema.TableName]sqlschema.TableConstraints
	mapped   map[string]syncplan.Transformer
	domains  map[string]sqlschema.DomainType
	creates  map[sqlschema.TableName]string
	problems []string
	warnings []string
}

func (pl *planner) problem(format string, args ...any) {
	pl.problems = append(pl.problems, fmt.Sprintf(format, args...))
}

func (pl *planner) warn(format string, args ...any) {
	pl.warnings = append(pl.warnings, fmt.Sprintf(format, args...))
}

// NewPlan computes the plan from a schema read with syncplan.ReadSchema.
// Every problem is reported at once in a *ValidationError.
func NewPlan(s *syncplan.Schema, req Request, reg *transformers.Registry) (*Plan, error) {
	pl := &planner{s: s, req: req, reg: reg,
		cols:    map[sqlschema.TableName][]sqlschema.Column{},
		cons:    map[sqlschema.TableName]sqlschema.TableConstraints{},
		mapped:  map[string]syncplan.Transformer{},
		domains: map[string]sqlschema.DomainType{},
		creates: map[sqlschema.TableName]string{},
	}
	for _, c := range s.Columns {
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		pl.cols[t] = append(pl.cols[t], c)
	}
	for _, c := range s.Constraints {
		pl.cons[c.Table] = c
	}
	for _, m := range req.Mappings {
		pl.mapped[m.Schema+"\x00"+m.Table+"\x00"+m.Column] = m.Transformer
	}
	if s.Definitions != nil {
		for _, d := range s.Definitions.Domains {
			pl.domains[d.Schema+"."+d.Name] = d
		}
		for _, t := range s.Definitions.Tables {
			pl.creates[t.Table] = t.CreateStatement
		}
	}
	p, err := pl.plan()
	if err != nil {
		return nil, err
	}
	if len(pl.problems) > 0 {
		slices.Sort(pl.problems)
		return nil, &ValidationError{Problems: slices.Compact(pl.problems)}
	}
	slices.Sort(pl.warnings)
	p.Warnings = pl.warnings
	return p, nil
}

// keyRole is what NewPlan decided about one foreign key of a job table.
type keyRole int

const (
	roleReference keyRole = iota // filled from a parent generated before
	roleSelf                     // an earlier row of the same table
	roleNull                     // parent outside the job, or a cycle broken: NULL
)

func (pl *planner) plan() (*Plan, error) {
	var names []string
	byName := map[string]sqlschema.TableName{}
	for t, n := range pl.req.Tables {
		if _, ok := pl.cols[t]; !ok {
			pl.problem("table %s does not exist in the schema connection", t)
			continue
		}
		if n < 1 {
			pl.problem("table %s: row count must be at least 1", t)
		}
		names = append(names, t.String())
		byName[t.String()] = t
	}
	slices.Sort(names)
	roles := map[string]keyRole{} // table + fk name
	var edges []tableorder.Edge
	for _, n := range names {
		t := byName[n]
		for _, fk := range pl.cons[t].ForeignKeys {
			key := n + "\x00" + fk.Name
			nullable := allTrue(fk.ColumnsNullable)
			_, inJob := pl.req.Tables[fk.Referenced]
			switch {
			case fk.Referenced == t && pl.selfNumbered(t, fk):
				roles[key] = roleSelf
			case !inJob && nullable:
				roles[key] = roleNull
				pl.warn("%s is left NULL: it references %s, which is not in the job", columnList(t, fk.Columns), fk.Referenced)
			case !inJob:
				roles[key] = roleNull
				pl.problem("table %s needs its parent %s: foreign key %s (%s) is NOT NULL and %s is not in the job; add %s to the job or make %s nullable",
					t, fk.Referenced, fk.Name, strings.Join(fk.Columns, ", "), fk.Referenced, fk.Referenced, columnList(t, notNullColumns(fk)))
			default:
				edges = append(edges, tableorder.Edge{Child: n, Parent: fk.Referenced.String(), Name: fk.Name, Nullable: nullable})
			}
		}
	}
	order, err := tableorder.Sort(names, edges)
	if err != nil {
		pl.problem("%v", err)
	}
	for _, e := range order.Deferred {
		roles[e.Child+"\x00"+e.Name] = roleNull // cycle or self reference: NULL
	}
	// Columns children reference must hold values, even when nullable.
	needed := map[string]bool{}
	for _, e := range edges {
		if roles[e.Child+"\x00"+e.Name] != roleReference {
			continue
		}
		for _, fk := range pl.cons[byName[e.Child]].ForeignKeys {
			if fk.Name == e.Name {
				for _, c := range fk.ReferencedColumns {
					needed[fk.Referenced.String()+"\x00"+c] = true
				}
			}
		}
	}
	p := &Plan{Dialect: pl.s.Dialect}
	for _, n := range order.Tables {
		p.Tables = append(p.Tables, pl.table(byName[n], order.DependsOn[n], byName, roles, needed))
	}
	return p, nil
}

// table plans one table.
func (pl *planner) table(t sqlschema.TableName, dependsOn []string, byName map[string]sqlschema.TableName, roles map[string]keyRole, needed map[string]bool) Table {
	n := t.String()
	tp := Table{Name: t, Rows: pl.req.Tables[t]}
	for _, d := range dependsOn {
		tp.DependsOn = append(tp.DependsOn, byName[d])
	}
	c := pl.cons[t]
	unique := map[string]bool{}
	var uniqueKeys [][]string
	if len(c.PrimaryKey) == 1 {
		unique[c.PrimaryKey[0]] = true
	} else if len(c.PrimaryKey) > 1 {
		tp.CompositeUniques = append(tp.CompositeUniques, c.PrimaryKey)
	}
	if len(c.PrimaryKey) > 0 {
		uniqueKeys = append(uniqueKeys, c.PrimaryKey)
	}
	for _, u := range c.UniqueConstraints {
		uniqueKeys = append(uniqueKeys, u.Columns)
		if len(u.Columns) == 1 {
			unique[u.Columns[0]] = true
		} else {
			tp.CompositeUniques = append(tp.CompositeUniques, u.Columns)
		}
	}
	refOf := map[string]int{}
	self := map[string]bool{}
	nulled := map[string]bool{}
	for _, fk := range c.ForeignKeys {
		switch roles[n+"\x00"+fk.Name] {
		case roleSelf:
			self[fk.Columns[0]] = true
		case roleNull:
			for _, col := range fk.Columns {
				nulled[col] = true
			}
		default:
			r := Reference{Columns: fk.Columns, Parent: fk.Referenced, ParentColumns: fk.ReferencedColumns}
			for _, k := range uniqueKeys {
				if containsAll(fk.Columns, k) {
					r.Unique = true
				}
			}
			if parentRows, ok := pl.req.Tables[fk.Referenced]; ok && r.Unique && parentRows < tp.Rows {
				pl.problem("table %s: foreign key %s (%s) is also a unique key, so each of its %d rows needs its own row of %s, which gets %d: ask for at most %d rows of %s or more of %s",
					t, fk.Name, strings.Join(fk.Columns, ", "), tp.Rows, fk.Referenced, parentRows, parentRows, t, fk.Referenced)
			}
			tp.References = append(tp.References, r)
			for _, col := range fk.Columns {
				refOf[col] = len(tp.References) - 1
			}
		}
	}
	for _, col := range pl.cols[t] {
		cp, ok := pl.column(t, tp.Rows, col, c, unique[col.Name], refOf, self[col.Name], nulled[col.Name], needed[n+"\x00"+col.Name])
		if ok {
			tp.Columns = append(tp.Columns, cp)
		}
	}
	return tp
}

// column plans one column; ok is false when it has a problem.
func (pl *planner) column(t sqlschema.TableName, rows int64, col sqlschema.Column, c sqlschema.TableConstraints, unique bool, refOf map[string]int, self, nulled, needed bool) (Column, bool) {
	cp := Column{Name: col.Name, DataType: col.DataType, Unique: unique, Identity: col.IdentityGeneration}
	if col.CharacterMaximumLength != nil && *col.CharacterMaximumLength > 0 {
		cp.MaxLength = int(min(*col.CharacterMaximumLength, math.MaxInt32))
	}
	ct, domainDefault, notNull := pl.typeOf(t, col)
	ct.unique = unique
	nullable := col.IsNullable && !notNull
	hasDefault := col.Default != nil || col.IdentityGeneration != "" || domainDefault
	tr, isMapped := pl.mapped[t.Schema+"\x00"+t.Table+"\x00"+col.Name]
	ref, isRef := refOf[col.Name]
	byType := func() (Column, bool) {
		b := chooseByType(pl.s.Dialect, col, ct)
		if b == nil {
			pl.problem("column %s.%s (%s) is NOT NULL without a default and no generator fits its type: map it to a generator", t, col.Name, col.DataType)
			return cp, false
		}
		if unique {
			if capacity := b.capacity(); uint64(rows) > capacity {
				pl.problem("column %s.%s (%s) is unique, but its type holds %d distinct generated values and %d rows were asked", t, col.Name, col.DataType, capacity, rows)
				return cp, false
			}
		}
		cp.Action, cp.ByType = ActionByType, b
		return cp, true
	}
	switch {
	case col.GeneratedKind != "":
		cp.Action = ActionDefault
	case isRef:
		cp.Action, cp.Reference = ActionReference, ref
	case self:
		cp.Action, cp.Nullable = ActionSelfReference, nullable
	case nulled:
		cp.Action = ActionNull
	case len(c.PrimaryKey) == 1 && c.PrimaryKey[0] == col.Name && isInteger(pl.s.Dialect, col.DataType):
		cp.Action = ActionSequence
		if b := chooseByType(pl.s.Dialect, col, ct); b != nil && b.Kind == KindInt && rows > b.Max {
			pl.problem("column %s.%s (%s) numbers the rows, but holds at most %d and %d rows were asked", t, col.Name, col.DataType, b.Max, rows)
			return cp, false
		}
	case isMapped:
		d, err := pl.reg.Lookup(tr.Source)
		switch {
		case err != nil:
			pl.problem("column %s.%s: %v", t, col.Name, err)
			return cp, false
		case tr.Source == "generate_default" && (hasDefault || nullable):
			cp.Action = ActionDefault
		case tr.Source == "generate_default":
			pl.warn("column %s.%s is mapped to the column default but has none: values are generated by type", t, col.Name)
			return byType()
		case tr.Source == "generate_null" && !nullable:
			pl.problem("column %s.%s is NOT NULL but mapped to generate_null: map it to a generator", t, col.Name)
			return cp, false
		case tr.Source == "generate_null":
			cp.Action = ActionNull
		case !d.Generator:
			pl.problem("column %s.%s: %s transforms an input value; a generate job needs a generator (generate_*)", t, col.Name, tr.Source)
			return cp, false
		default:
			trc := tr
			cp.Action, cp.Transformer = ActionGenerate, &trc
		}
	case hasDefault:
		cp.Action = ActionDefault
	case nullable && !needed:
		cp.Action = ActionNull
	default:
		return byType()
	}
	return cp, true
}

// typeOf resolves a PostgreSQL domain to its base type (reporting whether
// the domain has a default or is NOT NULL) and recognises MariaDB JSON
// columns.
func (pl *planner) typeOf(t sqlschema.TableName, col sqlschema.Column) (ct columnType, domainDefault, notNull bool) {
	ct.base = strings.ToLower(col.DataType)
	if pl.s.Dialect == sqlschema.DialectPostgres {
		if d, ok := pl.domains[strings.ReplaceAll(col.DataType, `"`, "")]; ok {
			ct.base = strings.ToLower(d.BaseType)
			return ct, d.Default != nil, d.NotNull
		}
		return ct, false, false
	}
	if q, err := sqlschema.QuoteMySQLIdentifier(col.Name); err == nil && strings.Contains(pl.creates[t], "json_valid("+q+")") {
		ct.json = true
	}
	return ct, false, false
}

// selfNumbered reports whether a self-referencing foreign key points at
// the table's numbered key, so it can take an earlier row's number.
func (pl *planner) selfNumbered(t sqlschema.TableName, fk sqlschema.ForeignKey) bool {
	pk := pl.cons[t].PrimaryKey
	if len(fk.Columns) != 1 || len(pk) != 1 || fk.ReferencedColumns[0] != pk[0] || fk.Columns[0] == pk[0] {
		return false
	}
	for _, c := range pl.cols[t] {
		if c.Name == pk[0] {
			return c.GeneratedKind == "" && isInteger(pl.s.Dialect, c.DataType)
		}
	}
	return false
}

func isInteger(d sqlschema.Dialect, dataType string) bool {
	ct := columnType{base: strings.ToLower(dataType), unique: true}
	b := chooseByType(d, sqlschema.Column{DataType: dataType}, ct)
	return b != nil && b.Kind == KindInt && b.Min == 1 // excludes MySQL BIT and YEAR
}

func allTrue(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return len(bs) > 0
}

func notNullColumns(fk sqlschema.ForeignKey) []string {
	var out []string
	for i, c := range fk.Columns {
		if i < len(fk.ColumnsNullable) && !fk.ColumnsNullable[i] {
			out = append(out, c)
		}
	}
	return out
}

// columnList names columns of t for people: "s.t.a" or "s.t.(a, b)".
func columnList(t sqlschema.TableName, cols []string) string {
	if len(cols) == 1 {
		return t.String() + "." + cols[0]
	}
	return t.String() + ".(" + strings.Join(cols, ", ") + ")"
}

func containsAll(set, sub []string) bool {
	for _, s := range sub {
		if !slices.Contains(set, s) {
			return false
		}
	}
	return len(sub) > 0
}

// String prints the plan for people (Warnings are listed apart, as
// syncplan's are).
func (p *Plan) String() string {
	var b strings.Builder
	for _, t := range p.Tables {
		fmt.Fprintf(&b, "%s: %d rows\n", t.Name, t.Rows)
		for _, c := range t.Columns {
			unique := ""
			if c.Unique {
				unique = ", unique"
			}
			switch c.Action {
			case ActionGenerate:
				fmt.Fprintf(&b, "  %-24s %s%s\n", c.Name, c.Transformer.Source, unique)
			case ActionByType:
				fmt.Fprintf(&b, "  %-24s by type: %s%s\n", c.Name, c.ByType, unique)
			case ActionReference:
				r := t.References[c.Reference]
				fmt.Fprintf(&b, "  %-24s references %s(%s)%s\n", c.Name, r.Parent, strings.Join(r.ParentColumns, ", "), unique)
			case ActionSelfReference:
				fmt.Fprintf(&b, "  %-24s references an earlier row of %s\n", c.Name, t.Name)
			default:
				fmt.Fprintf(&b, "  %-24s %s\n", c.Name, c.Action)
			}
		}
	}
	return b.String()
}
