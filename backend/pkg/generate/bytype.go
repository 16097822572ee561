package generate

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// Kind is the family of values a by-type generator writes.
type Kind string

// Kinds. Every kind writes text the database parses into the column's
// type, inside the limits recorded in ByType.
const (
	KindInt       Kind = "int"       // Min..Max
	KindDecimal   Kind = "decimal"   // Precision digits, Scale of them after the point
	KindText      Kind = "text"      // letters and digits, at most Length characters (0: no limit)
	KindBytes     Kind = "bytes"     // PostgreSQL bytea
	KindUUID      Kind = "uuid"      // version 4 layout
	KindBool      Kind = "bool"      // 0 or 1
	KindDate      Kind = "date"      // from 2000-01-01
	KindTime      Kind = "time"      // time of day; Zone adds +00
	KindTimestamp Kind = "timestamp" // whole seconds from 2000-01-01 UTC; Zone adds +00
	KindInterval  Kind = "interval"  // a number of seconds
	KindJSON      Kind = "json"      // a small object
	KindEnum      Kind = "enum"      // one of Labels
	KindSet       Kind = "set"       // MySQL SET: the empty set
	KindInet      Kind = "inet"      // an IPv4 address in 10.0.0.0/8; CIDR writes it as a /32 network
	KindInet6     Kind = "inet6"     // an IPv6 address in fd00::/16
	KindMAC       Kind = "macaddr"   // a locally administered MAC address
	KindBits      Kind = "bits"      // Length binary digits
	KindXML       Kind = "xml"       // a one-element document
	KindArray     Kind = "array"     // an empty PostgreSQL array
)

// ByType is a generator chosen from a column's type for a column the job
// does not map (or maps to generate_default though it has no default). It
// writes values the type accepts, within the column's limits (varchar
// length, numeric precision, integer range, unsigned); for a unique column
// it numbers the rows through a bijection of the type's value space, so
// values never repeat and the plan can tell up front whether enough exist.
type ByType struct {
	Kind      Kind     `json:"kind"`
	Min       int64    `json:"min,omitempty"`
	Max       int64    `json:"max,omitempty"`
	Length    int      `json:"length,omitempty"`
	Precision int      `json:"precision,omitempty"`
	Scale     int      `json:"scale,omitempty"`
	Labels    []string `json:"labels,omitempty"`
	Zone      bool     `json:"zone,omitempty"`
	CIDR      bool     `json:"cidr,omitempty"`
}

// String describes the generator for the printed plan.
func (b *ByType) String() string {
	switch b.Kind {
	case KindInt:
		return fmt.Sprintf("int %d..%d", b.Min, b.Max)
	case KindDecimal:
		return fmt.Sprintf("decimal(%d,%d)", b.Precision, b.Scale)
	case KindText, KindBits:
		if b.Length > 0 {
			return fmt.Sprintf("%s ≤ %d", b.Kind, b.Length)
		}
	case KindEnum:
		return fmt.Sprintf("enum of %d labels", len(b.Labels))
	}
	return string(b.Kind)
}

const (
	// uniqueTextDigits is the shortest unique text written (base 36), so
	// a unique index on a short prefix of a TEXT column still holds.
	uniqueTextDigits = 4
	maxTextDigits    = 12 // 36^12 < 2^63
	// maxDecimalDigits keeps 10^precision inside uint64.
	maxDecimalDigits = 18
	// defaultTextLength is the longest random text written when the
	// column has no limit.
	defaultTextLength = 12
	// typicalInts and typicalYears bound random (non-unique) draws, so a
	// bigint column holds readable numbers.
	typicalInts  = 100_000
	typicalYears = 25
	// capacityLimit caps every capacity (row counts are int64).
	capacityLimit = uint64(1) << 62
)

var (
	epoch      = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDate   = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	lastMySQLT = time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC) // MySQL TIMESTAMP ends 2038-01-19
)

