package generate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// DefaultBatchSize is the number of rows per INSERT statement.
const DefaultBatchSize = 500

// Options tune GenerateTable.
type Options struct {
	// Seed fixes the random choices (0: random).
	Seed      uint64
	BatchSize int
	// Emptied, when not nil, carries across GenerateTable calls that
	// generate a plan's tables in its order into one destination, one
	// caller at a time: the tables the calls emptied and have not written
	// since. GenerateTable empties a table and the plan's tables generated
	// from it before writing it (so a retry redoes it); a table already
	// emptied by an earlier call — a parent's — is not emptied again.
	// On a schema of thousands of tables that saves a DELETE per
	// descendant per table.
	Emptied map[sqlschema.TableName]bool
	// Session names the destination session that writes the table
	// (sqlsync.SessionName of the step's tag; see session), so that a
	// retry can end it with sqlsync.EndStaleSessions. "" leaves the
	// writes unnamed.
	Session string
}

// Generator writes planned tables.
type Generator struct {
	Registry *transformers.Registry
}

// GenerateTable empties the table (so a retry redoes it) and writes its rows
// in batches, calling report with the rows written so far.
func (g *Generator) GenerateTable(ctx context.Context, p *Plan, name sqlschema.TableName, dst *sqlconnect.DB, o Options, report func(int64)) (int64, error) {
	var t *Table
	for i := range p.Tables {
		if p.Tables[i].Name == name {
			t = &p.Tables[i]
		}
	}
	if t == nil {
		return 0, fmt.Errorf("generate: table %s is not in the plan", name)
	}
	d := dialectOf(dst)
	qname, err := d.QualifiedName(name)
	if err != nil {
		return 0, err
	}
	ses, err := openSession(ctx, dst, o.Session)
	if err != nil {
		return 0, fmt.Errorf("generate %s: open a destination session: %w", name, err)
	}
	defer ses.close()
	if o.Emptied == nil || !o.Emptied[t.Name] {
		emptied, err := emptyForRedo(ctx, p, t, ses, d)
		if err != nil {
			return 0, err
		}
		if o.Emptied != nil {
			for _, e := range emptied {
				o.Emptied[e] = true
			}
		}
	}
	if o.Emptied != nil {
		delete(o.Emptied, t.Name) // written from here on
	}
	seed := o.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	// The order of the random draws (generators, then parent shuffles) is
	// what makes a seed reproduce a table.
	w := &tableWriter{g: g, t: t, ses: ses, d: d, qname: qname, rng: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}
	if err := w.buildGens(); err != nil {
		return 0, err
	}
	if err := w.loadParents(ctx); err != nil {
		return 0, err
	}
	for _, c := range w.written {
		if c.Action == ActionSequence {
			if w.start, err = maxOf(ctx, ses, d, qname, c.Name); err != nil {
				return 0, err
			}
		}
	}
	batch := o.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	return w.write(ctx, batch, report)
}

// tableWriter is the state of one GenerateTable call.
type tableWriter struct {
	g     *Generator
	t     *Table
	ses   *session // the table's reads and writes
	d     sqlschema.Dialect
	qname string
	rng   *rand.Rand
	// written are the columns the INSERT names (not the defaulted ones).
	written []Column
	gens    *columnGens
	// parents holds, per reference, the key tuples of the parent's rows.
	parents [][][]*string
	// start is where sequence columns continue from.
	start int64
}

// buildGens builds the generator of every written column.
func (w *tableWriter) buildGens() error {
	w.gens = &columnGens{transformers: map[string]*transformers.Instance{}, typed: map[string]*typedGen{}}
	for _, c := range w.t.Columns {
		if c.Action == ActionDefault {
			continue
		}
		w.written = append(w.written, c)
		switch c.Action {
		case ActionGenerate:
			inst, err := w.g.Registry.Build(c.Transformer.Source, c.Transformer.Params, transformers.Options{Seed: w.rng.Uint64(), Column: c.Name, MaxLength: c.MaxLength})
			if err != nil {
				return fmt.Errorf("column %s.%s: %w", w.t.Name, c.Name, err)
			}
			w.gens.transformers[c.Name] = inst
		case ActionByType:
			w.gens.typed[c.Name] = newTypedGen(c.ByType, c.Unique, w.t.Rows, w.rng)
		}
	}
	return nil
}

