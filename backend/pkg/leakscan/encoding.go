package leakscan

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// A sketch travels between workers in a compact binary form, so that the
// key ranges of one table copied by several workers merge into the
// table's leak scan (see Table). The form is versioned by a 4-byte magic:
//
//	sketch:      "LKS1" capacity fingerprint(8) threshold(8) rows selfEqual
//	             n (hash-delta count)×n  m (hash-delta)×m
//	row counter: "LKR1" need rows reidentified
//	table:       "LKT1" columns (name)×columns quasi (name)×quasi
//	             hasCounter [counter] — the header; each column's
//	             sketch is a part of its own (see Table.MarshalParts)
//
// Every integer but the fingerprint and the threshold is an unsigned
// varint; hashes are sorted and stored as the difference from the
// previous one; names and nested forms are length-prefixed. A sketch's
// size is bounded by its capacity whatever the rows it saw: see
// MaxEncodedSize.

// ErrEncoding is returned (wrapped) for bytes that are not a serialised
// sketch, row counter or table of this version.
var ErrEncoding = errors.New("leakscan: malformed serialised sketch")

// ErrSeedMismatch is returned (wrapped) when a serialised sketch was
// built with another seed than the one it is decoded with: its hashes
// cannot be compared with this run's.
var ErrSeedMismatch = errors.New("leakscan: the serialised sketch was built with another hash seed")

const (
	magicSketch  = "LKS1"
	magicCounter = "LKR1"
	magicTable   = "LKT1"
)

// MaxEncodedSize is the most bytes MarshalBinary gives for a sketch of the
// given capacity (0: DefaultCapacity): 30 bytes per kept hash pair at
// worst, plus a header — under 600 KiB at the default capacity, about
// 340 KiB in practice (a full sketch keeps 7–8 bytes per hash and one per
// row count).
func MaxEncodedSize(capacity int) int {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return len(magicSketch) + 5*binary.MaxVarintLen64 + 16 + capacity*3*binary.MaxVarintLen64
}

// MarshalBinary serialises the sketch (see the format above); it never
// fails. UnmarshalSketch with the same seed restores it.
func (s *Sketch) MarshalBinary() ([]byte, error) {
	s.flush()
	b := make([]byte, 0, 64+9*(2*s.out.len()+s.src.len()))
	b = append(b, magicSketch...)
	b = binary.AppendUvarint(b, uint64(s.capacity))
	b = binary.LittleEndian.AppendUint64(b, s.seed.fingerprint())
	b = binary.LittleEndian.AppendUint64(b, s.threshold)
	b = binary.AppendUvarint(b, uint64(s.rows))
	b = binary.AppendUvarint(b, uint64(s.selfEqual))
	out := s.out.sorted()
	b = binary.AppendUvarint(b, uint64(len(out)))
	var prev uint64
	for _, e := range out {
		b = binary.AppendUvarint(b, e.h-prev)
		b = binary.AppendUvarint(b, uint64(e.v))
		prev = e.h
	}
	src := s.src.sorted()
	b = binary.AppendUvarint(b, uint64(len(src)))
	prev = 0
	for _, e := range src {
		b = binary.AppendUvarint(b, e.h-prev)
		prev = e.h
	}
	return b, nil
}

// reader decodes the serialised forms, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, a ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrEncoding, fmt.Sprintf(format, a...))
	}
}

func (r *reader) magic(m string) {
	if len(r.b) < len(m) || string(r.b[:len(m)]) != m {
		r.fail("want %q", m)
		return
	}
	r.b = r.b[len(m):]
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("truncated integer")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a uvarint that must fit an int64 and not exceed limit.
func (r *reader) count(what string, limit uint64) int64 {
	v := r.uvarint()
	if v > limit || v > 1<<62 {
		r.fail("%s %d out of range", what, v)
		return 0
	}
	return int64(v)
}

func (r *reader) uint64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.fail("length %d past the end", n)
	}
	if r.err != nil {
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) end() {
	if r.err == nil && len(r.b) != 0 {
		r.fail("%d trailing bytes", len(r.b))
	}
}

// maxCapacity bounds a decoded sketch's capacity, so corrupt bytes cannot
// ask for huge tables.
const maxCapacity = 1 << 24

