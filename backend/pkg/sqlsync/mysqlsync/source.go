package mysqlsync

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// myOutput says how one destination field is produced from a source row.
type myOutput struct {
	name    string
	src     int // source field index; -1 writes NULL
	kind    myKind
	tr      *syncdriver.ColumnTransform
	usesRow bool
	// sketch, when set, records the field's source and output values, as
	// the text LOAD DATA receives, for the leak scan (syncdriver.Leaks).
	sketch *leakscan.Sketch
	// quasi: the column is a quasi-identifier (see myEncoder.rows).
	quasi bool
}

// mysqlSession pins a connection and sets the session the copy relies on:
// UTC time zone (TIMESTAMP values travel as text in the session's zone),
// strict mode with explicit zero keys allowed. The connection is discarded
// when released, so the settings never leak into the pool.
func mysqlSession(ctx context.Context, db *sql.DB) (*sql.Conn, func(), error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	release := func() {
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
		_ = c.Close()
	}
	if _, err := c.ExecContext(ctx, "SET SESSION time_zone = '+00:00', SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'"); err != nil {
		release()
		return nil, nil, err
	}
	return c, release, nil
}

// mysqlStream reads the source per spec (one consistent snapshot, one
// prepared statement so the binary protocol gives exact values) and hands
// every batch, as LOAD DATA text, to write.
func mysqlStream(ctx context.Context, j *syncdriver.TableJob, spec syncdriver.SourceSpec, rep *syncdriver.Reporter, write func(context.Context, *syncdriver.BatchReader) error) error {
	conn, release, err := mysqlSession(ctx, j.Src.DB.MySQL)
	if err != nil {
		return fmt.Errorf("connect to source: %w", err)
	}
	defer release()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("begin source transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	sel, index := syncdriver.ReadFields(j.Table, spec)
	query, args, err := mysqlSourceQuery(j, spec, sel)
	if err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare source query: %w", err)
	}
	defer func() { _ = stmt.Close() }()
	enc, err := newMyEncoder(j, spec, sel, index)
	if err != nil {
		return err
	}
	if rep != nil {
		enc.Progress = rep.Streamed
	}

	g, gctx := errgroup.WithContext(ctx)
	stream := syncdriver.NewChunkStream()
	enc.Batcher = syncdriver.Batcher{Ctx: gctx, Stream: stream, Batch: spec.Batch, Buf: stream.Buffer(), Key: enc.Key, Progress: enc.Progress}
	g.Go(func() error {
		defer stream.Close()
		return enc.readAll(gctx, stmt, args, rep)
	})
	g.Go(func() error { return stream.Deliver(gctx, write) })
	if err := g.Wait(); err != nil {
		return err
	}
	return tx.Rollback() // read only: nothing to keep
}

// mysqlSourceQuery returns the SELECT of the columns sel of j's table per
// spec (its filter; after a checkpoint, the rows past its key; within its
// key range; in key order when ordered) and its parameters: the
// checkpoint's key values, then the range's key bounds.
func mysqlSourceQuery(j *syncdriver.TableJob, spec syncdriver.SourceSpec, sel []string) (string, []any, error) {
	t := j.Table
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	preds := []string{syncdriver.Parenthesize(t.Filter)}
	var args []any
	quoted := make([]string, len(t.Key))
	for i, k := range t.Key {
		quoted[i] = q.ID(k)
	}
	// compare adds key op values, the values as parameters.
	compare := func(what, op string, values []string) error {
		if len(values) != len(t.Key) {
			return fmt.Errorf("%s has %d values, the table's key %d columns", what, len(values), len(t.Key))
		}
		pred, a := syncdriver.KeyCompare(quoted, op, values)
		preds = append(preds, pred)
		args = append(args, a...)
		return nil
	}
	if len(spec.After) > 0 {
		if err := compare("checkpoint key", ">", spec.After); err != nil {
			return "", nil, err
		}
	}
	if spec.Range.ByKey() {
		if spec.Range.LoKey != nil {
			if err := compare("range's lower bound", ">=", spec.Range.LoKey); err != nil {
				return "", nil, err
			}
		}
		if spec.Range.HiKey != nil {
			if err := compare("range's upper bound", "<", spec.Range.HiKey); err != nil {
				return "", nil, err
			}
		}
	} else if spec.Range != nil {
		preds = append(preds, spec.Range.Predicates(q.ID(t.Key[0]))...)
	}
	query := "SELECT " + q.List("", sel) + " FROM " + q.Table(t.Name) + syncdriver.Where(preds...)
	if spec.Ordered {
		query += " ORDER BY " + q.List("", t.Key)
	}
	return query, args, q.Err()
}

