package pgcopy

import (
	"bytes"
	"encoding/binary"
)

// Splitter cuts a binary COPY stream, fed in pieces of any size, into
// tuples. The zero value expects a stream with any number of fields per
// tuple; set Fields to insist on a count. A Splitter is not safe for
// concurrent use.
type Splitter struct {
	// Fields, when positive, is the number of fields every tuple must have.
	Fields int

	pending  []byte // an incomplete header or tuple carried between Feeds
	header   bool   // the header has been consumed
	finished bool   // the trailer has been consumed
	tuple    Tuple
	rows     int64
}

// Rows returns the number of tuples yielded so far.
func (s *Splitter) Rows() int64 { return s.rows }

// Finished reports whether the trailer has been read.
func (s *Splitter) Finished() bool { return s.finished }

// Feed consumes p and calls fn once per complete tuple, in stream order.
// The Tuple and its bytes are valid only during the call (they may alias
// p). Bytes of an incomplete tuple are kept until the next Feed. An error
// from fn stops the feed and is returned as is; a malformed stream returns
// an error wrapping [ErrFormat].
func (s *Splitter) Feed(p []byte, fn func(*Tuple) error) error {
	if s.finished {
		if len(p) > 0 {
			return formatErr("%d bytes after the trailer", len(p))
		}
		return nil
	}
	if len(s.pending) > 0 {
		// Complete the carried tuple with as few bytes of p as possible,
		// then continue on p itself so whole tuples are not copied.
		for len(p) > 0 {
			need, err := s.missing()
			if err != nil {
				return err
			}
			if need == 0 {
				break
			}
			take := min(need, len(p))
			s.pending = append(s.pending, p[:take]...)
			p = p[take:]
		}
		rest, err := s.consume(s.pending, fn)
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			// Still incomplete: p is exhausted.
			s.pending = append(s.pending[:0], rest...)
			return nil
		}
		s.pending = s.pending[:0]
	}
	rest, err := s.consume(p, fn)
	if err != nil {
		return err
	}
	s.pending = append(s.pending, rest...)
	return nil
}

// Close reports an error unless the stream ended exactly after the
// trailer.
func (s *Splitter) Close() error {
	if !s.finished {
		return formatErr("stream ended without the trailer (%d bytes pending)", len(s.pending))
	}
	return nil
}

// consume yields every complete element of b and returns the unconsumed
// remainder.
func (s *Splitter) consume(b []byte, fn func(*Tuple) error) ([]byte, error) {
	if s.finished && len(b) > 0 {
		return nil, formatErr("%d bytes after the trailer", len(b))
	}
	if !s.header {
		n, err := headerSize(b)
		if err != nil || n == 0 {
			return b, err
		}
		s.header = true
		b = b[n:]
	}
	for len(b) > 0 {
		n, err := s.tuple.parse(b, s.Fields)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return b, nil
		}
		if n < 0 {
			s.finished = true
			if len(b) > 2 {
				return nil, formatErr("%d bytes after the trailer", len(b)-2)
			}
			return nil, nil
		}
		s.rows++
		if err := fn(&s.tuple); err != nil {
			return nil, err
		}
		b = b[n:]
	}
	return nil, nil
}

// missing returns how many more bytes the pending element needs at least
// (0 when it is complete, or when its size cannot be known yet beyond what
// is already there — then one more byte is requested).
func (s *Splitter) missing() (int, error) {
	b := s.pending
	if !s.header {
		if len(b) < headerLen {
			return headerLen - len(b), nil
		}
		n, err := headerSize(b)
		if err != nil {
			return 0, err
		}
		if n == 0 {
			ext := int(binary.BigEndian.Uint32(b[headerLen-4:]))
			return headerLen + ext - len(b), nil
		}
		return 0, nil
	}
	if len(b) < 2 {
		return 2 - len(b), nil
	}
	count := int16(binary.BigEndian.Uint16(b))
	if count <= 0 {
		return 0, nil
	}
	pos := 2
	for range int(count) {
		if len(b)-pos < 4 {
			return pos + 4 - len(b), nil
		}
		n := int32(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if n > 0 {
			if len(b)-pos < int(n) {
				return pos + int(n) - len(b), nil
			}
			pos += int(n)
		}
	}
	return 0, nil
}

// headerSize validates the header at the start of b and returns its size,
// or 0 when b is too short to tell.
func headerSize(b []byte) (int, error) {
	if len(b) < len(Signature) {
		if !bytes.HasPrefix([]byte(Signature), b) {
			return 0, formatErr("bad signature")
		}
		return 0, nil
	}
	if string(b[:len(Signature)]) != Signature {
		return 0, formatErr("bad signature")
	}
	if len(b) < headerLen {
		return 0, nil
	}
	flags := binary.BigEndian.Uint32(b[len(Signature):])
	if flags&flagOIDs != 0 {
		return 0, formatErr("tuples with OIDs are not supported")
	}
	if flags&0xffff0000&^flagOIDs != 0 {
		return 0, formatErr("unknown critical header flags %#x", flags)
	}
	ext := binary.BigEndian.Uint32(b[headerLen-4:])
	if ext > 1<<20 {
		return 0, formatErr("header extension of %d bytes", ext)
	}
	if len(b) < headerLen+int(ext) {
		return 0, nil
	}
	return headerLen + int(ext), nil
}