// capacity is how many distinct values the unique form can write.
func (b *ByType) capacity() uint64 {
	c := uint64(0)
	switch b.Kind {
	case KindInt:
		c = uint64(b.Max-b.Min) + 1
	case KindDecimal:
		c = pow10(min(b.Precision, maxDecimalDigits))
	case KindText:
		n := maxTextDigits
		if b.Length > 0 {
			n = min(b.Length, n)
		}
		c = pow36(n)
	case KindBool:
		c = 2
	case KindDate:
		c = uint64(lastDate.Sub(epoch).Hours()/24) + 1
	case KindTime:
		c = 86400
	case KindTimestamp:
		c = uint64(lastMySQLT.Sub(epoch).Seconds())
	case KindEnum:
		c = uint64(len(b.Labels))
	case KindSet, KindArray:
		c = 1
	case KindInet:
		c = 1 << 24
	case KindInet6:
		c = 1 << 48
	case KindMAC:
		c = 1 << 32
	case KindBits:
		c = capacityLimit
		if b.Length < 62 {
			c = 1 << b.Length
		}
	default: // bytes, uuid, interval, json, xml
		c = capacityLimit
	}
	return min(c, capacityLimit)
}

// typical is the range random (non-unique) values are drawn from.
func (b *ByType) typical() uint64 {
	c := b.capacity()
	switch b.Kind {
	case KindInt, KindInterval:
		return min(c, typicalInts)
	case KindDecimal:
		return min(c, pow10(min(b.Scale+4, maxDecimalDigits)))
	case KindDate:
		return min(c, typicalYears*365)
	case KindTimestamp:
		return min(c, typicalYears*365*86400)
	}
	return c
}

// encode writes the k-th value (k < capacity) of the type.
func (b *ByType) encode(k uint64, digits int) string {
	switch b.Kind {
	case KindInt:
		return strconv.FormatInt(b.Min+int64(k), 10)
	case KindDecimal:
		s := strconv.FormatUint(k, 10)
		if b.Scale == 0 {
			return s
		}
		if len(s) <= b.Scale {
			s = strings.Repeat("0", b.Scale-len(s)+1) + s
		}
		return s[:len(s)-b.Scale] + "." + s[len(s)-b.Scale:]
	case KindText:
		return base36(k, digits)
	case KindBytes:
		return fmt.Sprintf(`\x%016x`, k)
	case KindBool:
		return strconv.FormatUint(k&1, 10)
	case KindDate:
		return epoch.AddDate(0, 0, int(k)).Format("2006-01-02")
	case KindTime:
		s := fmt.Sprintf("%02d:%02d:%02d", k/3600, k/60%60, k%60)
		if b.Zone {
			s += "+00"
		}
		return s
	case KindTimestamp:
		s := epoch.Add(time.Duration(k) * time.Second).Format("2006-01-02 15:04:05")
		if b.Zone {
			s += "+00"
		}
		return s
	case KindInterval:
		return strconv.FormatUint(k, 10) + " seconds"
	case KindJSON:
		return `{"n": ` + strconv.FormatUint(k, 10) + `}`
	case KindEnum:
		return b.Labels[k]
	case KindSet:
		return ""
	case KindInet:
		s := fmt.Sprintf("10.%d.%d.%d", k>>16&0xff, k>>8&0xff, k&0xff)
		if b.CIDR {
			s += "/32"
		}
		return s
	case KindInet6:
		return fmt.Sprintf("fd00::%x:%x:%x", k>>32&0xffff, k>>16&0xffff, k&0xffff)
	case KindMAC:
		return fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", k>>24&0xff, k>>16&0xff, k>>8&0xff, k&0xff)
	case KindBits:
		s := strconv.FormatUint(k, 2)
		if len(s) < b.Length {
			s = strings.Repeat("0", b.Length-len(s)) + s
		}
		return s
	case KindXML:
		return "<v>" + strconv.FormatUint(k, 10) + "</v>"
	case KindArray:
		return "{}"
	}
	return ""
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

func pow36(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 36
	}
	return p
}

const base36Digits = "0123456789abcdefghijklmnopqrstuvwxyz"

// base36 writes k with exactly n digits. Lower case only, so values stay
// distinct under case-insensitive collations.
func base36(k uint64, n int) string {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = base36Digits[k%36]
		k /= 36
	}
	return string(b)
}

