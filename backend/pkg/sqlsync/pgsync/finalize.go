package pgsync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgObject is one constraint or index Finalize has in place on
// PostgreSQL.
type pgObject struct {
	kind  syncdriver.ObjectKind
	table sqlschema.TableName // in the destination
	name  string
	def   string // as the source prints it
	index bool   // an index (CREATE INDEX), not a constraint
	// cols are a key's columns, fk the plan's foreign key, when known
	// (a partition's own objects are not in the plan's tables).
	cols []string
	fk   *syncplan.ForeignKey
}

func (o pgObject) String() string { return fmt.Sprintf("%s %s on %s", o.kind, o.name, o.table) }

var pgConstraintKinds = map[sqlschema.ConstraintKind]syncdriver.ObjectKind{
	sqlschema.ConstraintPrimaryKey: syncdriver.KindPrimaryKey,
	sqlschema.ConstraintUnique:     syncdriver.KindUnique,
	sqlschema.ConstraintExclusion:  syncdriver.KindExclusion,
	sqlschema.ConstraintCheck:      syncdriver.KindCheck,
	sqlschema.ConstraintForeignKey: syncdriver.KindForeignKey,
}

// pgFinalizeObjects lists the constraints and indexes of the copied
// tables and partitions in the order Finalize builds them: keys (primary,
// unique, exclusion, check, then unique indexes, which a foreign key may
// reference too), foreign keys, the other indexes.
func pgFinalizeObjects(plan *syncplan.Plan, opts syncplan.DestinationOptions) []pgObject {
	copied := map[sqlschema.TableName]bool{}
	for _, t := range plan.Tables {
		copied[t.Name] = true
	}
	for _, p := range plan.Partitions {
		copied[p.Name] = true
	}
	var keys, uniqueIndexes, fks, indexes []pgObject
	for _, tg := range pgFinalizeTargets(plan, opts) {
		for _, c := range tg.def.Constraints {
			if c.Inherited && tg.partition {
				continue
			}
			o, ok := tg.constraint(c, copied)
			switch {
			case !ok:
			case c.Kind == sqlschema.ConstraintForeignKey:
				fks = append(fks, o)
			default:
				keys = append(keys, o)
			}
		}
		for _, ix := range tg.def.Indexes {
			if ix.Inherited && tg.partition {
				continue
			}
			o := pgObject{kind: syncdriver.KindIndex, table: tg.dest, name: ix.Name, def: ix.Definition, index: true}
			if strings.HasPrefix(ix.Definition, "CREATE UNIQUE INDEX ") {
				o.kind = syncdriver.KindUniqueIndex
				uniqueIndexes = append(uniqueIndexes, o)
				continue
			}
			indexes = append(indexes, o)
		}
	}
	out := append(keys, uniqueIndexes...)
	out = append(out, fks...)
	return append(out, indexes...)
}

// pgFinalizeTarget is a copied table or partition whose objects Finalize
// builds.
type pgFinalizeTarget struct {
	t         *syncplan.Table // nil for a partition
	dest      sqlschema.TableName
	def       sqlschema.TableDefinition
	partition bool
}

// pgFinalizeTargets lists the copied tables, then the partitions.
func pgFinalizeTargets(plan *syncplan.Plan, opts syncplan.DestinationOptions) []pgFinalizeTarget {
	var targets []pgFinalizeTarget
	for i, t := range plan.Tables {
		targets = append(targets, pgFinalizeTarget{t: &plan.Tables[i], dest: opts.DestTable(t.Name), def: t.Definition})
	}
	for _, p := range plan.Partitions {
		targets = append(targets, pgFinalizeTarget{dest: opts.DestTable(p.Name), def: p.Definition, partition: true})
	}
	return targets
}

