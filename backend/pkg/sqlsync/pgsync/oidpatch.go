package pgsync

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// oidPatch rewrites the type OIDs embedded in a binary array or composite
// value. PostgreSQL's binary format for arrays names the element type and
// the format for records names each field's type; the receiving server
// checks them against its own catalog, where user-defined types (enums,
// domains, composites) have other OIDs than in the source. The structure
// of the value is the same on both sides (the tables have the same
// types), so the copy overwrites each embedded OID with the destination's.
type oidPatch struct {
	// oid is the destination type OID written where this value's type is
	// named (as an array element type or a record field type).
	oid uint32
	// elem is set for an array: the patch of its element type.
	elem *oidPatch
	// fields is set for a composite: one patch per field.
	fields []*oidPatch
}

// needed reports whether applying p changes anything a built-in type
// would not already match.
func (p *oidPatch) needed() bool {
	if p == nil {
		return false
	}
	if p.elem != nil && (p.elem.oid >= firstNormalOID || p.elem.needed()) {
		return true
	}
	for _, f := range p.fields {
		if f.oid >= firstNormalOID || f.needed() {
			return true
		}
	}
	return false
}

// apply patches the value v (without its length word) in place. A value
// that is shorter than its own headers say is left as it is from that
// point on: the server rejects it with its own error.
func (p *oidPatch) apply(v []byte) {
	switch {
	case p.elem != nil:
		// ndim, has-null flag, element OID, then ndim × (length, lower
		// bound), then the elements, each with a length word.
		if len(v) < 12 {
			return
		}
		ndim := int(int32(binary.BigEndian.Uint32(v)))
		binary.BigEndian.PutUint32(v[8:], p.elem.oid)
		if !p.elem.needed() {
			return
		}
		if ndim < 0 || len(v) < 12+8*ndim {
			return
		}
		n := 1
		for d := 0; d < ndim; d++ {
			n *= int(int32(binary.BigEndian.Uint32(v[12+8*d:])))
		}
		if ndim == 0 {
			n = 0
		}
		off := 12 + 8*ndim
		for i := 0; i < n; i++ {
			next, ok := patchNested(v, off, p.elem)
			if !ok {
				return
			}
			off = next
		}
	case p.fields != nil:
		// field count, then per field: type OID, length word, data.
		if len(v) < 4 {
			return
		}
		n := int(int32(binary.BigEndian.Uint32(v)))
		off := 4
		for i := 0; i < n && i < len(p.fields); i++ {
			if len(v) < off+4 {
				return
			}
			binary.BigEndian.PutUint32(v[off:], p.fields[i].oid)
			next, ok := patchNested(v, off+4, p.fields[i])
			if !ok {
				return
			}
			off = next
		}
	}
}

// patchNested patches the length-prefixed value at v[off:] with p and
// returns the offset after it.
func patchNested(v []byte, off int, p *oidPatch) (int, bool) {
	if len(v) < off+4 {
		return 0, false
	}
	l := int(int32(binary.BigEndian.Uint32(v[off:])))
	off += 4
	if l < 0 {
		return off, true
	}
	if len(v) < off+l {
		return 0, false
	}
	if p.elem != nil || p.fields != nil {
		p.apply(v[off : off+l])
	}
	return off + l, true
}

// applyField patches a field as the copy buffers hold it: length word
// first.
func (p *oidPatch) applyField(field []byte) {
	if len(field) < 4 || int32(binary.BigEndian.Uint32(field)) < 0 {
		return
	}
	p.apply(field[4:])
}

// pgOIDPatch builds the patch of the destination type oid by reading c's
// catalog, or returns nil when values of the type embed no OID of a
// user-defined type (nothing to rewrite).
func pgOIDPatch(ctx context.Context, c *pgx.Conn, oid uint32) (*oidPatch, error) {
	p, err := pgBuildPatch(ctx, c, oid, 0)
	if err != nil || !p.needed() {
		return nil, err
	}
	return p, nil
}

func pgBuildPatch(ctx context.Context, c *pgx.Conn, oid uint32, depth int) (*oidPatch, error) {
	if depth > 32 {
		return nil, fmt.Errorf("type %d nests too deeply", oid)
	}
	p := &oidPatch{oid: oid}
	if oid < firstNormalOID {
		// Built-in arrays and records of built-in types need nothing;
		// built-in types never contain user-defined ones.
		return p, nil
	}
	// Domains are sent as their base type.
	base := oid
	var typtype, category string
	var elem, relid int64
	for range 32 {
		var basetype int64
		err := c.QueryRow(ctx, `SELECT typtype::text, typcategory::text, typelem::int8, typrelid::int8, typbasetype::int8
FROM pg_catalog.pg_type WHERE oid = $1`, base).Scan(&typtype, &category, &elem, &relid, &basetype)
		if err != nil {
			return nil, fmt.Errorf("read destination type %d: %w", base, err)
		}
		if typtype != "d" {
			break
		}
		base = uint32(basetype)
	}
	switch {
	case category == "A" && elem != 0:
		e, err := pgBuildPatch(ctx, c, uint32(elem), depth+1)
		if err != nil {
			return nil, err
		}
		p.elem = e
	case typtype == "c":
		rows, err := c.Query(ctx, `SELECT atttypid::int8 FROM pg_catalog.pg_attribute
WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, relid)
		if err != nil {
			return nil, fmt.Errorf("read destination composite type %d: %w", oid, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("read destination composite type %d: %w", oid, err)
		}
		p.fields = make([]*oidPatch, len(ids))
		for i, id := range ids {
			if p.fields[i], err = pgBuildPatch(ctx, c, uint32(id), depth+1); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}