// loadParents reads the keys of every referenced parent; a unique
// reference gets them shuffled, one parent row per child row.
func (w *tableWriter) loadParents(ctx context.Context) error {
	t := w.t
	w.parents = make([][][]*string, len(t.References))
	for i, r := range t.References {
		keys, err := loadParentKeys(ctx, w.ses, w.d, r)
		if err != nil {
			return fmt.Errorf("table %s: read keys of parent %s: %w", t.Name, r.Parent, err)
		}
		if len(keys) == 0 {
			return fmt.Errorf("table %s: parent table %s has no rows to reference; generate it first", t.Name, r.Parent)
		}
		if r.Unique {
			if int64(len(keys)) < t.Rows {
				return fmt.Errorf("table %s: foreign key (%s) is also a unique key, so each of its %d rows needs its own row of %s, which has %d", t.Name, strings.Join(r.Columns, ", "), t.Rows, r.Parent, len(keys))
			}
			w.rng.Shuffle(len(keys), func(a, b int) { keys[a], keys[b] = keys[b], keys[a] })
		}
		w.parents[i] = keys
	}
	return nil
}

// write inserts the table's rows, batch rows per statement.
func (w *tableWriter) write(ctx context.Context, batch int, report func(int64)) (int64, error) {
	t, written := w.t, w.written
	ins, err := newInserter(w.d, w.qname, written, hasAlwaysIdentity(written))
	if err != nil {
		return 0, err
	}
	seen := map[string]map[string]bool{}
	for _, c := range written {
		if c.Unique && c.Action == ActionGenerate {
			seen[c.Name] = map[string]bool{}
		}
	}
	composites := newCompositeGuard(t.CompositeUniques, written)
	var rows int64
	values := make([]*string, 0, batch*len(written))
	for rows < t.Rows {
		if err := ctx.Err(); err != nil {
			return rows, err
		}
		n := min(int64(batch), t.Rows-rows)
		values = values[:0]
		for r := int64(0); r < n; r++ {
			row, err := w.g.row(t, written, w.gens, w.parents, w.rng, rows+r, w.start, seen, composites)
			if err != nil {
				return rows, fmt.Errorf("table %s, row %d: %w", t.Name, rows+r+1, err)
			}
			values = append(values, row...)
		}
		if err := ins.insert(ctx, w.ses, int(n), values); err != nil {
			return rows, fmt.Errorf("table %s: insert rows %d–%d: %w", t.Name, rows+1, rows+n, err)
		}
		rows += n
		if report != nil {
			report(rows)
		}
	}
	return rows, nil
}

// columnGens are the built generators of a table's columns.
type columnGens struct {
	transformers map[string]*transformers.Instance
	typed        map[string]*typedGen
}

// row draws row index (0-based; its number is start+index+1), drawing
// again (up to 100 times) when it would repeat a composite key.
func (g *Generator) row(t *Table, written []Column, gens *columnGens, parents [][][]*string, rng *rand.Rand, index, start int64, seen map[string]map[string]bool, guard *compositeGuard) ([]*string, error) {
	for attempt := 0; ; attempt++ {
		picked := make([][]*string, len(t.References))
		for i, r := range t.References {
			if r.Unique {
				picked[i] = parents[i][index]
			} else {
				picked[i] = parents[i][rng.IntN(len(parents[i]))]
			}
		}
		row := make([]*string, 0, len(written))
		for _, c := range written {
			v, err := g.value(c, t, gens, picked, rng, index, start, seen)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", c.Name, err)
			}
			row = append(row, v)
		}
		if guard.admit(row) {
			return row, nil
		}
		if attempt >= 100 {
			return nil, fmt.Errorf("cannot draw a row with a new value for its composite key")
		}
	}
}

