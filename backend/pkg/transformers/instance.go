package transformers

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"
)

// Instance is a configured transformer. It is not safe for concurrent use.
type Instance struct {
	def *Definition
	fn  Func
	// appendFn is the appending form of fn, when the definition has one.
	appendFn AppendFunc
	// remote is set for a JavaScript transformer evaluated by the
	// registry's host (see buildRemote).
	remote *remoteHandle
	opts   Options
	pcg    *rand.PCG
	call   Call
	// block is set in consistent mode under PRFv1, mac under PRFv2.
	block cipher.Block
	mac   *cmac
	// prefix is the FNV-128a state after the source and its 0 separator,
	// which start every seed's input (PRFv1); prefixStr continues it with
	// the type tag of a string, AppendCanonical's 's'.
	prefix, prefixStr fnv128a
	buf               []byte
	sum               [16]byte
	seed              [16]byte
}

func newInstance(d *Definition, fn Func, o Options) (*Instance, error) {
	if !o.PRF.Valid() {
		return nil, fmt.Errorf("transformers: unknown PRF version %d", int(o.PRF))
	}
	seed := o.Seed
	if seed == 0 && o.Key == nil {
		seed = rand.Uint64()
	}
	pcg := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	in := &Instance{def: d, fn: fn, opts: o, pcg: pcg}
	in.call = Call{Rand: rand.New(pcg), MaxLength: o.MaxLength, Column: o.Column}
	if o.Key == nil || !d.Consistent {
		return in, nil
	}
	in.call.Key = remapKeyOf(o.Key, o.PRF)
	if o.PRF == PRFv2 {
		mac, err := newCMAC(subKey(o.Key, infoSeedPrefix+d.Source, 32))
		if err != nil {
			return nil, err
		}
		in.mac = mac
		return in, nil
	}
	k := sha256.Sum256(o.Key)
	in.block, _ = aes.NewCipher(k[:]) // a 32-byte key never fails
	in.prefix = newFNV128a()
	in.prefix.writeString(d.Source)
	in.prefix.writeByte(0)
	in.prefixStr = in.prefix
	in.prefixStr.writeByte('s')
	return in, nil
}

// Definition returns what the instance was built from.
func (i *Instance) Definition() *Definition { return i.def }

// Consistent reports whether outputs are a pure function of the input.
func (i *Instance) Consistent() bool { return i.block != nil || i.mac != nil }

// reseeds reports whether calls reseed the random source from the input.
func (i *Instance) reseeds() bool { return (i.block != nil || i.mac != nil) && !i.def.NoRand }

// Transform maps one value. Row may be nil. A NULL input stays NULL for
// transforms that do not declare HandlesNull; generators ignore the input.
func (i *Instance) Transform(value any, row map[string]any) (any, error) {
	if value == nil && !i.def.Generator && !i.def.HandlesNull {
		return nil, nil
	}
	if i.reseeds() {
		i.reseed(value)
	}
	i.call.Value = value
	i.call.Row = row
	out, err := i.fn(&i.call)
	if err != nil {
		return nil, err
	}
	if s, ok := out.(string); ok && i.opts.MaxLength > 0 && utf8.RuneCountInString(s) > i.opts.MaxLength {
		out = truncateRunes(s, i.opts.MaxLength)
	}
	return out, nil
}

// CanAppend reports whether AppendText can write the output into the
// caller's buffer (otherwise it always returns the output as a value).
func (i *Instance) CanAppend() bool { return i.appendFn != nil }

// AppendText is Transform for a caller that writes the output as text
// into a buffer: when the output is text and the transformer can build it
// in place (CanAppend), it is appended to dst and text is true, with no
// string allocated; otherwise dst is returned unchanged, text is false and
// v is the output exactly as Transform would return it. Either way the
// output is the one Transform gives for the same input.
func (i *Instance) AppendText(dst []byte, value any, row map[string]any) (out []byte, text bool, v any, err error) {
	if i.appendFn == nil {
		v, err = i.Transform(value, row)
		return dst, false, v, err
	}
	if value == nil && !i.def.Generator && !i.def.HandlesNull {
		return dst, false, nil, nil
	}
	if i.reseeds() {
		i.reseed(value)
	}
	i.call.Value = value
	i.call.Row = row
	return i.appendText(dst)
}

