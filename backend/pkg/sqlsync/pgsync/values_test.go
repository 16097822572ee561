package pgsync

import (
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestPGValueCodecRoundTrip(t *testing.T) {
	t.Parallel()
	m := pgtype.NewMap()
	ts := time.Date(2024, 2, 29, 12, 30, 45, 123456000, time.UTC)
	tests := []struct {
		oid uint32
		v   any
	}{
		{pgtype.Int2OID, int64(-32768)},
		{pgtype.Int4OID, int64(2147483647)},
		{pgtype.Int8OID, int64(9007199254740993)}, // above 2^53
		{pgtype.Float4OID, float64(float32(1.5))},
		{pgtype.Float8OID, 1.7976931348623157e308},
		{pgtype.BoolOID, true},
		{pgtype.TextOID, "héllo ☕"},
		{pgtype.JSONBOID, `{"a": 1}`},
		{pgtype.ByteaOID, []byte{0, 255, 10}},
		{pgtype.TimestamptzOID, ts},
		{pgtype.NumericOID, "123456789012345678901234567890.0123456789"},
		{pgtype.UUIDOID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{pgtype.IntervalOID, "1 year 2 mons 3 days 04:05:06.7"},
	}
	for _, tc := range tests {
		c := newPGValueCodec(m, tc.oid)
		b, err := c.encode(tc.v, nil)
		if err != nil {
			t.Fatalf("oid %d: encode %v: %v", tc.oid, tc.v, err)
		}
		got, err := c.decode(b)
		if err != nil {
			t.Fatalf("oid %d: decode: %v", tc.oid, err)
		}
		if gt, ok := got.(time.Time); ok {
			got = gt.UTC()
		}
		if tc.oid == pgtype.IntervalOID {
			tc.v = "14 mon 3 day 04:05:06.700000" // pgtype's text, which PostgreSQL reads back
		}
		if !reflect.DeepEqual(got, tc.v) {
			t.Errorf("oid %d: round trip %#v -> %#v", tc.oid, tc.v, got)
		}
	}
	if _, err := newPGValueCodec(m, pgtype.Int2OID).encode(int64(1<<20), nil); err == nil {
		t.Error("int2 overflow: want an error")
	}
}

func TestSmallHelpers(t *testing.T) {
	t.Parallel()
	if s, ok := nextvalSequence(`nextval('public."my ''seq"'::regclass)`); !ok || s != `public."my 'seq"` {
		t.Fatalf("nextvalSequence = %q, %v", s, ok)
	}
	if _, ok := nextvalSequence("now()"); ok {
		t.Fatal("nextvalSequence(now()) matched")
	}
	if pgBaseTypeDiffers("character varying(10)", "character varying(20)") || !pgBaseTypeDiffers("integer", "bigint") ||
		pgBaseTypeDiffers("timestamp(3) without time zone", "timestamp(6) without time zone") {
		t.Fatal("pgBaseTypeDiffers")
	}
}
