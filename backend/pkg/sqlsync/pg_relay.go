package sqlsync

import (
	"encoding/binary"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/pgcopy"
)

// pgOutput says how one destination field is produced from a source
// tuple.
type pgOutput struct {
	name string
	src  int // source field index; -1 writes NULL
	// tr and codec are set for a transformed field.
	tr        *columnTransform
	codec     *pgValueCodec
	generator bool // the transformer ignores its input: skip decoding
	usesRow   bool
	// elemOID, when not zero, replaces the element type OID in the header
	// of an array value: user-defined types have different OIDs in the
	// source and the destination.
	elemOID uint32
}

// pgRelay turns the source's binary COPY stream into the destination's,
// batch by batch. Untouched fields are appended as bytes; only transformed
// fields (and, for transformers that read the row, the row's other
// fields) are decoded. It runs on the goroutine that reads the source and
// is not safe for concurrent use.
type pgRelay struct {
	out      []pgOutput
	identity bool // every source field is copied as is, in order
	names    []string
	codecs   []*pgValueCodec // per source field, for row context and keys
	keyIdx   []int           // source fields of the key (keyed copies)
	batcher

	split  pgcopy.Splitter
	keyRaw []byte // key fields of the last row, length-prefixed
	row    map[string]any
}

// Write consumes a piece of the source's COPY stream.
func (r *pgRelay) Write(p []byte) (int, error) {
	if err := r.split.Feed(p, r.tuple); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (r *pgRelay) tuple(t *pgcopy.Tuple) error {
	r.begin()
	if r.identity {
		r.buf = append(r.buf, t.Raw...)
	} else if err := r.convert(t); err != nil {
		return fmt.Errorf("row %d: %w", r.rows+1, err)
	}
	if len(r.keyIdx) > 0 {
		r.keyRaw = r.keyRaw[:0]
		for _, i := range r.keyIdx {
			r.keyRaw = append(r.keyRaw, t.RawField(i)...)
		}
	}
	return r.rowDone()
}

func (r *pgRelay) convert(t *pgcopy.Tuple) error {
	r.row = nil
	r.buf = pgcopy.AppendTupleStart(r.buf, len(r.out))
	for i := range r.out {
		o := &r.out[i]
		switch {
		case o.src < 0:
			r.buf = pgcopy.AppendNull(r.buf)
		case o.tr == nil:
			at := len(r.buf)
			r.buf = append(r.buf, t.RawField(o.src)...)
			if o.elemOID != 0 {
				patchArrayElem(r.buf[at:], o.elemOID)
			}
		default:
			if err := r.transform(t, o); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *pgRelay) transform(t *pgcopy.Tuple, o *pgOutput) error {
	var in any
	if !o.generator {
		raw, null := t.Field(o.src)
		if !null {
			v, err := o.codec.decode(raw)
			if err != nil {
				return fmt.Errorf("column %s: decode: %w", o.name, err)
			}
			in = v
		}
	}
	var row map[string]any
	if o.usesRow {
		var err error
		if row, err = r.rowContext(t); err != nil {
			return err
		}
	}
	v, err := o.tr.apply(in, row)
	if err != nil {
		return err
	}
	if v == nil {
		r.buf = pgcopy.AppendNull(r.buf)
		return nil
	}
	var at int
	r.buf, at = pgcopy.BeginField(r.buf)
	r.buf, err = o.codec.encode(v, r.buf)
	if err != nil {
		return fmt.Errorf("column %s: %w", o.name, err)
	}
	r.buf = pgcopy.EndField(r.buf, at, false)
	if o.elemOID != 0 {
		patchArrayElem(r.buf[at:], o.elemOID)
	}
	return nil
}

// rowContext decodes the whole source row once per tuple, for
// transformers that read it.
func (r *pgRelay) rowContext(t *pgcopy.Tuple) (map[string]any, error) {
	if r.row != nil {
		return r.row, nil
	}
	row := make(map[string]any, len(r.names))
	for i, name := range r.names {
		raw, null := t.Field(i)
		if null {
			row[name] = nil
			continue
		}
		v, err := r.codecs[i].decode(raw)
		if err != nil {
			return nil, fmt.Errorf("column %s: decode: %w", name, err)
		}
		row[name] = v
	}
	r.row = row
	return row, nil
}

// patchArrayElem rewrites the element type OID of an array value given as
// a field (length word first). Array binary: ndim, flags, element OID.
func patchArrayElem(field []byte, oid uint32) {
	if len(field) >= 4+12 && int32(binary.BigEndian.Uint32(field)) >= 12 {
		binary.BigEndian.PutUint32(field[4+8:], oid)
	}
}

// finish ends the stream: the source's trailer has been read.
func (r *pgRelay) finish() error {
	if err := r.split.Close(); err != nil {
		return err
	}
	return r.batcher.finish()
}

// keyText prints the last row's key fields in the source's text format.
func (r *pgRelay) keyText() ([]string, error) {
	if len(r.keyIdx) == 0 {
		return nil, nil
	}
	out := make([]string, len(r.keyIdx))
	b := r.keyRaw
	for i, idx := range r.keyIdx {
		n := int32(binary.BigEndian.Uint32(b))
		if n < 0 {
			return nil, fmt.Errorf("key column %s is NULL", r.names[idx])
		}
		v, err := r.codecs[idx].text(b[4 : 4+n])
		if err != nil {
			return nil, fmt.Errorf("key column %s: %w", r.names[idx], err)
		}
		out[i] = v.(string)
		b = b[4+n:]
	}
	return out, nil
}

// firstNormalOID is the first OID of user-defined objects; built-in types
// have the same OID in every database.
const firstNormalOID = 16384