// newMyEncoder builds the encoder of the rows spec reads: each source
// field's kind, each written field's source and transformer, and the key
// fields it tracks when reading in key order. Its Batcher is set by the
// caller; Key and Progress are kept.
func newMyEncoder(j *syncdriver.TableJob, spec syncdriver.SourceSpec, sel []string, index map[string]int) (*myEncoder, error) {
	t := j.Table
	enc := &myEncoder{names: sel, kinds: make([]myKind, len(sel))}
	for i, name := range sel {
		enc.kinds[i] = myKindOf(t.Column(name).DataType)
	}
	for _, col := range spec.Out {
		o := myOutput{name: col.Name, src: -1, kind: myKindOf(col.DataType)}
		if syncdriver.Reads(col) {
			o.src = index[col.Name]
		}
		if col.Action == syncplan.ActionTransform {
			var err error
			if o.tr, err = j.BuildTransform(&col); err != nil {
				return nil, err
			}
			o.usesRow = col.UsesRow
			if o.src >= 0 {
				o.sketch = j.Leaks.Sketch(col.Name)
				if o.sketch != nil {
					enc.leaks = j.Leaks
				}
				o.quasi = o.sketch != nil && j.Leaks.IsQuasiIdentifier(col.Name)
				if o.quasi && enc.rows == nil {
					enc.rows = j.Leaks.RowCounter()
				}
			}
		}
		enc.outs = append(enc.outs, o)
	}
	if spec.Ordered {
		for _, k := range t.Key {
			enc.keyIdx = append(enc.keyIdx, index[k])
		}
	}
	if len(enc.keyIdx) > 0 {
		enc.Key = func() ([]string, error) { return append([]string(nil), enc.lastKey...), nil }
	}
	return enc, nil
}

// readAll runs stmt with args and encodes every row it returns, counting
// the values' bytes on rep, then closes the last batch.
func (e *myEncoder) readAll(ctx context.Context, stmt *sql.Stmt, args []any, rep *syncdriver.Reporter) error {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := stmt.QueryContext(qctx, args...)
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	defer func() { cancel(); _ = rows.Close() }()
	vals := make([]any, len(e.names))
	ptrs := make([]any, len(e.names))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read source row %d: %w", e.Rows+1, err)
		}
		rep.Read(valuesSize(vals))
		if err := e.row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	return e.Finish()
}

// myEncoder turns source rows into LOAD DATA text, batch by batch.
type myEncoder struct {
	outs   []myOutput
	names  []string
	kinds  []myKind
	keyIdx []int
	syncdriver.Batcher

	scratch []byte
	inText  []byte // a source value as text, for a sketch
	lastKey []string
	// rows counts re-identified rows (nil when the table has fewer than
	// two quasi-identifiers).
	rows *leakscan.RowCounter
	// leaks are the table's sketches (nil: none), and batch the
	// destination batch whose rows the sketches record.
	leaks *syncdriver.Leaks
	batch int64
}

