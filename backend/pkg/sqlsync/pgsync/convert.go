package pgsync

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/pgcopy"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// pgOutput says how one destination field is produced from a source
// tuple.
type pgOutput struct {
	name string
	src  int // source field index; -1 writes NULL
	// tr and codec are set for a transformed field.
	tr        *syncdriver.ColumnTransform
	codec     *pgValueCodec
	generator bool // the transformer ignores its input: skip decoding
	// sketch, when set, records the field's source and output values for
	// the leak scan (syncdriver.Leaks), both in the binary encoding of the
	// field's type, before any OID patch.
	sketch *leakscan.Sketch
	// rows, when set (a quasi-identifier column), counts the rows whose
	// quasi-identifiers all equal their own source values.
	rows    *leakscan.RowCounter
	usesRow bool
	// appendText: the field is text and the transformer writes its output
	// straight into the tuple (no string in between).
	appendText bool
	// textIn: appendText, and the transformer takes the source text as it
	// is, so it is passed as a string (pgValueCodec.decodeText), unboxed.
	textIn bool
	// patch, when set, rewrites the user-defined type OIDs embedded in an
	// array or composite value: they differ between the source and the
	// destination.
	patch *oidPatch
	// run counts the outputs from this one on that copy consecutive source
	// fields unchanged, so they are appended with one copy (see setRuns).
	run int
	// batched: the transformer evaluates many values in one call (a
	// JavaScript transformer in a child process), so a pool worker
	// evaluates a raw batch's values at once (prefetch) and transform
	// takes the outputs from pre, in order, from preAt.
	batched bool
	pre     []any
	preAt   int
}

// setRuns sets pgOutput.run: outputs copied as they arrived whose source
// fields follow each other in the tuple form one run.
func setRuns(out []pgOutput) {
	for i := len(out) - 1; i >= 0; i-- {
		o := &out[i]
		o.run = 0
		if o.src < 0 || o.tr != nil || o.patch != nil {
			continue
		}
		o.run = 1
		if i+1 < len(out) && out[i+1].run > 0 && out[i+1].src == o.src+1 {
			o.run += out[i+1].run
		}
	}
}

// pgConverter turns one source tuple into one destination tuple. Fields
// without a transformer are appended as the bytes they arrived as; only
// transformed fields (and, for transformers that read the row, the row's
// other fields, decoded once per row) are decoded and re-encoded. It holds
// transformer instances and a type map, so it is used by one goroutine.
type pgConverter struct {
	out    []pgOutput
	names  []string        // source fields
	codecs []*pgValueCodec // per source field, for the row context
	row    map[string]any
	// batches: some output is batched (a pool converts the rows then,
	// even with one worker).
	batches bool
	// rows counts re-identified rows (nil when the table has fewer than
	// two quasi-identifiers).
	rows *leakscan.RowCounter
	// leaks are the table's sketches (nil: none), and batch the
	// destination batch whose rows the sketches above record.
	leaks *syncdriver.Leaks
	batch int64
}

// onBatch makes the converter's sketches and row counter record the rows
// of destination batch g from now on (see syncdriver.Leaks), so that
// every batch's sketches can be committed with it.
func (c *pgConverter) onBatch(g int64) {
	if c.leaks == nil || g == c.batch {
		return
	}
	c.batch = g
	if c.rows != nil {
		c.rows = c.leaks.RowCounterOf(g)
	}
	for i := range c.out {
		o := &c.out[i]
		if o.sketch == nil {
			continue
		}
		o.sketch = c.leaks.SketchOf(o.name, g, o.sketch)
		if o.rows != nil {
			o.rows = c.rows
		}
	}
}

// convert appends t, converted, to buf.
func (c *pgConverter) convert(t *pgcopy.Tuple, buf []byte) ([]byte, error) {
	c.row = nil
	buf = pgcopy.AppendTupleStart(buf, len(c.out))
	for i := 0; i < len(c.out); i++ {
		o := &c.out[i]
		switch {
		case o.src < 0:
			buf = pgcopy.AppendNull(buf)
		case o.run > 1:
			buf = append(buf, t.RawFields(o.src, o.run)...)
			i += o.run - 1
		case o.tr == nil:
			at := len(buf)
			buf = append(buf, t.RawField(o.src)...)
			if o.patch != nil {
				o.patch.applyField(buf[at:])
			}
		default:
			var err error
			if buf, err = c.transform(t, o, buf); err != nil {
				return buf, err
			}
		}
	}
	c.rows.EndRow()
	return buf, nil
}

