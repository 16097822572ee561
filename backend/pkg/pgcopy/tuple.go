package pgcopy

import "encoding/binary"

// Tuple is one row of a binary COPY stream. Raw holds the whole tuple as
// it appeared in the stream (field count included), so an unchanged row is
// relayed by appending Raw. A Tuple handed out by [Splitter] is valid only
// until the callback returns.
type Tuple struct {
	Raw []byte
	// offsets[i] is the position in Raw of field i's length word.
	offsets []int32
}

// NumFields returns the number of fields.
func (t *Tuple) NumFields() int { return len(t.offsets) }

// Field returns field i's value and false, or nil and true for NULL. The
// value aliases Raw.
func (t *Tuple) Field(i int) (value []byte, null bool) {
	at := t.offsets[i]
	n := int32(binary.BigEndian.Uint32(t.Raw[at:]))
	if n < 0 {
		return nil, true
	}
	return t.Raw[at+4 : at+4+n], false
}

// RawField returns field i as it appears in the stream: its length word
// and value, ready to append to another tuple.
func (t *Tuple) RawField(i int) []byte {
	at := t.offsets[i]
	end := int32(len(t.Raw))
	if i+1 < len(t.offsets) {
		end = t.offsets[i+1]
	}
	return t.Raw[at:end]
}

// RawFields returns fields i to i+n-1 (n >= 1) as they appear in the
// stream, consecutive as they are: RawField of each, in one slice.
func (t *Tuple) RawFields(i, n int) []byte {
	at := t.offsets[i]
	end := int32(len(t.Raw))
	if i+n < len(t.offsets) {
		end = t.offsets[i+n]
	}
	return t.Raw[at:end]
}

// AppendLayout appends t's layout to dst: the position in Raw of each
// field's length word, then the length of Raw. SetLayout rebuilds the
// tuple from a copy of Raw and its layout without parsing it again.
func (t *Tuple) AppendLayout(dst []int32) []int32 {
	dst = append(dst, t.offsets...)
	return append(dst, int32(len(t.Raw)))
}

// SetLayout makes t the tuple at the start of b that AppendLayout
// described with layout (b must begin with the same bytes as that tuple's
// Raw), reusing t's storage, and returns the tuple's length. t aliases b
// but not layout.
func (t *Tuple) SetLayout(b []byte, layout []int32) int {
	k := len(layout) - 1
	n := int(layout[k])
	t.Raw = b[:n]
	t.offsets = append(t.offsets[:0], layout[:k]...)
	return n
}

// parse reads one tuple from the start of b into t (reusing its offsets).
// It returns the tuple's length, 0 when b holds only part of a tuple, or
// -1 when b starts with the trailer. want, when positive, is the field
// count every tuple must have.
func (t *Tuple) parse(b []byte, want int) (int, error) {
	if len(b) < 2 {
		return 0, nil
	}
	count := int16(binary.BigEndian.Uint16(b))
	if count == -1 {
		return -1, nil
	}
	if count < 0 {
		return 0, formatErr("negative field count %d", count)
	}
	if want > 0 && int(count) != want {
		return 0, formatErr("tuple has %d fields, want %d", count, want)
	}
	t.offsets = t.offsets[:0]
	pos := 2
	for range int(count) {
		if len(b)-pos < 4 {
			return 0, nil
		}
		n := int32(binary.BigEndian.Uint32(b[pos:]))
		if n < -1 {
			return 0, formatErr("field length %d", n)
		}
		t.offsets = append(t.offsets, int32(pos))
		pos += 4
		if n > 0 {
			if len(b)-pos < int(n) {
				return 0, nil
			}
			pos += int(n)
		}
	}
	t.Raw = b[:pos]
	return pos, nil
}

// Parse reads the tuple at the start of b, which must hold it completely
// (as Raw of a tuple a Splitter yielded does), into t, reusing t's
// storage, and returns its length. t aliases b.
func (t *Tuple) Parse(b []byte) (int, error) {
	n, err := t.parse(b, 0)
	switch {
	case err != nil:
		return 0, err
	case n == 0:
		return 0, formatErr("incomplete tuple")
	case n < 0:
		return 0, formatErr("trailer where a tuple was expected")
	}
	return n, nil
}