// UnmarshalSketch restores a sketch serialised by MarshalBinary. seed
// must be the one it was built with (ErrSeedMismatch otherwise); malformed
// bytes give ErrEncoding.
func UnmarshalSketch(b []byte, seed Seed) (*Sketch, error) {
	r := &reader{b: b}
	r.magic(magicSketch)
	capacity := int(r.count("capacity", maxCapacity))
	fp := r.uint64()
	threshold := r.uint64()
	if r.err == nil && fp != seed.fingerprint() {
		return nil, ErrSeedMismatch
	}
	if r.err == nil && capacity < 2 {
		r.fail("capacity %d", capacity)
	}
	s := NewSeeded(capacity, seed)
	s.threshold = threshold
	s.rows = r.count("rows", 1<<62)
	s.selfEqual = r.count("self-equal rows", uint64(s.rows))
	hashes := func(what string, reserve func(n int), each func(h uint64)) {
		n := r.count(what, uint64(capacity))
		// Each hash takes a byte at least: corrupt counts reserve no
		// more than the bytes could hold.
		reserve(int(min(n, int64(len(r.b)))))
		var prev uint64
		for i := int64(0); i < n && r.err == nil; i++ {
			d := r.uvarint()
			h := prev + d
			if (i > 0 && d == 0) || h < prev || h > threshold {
				r.fail("%s hashes out of order or above the threshold", what)
				return
			}
			each(h)
			prev = h
		}
	}
	var sampled int64
	hashes("output", s.out.reserve, func(h uint64) {
		n := r.count("rows of a hash", uint64(s.rows))
		if n == 0 {
			r.fail("a sampled output hash of no rows")
		}
		sampled += n
		*s.out.ref(h) = n
	})
	hashes("source", s.src.reserve, func(h uint64) { s.src.ref(h) })
	if r.err == nil && sampled > s.rows {
		r.fail("sampled rows %d exceed the rows %d", sampled, s.rows)
	}
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// MarshalBinary serialises the counter; it never fails.
func (c *RowCounter) MarshalBinary() ([]byte, error) {
	b := append([]byte(nil), magicCounter...)
	b = binary.AppendUvarint(b, uint64(c.need))
	b = binary.AppendUvarint(b, uint64(c.rows))
	b = binary.AppendUvarint(b, uint64(c.reid))
	return b, nil
}

// UnmarshalRowCounter restores a counter serialised by MarshalBinary.
func UnmarshalRowCounter(b []byte) (*RowCounter, error) {
	r := &reader{b: b}
	r.magic(magicCounter)
	c := &RowCounter{need: int(r.count("quasi-identifiers", 1<<16))}
	c.rows = r.count("rows", 1<<62)
	c.reid = r.count("re-identified rows", uint64(c.rows))
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	return c, nil
}

// Table is what one copy of a table — or of one key range of it —
// measured: a sketch per transformed column and, when the table has two or
// more quasi-identifiers, its re-identification counter. Tables of the
// key ranges of one table merge (Merge) into what one copy of the whole
// table would have measured, on any workers when their sketches share a
// seed.
type Table struct {
	// Columns are the sketches by column name.
	Columns map[string]*Sketch
	// Quasi are the quasi-identifiers Rows counts over (nil with Rows).
	Quasi []string
	// Rows counts the re-identified rows; nil when the table has fewer
	// than two quasi-identifiers.
	Rows *RowCounter
}

// MarshalParts serialises the table in parts, each bounded by its own
// size, so that no request carrying them grows with the number of
// columns: header holds the column names, the quasi-identifiers and the
// counter (a few bytes per column); columns holds each column's sketch
// (Sketch.MarshalBinary, at most MaxEncodedSize of its capacity).
func (t *Table) MarshalParts() (header []byte, columns map[string][]byte) {
	header = append([]byte(nil), magicTable...)
	names := slices.Sorted(maps.Keys(t.Columns))
	header = binary.AppendUvarint(header, uint64(len(names)))
	columns = make(map[string][]byte, len(names))
	for _, n := range names {
		header = appendBytes(header, []byte(n))
		columns[n], _ = t.Columns[n].MarshalBinary()
	}
	header = binary.AppendUvarint(header, uint64(len(t.Quasi)))
	for _, q := range t.Quasi {
		header = appendBytes(header, []byte(q))
	}
	if t.Rows == nil {
		return append(header, 0), columns
	}
	rc, _ := t.Rows.MarshalBinary()
	return appendBytes(append(header, 1), rc), columns
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// ErrMissingPart is returned (wrapped) by UnmarshalTableParts when a
// column the header names has no sketch: the parts were not all stored.
var ErrMissingPart = errors.New("leakscan: a column's sketch is missing")

// UnmarshalTableParts restores a table serialised by MarshalParts; its
// sketches must have been built with seed (ErrSeedMismatch otherwise),
// and every column the header names must be in columns (ErrMissingPart).
func UnmarshalTableParts(header []byte, columns map[string][]byte, seed Seed) (*Table, error) {
	r := &reader{b: header}
	r.magic(magicTable)
	t := &Table{Columns: map[string]*Sketch{}}
	n := r.count("columns", uint64(len(header)))
	var names []string
	for i := int64(0); i < n && r.err == nil; i++ {
		names = append(names, string(r.bytes()))
	}
	q := r.count("quasi-identifiers", uint64(len(header)))
	for i := int64(0); i < q && r.err == nil; i++ {
		t.Quasi = append(t.Quasi, string(r.bytes()))
	}
	if r.err == nil {
		switch {
		case len(r.b) > 0 && r.b[0] == 0:
			r.b = r.b[1:]
		case len(r.b) > 0 && r.b[0] == 1:
			r.b = r.b[1:]
			raw := r.bytes()
			if r.err == nil {
				c, err := UnmarshalRowCounter(raw)
				if err != nil {
					return nil, err
				}
				t.Rows = c
			}
		default:
			r.fail("row counter flag")
		}
	}
	r.end()
	if r.err != nil {
		return nil, r.err
	}
	if len(columns) != len(names) {
		for name := range columns {
			if !slices.Contains(names, name) {
				return nil, fmt.Errorf("%w: a sketch of column %q the header does not name", ErrEncoding, name)
			}
		}
	}
	for _, name := range names {
		raw, ok := columns[name]
		if !ok {
			return nil, fmt.Errorf("%w: column %q", ErrMissingPart, name)
		}
		s, err := UnmarshalSketch(raw, seed)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		t.Columns[name] = s
	}
	return t, nil
}

// Merge adds o's rows to t, column by column (a column only o has is
// merged into an empty sketch of the same seed), and o's re-identified
// rows to t's. It fails, leaving t partly merged, when the sketches'
// seeds or the quasi-identifiers differ.
func (t *Table) Merge(o *Table) error {
	if o == nil {
		return nil
	}
	if t.Columns == nil {
		t.Columns = map[string]*Sketch{}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Columns)) {
		os := o.Columns[name]
		s := t.Columns[name]
		if s == nil {
			s = NewSeeded(os.capacity, os.seed)
			t.Columns[name] = s
		}
		if err := s.Merge(os); err != nil {
			return fmt.Errorf("column %q: %w", name, err)
		}
	}
	switch {
	case o.Rows == nil:
	case t.Rows == nil && len(t.Quasi) == 0:
		t.Quasi = slices.Clone(o.Quasi)
		t.Rows = NewRowCounter(o.Rows.need)
		t.Rows.Merge(o.Rows)
	case !slices.Equal(t.Quasi, o.Quasi) || t.Rows == nil || t.Rows.need != o.Rows.need:
		return fmt.Errorf("leakscan: re-identification counts over different quasi-identifiers (%v, %v) cannot be merged", t.Quasi, o.Quasi)
	default:
		t.Rows.Merge(o.Rows)
	}
	return nil
}

// Results summarises every column's sketch.
func (t *Table) Results() map[string]Result {
	out := make(map[string]Result, len(t.Columns))
	for name, s := range t.Columns {
		out[name] = s.Result()
	}
	return out
}

// Reidentified returns the re-identification count; nil when the table
// has no counter.
func (t *Table) Reidentified() *RowCount {
	if t.Rows == nil {
		return nil
	}
	c := t.Rows.Count(slices.Clone(t.Quasi))
	return &c
}
