package pgcopy

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Signature opens every binary COPY stream.
const Signature = "PGCOPY\n\xff\r\n\x00"

// headerLen is the signature plus the flags word and the extension length.
const headerLen = len(Signature) + 8

// flagOIDs is the header flag bit announcing a per-tuple OID field, which
// PostgreSQL 12 and newer never send.
const flagOIDs = 1 << 16

// ErrFormat is wrapped by every error about a malformed stream.
var ErrFormat = errors.New("pgcopy: malformed binary COPY stream")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// AppendHeader appends the signature, zero flags and an empty extension.
func AppendHeader(b []byte) []byte {
	b = append(b, Signature...)
	return append(b, 0, 0, 0, 0, 0, 0, 0, 0)
}

// AppendTrailer appends the end-of-data marker.
func AppendTrailer(b []byte) []byte { return append(b, 0xff, 0xff) }

// AppendTupleStart appends the field count of a tuple with n fields.
func AppendTupleStart(b []byte, n int) []byte {
	return binary.BigEndian.AppendUint16(b, uint16(n))
}

// AppendField appends one non-NULL field value (an empty value is not
// NULL).
func AppendField(b, value []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
	return append(b, value...)
}

// AppendNull appends a NULL field.
func AppendNull(b []byte) []byte { return append(b, 0xff, 0xff, 0xff, 0xff) }

// BeginField appends a length placeholder for a field whose value the
// caller appends next (e.g. with a pgtype encoder, which appends to a
// buffer), and returns the placeholder's offset for [EndField].
func BeginField(b []byte) ([]byte, int) {
	return append(b, 0, 0, 0, 0), len(b)
}

// EndField fills in the length of the field begun at offset start. A nil
// value (null true) rewrites the field as NULL.
func EndField(b []byte, start int, null bool) []byte {
	if null {
		b = b[:start]
		return AppendNull(b)
	}
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}
