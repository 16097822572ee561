package pgsync

import (
	"fmt"

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
	sketch  *leakscan.Sketch
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
	return buf, nil
}

func (c *pgConverter) transform(t *pgcopy.Tuple, o *pgOutput, buf []byte) ([]byte, error) {
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
	if v == nil {
		o.record(t, nil, true)
		return pgcopy.AppendNull(buf), nil
	}
	buf, at := pgcopy.BeginField(buf)
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

// record adds the field's source value and its output to the sketch.
func (o *pgOutput) record(t *pgcopy.Tuple, out []byte, null bool) {
	if o.sketch == nil {
		return
	}
	raw, inNull := t.Field(o.src)
	o.sketch.Add(raw, inNull, out, null)
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
