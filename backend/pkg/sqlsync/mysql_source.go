package sqlsync

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// myOutput says how one destination field is produced from a source row.
type myOutput struct {
	name    string
	src     int // source field index; -1 writes NULL
	kind    myKind
	tr      *columnTransform
	usesRow bool
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
func (j *tableJob) mysqlStream(ctx context.Context, spec sourceSpec, rep *reporter, write func(context.Context, *batchReader) error) error {
	t := j.table
	q := newQuoter(j.plan.Dialect)
	conn, release, err := mysqlSession(ctx, j.src.DB.MySQL)
	if err != nil {
		return fmt.Errorf("connect to source: %w", err)
	}
	defer release()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("begin source transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	sel, index := readFields(t, spec)
	preds := []string{parenthesize(t.Filter)}
	var args []any
	if len(spec.after) > 0 {
		if len(spec.after) != len(t.Key) {
			return fmt.Errorf("checkpoint key has %d values, the table's key %d columns", len(spec.after), len(t.Key))
		}
		// (k1 > ?) OR (k1 = ? AND k2 > ?) ...: the values are parameters.
		var ors []string
		for i := range t.Key {
			var ands []string
			for k := 0; k < i; k++ {
				ands = append(ands, q.id(t.Key[k])+" = ?")
				args = append(args, spec.after[k])
			}
			ands = append(ands, q.id(t.Key[i])+" > ?")
			args = append(args, spec.after[i])
			ors = append(ors, "("+strings.Join(ands, " AND ")+")")
		}
		preds = append(preds, "("+strings.Join(ors, " OR ")+")")
	}
	query := "SELECT " + q.list("", sel) + " FROM " + q.table(t.Name) + where(preds...)
	if spec.ordered {
		query += " ORDER BY " + q.list("", t.Key)
	}
	if err := q.err(); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare source query: %w", err)
	}
	defer func() { _ = stmt.Close() }()

	kinds := make([]myKind, len(sel))
	for i, name := range sel {
		kinds[i] = myKindOf(t.Column(name).DataType)
	}
	var outs []myOutput
	for _, col := range spec.out {
		o := myOutput{name: col.Name, src: -1, kind: myKindOf(col.DataType)}
		if reads(col) {
			o.src = index[col.Name]
		}
		if col.Action == syncplan.ActionTransform {
			if o.tr, err = j.engine.buildTransform(&col, j.src.Key); err != nil {
				return err
			}
			o.usesRow = col.UsesRow
		}
		outs = append(outs, o)
	}
	var keyIdx []int
	if spec.ordered {
		for _, k := range t.Key {
			keyIdx = append(keyIdx, index[k])
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	stream := newChunkStream()
	g.Go(func() error {
		defer close(stream.ch)
		qctx, cancel := context.WithCancel(gctx)
		defer cancel()
		rows, err := stmt.QueryContext(qctx, args...)
		if err != nil {
			return fmt.Errorf("read source: %w", err)
		}
		defer func() { cancel(); _ = rows.Close() }()
		enc := &myEncoder{outs: outs, names: sel, kinds: kinds, keyIdx: keyIdx}
		enc.batcher = batcher{ctx: gctx, stream: stream, batch: spec.batch, buf: stream.buffer()}
		if len(keyIdx) > 0 {
			enc.key = func() ([]string, error) { return append([]string(nil), enc.lastKey...), nil }
		}
		if rep != nil {
			enc.progress = rep.streamed
		}
		vals := make([]any, len(sel))
		ptrs := make([]any, len(sel))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return fmt.Errorf("read source row %d: %w", enc.rows+1, err)
			}
			if err := enc.row(vals); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read source: %w", err)
		}
		return enc.finish()
	})
	g.Go(func() error { return stream.deliver(gctx, write) })
	if err := g.Wait(); err != nil {
		return err
	}
	return tx.Rollback() // read only: nothing to keep
}

// myEncoder turns source rows into LOAD DATA text, batch by batch.
type myEncoder struct {
	outs   []myOutput
	names  []string
	kinds  []myKind
	keyIdx []int
	batcher

	scratch []byte
	lastKey []string
}

func (e *myEncoder) row(vals []any) error {
	var row map[string]any
	e.begin()
	for i := range e.outs {
		o := &e.outs[i]
		if i > 0 {
			e.buf = append(e.buf, '\t')
		}
		if o.src < 0 {
			e.buf = appendLoadField(e.buf, nil, true)
			continue
		}
		v := vals[o.src]
		if o.tr != nil {
			in, err := myValue(v, o.kind)
			if err != nil {
				return fmt.Errorf("row %d: column %s: %w", e.rows+1, o.name, err)
			}
			if o.usesRow && row == nil {
				row = map[string]any{}
				for k, name := range e.names {
					if row[name], err = myValue(vals[k], e.kinds[k]); err != nil {
						return fmt.Errorf("row %d: column %s: %w", e.rows+1, name, err)
					}
				}
			}
			var rowArg map[string]any
			if o.usesRow {
				rowArg = row
			}
			if v, err = o.tr.apply(in, rowArg); err != nil {
				return fmt.Errorf("row %d: %w", e.rows+1, err)
			}
		}
		if v == nil {
			e.buf = appendLoadField(e.buf, nil, true)
			continue
		}
		if b, ok := v.([]byte); ok {
			e.buf = appendLoadField(e.buf, b, false)
			continue
		}
		var err error
		e.scratch, err = appendMyText(e.scratch[:0], v, o.kind)
		if err != nil {
			return fmt.Errorf("row %d: column %s: %w", e.rows+1, o.name, err)
		}
		e.buf = appendLoadField(e.buf, e.scratch, false)
	}
	e.buf = append(e.buf, '\n')
	if len(e.keyIdx) > 0 {
		e.lastKey = e.lastKey[:0]
		for _, k := range e.keyIdx {
			s, err := appendMyText(nil, vals[k], e.kinds[k])
			if err != nil {
				return fmt.Errorf("row %d: key: %w", e.rows+1, err)
			}
			e.lastKey = append(e.lastKey, string(s))
		}
	}
	return e.rowDone(1)
}
