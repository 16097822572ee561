package syncplan

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/tableorder"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// BuildPlan inspects the schemas of the job's mapped tables in src and
// computes the plan (see [NewPlan]).
func BuildPlan(ctx context.Context, src *sqlconnect.DB, job Job, reg *transformers.Registry) (*Plan, error) {
	var schemas []string
	for _, m := range job.Mappings {
		if !slices.Contains(schemas, m.Schema) {
			schemas = append(schemas, m.Schema)
		}
	}
	if len(schemas) == 0 {
		return nil, &ValidationError{Problems: []string{"the job maps no table"}}
	}
	s, err := ReadSchema(ctx, src, schemas)
	if err != nil {
		return nil, fmt.Errorf("syncplan: read source schema: %w", err)
	}
	plan, err := NewPlan(s, job, reg)
	if err != nil {
		return nil, err
	}
	id, err := src.Identity(ctx)
	switch {
	case err != nil:
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("the source server could not be identified (%v), so the run cannot check that no destination is the source itself", err))
	case id.Server == "":
		plan.Warnings = append(plan.Warnings, "the source server does not report its identity (pg_control_system), so the run cannot check that no destination is the source itself")
		plan.Source = &id
	default:
		plan.Source = &id
	}
	return plan, nil
}

// UnmappedWarning ends the warning about a column of a copied table that
// has no mapping, so callers can summarise those warnings.
const UnmappedWarning = "has no mapping: it is copied unchanged"