// constraint returns the object Finalize builds for constraint c of tg,
// with its columns when the plan knows them; ok is false for a kind it
// does not build and for a table's foreign key to a table not copied.
func (tg pgFinalizeTarget) constraint(c sqlschema.ConstraintDefinition, copied map[sqlschema.TableName]bool) (o pgObject, ok bool) {
	o = pgObject{kind: pgConstraintKinds[c.Kind], table: tg.dest, name: c.Name, def: c.Definition}
	if o.kind == "" {
		return o, false
	}
	if tg.t == nil {
		// A partition's own foreign keys are not in the plan's graph; its
		// rows were loaded through its parent after every table it may
		// reference.
		return o, true
	}
	switch c.Kind {
	case sqlschema.ConstraintForeignKey:
		if !syncdriver.ReferencesCopied(*tg.t, c.Name, copied) {
			return o, false
		}
		for i, f := range tg.t.ForeignKeys {
			if f.Name == c.Name && !f.Virtual {
				o.fk = &tg.t.ForeignKeys[i]
				o.cols = f.Columns
			}
		}
	case sqlschema.ConstraintPrimaryKey:
		o.cols = tg.t.PrimaryKey
	case sqlschema.ConstraintUnique:
		for _, u := range tg.t.Uniques {
			if u.Name == c.Name {
				o.cols = u.Columns
			}
		}
	}
	return o, true
}