// affine is the bijection x ↦ (a·x + b) mod m of [0, m), with a coprime to
// m: distinct row numbers give distinct, scattered values.
type affine struct{ a, b, m uint64 }

func newAffine(m uint64, r1, r2 uint64) affine {
	if m <= 1 {
		return affine{m: 1}
	}
	a := 1 + r1%(m-1)
	for gcd(a, m) != 1 {
		a = 1 + a%(m-1)
	}
	return affine{a: a, b: r2 % m, m: m}
}

// apply maps x < m; m ≤ 2^62, so the sum below cannot overflow.
func (f affine) apply(x uint64) uint64 {
	if f.m <= 1 {
		return 0
	}
	hi, lo := bits.Mul64(f.a, x)
	_, r := bits.Div64(hi, lo, f.m) // hi < m because a, x < m
	r += f.b
	if r >= f.m {
		r -= f.m
	}
	return r
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// columnType is what choosing a by-type generator needs to know about a
// column beyond sqlschema.Column.
type columnType struct {
	// base is the type to classify: the column's DataType, or a
	// PostgreSQL domain's base type, lower case.
	base string
	// json is set for MariaDB JSON columns (LONGTEXT with a json_valid
	// check).
	json bool
	// unique columns are never read as booleans (MySQL tinyint(1)).
	unique bool
}

// chooseByType picks the generator for a column from its type, or returns
// nil when no generator fits.
func chooseByType(d sqlschema.Dialect, c sqlschema.Column, ct columnType) *ByType {
	t := ct.base
	length := 0
	if c.CharacterMaximumLength != nil && *c.CharacterMaximumLength > 0 {
		length = int(min(*c.CharacterMaximumLength, math.MaxInt32))
	}
	switch {
	case c.IsArray:
		return &ByType{Kind: KindArray}
	case len(c.EnumValues) > 0:
		return &ByType{Kind: KindEnum, Labels: c.EnumValues}
	case ct.json:
		return &ByType{Kind: KindJSON}
	}
	if d == sqlschema.DialectMySQL {
		return chooseMySQL(t, c, length, ct.unique)
	}
	return choosePostgres(t, c, length)
}

func choosePostgres(t string, c sqlschema.Column, length int) *ByType {
	name, args := splitType(t)
	switch name {
	case "smallint":
		return &ByType{Kind: KindInt, Min: 1, Max: math.MaxInt16}
	case "integer":
		return &ByType{Kind: KindInt, Min: 1, Max: math.MaxInt32}
	case "bigint":
		return &ByType{Kind: KindInt, Min: 1, Max: math.MaxInt64}
	case "oid":
		return &ByType{Kind: KindInt, Min: 1, Max: math.MaxUint32}
	case "numeric", "decimal":
		return decimalOf(c, 12, 2)
	case "real":
		return &ByType{Kind: KindDecimal, Precision: 6, Scale: 2}
	case "double precision":
		return &ByType{Kind: KindDecimal, Precision: 13, Scale: 2}
	case "money":
		return &ByType{Kind: KindDecimal, Precision: 12, Scale: 2}
	case "text", "character varying", "varchar", "character", "bpchar", "citext", "tsvector":
		return &ByType{Kind: KindText, Length: length}
	case `"char"`:
		return &ByType{Kind: KindText, Length: 1}
	case "name":
		return &ByType{Kind: KindText, Length: 63}
	case "uuid":
		return &ByType{Kind: KindUUID}
	case "boolean":
		return &ByType{Kind: KindBool}
	case "date":
		return &ByType{Kind: KindDate}
	case "time without time zone", "time":
		return &ByType{Kind: KindTime}
	case "time with time zone", "timetz":
		return &ByType{Kind: KindTime, Zone: true}
	case "timestamp without time zone", "timestamp":
		return &ByType{Kind: KindTimestamp}
	case "timestamp with time zone", "timestamptz":
		return &ByType{Kind: KindTimestamp, Zone: true}
	case "json", "jsonb":
		return &ByType{Kind: KindJSON}
	case "bytea":
		return &ByType{Kind: KindBytes}
	case "inet":
		return &ByType{Kind: KindInet}
	case "cidr":
		return &ByType{Kind: KindInet, CIDR: true}
	case "macaddr":
		return &ByType{Kind: KindMAC}
	case "bit":
		return bitsOf(firstArg(args, 1))
	case "bit varying", "varbit":
		return bitsOf(firstArg(args, 8))
	case "xml":
		return &ByType{Kind: KindXML}
	}
	if strings.HasPrefix(name, "interval") {
		return &ByType{Kind: KindInterval}
	}
	if strings.HasSuffix(name, ".citext") {
		return &ByType{Kind: KindText, Length: length}
	}
	return nil
}

func chooseMySQL(t string, c sqlschema.Column, length int, unique bool) *ByType {
	name, args := splitType(t)
	unsigned := strings.Contains(t, " unsigned")
	ints := map[string][2]int64{
		"tinyint":   {math.MaxInt8, math.MaxUint8},
		"smallint":  {math.MaxInt16, math.MaxUint16},
		"mediumint": {1<<23 - 1, 1<<24 - 1},
		"int":       {math.MaxInt32, math.MaxUint32},
		"integer":   {math.MaxInt32, math.MaxUint32},
		"bigint":    {math.MaxInt64, math.MaxInt64},
	}
	if r, ok := ints[name]; ok {
		if name == "tinyint" && firstArg(args, 0) == 1 && !unique {
			return &ByType{Kind: KindBool} // the BOOLEAN convention
		}
		if unsigned {
			return &ByType{Kind: KindInt, Min: 1, Max: r[1]}
		}
		return &ByType{Kind: KindInt, Min: 1, Max: r[0]}
	}
	switch name {
	case "decimal", "numeric", "dec", "fixed":
		return decimalOf(c, 10, 0)
	case "float":
		return floatOf(args, 6)
	case "double", "double precision", "real":
		return floatOf(args, 13)
	case "bit":
		n := firstArg(args, 1)
		return &ByType{Kind: KindInt, Min: 0, Max: int64(min(uint64(1)<<min(n, 63)-1, math.MaxInt64))}
	case "year":
		return &ByType{Kind: KindInt, Min: 1901, Max: 2155}
	case "char", "varchar", "binary", "varbinary", "tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob":
		if length == 0 {
			length = firstArg(args, 0)
		}
		return &ByType{Kind: KindText, Length: length}
	case "json":
		return &ByType{Kind: KindJSON}
	case "date":
		return &ByType{Kind: KindDate}
	case "datetime", "timestamp":
		return &ByType{Kind: KindTimestamp}
	case "time":
		return &ByType{Kind: KindTime}
	case "set":
		return &ByType{Kind: KindSet}
	case "uuid":
		return &ByType{Kind: KindUUID}
	case "inet4":
		return &ByType{Kind: KindInet}
	case "inet6":
		return &ByType{Kind: KindInet6}
	}
	return nil
}

// bitsOf writes n binary digits (a longer bit string has no generator:
// each value would be that long).
func bitsOf(n int) *ByType {
	if n < 1 || n > 1<<16 {
		return nil
	}
	return &ByType{Kind: KindBits, Length: n}
}

// decimalOf reads precision and scale from the catalog; a column without
// them (PostgreSQL's unconstrained numeric) gets p and s. A negative scale
// (PostgreSQL 15) rounds to tens and has no generator.
func decimalOf(c sqlschema.Column, p, s int) *ByType {
	if c.NumericPrecision != nil && *c.NumericPrecision > 0 {
		p, s = int(*c.NumericPrecision), 0
		if c.NumericScale != nil {
			s = int(*c.NumericScale)
		}
	}
	if s < 0 {
		return nil
	}
	return &ByType{Kind: KindDecimal, Precision: p, Scale: s}
}

// floatOf honours MySQL's deprecated FLOAT(M,D); otherwise p digits with
// two after the point keep distinct values distinct after rounding to the
// float's precision.
func floatOf(args []int, p int) *ByType {
	if len(args) == 2 {
		return &ByType{Kind: KindDecimal, Precision: args[0], Scale: args[1]}
	}
	return &ByType{Kind: KindDecimal, Precision: p, Scale: 2}
}

// splitType splits "character varying(40)" into its name and numeric
// arguments; "time(3) with time zone" keeps the words after the
// parentheses in the name ("time with time zone"), "int(10) unsigned"
// drops the attribute ("int").
func splitType(t string) (string, []int) {
	t = strings.TrimSpace(strings.ToLower(t))
	open := strings.IndexByte(t, '(')
	if open < 0 {
		return strings.TrimSuffix(strings.TrimSuffix(t, " zerofill"), " unsigned"), nil
	}
	end := strings.IndexByte(t[open:], ')')
	if end < 0 {
		return t, nil
	}
	var args []int
	for _, a := range strings.Split(t[open+1:open+end], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil || n < 0 || n > math.MaxInt32 {
			return t[:open], nil // enum('a'), set('a'): no numeric arguments
		}
		args = append(args, n)
	}
	name := t[:open]
	rest := strings.TrimSpace(t[open+end+1:])
	if strings.HasPrefix(rest, "with") || strings.HasPrefix(rest, "without") || strings.HasPrefix(rest, "varying") {
		name += " " + rest
	}
	return name, args
}

func firstArg(args []int, def int) int {
	if len(args) > 0 {
		return args[0]
	}
	return def
}

// typedGen draws the values of one by-type column.
type typedGen struct {
	b      *ByType
	unique bool
	perm   affine
	digits int    // of unique text
	hi     uint64 // the high half of unique UUIDs
}

func newTypedGen(b *ByType, unique bool, rows int64, rng *rand.Rand) *typedGen {
	g := &typedGen{b: b, unique: unique, hi: rng.Uint64()&^(0xf<<12) | 0x4<<12}
	if !unique {
		return g
	}
	m := b.capacity()
	if b.Kind == KindText {
		g.digits = textDigits(b, rows)
		m = pow36(g.digits)
	}
	if b.Kind == KindUUID {
		m = capacityLimit
	}
	g.perm = newAffine(m, rng.Uint64(), rng.Uint64())
	return g
}

// textDigits is the length of unique text for rows values: the fewest
// base-36 digits that number them, at least uniqueTextDigits, within the
// column's length.
func textDigits(b *ByType, rows int64) int {
	most := maxTextDigits
	if b.Length > 0 {
		most = min(b.Length, most)
	}
	d := uniqueTextDigits
	for d < maxTextDigits && pow36(d) < uint64(max(rows, 1)) {
		d++
	}
	return min(d, most)
}

// next returns the value of row (0-based) of the table.
func (g *typedGen) next(rng *rand.Rand, row int64) (string, error) {
	if g.unique {
		if uint64(row) >= g.perm.m {
			return "", fmt.Errorf("its type holds only %d distinct generated values", g.perm.m)
		}
		k := g.perm.apply(uint64(row))
		if g.b.Kind == KindUUID {
			return uuidText(g.hi, k|1<<63), nil // k < 2^62: variant bits 10
		}
		return g.b.encode(k, g.digits), nil
	}
	switch g.b.Kind {
	case KindText:
		most := defaultTextLength
		if g.b.Length > 0 {
			most = min(g.b.Length, most)
		}
		b := make([]byte, 1+rng.IntN(most))
		for i := range b {
			b[i] = alnum[rng.IntN(len(alnum))]
		}
		return string(b), nil
	case KindBytes:
		b := make([]byte, 1+rng.IntN(16))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return `\x` + hex.EncodeToString(b), nil
	case KindUUID:
		return uuidText(rng.Uint64()&^(0xf<<12)|0x4<<12, rng.Uint64()&^(3<<62)|1<<63), nil
	}
	return g.b.encode(rng.Uint64N(g.b.typical()), 0), nil
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// uuidText formats two halves in the 8-4-4-4-12 form.
func uuidText(hi, lo uint64) string {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], hi)
	binary.BigEndian.PutUint64(raw[8:], lo)
	h := hex.EncodeToString(raw[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