// NewPlan computes the plan of job over the source schema s. It validates
// everything that can be known before writing (see [Validate]) and
// returns all problems at once in a *[ValidationError].
func NewPlan(s *Schema, job Job, reg *transformers.Registry) (*Plan, error) {
	p, r := build(s, job, reg)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// Validate checks job against the source schema s without computing a
// plan for use: the one validation of a sync job, run by the API when a
// job is checked (ValidateJobMappings) or saved, by `neosync apply` before
// it changes anything, and by every plan the worker builds (NewPlan
// refuses exactly the jobs whose report has problems). Problems are
// unknown tables and columns, unknown transformers and bad parameters, a
// transformer that does not take or cannot write the column's type, NOT
// NULL columns mapped to a transformer that writes NULL, cycles without a
// nullable foreign key and bad subsets; warnings include unique columns
// under a transformer that may repeat values and columns without a
// mapping.
func Validate(s *Schema, job Job, reg *transformers.Registry) Report {
	_, r := build(s, job, reg)
	return r
}

// build computes the plan and the report; the plan is nil or incomplete
// when the report has problems.
func build(s *Schema, job Job, reg *transformers.Registry) (*Plan, Report) {
	b := &builder{s: s, job: job, reg: reg, plan: &Plan{
		Dialect: s.Dialect, Consistent: job.Key != nil, SubsetByForeignKeys: job.SubsetByForeignKeys, LeakPolicy: job.LeakPolicy,
		RangeRows: job.RangeRows,
	}}
	b.run()
	r := Report{Problems: b.probs.sorted(), Warnings: b.warns.sorted()}
	for _, w := range r.Warnings {
		b.plan.Warnings = append(b.plan.Warnings, w.Message)
	}
	b.plan.Warnings = slices.Compact(b.plan.Warnings)
	return b.plan, r
}

// run computes the plan, stopping at the first stage with problems (later
// stages depend on the earlier ones being sound).
func (b *builder) run() {
	b.checkJob()
	tables := b.tables()
	b.foldPartitions(tables)
	b.checkInheritance(tables)
	b.warnRowSecurity(tables)
	// Ordering needs only the tables that exist, so cycles are reported
	// together with the column problems.
	b.order(tables)
	b.uniqueWarnings()
	if len(b.probs) > 0 {
		return
	}
	b.keys()
	b.filters()
	b.types()
	b.checkReferences()
	if len(b.probs) > 0 {
		return
	}
	b.truncateWarnings()
}

type builder struct {
	s     *Schema
	job   Job
	reg   *transformers.Registry
	plan  *Plan
	probs findings
	warns findings
}

func (b *builder) warn(format string, args ...any) { b.warns.add(format, args...) }

// warnColumn warns about column c of t.
func (b *builder) warnColumn(t sqlschema.TableName, c, format string, args ...any) {
	b.warns.addColumn(t, c, format, args...)
}

// checkJob validates what does not depend on the schema.
func (b *builder) checkJob() {
	if len(b.job.Mappings) == 0 {
		b.probs.add("the job maps no table")
	}
	for _, d := range b.job.Destinations {
		if err := d.Options.Validate(); err != nil {
			b.probs.add("destination %s: %v", d.Name, err)
		}
		if d.Conn.Driver != "" && d.Conn.Driver != sqlconnect.DriverS3 && dialectOf(d.Conn.Driver) != b.s.Dialect {
			b.probs.add("destination %s: syncing %s into %s is not supported; source and destination must be the same kind of database",
				d.Name, b.s.Dialect, dialectOf(d.Conn.Driver))
		}
		if d.Options.InitSchema && len(d.Options.SchemaMap) > 0 && b.s.Dialect == sqlschema.DialectPostgres {
			b.probs.add("destination %s: schema_map cannot be combined with init_schema on PostgreSQL", d.Name)
		}
	}
	if b.job.TableConcurrency < 0 {
		b.probs.add("table_concurrency: must not be negative")
	}
}

func dialectOf(d sqlconnect.Driver) sqlschema.Dialect {
	switch d {
	case sqlconnect.DriverPostgres:
		return sqlschema.DialectPostgres
	case sqlconnect.DriverMySQL:
		return sqlschema.DialectMySQL
	}
	return sqlschema.Dialect(d)
}

// tables builds one Table per mapped table, in name order, with its
// columns' actions.
func (b *builder) tables() map[sqlschema.TableName]*Table {
	known := map[sqlschema.TableName]bool{}
	for _, t := range b.s.Tables {
		known[t] = true
	}
	cols := map[sqlschema.TableName][]sqlschema.Column{}
	for _, c := range b.s.Columns {
		t := sqlschema.TableName{Schema: c.Schema, Table: c.Table}
		cols[t] = append(cols[t], c)
	}
	mapped := map[sqlschema.TableName]map[string]Transformer{}
	for _, m := range b.job.Mappings {
		t := sqlschema.TableName{Schema: m.Schema, Table: m.Table}
		if !known[t] {
			b.probs.addColumn(t, m.Column, "mapping for %s: no such table in the source", t)
			continue
		}
		if mapped[t] == nil {
			mapped[t] = map[string]Transformer{}
		}
		if _, dup := mapped[t][m.Column]; dup {
			b.probs.addColumn(t, m.Column, "column %s.%s is mapped twice", t, m.Column)
		}
		mapped[t][m.Column] = m.Transformer
	}
	out := map[sqlschema.TableName]*Table{}
	for t, ms := range mapped {
		tb := &Table{Name: t}
		for _, c := range cols[t] {
			tb.Columns = append(tb.Columns, b.column(t, c, ms))
		}
		for name := range ms {
			if tb.Column(name) == nil {
				b.probs.addColumn(t, name, "mapping for %s.%s: no such column in the source", t, name)
			}
		}
		out[t] = tb
	}
	for _, sub := range b.job.Subsets {
		t := sqlschema.TableName{Schema: sub.Schema, Table: sub.Table}
		if out[t] == nil {
			b.probs.addColumn(t, "", "subset for %s: the table is not copied (it has no mapping)", t)
			continue
		}
		if err := sqlschema.ValidateWhere(b.s.Dialect, sub.Where); err != nil {
			b.probs.addColumn(t, "", "subset for %s: %v", t, err)
			continue
		}
		out[t].Where = sub.Where
	}
	return out
}

// column decides what happens to one source column.
func (b *builder) column(t sqlschema.TableName, c sqlschema.Column, ms map[string]Transformer) Column {
	pc := Column{Column: c, Action: ActionCopy}
	tr, ok := ms[c.Name]
	switch {
	case c.GeneratedKind != "":
		pc.Action = ActionOmit
		if ok && tr.Source != Passthrough && tr.Source != "generate_default" {
			b.warnColumn(t, c.Name, "%s.%s is a generated column: the destination computes it, its %s mapping is ignored", t, c.Name, tr.Source)
		}
		return pc
	case !ok:
		if b.job.HaltOnNewColumn {
			b.probs.addColumn(t, c.Name, "column %s.%s has no mapping (halt on new column is set)", t, c.Name)
		}
		pc.Unmapped = true
		b.warnColumn(t, c.Name, "%s.%s "+UnmappedWarning, t, c.Name)
		return pc
	}
	switch tr.Source {
	case Passthrough:
		return pc
	case "generate_null":
		pc.Action = ActionNull
		if !c.IsNullable {
			b.probs.addColumn(t, c.Name, "column %s.%s is NOT NULL but mapped to generate_null, which writes NULL", t, c.Name)
		}
		return pc
	case "generate_default":
		pc.Action = ActionOmit
		if c.Default == nil && c.IdentityGeneration == "" && !c.IsNullable {
			b.probs.addColumn(t, c.Name, "column %s.%s is NOT NULL without a default but mapped to generate_default", t, c.Name)
		}
		return pc
	}
	maxLen := 0
	if c.CharacterMaximumLength != nil && *c.CharacterMaximumLength < 1<<31 {
		maxLen = int(*c.CharacterMaximumLength)
	}
	if _, err := b.reg.Build(tr.Source, tr.Params, transformers.Options{Seed: 1, MaxLength: maxLen, Column: c.Name}); err != nil {
		b.probs.addColumn(t, c.Name, "column %s.%s: %v", t, c.Name, err)
	} else {
		b.checkTransformer(t, c, tr)
	}
	trc := tr
	pc.Action = ActionTransform
	pc.Transformer = &trc
	pc.UsesRow = tr.UsesRow || slices.Contains(RowTransformers, tr.Source)
	return pc
}

// tableID is an unambiguous graph node name for t.
func tableID(d sqlschema.Dialect, t sqlschema.TableName) string {
	q, err := d.QualifiedName(t)
	if err != nil {
		return "\x00" + t.Schema + "\x00" + t.Table
	}
	return q
}

// order collects foreign keys between copied tables, sorts the tables and
// marks deferred keys and columns.
func (b *builder) order(tables map[sqlschema.TableName]*Table) {
	d := b.s.Dialect
	byID := map[string]*Table{}
	var ids []string
	for t, tb := range tables {
		id := tableID(d, t)
		byID[id] = tb
		ids = append(ids, id)
	}
	b.addForeignKeys(tables)
	b.addVirtualForeignKeys(tables)
	edgeFK := map[string]*ForeignKey{}
	var edges []tableorder.Edge
	for _, id := range ids {
		tb := byID[id]
		for i := range tb.ForeignKeys {
			fk := &tb.ForeignKeys[i]
			eid := id + "\x00" + fk.Name
			edgeFK[eid] = fk
			edges = append(edges, tableorder.Edge{Child: id, Parent: tableID(d, fk.Referenced), Name: eid, Nullable: fk.Nullable})
		}
	}
	o, err := tableorder.Sort(ids, edges)
	if err != nil {
		b.sortProblem(err, byID)
		return
	}
	for _, e := range o.Deferred {
		fk := edgeFK[e.Name]
		fk.Deferred = true
		child := byID[e.Child]
		for _, c := range fk.Columns {
			child.Column(c).Deferred = true
		}
	}
	for _, id := range o.Tables {
		tb := byID[id]
		for _, p := range o.DependsOn[id] {
			tb.DependsOn = append(tb.DependsOn, byID[p].Name)
		}
		b.plan.Tables = append(b.plan.Tables, *tb)
	}
	b.cycles(ids, edges, byID, o)
}

// addForeignKeys copies the keys and the foreign keys between copied
// tables from the schema onto the tables; a foreign key to a table the job
// does not copy is dropped with a warning.
func (b *builder) addForeignKeys(tables map[sqlschema.TableName]*Table) {
	for _, tc := range b.s.Constraints {
		child := tables[tc.Table]
		if child == nil {
			continue
		}
		child.PrimaryKey = tc.PrimaryKey
		child.Uniques = tc.UniqueConstraints
		for _, fk := range tc.ForeignKeys {
			if b.plan.isFoldedPartition(fk.Referenced) {
				// PostgreSQL clones a foreign key to a partitioned table once
				// per partition; the one to the partitioned table covers them.
				continue
			}
			if tables[fk.Referenced] == nil {
				b.warn("foreign key %s of %s references %s, which is not copied: it is neither followed nor created", fk.Name, child.Name, fk.Referenced)
				continue
			}
			child.ForeignKeys = append(child.ForeignKeys, ForeignKey{Name: fk.Name, Columns: fk.Columns, Referenced: fk.Referenced,
				ReferencedColumns: fk.ReferencedColumns, Nullable: !slices.Contains(fk.ColumnsNullable, false)})
		}
	}
}

// addVirtualForeignKeys adds the job's virtual foreign keys to the tables,
// each named virtual_fk_N after its place in the job.
func (b *builder) addVirtualForeignKeys(tables map[sqlschema.TableName]*Table) {
	for i, v := range b.job.VirtualForeignKeys {
		child, parent := tables[v.Table], tables[v.Referenced]
		switch {
		case child == nil:
			b.probs.add("virtual foreign key %d: table %s is not copied", i+1, v.Table)
			continue
		case parent == nil:
			b.probs.add("virtual foreign key %d: referenced table %s is not copied", i+1, v.Referenced)
			continue
		case len(v.Columns) == 0 || len(v.Columns) != len(v.ReferencedColumns):
			b.probs.add("virtual foreign key %d: needs as many referenced columns as columns (at least one)", i+1)
			continue
		}
		nullable := true
		for j, c := range v.Columns {
			cc, pc := child.Column(c), parent.Column(v.ReferencedColumns[j])
			if cc == nil || pc == nil {
				b.probs.add("virtual foreign key %d: no column %s in %s or %s in %s", i+1, c, v.Table, v.ReferencedColumns[j], v.Referenced)
				nullable = false
				continue
			}
			nullable = nullable && cc.IsNullable
		}
		name := fmt.Sprintf("virtual_fk_%d", i+1)
		child.ForeignKeys = append(child.ForeignKeys, ForeignKey{Name: name, Columns: v.Columns, Referenced: v.Referenced,
			ReferencedColumns: v.ReferencedColumns, Nullable: nullable, Virtual: true})
	}
}

// sortProblem reports why the tables could not be ordered, naming the
// tables of each cycle that has no nullable foreign key to break it.
func (b *builder) sortProblem(err error, byID map[string]*Table) {
	ce, ok := err.(*tableorder.CycleError)
	if !ok {
		b.probs.add("%v", err)
		return
	}
	for _, c := range ce.Cycles {
		var names []string
		for _, id := range c.Tables {
			names = append(names, byID[id].Name.String())
		}
		b.probs.add("foreign key cycle %v has no nullable foreign key: its rows cannot be inserted", names)
	}
}

// cycles records the cycles among copied tables for display.
func (b *builder) cycles(ids []string, edges []tableorder.Edge, byID map[string]*Table, o tableorder.Order) {
	for _, c := range tableorder.Cycles(ids, edges) {
		pc := Cycle{}
		for _, id := range c.Tables {
			pc.Tables = append(pc.Tables, byID[id].Name)
		}
		for _, e := range o.Deferred {
			if slices.Contains(c.Tables, e.Child) {
				fk := byID[e.Child].Name.String() + "." + e.Name[len(e.Child)+1:]
				pc.Deferred = append(pc.Deferred, fk)
			}
		}
		b.plan.Cycles = append(b.plan.Cycles, pc)
	}
}

// keys chooses each table's key and resume mode.
func (b *builder) keys() {
	for i := range b.plan.Tables {
		t := &b.plan.Tables[i]
		t.Key = t.PrimaryKey
		if t.Key == nil {
			for _, u := range t.Uniques {
				if !slices.ContainsFunc(u.Columns, func(c string) bool { col := t.Column(c); return col == nil || col.IsNullable }) {
					t.Key = u.Columns
					break
				}
			}
		}
		t.Resume = ResumeRedo
		if t.Key != nil && !slices.ContainsFunc(t.Key, func(c string) bool { return !b.deterministic(t.Column(c)) }) {
			t.Resume = ResumeKeyed
		}
		if len(t.Deferred()) > 0 && t.Resume != ResumeKeyed {
			b.probs.addColumn(t.Name, "", "table %s is in a foreign key cycle but has no primary key or NOT NULL unique key copied deterministically (unchanged, or by a consistent transformer with a job key): the update pass could not find its rows", t.Name)
		}
	}
}

// deterministic reports whether the destination value of c is a function
// of its source value alone.
func (b *builder) deterministic(c *Column) bool {
	switch c.Action {
	case ActionCopy:
		return true
	case ActionTransform:
		d, err := b.reg.Lookup(c.Transformer.Source)
		return err == nil && d.Consistent && b.job.Key != nil
	}
	return false
}

// filters computes each table's source predicate, parents first.
func (b *builder) filters() {
	filter := map[sqlschema.TableName]string{}
	for i := range b.plan.Tables {
		t := &b.plan.Tables[i]
		preds := []string{userPredicate(t.Where)}
		if b.job.SubsetByForeignKeys {
			for j := range t.ForeignKeys {
				fk := &t.ForeignKeys[j]
				pf := filter[fk.Referenced]
				if fk.Deferred || pf == "" {
					continue
				}
				cond, err := followCondition(b.s.Dialect, t.Name, *fk, pf)
				if err != nil {
					b.probs.addColumn(t.Name, "", "subset of %s: %v", t.Name, err)
					continue
				}
				fk.Followed = true
				preds = append(preds, cond)
			}
		}
		t.Filter = andAll(preds)
		filter[t.Name] = t.Filter
	}
	if !b.job.SubsetByForeignKeys {
		for _, t := range b.plan.Tables {
			for _, fk := range t.ForeignKeys {
				if filter[fk.Referenced] != "" && filter[t.Name] == "" {
					b.warn("%s is subset but its child %s is not and subsetting by foreign keys is off: the copy of %s may reference missing rows", fk.Referenced, t.Name, t.Name)
				}
			}
		}
	}
}

// types attaches table definitions and the non-table objects of the copied
// tables' schemas.
func (b *builder) types() {
	defs := b.s.Definitions
	if defs == nil {
		return
	}
	byTable := map[sqlschema.TableName]sqlschema.TableDefinition{}
	for _, td := range defs.Tables {
		byTable[td.Table] = td
	}
	schemas := map[string]bool{}
	columnTypes := map[string]bool{}
	for i := range b.plan.Tables {
		t := &b.plan.Tables[i]
		t.Definition = byTable[t.Name]
		t.Definition.Table = t.Name
		schemas[t.Name.Schema] = true
		for _, c := range t.Columns {
			columnTypes[strings.TrimSuffix(c.DataType, "[]")] = true
		}
	}
	for _, p := range b.plan.Partitions {
		schemas[p.Name.Schema] = true
	}
	out := &sqlschema.Definitions{}
	for _, e := range defs.Extensions {
		needed := schemas[e.Schema] || e.Used
		for _, t := range e.Types {
			needed = needed || columnTypes[t] || columnTypes[quotedTypeName(b.s.Dialect, t)]
		}
		if needed {
			out.Extensions = append(out.Extensions, e)
		}
	}
	for _, c := range defs.Composites {
		if schemas[c.Schema] {
			out.Composites = append(out.Composites, c)
		}
	}
	for _, e := range defs.Enums {
		if schemas[e.Schema] {
			out.Enums = append(out.Enums, e)
		}
	}
	for _, d := range defs.Domains {
		if schemas[d.Schema] {
			out.Domains = append(out.Domains, d)
		}
	}
	for _, s := range defs.Sequences {
		if schemas[s.Schema] {
			out.Sequences = append(out.Sequences, s)
		}
	}
	for _, f := range defs.Functions {
		if schemas[f.Schema] {
			out.Functions = append(out.Functions, f)
		}
	}
	if len(out.Extensions)+len(out.Enums)+len(out.Domains)+len(out.Composites)+len(out.Sequences)+len(out.Functions) > 0 {
		b.plan.Types = out
	}
}

// quotedTypeName quotes "schema.name" as the server prints a type name
// that needs quoting.
func quotedTypeName(d sqlschema.Dialect, t string) string {
	s, n, ok := strings.Cut(t, ".")
	if !ok {
		return t
	}
	q, err := d.QualifiedName(sqlschema.TableName{Schema: s, Table: n})
	if err != nil {
		return t
	}
	return q
}

// checkReferences warns when a foreign key's columns are written
// differently from the columns they reference: the copied references
// would then not find their parents.
func (b *builder) checkReferences() {
	for _, t := range b.plan.Tables {
		parentOf := func(fk ForeignKey) *Table { return b.plan.Table(fk.Referenced) }
		for _, fk := range t.ForeignKeys {
			p := parentOf(fk)
			for i, c := range fk.Columns {
				cc, pc := t.Column(c), p.Column(fk.ReferencedColumns[i])
				if cc == nil || pc == nil || sameWrite(*cc, *pc) {
					continue
				}
				b.warnColumn(t.Name, c, "foreign key %s: %s.%s is %s but the referenced %s.%s is %s; references will only match when both use the same consistent transformer",
					fk.Name, t.Name, c, describe(*cc), p.Name, pc.Name, describe(*pc))
			}
			if b.job.Key == nil && slices.ContainsFunc(fk.Columns, func(c string) bool {
				col := t.Column(c)
				return col != nil && col.Action == ActionTransform
			}) {
				b.warn("foreign key %s of %s has transformed columns but the job has no key: transformed references will not match their parents", fk.Name, t.Name)
			}
		}
	}
}

func sameWrite(a, b Column) bool {
	if a.Action != b.Action {
		return false
	}
	if a.Action != ActionTransform {
		return true
	}
	return a.Transformer.Source == b.Transformer.Source && reflect.DeepEqual(a.Transformer.Params, b.Transformer.Params)
}

func describe(c Column) string {
	if c.Action == ActionTransform {
		return "transformed by " + c.Transformer.Source
	}
	if c.Action == ActionCopy {
		return "copied unchanged"
	}
	return string(c.Action)
}