// AppendTextString is AppendText for a string input, which it passes to
// the transformer without boxing it in an interface (no allocation).
func (i *Instance) AppendTextString(dst []byte, value string, row map[string]any) (out []byte, text bool, v any, err error) {
	if i.appendFn == nil {
		return i.AppendText(dst, value, row)
	}
	if i.reseeds() {
		i.reseedString(value)
	}
	i.call.Value = nil
	i.call.str, i.call.hasStr = value, true
	i.call.Row = row
	out, text, v, err = i.appendText(dst)
	i.call.str, i.call.hasStr = "", false
	return out, text, v, err
}

// appendText runs appendFn on i.call, set up by the caller, and applies
// MaxLength as Transform does.
func (i *Instance) appendText(dst []byte) (out []byte, text bool, v any, err error) {
	start := len(dst)
	out, text, v, err = i.appendFn(&i.call, dst)
	if err != nil {
		return dst, false, nil, err
	}
	if !text {
		if s, ok := v.(string); ok && i.opts.MaxLength > 0 && utf8.RuneCountInString(s) > i.opts.MaxLength {
			v = truncateRunes(s, i.opts.MaxLength)
		}
		return dst, false, v, nil
	}
	if i.opts.MaxLength > 0 && utf8.RuneCount(out[start:]) > i.opts.MaxLength {
		out = out[:start+len(truncateRuneBytes(out[start:], i.opts.MaxLength))]
	}
	return out, true, nil, nil
}

// reseed derives the random state from (key, source, canonical input):
// under PRFv1 AES_k(FNV-128a(source, 0, AppendCanonical(input))), under
// PRFv2 AES-CMAC_k'(AppendCanonical(input)) with k' the source's HKDF
// sub-key.
func (i *Instance) reseed(value any) {
	if s, ok := value.(string); ok {
		i.reseedString(s)
		return
	}
	i.buf = AppendCanonical(i.buf[:0], value)
	if i.mac != nil {
		cmacSum(i.mac, &i.seed, i.buf[0], i.buf[1:])
		i.seedPCG()
		return
	}
	h := i.prefix
	h.write(i.buf)
	i.seedFrom(&h)
}

// reseedString is reseed for a string, hashed as AppendCanonical encodes
// it but without copying it.
func (i *Instance) reseedString(s string) {
	if i.mac != nil {
		cmacSum(i.mac, &i.seed, 's', s)
		i.seedPCG()
		return
	}
	h := i.prefixStr
	h.writeString(s)
	i.seedFrom(&h)
}

// seedFrom seeds the random source from the FNV hash of the seed's input
// (PRFv1).
func (i *Instance) seedFrom(h *fnv128a) {
	h.sum(&i.sum)
	i.block.Encrypt(i.seed[:], i.sum[:])
	i.seedPCG()
}

// seedPCG seeds the random source from the 16 bytes in i.seed.
func (i *Instance) seedPCG() {
	i.pcg.Seed(binary.LittleEndian.Uint64(i.seed[:8]), binary.LittleEndian.Uint64(i.seed[8:]))
}

// AppendCanonical appends a type-tagged, stable encoding of v, so that equal
// values of one type seed consistent mode identically on every worker.
func AppendCanonical(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case string:
		return append(append(b, 's'), x...)
	case []byte:
		return append(append(b, 'b'), x...)
	case int64:
		return strconv.AppendInt(append(b, 'i'), x, 10)
	case int:
		return strconv.AppendInt(append(b, 'i'), int64(x), 10)
	case int32:
		return strconv.AppendInt(append(b, 'i'), int64(x), 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.AppendInt(append(b, 'i'), int64(x), 10)
		}
		return strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(append(b, 't'), x)
	case time.Time:
		return x.UTC().AppendFormat(append(b, 'd'), time.RFC3339Nano)
	}
	return append(b, '?')
}

// truncateRuneBytes is truncateRunes for text in a byte slice.
func truncateRuneBytes(b []byte, n int) []byte {
	count := 0
	for idx := 0; idx < len(b); {
		if count == n {
			return b[:idx]
		}
		_, size := utf8.DecodeRune(b[idx:])
		idx += size
		count++
	}
	return b
}

func truncateRunes(s string, n int) string {
	count := 0
	for idx := range s {
		if count == n {
			return s[:idx]
		}
		count++
	}
	return s
}
