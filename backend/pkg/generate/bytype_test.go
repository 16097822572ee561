package generate

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func TestAffineIsABijection(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for m := uint64(1); m <= 400; m++ {
		f := newAffine(m, rng.Uint64(), rng.Uint64())
		seen := make([]bool, m)
		for x := uint64(0); x < m; x++ {
			y := f.apply(x)
			if y >= m || seen[y] {
				t.Fatalf("m=%d: x=%d maps to %d, out of range or repeated", m, x, y)
			}
			seen[y] = true
		}
	}
	// Large moduli do not overflow.
	f := newAffine(capacityLimit, rng.Uint64(), rng.Uint64())
	if y := f.apply(capacityLimit - 1); y >= capacityLimit {
		t.Fatalf("apply(2^62-1) = %d", y)
	}
}

func ptr(n int64) *int64 { return &n }

// TestByTypeValuesFitTheirType draws unique and random values for each
// type and checks them against the type's limits (the databases check
// them for real in TestGenerateAnySchemaWithDefaultMappings).
func TestByTypeValuesFitTheirType(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dialect  sqlschema.Dialect
		col      sqlschema.Column
		rows     int64
		kind     Kind
		maxLen   int   // 0: not checked
		min, max int64 // integers: inclusive range (max 0: not checked)
	}{
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "tinyint(4)"}, 127, KindInt, 0, 1, 127},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "tinyint(3) unsigned"}, 255, KindInt, 0, 1, 255},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "smallint unsigned"}, 1000, KindInt, 0, 1, 65535},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "bit(3)"}, 8, KindInt, 0, 0, 7},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "year(4)"}, 255, KindInt, 0, 1901, 2155},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "tinyint(1)"}, 2, KindBool, 0, 0, 1},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "tinyint(1)"}, 127, KindInt, 0, 1, 127}, // unique: not a boolean
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "varchar(2)", CharacterMaximumLength: ptr(2)}, 1296, KindText, 2, 0, 0},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "binary(16)", CharacterMaximumLength: ptr(16)}, 500, KindText, 16, 0, 0},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "decimal(3,1)", NumericPrecision: ptr(3), NumericScale: ptr(1)}, 1000, KindDecimal, 0, 0, 0},
		{sqlschema.DialectMySQL, sqlschema.Column{DataType: "float(5,2)"}, 500, KindDecimal, 0, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "smallint"}, 1000, KindInt, 0, 1, 32767},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "character(3)", CharacterMaximumLength: ptr(3)}, 2000, KindText, 3, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "character varying(1)", CharacterMaximumLength: ptr(1)}, 36, KindText, 1, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "numeric(4,4)", NumericPrecision: ptr(4), NumericScale: ptr(4)}, 1000, KindDecimal, 0, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "bit(2)"}, 4, KindBits, 2, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "timestamp(3) with time zone"}, 1000, KindTimestamp, 0, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "time(0) without time zone"}, 1000, KindTime, 0, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "uuid"}, 1000, KindUUID, 36, 0, 0},
		{sqlschema.DialectPostgres, sqlschema.Column{DataType: "public.mood", EnumValues: []string{"a", "b"}}, 2, KindEnum, 0, 0, 0},
	} {
		t.Run(tc.col.DataType+"/"+string(tc.kind), func(t *testing.T) {
			t.Parallel()
			b := chooseByType(tc.dialect, tc.col, columnType{base: strings.ToLower(tc.col.DataType), unique: tc.kind == KindInt})
			if b == nil || b.Kind != tc.kind {
				t.Fatalf("chooseByType = %+v, want kind %s", b, tc.kind)
			}
			if c := b.capacity(); c < uint64(tc.rows) {
				t.Fatalf("capacity = %d, want at least %d", c, tc.rows)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for _, unique := range []bool{true, false} {
				g := newTypedGen(b, unique, tc.rows, rng)
				seen := map[string]bool{}
				for row := range tc.rows {
					v, err := g.next(rng, row)
					if err != nil {
						t.Fatalf("row %d: %v", row, err)
					}
					if unique && seen[strings.ToLower(v)] {
						t.Fatalf("unique value %q repeated at row %d", v, row)
					}
					seen[strings.ToLower(v)] = true
					if tc.maxLen > 0 && (utf8.RuneCountInString(v) > tc.maxLen || v == "") {
						t.Fatalf("value %q does not fit %d characters", v, tc.maxLen)
					}
					if tc.max != 0 {
						n, err := strconv.ParseInt(v, 10, 64)
						if err != nil || n < tc.min || n > tc.max {
							t.Fatalf("value %q outside %d..%d", v, tc.min, tc.max)
						}
					}
					if b.Kind == KindDecimal {
						intPart, frac, _ := strings.Cut(v, ".")
						if len(frac) != b.Scale || len(strings.TrimLeft(intPart, "0"))+b.Scale > b.Precision {
							t.Fatalf("value %q does not fit decimal(%d,%d)", v, b.Precision, b.Scale)
						}
					}
				}
			}
			if _, err := newTypedGen(b, true, tc.rows+1, rng).next(rng, int64(b.capacity())); err == nil {
				t.Error("a unique value past the type's capacity was drawn")
			}
		})
	}
}