func (g *Generator) value(c Column, t *Table, gens *columnGens, picked [][]*string, rng *rand.Rand, index, start int64, seen map[string]map[string]bool) (*string, error) {
	switch c.Action {
	case ActionNull:
		return nil, nil
	case ActionSequence:
		s := strconv.FormatInt(start+index+1, 10)
		return &s, nil
	case ActionSelfReference:
		// An earlier row; the first row is a root (NULL) or, when the
		// key is NOT NULL, references itself. A nullable key leaves about
		// one row in five a root.
		if index == 0 && !c.Nullable {
			s := strconv.FormatInt(start+1, 10)
			return &s, nil
		}
		if index == 0 || (c.Nullable && rng.IntN(5) == 0) {
			return nil, nil
		}
		s := strconv.FormatInt(start+1+rng.Int64N(index), 10)
		return &s, nil
	case ActionReference:
		r := t.References[c.Reference]
		for i, col := range r.Columns {
			if col == c.Name {
				return picked[c.Reference][i], nil
			}
		}
		return nil, fmt.Errorf("reference column missing")
	case ActionByType:
		s, err := gens.typed[c.Name].next(rng, index)
		if err != nil {
			return nil, err
		}
		return &s, nil
	case ActionGenerate:
		for attempt := 0; ; attempt++ {
			v, err := gens.transformers[c.Name].Transform(nil, nil)
			if err != nil {
				return nil, err
			}
			s := text(v)
			if s == nil || seen[c.Name] == nil {
				return s, nil
			}
			if !seen[c.Name][*s] {
				seen[c.Name][*s] = true
				return s, nil
			}
			if attempt > 100 {
				return nil, fmt.Errorf("generator %s cannot produce enough distinct values for a unique column", c.Transformer.Source)
			}
		}
	}
	return nil, fmt.Errorf("no value for action %s", c.Action)
}

