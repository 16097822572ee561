package objectstore

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
)

// partWriter encodes one part file in memory (bounded by RowsPerPart and
// MaxPartBytes).
type partWriter interface {
	write(row []*string) error
	// size is the encoded bytes so far (compressed).
	size() int
	close() ([]byte, error)
	contentType() string
}

func newPartWriter(f Format, cols []Column, opts ExportOptions) (partWriter, error) {
	switch f {
	case FormatJSONLinesGzip:
		p := &jsonLinesPart{cols: cols, ctype: "application/gzip"}
		p.zw = gzip.NewWriter(&p.buf)
		return p, nil
	case FormatJSONLinesZstd:
		p := &jsonLinesPart{cols: cols, ctype: "application/zstd"}
		zw, err := zstd.NewWriter(&p.buf)
		if err != nil {
			return nil, err
		}
		p.zw = zw
		return p, nil
	case FormatParquet:
		return newParquetPart(cols, opts), nil
	}
	return nil, fmt.Errorf("unknown format %q", f)
}

// jsonLinesPart writes {"column": "text value" | null} per line.
type jsonLinesPart struct {
	cols  []Column
	buf   bytes.Buffer
	zw    io.WriteCloser
	line  []byte
	ctype string
}

func (p *jsonLinesPart) write(row []*string) error {
	b := append(p.line[:0], '{')
	for i, c := range p.cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, c.Name)
		b = append(b, ':')
		if row[i] == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONString(b, *row[i])
		}
	}
	b = append(b, '}', '\n')
	p.line = b
	_, err := p.zw.Write(b)
	return err
}

func (p *jsonLinesPart) size() int           { return p.buf.Len() }
func (p *jsonLinesPart) contentType() string { return p.ctype }

func (p *jsonLinesPart) close() ([]byte, error) {
	if err := p.zw.Close(); err != nil {
		return nil, err
	}
	return p.buf.Bytes(), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes
// U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			b = append(b, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}

// parquetPart writes each column as its ParquetType (Column.Parquet),
// pages compressed with the export's codec. A Parquet group orders its
// fields by name, so each column's leaf index is looked up once.
type parquetPart struct {
	buf     bytes.Buffer
	w       *parquet.Writer
	cols    []Column
	dialect string
	leaf    []int
	row     parquet.Row
}

func newParquetPart(cols []Column, opts ExportOptions) *parquetPart {
	group := parquet.Group{}
	for _, c := range cols {
		group[c.Name] = parquetNode(c.Parquet)
	}
	schema := parquet.NewSchema("row", group)
	p := &parquetPart{cols: cols, dialect: opts.Dialect, leaf: make([]int, len(cols)), row: make(parquet.Row, len(cols))}
	for i, c := range cols {
		lc, _ := schema.Lookup(c.Name)
		p.leaf[i] = lc.ColumnIndex
	}
	var codec compress.Codec = &parquet.Zstd
	if opts.Compression == CompressionGzip {
		codec = &parquet.Gzip
	}
	p.w = parquet.NewWriter(&p.buf, schema, parquet.Compression(codec))
	return p
}

func (p *parquetPart) write(row []*string) error {
	r := p.row
	for i, v := range row {
		leaf := p.leaf[i]
		if v == nil {
			r[leaf] = parquet.NullValue().Level(0, 0, leaf)
			continue
		}
		pv, err := parquetValue(p.cols[i].Parquet, p.dialect, p.cols[i].Name, *v)
		if err != nil {
			return err
		}
		r[leaf] = pv.Level(0, 1, leaf)
	}
	_, err := p.w.WriteRows([]parquet.Row{r})
	return err
}

func (p *parquetPart) size() int           { return p.buf.Len() }
func (p *parquetPart) contentType() string { return "application/vnd.apache.parquet" }

func (p *parquetPart) close() ([]byte, error) {
	if err := p.w.Close(); err != nil {
		return nil, err
	}
	return p.buf.Bytes(), nil
}
