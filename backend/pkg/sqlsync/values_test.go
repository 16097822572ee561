package sqlsync

import (
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
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

func TestCoerce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      any
		accepts []transformers.DataType
		want    any
	}{
		{"42", []transformers.DataType{transformers.TypeInt64}, int64(42)},
		{int64(7), []transformers.DataType{transformers.TypeString}, "7"},
		{"1.5", []transformers.DataType{transformers.TypeFloat64}, 1.5},
		{"x", []transformers.DataType{transformers.TypeAny}, "x"},
		{"not a number", []transformers.DataType{transformers.TypeInt64}, "not a number"},
		{nil, []transformers.DataType{transformers.TypeString}, nil},
	}
	for _, tc := range tests {
		if got := coerce(tc.in, tc.accepts); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("coerce(%#v, %v) = %#v, want %#v", tc.in, tc.accepts, got, tc.want)
		}
	}
}

func TestAppendLoadField(t *testing.T) {
	t.Parallel()
	if got := string(appendLoadField(nil, []byte("a\tb\nc\\d\x00e\rf"), false)); got != `a\tb\nc\\d\0e\rf` {
		t.Fatalf("escaped %q", got)
	}
	if got := string(appendLoadField(nil, nil, true)); got != `\N` {
		t.Fatalf("NULL %q", got)
	}
	if got := string(appendLoadField(nil, []byte(`\N`), false)); got != `\\N` {
		t.Fatalf("literal \\N %q", got)
	}
}

func TestMyKindOf(t *testing.T) {
	t.Parallel()
	for typ, want := range map[string]myKind{"int(11) unsigned": myInt, "bigint": myInt, "float": myFloat, "double": myFloat,
		"decimal(10,2)": myText, "varbinary(10)": myBytes, "bit(3)": myBytes, "datetime(6)": myTime, "enum('a')": myText, "json": myText} {
		if got := myKindOf(typ); got != want {
			t.Errorf("myKindOf(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestMySQLSplitCreate(t *testing.T) {
	t.Parallel()
	create := "CREATE TABLE `c` (\n  `id` int(11) NOT NULL,\n  `pid` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n" +
		"  KEY `fk` (`pid`),\n  CONSTRAINT `f``k` FOREIGN KEY (`pid`) REFERENCES `t` (`id`) ON DELETE CASCADE\n) ENGINE=InnoDB"
	stmt, fks, err := mysqlSplitCreate(newQuoter(sqlschema.DialectMySQL), create, sqlschema.TableName{Schema: "d b", Table: "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE `d b`.`c` (\n  `id` int(11) NOT NULL,\n  `pid` int(11) DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  KEY `fk` (`pid`)\n) ENGINE=InnoDB"
	if stmt != want {
		t.Fatalf("statement:\n%s\nwant:\n%s", stmt, want)
	}
	if fks["f`k"] != "CONSTRAINT `f``k` FOREIGN KEY (`pid`) REFERENCES `t` (`id`) ON DELETE CASCADE" {
		t.Fatalf("foreign keys %q", fks)
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