// text renders a generated value as SQL text input.
func text(v any) *string {
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
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = "0"
		if x {
			s = "1" // both Postgres booleans and MySQL tinyint(1) parse 1/0
		}
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.999999")
	case []byte:
		s = `\x` + hex.EncodeToString(x)
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

func dialectOf(db *sqlconnect.DB) sqlschema.Dialect {
	if db.Driver == sqlconnect.DriverMySQL {
		return sqlschema.DialectMySQL
	}
	return sqlschema.DialectPostgres
}

func hasAlwaysIdentity(cols []Column) bool {
	for _, c := range cols {
		if c.Identity == "ALWAYS" {
			return true
		}
	}
	return false
}

func execSQL(ctx context.Context, db *sqlconnect.DB, q string, args ...any) (int64, error) {
	if db.Postgres != nil {
		tag, err := db.Postgres.Exec(ctx, q, args...)
		return tag.RowsAffected(), err
	}
	res, err := db.MySQL.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func maxOf(ctx context.Context, ses *session, d sqlschema.Dialect, qtable, col string) (int64, error) {
	qcol, err := d.QuoteIdentifier(col)
	if err != nil {
		return 0, err
	}
	q := "SELECT COALESCE(MAX(" + qcol + "), 0) FROM " + qtable
	var n int64
	if ses.db.Postgres != nil {
		err = ses.pgq().QueryRow(ctx, q).Scan(&n)
	} else {
		err = ses.db.MySQL.QueryRowContext(ctx, q).Scan(&n)
	}
	return n, err
}

// loadParentKeys reads the referenced columns of every parent row as text.
func loadParentKeys(ctx context.Context, ses *session, d sqlschema.Dialect, r Reference) ([][]*string, error) {
	db := ses.db
	qt, err := d.QualifiedName(r.Parent)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(r.ParentColumns))
	for i, c := range r.ParentColumns {
		q, err := d.QuoteIdentifier(c)
		if err != nil {
			return nil, err
		}
		if d == sqlschema.DialectPostgres {
			q += "::text"
		}
		cols[i] = q
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + qt
	var out [][]*string
	if db.Postgres != nil {
		rows, err := ses.pgq().Query(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]*string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return nil, err
			}
			out = append(out, vals)
		}
		return out, rows.Err()
	}
	rows, err := db.MySQL.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		raw := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		vals := make([]*string, len(cols))
		for i, r := range raw {
			if r.Valid {
				s := r.String
				vals[i] = &s
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// compositeGuard remembers the composite keys already written.
type compositeGuard struct {
	keys [][]int
	seen []map[string]bool
}

func newCompositeGuard(keys [][]string, written []Column) *compositeGuard {
	idx := map[string]int{}
	for i, c := range written {
		idx[c.Name] = i
	}
	g := &compositeGuard{}
	for _, k := range keys {
		var cols []int
		for _, name := range k {
			i, ok := idx[name]
			if !ok {
				cols = nil // a column the database fills: it cannot collide here
				break
			}
			cols = append(cols, i)
		}
		if cols != nil {
			g.keys = append(g.keys, cols)
			g.seen = append(g.seen, map[string]bool{})
		}
	}
	return g
}

// admit reports whether row's composite keys are new, and records them.
func (g *compositeGuard) admit(row []*string) bool {
	keys := make([]string, len(g.keys))
	for k, cols := range g.keys {
		var b strings.Builder
		for _, i := range cols {
			if row[i] == nil {
				b.WriteString("\x00N")
			} else {
				b.WriteString(*row[i])
			}
			b.WriteString("\x00")
		}
		keys[k] = b.String()
		if g.seen[k][keys[k]] {
			return false
		}
	}
	for k, key := range keys {
		g.seen[k][key] = true
	}
	return true
}

// emptyForRedo empties t, so a retried table is redone rather than
// appended to, after emptying the tables of the plan generated from it
// (children first): their rows, from an earlier run or attempt, reference
// t's rows and are regenerated after t anyway. Rows referencing an earlier
// row of the same table (a self reference) are deleted newest first, as
// MySQL checks keys row by row.
// It returns the tables it emptied.
func emptyForRedo(ctx context.Context, p *Plan, t *Table, ses *session, d sqlschema.Dialect) ([]sqlschema.TableName, error) {
	from := map[sqlschema.TableName]bool{t.Name: true}
	var tables []*Table
	for i := range p.Tables {
		c := &p.Tables[i]
		for _, dep := range c.DependsOn {
			if from[dep] {
				from[c.Name] = true
			}
		}
		if from[c.Name] {
			tables = append(tables, c)
		}
	}
	for i := len(tables) - 1; i >= 0; i-- {
		c := tables[i]
		q, err := d.QualifiedName(c.Name)
		if err != nil {
			return nil, err
		}
		q = "DELETE FROM " + q
		if d == sqlschema.DialectMySQL {
			for _, col := range c.Columns {
				if col.Action == ActionSequence {
					qc, err := d.QuoteIdentifier(col.Name)
					if err != nil {
						return nil, err
					}
					q += " ORDER BY " + qc + " DESC"
				}
			}
		}
		_, err = ses.exec(ctx, q)
		if err != nil && d == sqlschema.DialectMySQL {
			err = deleteSelfLoops(ctx, p, c, ses, err)
		}
		if err != nil {
			if c == t {
				return nil, fmt.Errorf("empty %s before generating: %w", t.Name, err)
			}
			return nil, fmt.Errorf("empty %s (generated from %s) before generating %s: %w", c.Name, t.Name, t.Name, err)
		}
	}
	names := make([]sqlschema.TableName, len(tables))
	for i, c := range tables {
		names[i] = c.Name
	}
	return names, nil
}

// deleteSelfLoops finishes emptying a MySQL table whose NOT NULL self
// reference makes the first row reference itself: InnoDB checks keys row
// by row and refuses to delete such a row. When no table outside the plan
// references t (those inside were emptied first), nothing can be left
// dangling, so the remaining rows are deleted with the checks off on one
// connection. Otherwise the original error stands.
func deleteSelfLoops(ctx context.Context, p *Plan, t *Table, ses *session, deleteErr error) error {
	dst := ses.db
	selfLoop := false
	for _, c := range t.Columns {
		selfLoop = selfLoop || (c.Action == ActionSelfReference && !c.Nullable)
	}
	if !selfLoop {
		return deleteErr
	}
	rows, err := dst.MySQL.QueryContext(ctx, "SELECT DISTINCT TABLE_SCHEMA, TABLE_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?", t.Name.Schema, t.Name.Table)
	if err != nil {
		return deleteErr
	}
	defer rows.Close()
	inPlan := map[sqlschema.TableName]bool{}
	for _, pt := range p.Tables {
		inPlan[pt.Name] = true
	}
	for rows.Next() {
		var ref sqlschema.TableName
		if err := rows.Scan(&ref.Schema, &ref.Table); err != nil || !inPlan[ref] {
			return deleteErr
		}
	}
	if rows.Err() != nil {
		return deleteErr
	}
	qt, err := sqlschema.DialectMySQL.QualifiedName(t.Name)
	if err != nil {
		return err
	}
	conn, err := dst.MySQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, ses.note+"DELETE FROM "+qt)
	if _, rerr := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 1"); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // never return a connection without checks to the pool
		return errors.Join(err, rerr)
	}
	return err
}
