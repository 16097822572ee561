package pgsync

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/backend/pkg/transformers/strarena"
)

// pgKind groups PostgreSQL types by how a transformer sees their values.
type pgKind int

const (
	pgOther pgKind = iota // decoded through the type's codec to its text
	pgInt                 // int2, int4, int8 -> int64
	pgFloat               // float4, float8 -> float64
	pgBool                // bool -> bool
	pgText                // text-like, enums: binary form is the text -> string
	pgJSONB               // jsonb: version byte + text -> string
	pgBytes               // bytea -> []byte
	pgTime                // date, timestamp, timestamptz -> time.Time
)

// pgValueCodec converts one column between PostgreSQL's binary format and
// the Go values transformers take (string, int64, float64, bool,
// time.Time, []byte). It is not safe for concurrent use (the pgtype.Map
// memoizes plans, and decoded text comes from the codec's string arena:
// a decoded value is consumed within its row, so chunks are short-lived).
type pgValueCodec struct {
	oid  uint32
	kind pgKind
	m    *pgtype.Map
	strs strarena.Arena
}

func newPGValueCodec(m *pgtype.Map, oid uint32) *pgValueCodec {
	c := &pgValueCodec{oid: oid, m: m}
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		c.kind = pgInt
	case pgtype.Float4OID, pgtype.Float8OID:
		c.kind = pgFloat
	case pgtype.BoolOID:
		c.kind = pgBool
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID, pgtype.JSONOID, pgtype.XMLOID:
		c.kind = pgText
	case pgtype.JSONBOID:
		c.kind = pgJSONB
	case pgtype.ByteaOID:
		c.kind = pgBytes
	case pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID:
		c.kind = pgTime
	default:
		if dt, ok := m.TypeForOID(oid); ok {
			if _, isEnum := dt.Codec.(*pgtype.EnumCodec); isEnum {
				c.kind = pgText
			}
		}
	}
	return c
}

// decode returns the Go value of a non-NULL binary field.
func (c *pgValueCodec) decode(src []byte) (any, error) {
	switch c.kind {
	case pgInt:
		switch len(src) {
		case 2:
			return int64(int16(binary.BigEndian.Uint16(src))), nil
		case 4:
			return int64(int32(binary.BigEndian.Uint32(src))), nil
		case 8:
			return int64(binary.BigEndian.Uint64(src)), nil
		}
		return nil, fmt.Errorf("integer of %d bytes", len(src))
	case pgFloat:
		switch len(src) {
		case 4:
			return float64(math.Float32frombits(binary.BigEndian.Uint32(src))), nil
		case 8:
			return math.Float64frombits(binary.BigEndian.Uint64(src)), nil
		}
		return nil, fmt.Errorf("float of %d bytes", len(src))
	case pgBool:
		if len(src) != 1 {
			return nil, fmt.Errorf("bool of %d bytes", len(src))
		}
		return src[0] != 0, nil
	case pgText:
		return c.strs.String(src), nil
	case pgJSONB:
		if len(src) == 0 || src[0] != 1 {
			return nil, fmt.Errorf("unknown jsonb version")
		}
		return c.strs.String(src[1:]), nil
	case pgBytes:
		return append([]byte{}, src...), nil
	case pgTime:
		var t time.Time
		if err := c.m.Scan(c.oid, pgtype.BinaryFormatCode, src, &t); err == nil {
			return t, nil
		}
		// infinity and -infinity have no time.Time: give the text.
	}
	return c.text(src)
}

// decodeText is decode for a pgText field, as a string rather than an
// interface (no allocation but the arena's).
func (c *pgValueCodec) decodeText(src []byte) string { return c.strs.String(src) }

// text decodes a binary field through the type's codec and prints it in
// PostgreSQL's text format.
func (c *pgValueCodec) text(src []byte) (any, error) {
	dt, ok := c.m.TypeForOID(c.oid)
	if !ok {
		return nil, fmt.Errorf("type oid %d is unknown", c.oid)
	}
	v, err := dt.Codec.DecodeValue(c.m, c.oid, pgtype.BinaryFormatCode, src)
	if err != nil {
		return nil, err
	}
	b, err := c.m.Encode(c.oid, pgtype.TextFormatCode, v, nil)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// encode appends the binary form of v (not nil) to buf.
func (c *pgValueCodec) encode(v any, buf []byte) ([]byte, error) {
	switch c.kind {
	case pgText:
		switch x := v.(type) {
		case string:
			return append(buf, x...), nil
		case []byte:
			return append(buf, x...), nil
		}
		if s, ok := syncdriver.Convert(v, transformers.TypeString); ok {
			return append(buf, s.(string)...), nil
		}
	case pgJSONB:
		switch x := v.(type) {
		case string:
			return append(append(buf, 1), x...), nil
		case []byte:
			return append(append(buf, 1), x...), nil
		}
	case pgBytes:
		switch x := v.(type) {
		case []byte:
			return append(buf, x...), nil
		case string:
			return append(buf, x...), nil
		}
	case pgInt:
		if s, ok := v.(string); ok {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q is not an integer", s)
			}
			v = n
		}
	}
	out, err := c.m.Encode(c.oid, pgtype.BinaryFormatCode, v, buf)
	if err == nil {
		return out, nil
	}
	// A string for a type whose codec does not take strings directly:
	// parse it as the type's text format, then encode the parsed value.
	if s, ok := v.(string); ok {
		if dt, ok := c.m.TypeForOID(c.oid); ok {
			if native, perr := dt.Codec.DecodeValue(c.m, c.oid, pgtype.TextFormatCode, []byte(s)); perr == nil {
				if out, eerr := c.m.Encode(c.oid, pgtype.BinaryFormatCode, native, buf); eerr == nil {
					return out, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("cannot write %T value as type oid %d: %w", v, c.oid, err)
}
