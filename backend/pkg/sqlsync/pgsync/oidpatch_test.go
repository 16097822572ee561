package pgsync

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// be appends big-endian 32-bit words.
func be(b []byte, words ...int32) []byte {
	for _, w := range words {
		b = binary.BigEndian.AppendUint32(b, uint32(w))
	}
	return b
}

// record encodes a binary composite of (oid, data) fields; nil data is
// NULL.
func record(fields ...any) []byte {
	b := be(nil, int32(len(fields)/2))
	for i := 0; i < len(fields); i += 2 {
		b = be(b, int32(fields[i].(int)))
		data, _ := fields[i+1].([]byte)
		if data == nil {
			b = be(b, -1)
			continue
		}
		b = be(b, int32(len(data)))
		b = append(b, data...)
	}
	return b
}

// array1 encodes a one-dimensional binary array of elem-typed values.
func array1(elem int32, values ...[]byte) []byte {
	b := be(nil, 1, 0, elem, int32(len(values)), 1)
	for _, v := range values {
		if v == nil {
			b = be(b, -1)
			continue
		}
		b = be(b, int32(len(v)))
		b = append(b, v...)
	}
	return b
}

func TestOIDPatchArrayOfCompositesWithEnums(t *testing.T) {
	t.Parallel()
	// Source: composite 20001 (int4 23, enum 20002, enum[] 20003 of
	// 20002); destination: composite 30001 (23, 30002, 30003 of 30002).
	srcRec := func(label string) []byte {
		return record(23, []byte{0, 0, 0, 7}, 20002, []byte(label), 20003, array1(20002, []byte("a"), nil, []byte("b")))
	}
	dstRec := func(label string) []byte {
		return record(23, []byte{0, 0, 0, 7}, 30002, []byte(label), 30003, array1(30002, []byte("a"), nil, []byte("b")))
	}
	value := array1(20001, srcRec("happy"), nil, srcRec("sad"))
	want := array1(30001, dstRec("happy"), nil, dstRec("sad"))

	enum := &oidPatch{oid: 30002}
	p := &oidPatch{oid: 30004, elem: &oidPatch{oid: 30001, fields: []*oidPatch{
		{oid: 23}, enum, {oid: 30003, elem: enum},
	}}}
	if !p.needed() {
		t.Fatal("patch not needed")
	}
	field := be(nil, int32(len(value)))
	field = append(field, value...)
	p.applyField(field)
	if !bytes.Equal(field[4:], want) {
		t.Fatalf("patched\n%v\nwant\n%v", field[4:], want)
	}

	// Built-in element types need nothing.
	if (&oidPatch{oid: 1007, elem: &oidPatch{oid: 23}}).needed() {
		t.Fatal("int4[] needs a patch")
	}
	// Truncated values are left alone rather than read past their end.
	short := be(nil, 20)
	short = append(short, value[:17]...)
	p.applyField(short)
	p.applyField(be(nil, -1))
}