func (c *pgConverter) transform(t *pgcopy.Tuple, o *pgOutput, buf []byte) ([]byte, error) {
	if o.preAt < len(o.pre) {
		v := o.pre[o.preAt]
		o.preAt++
		return c.appendOutput(t, o, buf, v)
	}
	var in any
	var str string
	var isStr bool
	if !o.generator {
		raw, null := t.Field(o.src)
		switch {
		case null:
		case o.textIn:
			str, isStr = o.codec.decodeText(raw), true
		default:
			v, err := o.codec.decode(raw)
			if err != nil {
				return buf, fmt.Errorf("column %s: decode: %w", o.name, err)
			}
			in = v
		}
	}
	var row map[string]any
	if o.usesRow {
		var err error
		if row, err = c.rowContext(t); err != nil {
			return buf, err
		}
	}
	var v any
	var err error
	if o.appendText {
		var text bool
		var at int
		buf, at = pgcopy.BeginField(buf)
		if isStr {
			buf, text, v, err = o.tr.AppendTextString(buf, str, row)
		} else {
			buf, text, v, err = o.tr.AppendText(buf, in, row)
		}
		if err != nil {
			return buf[:at], err
		}
		if text {
			buf = pgcopy.EndField(buf, at, false)
			o.record(t, buf[at+4:], false)
			if o.patch != nil {
				o.patch.applyField(buf[at:])
			}
			return buf, nil
		}
		buf = buf[:at] // the output is a value: encode it below
	} else if v, err = o.tr.Apply(in, row); err != nil {
		return buf, err
	}
	return c.appendOutput(t, o, buf, v)
}

// appendOutput appends v, the transformer's output for o, to buf.
func (c *pgConverter) appendOutput(t *pgcopy.Tuple, o *pgOutput, buf []byte, v any) ([]byte, error) {
	if v == nil {
		o.record(t, nil, true)
		return pgcopy.AppendNull(buf), nil
	}
	buf, at := pgcopy.BeginField(buf)
	var err error
	if buf, err = o.codec.encode(v, buf); err != nil {
		return buf, fmt.Errorf("column %s: %w", o.name, err)
	}
	buf = pgcopy.EndField(buf, at, false)
	o.record(t, buf[at+4:], false)
	if o.patch != nil {
		o.patch.applyField(buf[at:])
	}
	return buf, nil
}

// prefetch evaluates the batched outputs of b's rows, one call per
// output for the whole batch, before convertAll converts the rows (which
// then take the outputs from pgOutput.pre instead of calling the
// transformer row by row).
func (c *pgConverter) prefetch(t *pgcopy.Tuple, b *rawBatch) error {
	stride := len(c.names) + 1
	for k := range c.out {
		o := &c.out[k]
		if !o.batched {
			continue
		}
		values := make([]any, b.rows)
		var rows []map[string]any
		if o.usesRow {
			rows = make([]map[string]any, b.rows)
		}
		data := b.data
		for i := range b.rows {
			data = data[t.SetLayout(data, b.layout[i*stride:(i+1)*stride]):]
			if raw, null := t.Field(o.src); !o.generator && !null {
				v, err := o.codec.decode(raw)
				if err != nil {
					return fmt.Errorf("row %d: column %s: decode: %w", b.first+int64(i), o.name, err)
				}
				values[i] = v
			}
			if o.usesRow {
				c.row = nil
				row, err := c.rowContext(t)
				if err != nil {
					return fmt.Errorf("row %d: %w", b.first+int64(i), err)
				}
				rows[i] = row
			}
		}
		c.row = nil
		o.pre, o.preAt = slices.Grow(o.pre[:0], b.rows)[:b.rows], 0
		if n, err := o.tr.ApplyBatch(values, rows, o.pre); err != nil {
			o.pre = o.pre[:0]
			return fmt.Errorf("row %d: %w", b.first+int64(n), err)
		}
	}
	return nil
}

// record adds the field's source value and its output to the sketch.
func (o *pgOutput) record(t *pgcopy.Tuple, out []byte, null bool) {
	if o.sketch == nil {
		return
	}
	raw, inNull := t.Field(o.src)
	o.sketch.Add(raw, inNull, out, null)
	if o.rows != nil && !inNull && !null && bytes.Equal(raw, out) {
		o.rows.Hit()
	}
}

// rowContext decodes the whole source row once per tuple, for
// transformers that read it.
func (c *pgConverter) rowContext(t *pgcopy.Tuple) (map[string]any, error) {
	if c.row != nil {
		return c.row, nil
	}
	row := make(map[string]any, len(c.names))
	for i, name := range c.names {
		raw, null := t.Field(i)
		if null {
			row[name] = nil
			continue
		}
		v, err := c.codecs[i].decode(raw)
		if err != nil {
			return nil, fmt.Errorf("column %s: decode: %w", name, err)
		}
		row[name] = v
	}
	c.row = row
	return row, nil
}

// firstNormalOID is the first OID of user-defined objects; built-in types
// have the same OID in every database.
const firstNormalOID = 16384
