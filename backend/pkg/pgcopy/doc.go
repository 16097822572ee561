// Package pgcopy reads and writes the framing of PostgreSQL's binary COPY
// format, so a copy between two servers can relay the stream and touch only
// the fields it has to change.
//
// A binary COPY stream is an 11-byte signature ("PGCOPY\n\377\r\n\0"), a
// 32-bit flags word, a 32-bit header-extension length and that many bytes,
// then one tuple per row — a 16-bit field count followed, per field, by a
// 32-bit length (-1 for NULL) and that many bytes of the type's binary
// (send/recv) representation — and finally a 16-bit -1 trailer. All
// integers are big-endian.
//
// The package is pure (no I/O of its own, no database types): [Splitter]
// consumes the stream in arbitrary pieces, as pgconn hands COPY TO data
// over, and yields each complete [Tuple] without copying it when it arrived
// in one piece; the Append functions build a stream for COPY FROM. Field
// values stay opaque bytes; decoding a field is the caller's business and
// happens only for the fields that need it.
package pgcopy