// pgFinalize implements Finalize and Restore for PostgreSQL, on one
// session whose search_path is pg_catalog: the definitions were printed
// under that search_path (every user object qualified), so they mean the
// same when run and compare equal when printed back.
//
// It reads what the destination already has in three catalog queries up
// front, then builds what is missing in transactions of bounded groups
// (see [FinalizeGroupObjects]), each object under its own savepoint: an
// object the server refuses is rolled back alone and diagnosed, and the
// group goes on. Thousands of small tables' objects thus cost a round
// trip each and a commit per group, instead of a catalog lookup and a
// commit (a WAL flush) each.
func pgFinalize(ctx context.Context, plan *syncplan.Plan, run *syncdriver.FinalizeRun) error {
	conn, err := destConn(ctx, run.Dst)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET search_path TO pg_catalog"); err != nil {
		return err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET search_path") }()
	if err := pgRaiseMaintenanceMem(ctx, conn); err != nil {
		return err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET maintenance_work_mem") }()
	q := syncdriver.NewQuoter(plan.Dialect)
	var objects []pgObject
	if run.Dst.Options.InitSchema {
		objects = pgFinalizeObjects(plan, run.Dst.Options)
	}
	have, err := pgReadDestination(ctx, conn, pgFinalizeTargets(plan, run.Dst.Options), objects)
	if err != nil {
		return err
	}
	var group []pgObject
	flush := func() error {
		err := pgBuildGroup(ctx, conn, q, run, have, group)
		group = group[:0]
		return err
	}
	for _, o := range objects {
		if _, ok := have.tables[o.table]; run.Restore && !ok {
			// Restore skips tables that were never created.
			continue
		}
		run.Total++
		if have.inPlace(o) {
			continue
		}
		if !have.small(o) {
			// A key over a big table sorts for a while: it holds no other
			// table's locks meanwhile.
			if err := flush(); err != nil {
				return err
			}
			group = append(group, o)
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if group = append(group, o); len(group) == FinalizeGroupObjects {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return pgResetSequences(ctx, conn, q, plan, run, func(t sqlschema.TableName) (bool, error) {
		_, ok := have.tables[t]
		return ok, nil
	})
}

// FinalizeGroupObjects is how many objects of small tables (see
// [FinalizeSmallTableBytes]) Finalize builds in one transaction on
// PostgreSQL: few enough that a worker killed mid-group loses little
// (the retried step builds the group again) and that the group's locks
// are held briefly, many enough that a schema of thousands of tables
// commits (and waits for a WAL flush) a few dozen times, not thousands.
const FinalizeGroupObjects = 50

// FinalizeSmallTableBytes is the size on disk (summed over a partitioned
// table's partitions) under which a table's objects are built in groups;
// an object of a larger table, or a foreign key referencing one, is built
// in a transaction of its own.
const FinalizeSmallTableBytes = 8 << 20

// pgDestination is what the destination has before Finalize builds: its
// copied tables (with their size), and the constraints and indexes named
// like the objects to build.
type pgDestination struct {
	tables      map[sqlschema.TableName]int64 // bytes on disk
	constraints map[pgConstraintKey]string    // definition
	indexes     map[sqlschema.TableName]pgIndexState
}

// pgConstraintKey names a constraint: its table and its name.
type pgConstraintKey struct {
	table sqlschema.TableName
	name  string
}

// pgIndexState is an existing index's definition and validity.
type pgIndexState struct {
	def   string
	valid bool
}

// existing returns the destination's object named like o, as pgExisting
// would have read it before Finalize started.
func (d *pgDestination) existing(o pgObject) (def string, valid, found bool) {
	if o.index {
		ix, ok := d.indexes[sqlschema.TableName{Schema: o.table.Schema, Table: o.name}]
		return ix.def, ix.valid, ok
	}
	def, ok := d.constraints[pgConstraintKey{o.table, o.name}]
	return def, true, ok
}

// inPlace reports whether o is there already, valid and as defined.
func (d *pgDestination) inPlace(o pgObject) bool {
	def, valid, found := d.existing(o)
	return found && valid && syncdriver.SameDefinition(def, o.def)
}

// small reports whether o's table, and for a foreign key the table it
// references, are under FinalizeSmallTableBytes.
func (d *pgDestination) small(o pgObject) bool {
	if d.tables[o.table] >= FinalizeSmallTableBytes {
		return false
	}
	if o.fk != nil {
		if n, ok := d.tables[o.fk.Referenced]; ok && n >= FinalizeSmallTableBytes {
			return false
		}
	}
	return true
}

// pgReadDestination reads, in one query per kind, which of targets exist
// (with their size), the constraints of those tables, and the indexes
// named like objects' indexes.
func pgReadDestination(ctx context.Context, conn *pgxpool.Conn, targets []pgFinalizeTarget, objects []pgObject) (*pgDestination, error) {
	d := &pgDestination{tables: map[sqlschema.TableName]int64{}, constraints: map[pgConstraintKey]string{}, indexes: map[sqlschema.TableName]pgIndexState{}}
	var schemas, names []string
	for _, tg := range targets {
		schemas, names = append(schemas, tg.dest.Schema), append(names, tg.dest.Table)
	}
	var ixSchemas, ixNames []string
	for _, o := range objects {
		if o.index {
			ixSchemas, ixNames = append(ixSchemas, o.table.Schema), append(ixNames, o.name)
		}
	}
	const tablesQuery = `SELECT n.nspname, c.relname,
  COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_relation_size(p.relid)) FROM pg_catalog.pg_partition_tree(c.oid) p), 0)::int8
FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS t(s, r)
JOIN pg_catalog.pg_namespace n ON n.nspname = t.s JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.r`
	if err := pgEachRow(ctx, conn, tablesQuery, []any{schemas, names}, func(rows pgx.Rows) error {
		var t sqlschema.TableName
		var size int64
		if err := rows.Scan(&t.Schema, &t.Table, &size); err != nil {
			return err
		}
		d.tables[t] = size
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read the destination's tables: %w", err)
	}
	if len(objects) == 0 {
		return d, nil
	}
	const constraintsQuery = `SELECT n.nspname, c.relname, con.conname, pg_catalog.pg_get_constraintdef(con.oid)
FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS t(s, r)
JOIN pg_catalog.pg_namespace n ON n.nspname = t.s JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.r
JOIN pg_catalog.pg_constraint con ON con.conrelid = c.oid`
	if err := pgEachRow(ctx, conn, constraintsQuery, []any{schemas, names}, func(rows pgx.Rows) error {
		var k pgConstraintKey
		var def string
		if err := rows.Scan(&k.table.Schema, &k.table.Table, &k.name, &def); err != nil {
			return err
		}
		d.constraints[k] = def
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read the destination's constraints: %w", err)
	}
	const indexesQuery = `SELECT n.nspname, i.relname, pg_catalog.pg_get_indexdef(x.indexrelid), x.indisvalid OR i.relkind = 'I'
FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS t(s, r)
JOIN pg_catalog.pg_namespace n ON n.nspname = t.s JOIN pg_catalog.pg_class i ON i.relnamespace = n.oid AND i.relname = t.r
JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid`
	if err := pgEachRow(ctx, conn, indexesQuery, []any{ixSchemas, ixNames}, func(rows pgx.Rows) error {
		var k sqlschema.TableName
		var ix pgIndexState
		if err := rows.Scan(&k.Schema, &k.Table, &ix.def, &ix.valid); err != nil {
			return err
		}
		d.indexes[k] = ix
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read the destination's indexes: %w", err)
	}
	return d, nil
}

// pgEachRow runs query with args and calls each for every row.
func pgEachRow(ctx context.Context, conn *pgxpool.Conn, query string, args []any, each func(pgx.Rows) error) error {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// pgObjectSavepoint is the savepoint each object of a group is built
// under.
const pgObjectSavepoint = "neosync_finalize_object"

// pgGroup is the transaction a group of objects is built in.
type pgGroup struct {
	tx pgx.Tx
	// held is true while the savepoint of a failed object is still there
	// (rolled back to, not yet released).
	held bool
}

// exec runs stmt under the object's savepoint in one round trip; when
// the server refuses it, the transaction is rolled back to the savepoint
// (everything the group built before stays) and the savepoint is held
// until release.
func (g *pgGroup) exec(ctx context.Context, stmt string) error {
	_, err := g.tx.Exec(ctx, "SAVEPOINT "+pgObjectSavepoint+"; "+stmt+"; RELEASE SAVEPOINT "+pgObjectSavepoint)
	if err == nil || ctx.Err() != nil {
		return err
	}
	if _, rerr := g.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+pgObjectSavepoint); rerr != nil {
		// The session is unusable: the error wraps the object's only as
		// text, so that it is not taken for a refusal of the object.
		return fmt.Errorf("%v (then rolling back to its savepoint: %w)", err, rerr)
	}
	g.held = true
	return err
}

// release rolls back what the failed object's diagnosis may have left (a
// failed count aborts the transaction) and drops its savepoint.
func (g *pgGroup) release(ctx context.Context) error {
	if !g.held {
		return nil
	}
	g.held = false
	_, err := g.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+pgObjectSavepoint+"; RELEASE SAVEPOINT "+pgObjectSavepoint)
	return err
}

// pgBuildGroup builds group in one transaction, each object under its
// own savepoint: an object the server refuses is diagnosed and recorded
// in run, and the others are built and committed. An error that is not
// about an object (the connection lost, a deadlock, the step canceled)
// ends the group: what it built before is committed when the session
// still can, and the retried step builds the rest.
func pgBuildGroup(ctx context.Context, conn *pgxpool.Conn, q *syncdriver.Quoter, run *syncdriver.FinalizeRun, have *pgDestination, group []pgObject) error {
	if len(group) == 0 {
		return nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	g := &pgGroup{tx: tx}
	for _, o := range group {
		err := pgBuild(ctx, g, q, run, have, o)
		if err == nil {
			continue
		}
		m, derr := pgDiagnose(ctx, tx, q, run, o, err)
		if derr != nil {
			if ctx.Err() == nil && g.release(ctx) == nil {
				_ = tx.Commit(ctx)
			}
			return derr
		}
		if err := g.release(ctx); err != nil {
			return fmt.Errorf("%s: %w", o, err)
		}
		run.Fail(m)
	}
	return tx.Commit(ctx)
}

// FinalizeMaintenanceWorkMem is the maintenance_work_mem Finalize's
// session builds keys and indexes with when the server's setting is lower:
// the sort of a key over millions of rows then stays in memory (Postgres
// takes it only as the sort needs it, and a parallel build shares it
// among its workers) instead of spilling to disk at the 64 MB default.
const FinalizeMaintenanceWorkMem = "512MB"

// pgRaiseMaintenanceMem sets the session's maintenance_work_mem to
// FinalizeMaintenanceWorkMem unless it is already at least that (a server
// configured higher is never lowered).
func pgRaiseMaintenanceMem(ctx context.Context, conn *pgxpool.Conn) error {
	const q = `SELECT pg_catalog.set_config('maintenance_work_mem', $1, false)
WHERE pg_catalog.pg_size_bytes(pg_catalog.current_setting('maintenance_work_mem')) < pg_catalog.pg_size_bytes($1)`
	if _, err := conn.Exec(ctx, q, FinalizeMaintenanceWorkMem); err != nil {
		return fmt.Errorf("set maintenance_work_mem: %w", err)
	}
	return nil
}

// pgBuild has o in place in group g: kept when the destination had it by
// name and definition, validated when it is there NOT VALID, created
// otherwise.
func pgBuild(ctx context.Context, g *pgGroup, q *syncdriver.Quoter, run *syncdriver.FinalizeRun, have *pgDestination, o pgObject) error {
	def, valid, found := have.existing(o)
	stmt := ""
	what := ""
	switch {
	case found && syncdriver.SameDefinition(def, o.def) && valid:
		return nil
	case found && !o.index && syncdriver.SameDefinition(def, o.def+" NOT VALID"):
		// A foreign key or check added NOT VALID: validate it.
		stmt = "ALTER TABLE " + q.Table(o.table) + " VALIDATE CONSTRAINT " + q.ID(o.name)
		what = "validate " + o.String()
	case found && o.index && syncdriver.SameDefinition(def, o.def):
		// An invalid index (a failed concurrent build): build it again,
		// under the same savepoint.
		run.Dst.Step("rebuild " + o.String())
		stmt = "DROP INDEX IF EXISTS " + q.Table(sqlschema.TableName{Schema: o.table.Schema, Table: o.name}) + "; "
		found = false
	case found:
		return &syncdriver.DefinitionDiffersError{Have: def, Want: o.def}
	}
	if !found {
		if o.index {
			// An index of a partitioned table prints as ON ONLY (valid
			// once every partition's index is attached); without ONLY it
			// is created on the partitions too.
			create := strings.Replace(o.def, " INDEX ", " INDEX IF NOT EXISTS ", 1)
			stmt += strings.Replace(create, " ON ONLY ", " ON ", 1)
		} else {
			stmt = "ALTER TABLE " + q.Table(o.table) + " ADD CONSTRAINT " + q.ID(o.name) + " " + o.def
		}
		what = "add " + o.String()
	}
	if err := q.Err(); err != nil {
		return err
	}
	run.Dst.Step(what)
	err := g.exec(ctx, stmt)
	if err == nil || !g.held {
		return err
	}
	if pgObjectError(err) {
		// Another session (an earlier attempt still running) may have
		// added it after Finalize read the catalog, or an earlier object
		// (a partitioned table's key) may have made it: then this one
		// failed with "already exists" or "multiple primary keys".
		if def, valid, found, rerr := pgExisting(ctx, g.tx, o); rerr == nil && found && valid && syncdriver.SameDefinition(def, o.def) {
			return g.release(ctx)
		}
	}
	return err
}

// pgQuerier is a session or a transaction on it.
type pgQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgExisting reads the destination's object named like o: its definition
// as the server prints it and, for an index, whether it is valid.
func pgExisting(ctx context.Context, conn pgQuerier, o pgObject) (def string, valid, found bool, err error) {
	if o.index {
		err = conn.QueryRow(ctx, `SELECT pg_catalog.pg_get_indexdef(x.indexrelid), x.indisvalid OR i.relkind = 'I'
FROM pg_catalog.pg_class i JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
WHERE n.nspname = $1 AND i.relname = $2`, o.table.Schema, o.name).Scan(&def, &valid)
	} else {
		valid = true
		err = conn.QueryRow(ctx, `SELECT pg_catalog.pg_get_constraintdef(con.oid) FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND con.conname = $3`, o.table.Schema, o.table.Table, o.name).Scan(&def)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, false, nil
	}
	return def, valid, err == nil, err
}

// pgObjectError reports whether err is the server refusing the object
// itself (its data or its definition) rather than a failure worth a
// retry: the connection lost, the statement canceled, a deadlock or a
// lock timeout, the server out of resources or shutting down.
func pgObjectError(err error) bool {
	var dd *syncdriver.DefinitionDiffersError
	if errors.As(err, &dd) {
		return true
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || len(pe.Code) != 5 {
		return false
	}
	switch pe.Code[:2] {
	case "08", "40", "53", "54", "57", "58", "XX":
		return false
	}
	return pe.Code != "55P03" && pe.Code != "55006"
}

// pgDiagnose explains why o could not be built: for a key, the duplicated
// values (or NULL keys) with one example; for a foreign key, the orphan
// rows with one example, or the referenced key that is missing. An error
// that is not about the object is returned as is.
func pgDiagnose(ctx context.Context, conn pgQuerier, q *syncdriver.Quoter, run *syncdriver.FinalizeRun, o pgObject, err error) (syncdriver.MissingConstraint, error) {
	if !pgObjectError(err) {
		return syncdriver.MissingConstraint{}, fmt.Errorf("%s: %w", o, err)
	}
	m := syncdriver.MissingConstraint{Table: o.table, Kind: o.kind, Name: o.name, Reason: syncdriver.ReasonError, Columns: o.cols, Detail: err.Error()}
	var dd *syncdriver.DefinitionDiffersError
	if errors.As(err, &dd) {
		m.Reason = syncdriver.ReasonDefinitionDiffers
		return m, nil
	}
	var pe *pgconn.PgError
	errors.As(err, &pe)
	m = m.WithCause(pe)
	m.Detail = pe.Message
	if pe.Detail != "" {
		m.Detail += " (" + pe.Detail + ")"
	}
	count := func(query string, dest ...any) error {
		if err := q.Err(); err != nil {
			return err
		}
		return conn.QueryRow(ctx, query).Scan(dest...)
	}
	switch {
	case pe.Code == "23505": // unique_violation
		m.Reason = syncdriver.ReasonDuplicates
		if len(o.cols) == 0 {
			m.Example = strings.TrimSuffix(strings.TrimPrefix(pe.Detail, "Key "), " is duplicated.")
			return m, nil
		}
		if err := pgCountDuplicates(q, o, &m, count); err != nil {
			return m, pgDiagnoseFailed(ctx, err)
		}
	case pe.Code == "23502" && len(o.cols) > 0: // not_null_violation
		m.Reason = syncdriver.ReasonNulls
		var anyNull []string
		for _, c := range o.cols {
			anyNull = append(anyNull, q.ID(c)+" IS NULL")
		}
		if err := count("SELECT pg_catalog.count(*)::int8 FROM "+q.Table(o.table)+" WHERE "+strings.Join(anyNull, " OR "), &m.Rows); err != nil {
			return m, pgDiagnoseFailed(ctx, err)
		}
	case pe.Code == "23503" && o.fk != nil: // foreign_key_violation
		m.Reason = syncdriver.ReasonOrphans
		parent := run.Dst.Options.DestTable(o.fk.Referenced)
		m.Referenced = &parent
		if err := pgCountOrphans(q, o, parent, &m, count); err != nil {
			return m, pgDiagnoseFailed(ctx, err)
		}
	case pe.Code == "23503":
		m.Reason = syncdriver.ReasonOrphans
		m.Example = strings.TrimSuffix(strings.TrimPrefix(pe.Detail, "Key "), ".")
	case pe.Code == "42830" && o.fk != nil: // invalid_foreign_key: no unique key over the referenced columns
		parent := run.Dst.Options.DestTable(o.fk.Referenced)
		if missing := run.FailedKeys[parent]; len(missing) > 0 {
			m.Reason = syncdriver.ReasonReferencedKeyMissing
			m.Referenced = &parent
			m.Detail = fmt.Sprintf("not added: it references %s (%s), whose key %s could not be built",
				parent, strings.Join(o.fk.ReferencedColumns, ", "), strings.Join(missing, " / "))
		}
	}
	return m, nil
}

// pgCountDuplicates counts, with count, the duplicated values of key o
// (not NULL) and the rows holding them into m, with an example.
func pgCountDuplicates(q *syncdriver.Quoter, o pgObject, m *syncdriver.MissingConstraint, count func(string, ...any) error) error {
	var notNull []string
	for _, c := range o.cols {
		notNull = append(notNull, q.ID(c)+" IS NOT NULL")
	}
	var example *string
	err := count("SELECT pg_catalog.count(*)::int8, COALESCE(pg_catalog.sum(n), 0)::int8, pg_catalog.min(k) FROM (SELECT pg_catalog.count(*) AS n, ROW("+
		q.List("", o.cols)+")::text AS k FROM "+q.Table(o.table)+" WHERE "+strings.Join(notNull, " AND ")+" GROUP BY "+q.List("", o.cols)+
		" HAVING pg_catalog.count(*) > 1) x", &m.Values, &m.Rows, &example)
	if err != nil {
		return err
	}
	if example != nil {
		m.Example = syncdriver.KeyExample(o.cols, *example)
	}
	return nil
}

// pgCountOrphans counts, with count, the rows of o's table whose foreign
// key o (not NULL) finds no row of parent into m, with an example.
func pgCountOrphans(q *syncdriver.Quoter, o pgObject, parent sqlschema.TableName, m *syncdriver.MissingConstraint, count func(string, ...any) error) error {
	var notNull, match []string
	for i, c := range o.fk.Columns {
		notNull = append(notNull, "c."+q.ID(c)+" IS NOT NULL")
		match = append(match, "p."+q.ID(o.fk.ReferencedColumns[i])+" = c."+q.ID(c))
	}
	var example *string
	err := count("SELECT pg_catalog.count(*)::int8, pg_catalog.min(ROW("+q.List("c.", o.fk.Columns)+")::text) FROM "+q.Table(o.table)+" AS c WHERE "+
		strings.Join(notNull, " AND ")+" AND NOT EXISTS (SELECT 1 FROM "+q.Table(parent)+" AS p WHERE "+strings.Join(match, " AND ")+")", &m.Rows, &example)
	if err != nil {
		return err
	}
	if example != nil {
		m.Example = syncdriver.KeyExample(o.fk.Columns, *example)
	}
	return nil
}

// pgDiagnoseFailed passes on a cancellation; a diagnosis that fails for
// another reason leaves the server's message as the explanation.
func pgDiagnoseFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil || !pgObjectError(err) {
		return err
	}
	return nil
}

// pgResetSequences moves the sequence behind every identity or
// nextval-defaulted column past the column's largest value (never back),
// skipping, in Restore, the tables that do not exist.
func pgResetSequences(ctx context.Context, conn *pgxpool.Conn, q *syncdriver.Quoter, plan *syncplan.Plan, run *syncdriver.FinalizeRun, exists func(sqlschema.TableName) (bool, error)) error {
	for _, t := range plan.Tables {
		dest := run.Dst.Options.DestTable(t.Name)
		for _, c := range t.Columns {
			if c.IdentityGeneration == "" && (c.Default == nil || !strings.HasPrefix(*c.Default, "nextval(")) {
				continue
			}
			if run.Restore {
				if ok, err := exists(dest); err != nil || !ok {
					if err != nil {
						return err
					}
					continue
				}
			}
			qualified := q.Table(dest)
			if err := q.Err(); err != nil {
				return err
			}
			var seq *string
			if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_get_serial_sequence($1, $2)", qualified, c.Name).Scan(&seq); err != nil {
				return fmt.Errorf("find the sequence of %s.%s: %w", dest, c.Name, err)
			}
			if seq == nil {
				s, ok := nextvalSequence(*c.Default)
				if !ok {
					continue
				}
				seq = &s
			}
			run.Dst.Step("reset the sequence of " + dest.String() + "." + c.Name)
			stmt := "SELECT pg_catalog.setval($1::regclass, m) FROM (SELECT pg_catalog.max(" + q.ID(c.Name) + ")::int8 AS m FROM " + qualified + ") x " +
				"WHERE m IS NOT NULL AND m > COALESCE(pg_catalog.pg_sequence_last_value($1::regclass), m - 1)"
			if _, err := conn.Exec(ctx, stmt, *seq); err != nil {
				return fmt.Errorf("reset the sequence of %s.%s: %w", dest, c.Name, err)
			}
		}
	}
	return nil
}
