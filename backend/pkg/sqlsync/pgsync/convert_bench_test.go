package pgsync

import (
	"encoding/binary"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/neosyncio/neosync/backend/pkg/benchcpu"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/pgcopy"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// benchTransforms are the transformed columns of the users table of
// sqlsync's BenchmarkPostgresSync.
var benchTransforms = map[string]string{
	"email": "transform_email", "first_name": "generate_first_name",
	"last_name": "generate_last_name", "ssn": "transform_hash",
}

// BenchmarkConvertUsersRow measures one converter worker on rows of `make
// bench`'s users table (BenchmarkPostgresSync): 10 fields, of which email
// (transform_email), first_name, last_name (generators) and ssn
// (transform_hash) are transformed in consistent mode, the rest copied. It
// is the relay's per-row CPU without the databases and the network.
func BenchmarkConvertUsersRow(b *testing.B) {
	c, tuples := newUsersConverter(b, 1024)
	var out []byte
	b.ReportAllocs()
	stop := benchcpu.Start(b)
	i := 0
	for b.Loop() {
		var err error
		if out, err = c.convert(&tuples[i%len(tuples)], out[:0]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	stop()
}

// BenchmarkConvertUsersRowSketched is BenchmarkConvertUsersRow with the
// leak sketches of the four transformed columns, over 250,000 distinct
// rows (so the sketches sample, as on a real table): "one sketch" keeps
// one sketch per column for the whole copy, as a copy did before
// checkpoints carried sketches; "per batch" starts new sketches at every
// batch of 100,000 rows and commits the finished batch's into the
// committed ones (syncdriver.Leaks), as a copy does now; "two converters"
// is "per batch" with the rows dealt in raw batches of 256 to two
// converters, each with its own sketches, as a copy's convert pool on two
// CPUs does (here on one goroutine, so cpu-ns/op is comparable). Run it
// with -benchtime 1000000x so all cross ten batches.
func BenchmarkConvertUsersRowSketched(b *testing.B) {
	const batch = 100_000
	for _, mode := range []string{"one sketch", "per batch", "two converters"} {
		b.Run(mode, func(b *testing.B) {
			perBatch := mode != "one sketch"
			convs := 1
			if mode == "two converters" {
				convs = 2
			}
			leaks := syncdriver.NewLeaks(0, leakscan.Seed{}, nil)
			var cs []*pgConverter
			var tuples []pgcopy.Tuple
			for range convs {
				c, t := newUsersConverter(b, 250_000)
				for k := range c.out {
					if o := &c.out[k]; o.tr != nil {
						o.sketch = leaks.Sketch(o.name)
					}
				}
				c.leaks = leaks
				cs, tuples = append(cs, c), t
			}
			var out []byte
			b.ReportAllocs()
			stop := benchcpu.Start(b)
			i := 0
			committed := int64(0)
			for b.Loop() {
				c := cs[(i/rawBatchRows)%convs]
				if perBatch {
					g := int64(i) / batch
					if g != committed {
						leaks.Commit(committed, syncdriver.Checkpoint{Rows: int64(i)})
						committed = g
					}
					c.onBatch(g)
				}
				var err error
				if out, err = c.convert(&tuples[i%len(tuples)], out[:0]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			stop()
			b.StopTimer()
			if r := leaks.Results()["email"]; r.Rows != int64(i) {
				b.Fatalf("the sketch of email holds %d rows, want %d", r.Rows, i)
			}
		})
	}
}

// newUsersConverter returns a converter of the users table's rows (see
// BenchmarkConvertUsersRow) and n distinct source rows.
func newUsersConverter(b *testing.B, n int) (*pgConverter, []pgcopy.Tuple) {
	names := []string{"id", "email", "first_name", "last_name", "ssn", "phone", "age", "balance", "created_at", "active"}
	oids := []uint32{pgtype.Int8OID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
		pgtype.Int4OID, pgtype.NumericOID, pgtype.TimestamptzOID, pgtype.BoolOID}
	reg := transformers.NewRegistry()
	m := pgtype.NewMap()
	c := &pgConverter{names: names, codecs: make([]*pgValueCodec, len(names)), out: make([]pgOutput, len(names))}
	for i, name := range names {
		c.codecs[i] = newPGValueCodec(m, oids[i])
		o := &c.out[i]
		o.name, o.src = name, i
		if src, ok := benchTransforms[name]; ok {
			col := syncplan.Column{Column: sqlschema.Column{Name: name}, Action: syncplan.ActionTransform,
				Transformer: &syncplan.Transformer{Source: src}}
			tr, err := syncdriver.BuildTransform(reg, &col, []byte("bench key"), transformers.PRFv1)
			if err != nil {
				b.Fatal(err)
			}
			o.tr, o.codec, o.generator = tr, c.codecs[i], tr.Def.Generator
			o.appendText = o.codec.kind == pgText && tr.Inst.CanAppend()
			o.textIn = o.appendText && (tr.TakesAny || tr.TakesString)
		}
	}
	setRuns(c.out)
	// n distinct source rows, shaped like the benchmark's.
	tuples := make([]pgcopy.Tuple, n)
	for i := range tuples {
		g := int64(i + 1)
		be := func(n int, v int64) []byte {
			out := make([]byte, 8)
			binary.BigEndian.PutUint64(out, uint64(v))
			return out[8-n:]
		}
		raw := pgcopy.AppendTupleStart(nil, len(names))
		for _, f := range [][]byte{
			be(8, g), []byte("user" + strconv.FormatInt(g, 10) + "@example.com"), []byte("first" + strconv.FormatInt(g, 10)),
			[]byte("last" + strconv.FormatInt(g, 10)), []byte(strconv.FormatInt(100000000+g*7919, 10)),
			[]byte("+1555" + strconv.FormatInt(1000000+g, 10)), be(4, g%97),
			{0, 1, 0, 0, 0, 0, 0, 2, 0, 12}, be(8, g*1_000_000), {byte(g % 2)},
		} {
			raw = pgcopy.AppendField(raw, f)
		}
		if _, err := tuples[i].Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
	return c, tuples
}