func TestPlanRefusesWhatCannotBeWritten(t *testing.T) {
	t.Parallel()
	tn := sqlschema.TableName{Schema: "s", Table: "t"}
	s := &syncplan.Schema{Dialect: sqlschema.DialectMySQL,
		Columns: []sqlschema.Column{
			{Schema: "s", Table: "t", Name: "id", DataType: "tinyint(4)"},
			{Schema: "s", Table: "t", Name: "code", DataType: "char(1)", CharacterMaximumLength: ptr(1)},
			{Schema: "s", Table: "t", Name: "must", DataType: "int(11)"},
			{Schema: "s", Table: "t", Name: "shape", DataType: "geometry"},
		},
		Constraints: []sqlschema.TableConstraints{{Table: tn, PrimaryKey: []string{"id"},
			UniqueConstraints: []sqlschema.UniqueConstraint{{Name: "code_key", Columns: []string{"code"}}}}},
	}
	_, err := NewPlan(s, Request{
		Tables:   map[sqlschema.TableName]int64{tn: 300},
		Mappings: []syncplan.Mapping{{Schema: "s", Table: "t", Column: "must", Transformer: syncplan.Transformer{Source: "generate_null"}}},
	}, transformers.NewRegistry())
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{
		"s.t.id (tinyint(4)) numbers the rows, but holds at most 127 and 300 rows were asked",
		"s.t.code (char(1)) is unique, but its type holds 36 distinct generated values and 300 rows were asked",
		"s.t.must is NOT NULL but mapped to generate_null",
		"s.t.shape (geometry) is NOT NULL without a default and no generator fits its type: map it to a generator",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
}

// FuzzChooseByType: any type string the catalog could print gives either
// no generator or one whose unique values do not repeat, without panics.
func FuzzChooseByType(f *testing.F) {
	for _, s := range []string{"bit(3)", "bit(-1)", "varchar(0)", "float(7,4)", "numeric(3,5)", "time(3) with time zone", "int(10) unsigned zerofill", "set('a')", "x(", "()"} {
		f.Add(s, int64(4), true)
	}
	f.Fuzz(func(t *testing.T, dataType string, length int64, mysql bool) {
		d := sqlschema.DialectPostgres
		if mysql {
			d = sqlschema.DialectMySQL
		}
		col := sqlschema.Column{DataType: dataType, CharacterMaximumLength: &length, NumericPrecision: &length}
		b := chooseByType(d, col, columnType{base: strings.ToLower(dataType)})
		if b == nil {
			return
		}
		rows := int64(min(b.capacity(), 50))
		rng := rand.New(rand.NewPCG(1, 1))
		g := newTypedGen(b, true, rows, rng)
		seen := map[string]bool{}
		for row := range rows {
			v, err := g.next(rng, row)
			if err != nil {
				t.Fatalf("%s row %d: %v", dataType, row, err)
			}
			if seen[strings.ToLower(v)] {
				t.Fatalf("%s: unique value %q repeated", dataType, v)
			}
			seen[strings.ToLower(v)] = true
		}
	})
}