// onBatch makes the encoder's sketches and row counter record the rows of
// destination batch g from now on (see syncdriver.Leaks), so that every
// batch's sketches can be committed with it.
func (e *myEncoder) onBatch(g int64) {
	if e.leaks == nil || g == e.batch {
		return
	}
	e.batch = g
	if e.rows != nil {
		e.rows = e.leaks.RowCounterOf(g)
	}
	for i := range e.outs {
		if o := &e.outs[i]; o.sketch != nil {
			o.sketch = e.leaks.SketchOf(o.name, g, o.sketch)
		}
	}
}

// text is v as LOAD DATA receives it: nil for NULL, bytes as they are,
// other values printed for the column's kind (into e.scratch, valid until
// the next call).
func (e *myEncoder) text(v any, o *myOutput) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		return b, nil
	}
	var err error
	if e.scratch, err = appendMyText(e.scratch[:0], v, o.kind); err != nil {
		return nil, fmt.Errorf("row %d: column %s: %w", e.Rows+1, o.name, err)
	}
	return e.scratch, nil
}

// record adds a transformed field's source value in and its output (text,
// nil for NULL) to the field's sketch.
func (e *myEncoder) record(o *myOutput, in any, out []byte) error {
	if o.sketch == nil {
		return nil
	}
	if in == nil {
		o.sketch.Add(nil, true, out, out == nil)
		return nil
	}
	var err error
	if e.inText, err = appendMyText(e.inText[:0], in, o.kind); err != nil {
		return fmt.Errorf("row %d: column %s: %w", e.Rows+1, o.name, err)
	}
	o.sketch.Add(e.inText, false, out, out == nil)
	if o.quasi && out != nil && bytes.Equal(e.inText, out) {
		e.rows.Hit()
	}
	return nil
}

func (e *myEncoder) row(vals []any) error {
	var row map[string]any
	if e.leaks != nil && e.Batch > 0 {
		e.onBatch(e.Rows / e.Batch)
	}
	e.Begin()
	for i := range e.outs {
		o := &e.outs[i]
		if i > 0 {
			e.Buf = append(e.Buf, '\t')
		}
		if o.src < 0 {
			e.Buf = appendLoadField(e.Buf, nil, true)
			continue
		}
		v := vals[o.src]
		if o.tr != nil {
			in, err := myValue(v, o.kind)
			if err != nil {
				return fmt.Errorf("row %d: column %s: %w", e.Rows+1, o.name, err)
			}
			if o.usesRow && row == nil {
				row = map[string]any{}
				for k, name := range e.names {
					if row[name], err = myValue(vals[k], e.kinds[k]); err != nil {
						return fmt.Errorf("row %d: column %s: %w", e.Rows+1, name, err)
					}
				}
			}
			var rowArg map[string]any
			if o.usesRow {
				rowArg = row
			}
			if v, err = o.tr.Apply(in, rowArg); err != nil {
				return fmt.Errorf("row %d: %w", e.Rows+1, err)
			}
		}
		text, err := e.text(v, o)
		if err != nil {
			return err
		}
		if o.tr != nil {
			if err := e.record(o, vals[o.src], text); err != nil {
				return err
			}
		}
		e.Buf = appendLoadField(e.Buf, text, v == nil)
	}
	e.Buf = append(e.Buf, '\n')
	e.rows.EndRow()
	if len(e.keyIdx) > 0 {
		e.lastKey = e.lastKey[:0]
		for _, k := range e.keyIdx {
			s, err := appendMyText(nil, vals[k], e.kinds[k])
			if err != nil {
				return fmt.Errorf("row %d: key: %w", e.Rows+1, err)
			}
			e.lastKey = append(e.lastKey, string(s))
		}
	}
	return e.RowDone(1)
}

// valuesSize is the size of a row's values as the binary protocol hands
// them over: a string's length, 8 for a number or a time, 0 for NULL.
func valuesSize(vals []any) int {
	n := 0
	for _, v := range vals {
		switch v := v.(type) {
		case nil:
		case []byte:
			n += len(v)
		case string:
			n += len(v)
		default:
			n += 8
		}
	}
	return n
}
